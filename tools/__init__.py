"""Development tools that are not part of the served package (import-linter contract types)."""
