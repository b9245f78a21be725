"""The kinds of ``coursegate import`` / ``export``, by name (docs/provisioning.md lists their columns)."""

from __future__ import annotations

from coursegate.provisioning.kinds.courses import COURSES
from coursegate.provisioning.kinds.enterprise import CATALOG, CUSTOMERS, PLANS
from coursegate.provisioning.kinds.licenses import KIND as LICENSES
from coursegate.provisioning.kinds.people import ENROLLMENTS, USERS
from coursegate.provisioning.runner import Kind

KINDS: dict[str, Kind] = {k.name: k for k in (COURSES, USERS, ENROLLMENTS, CUSTOMERS, CATALOG, PLANS, LICENSES)}
