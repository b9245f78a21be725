"""Provisioning from files: ``coursegate import`` / ``coursegate export`` (issue 13)."""
