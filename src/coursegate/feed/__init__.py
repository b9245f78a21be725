"""The domain's change feed (issue 14 §2): every enrollment, license and assignment change, appended
as a generic event in the same transaction as the change, readable through the generic events
endpoints (``getSinceEvent`` is the cursor) and delivered to webhooks (coursegate.webhooks)."""
