"""Schemathesis hooks for the fuzz run (tests/openapi/test_schemathesis.py; SCHEMATHESIS_HOOKS).

An ``Idempotency-Key`` is meant to be new for every new request: a generated case reusing the
key of an earlier, different case is rightly refused with 422 (docs/idempotency.md). A well-formed
generated key is therefore replaced by a fresh one; a malformed one (a negative case) is kept.
"""

from __future__ import annotations

import re
import uuid

import schemathesis

WELL_FORMED = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,254}")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and WELL_FORMED.fullmatch(key):
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
