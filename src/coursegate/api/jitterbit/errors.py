"""Domain exception -> Jitterbit API answer, in one table (seed 000; reference §3).

The family's two endpoints are the shared analytics lists (api/analytics): a bad query parameter
is a validation error of their query serializer, answered by DRF in the seeds' shape
``{param: [message]}`` (400); nothing else of the domain reaches them. The table is empty, and
the shared one (core/errors.py) applies.
"""

from __future__ import annotations

from coursegate.core.errors import ErrorTable

ERRORS: ErrorTable = {}
