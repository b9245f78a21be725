"""Webhook subscriptions and the at-least-once delivery of change-feed events to them (issue 14 §3)."""
