"""``Idempotency-Key`` on state-changing POSTs: the first answer stored, a retry replayed (issue 14 §4)."""
