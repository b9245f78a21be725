"""Who may call the webhooks API (issue 14 §3): staff users only; anyone else authenticated gets 403."""

from __future__ import annotations

from coursegate.core.permissions import IsStaff


class IsWebhooksStaff(IsStaff):
    """Staff users only, on every webhooks endpoint."""
