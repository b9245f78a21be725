"""Assignment changes on the change feed (issue 14 §2): ``coursegate.assignment.allocated``,
``accepted``, ``cancelled`` and ``expired`` events, appended in the change's transaction as its
last write. Payload keys: feed.services.ASSIGNMENT_KEYS (the assignment's uuid, its policy's uuid,
the learner's e-mail, account and username, the state after the change, the change's time).

The changed rows are read back in the statement that appends their events (one INSERT ... SELECT
whatever their number), so the payload is what the change left in the table."""

from __future__ import annotations

import json
import uuid as uuid_lib
from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection

from coursegate.assignments.models import LearnerContentAssignment, SubsidyAccessPolicy
from coursegate.feed import services as feed
from coursegate.feed.sql import db_time, json_payload, uuid_text


def assignments_to_feed(event_type: str, uuids: Sequence[uuid_lib.UUID], *, now: datetime) -> int:
    """Append one ``event_type`` event per assignment of ``uuids`` (by e-mail); returns how many."""
    if not uuids or not feed.enabled():
        return 0
    quote = connection.ops.quote_name
    assignments = quote(LearnerContentAssignment._meta.db_table)
    policies = quote(SubsidyAccessPolicy._meta.db_table)
    users = quote(get_user_model()._meta.db_table)
    if connection.vendor == "postgresql":
        chosen, keys = "SELECT value::uuid FROM json_array_elements_text(%s::json)", [str(u) for u in uuids]
    else:  # SQLite keeps a uuid as its 32 hex digits
        chosen, keys = "SELECT value FROM json_each(%s)", [u.hex for u in uuids]
    payload = json_payload(
        [("uuid", uuid_text("a.uuid")), ("policy_uuid", uuid_text("p.uuid")), ("email", "a.learner_email"),
         ("user", "u.username"), ("user_id", "a.lms_user_id"), ("state", "a.state"), ("time", "CAST(%s AS text)")]
    )  # fmt: skip
    return feed.append_select(
        f"SELECT %s, %s, {payload}, %s, {uuid_text('a.uuid')} FROM {assignments} a "
        f"LEFT JOIN {policies} p ON p.assignment_configuration_id = a.assignment_configuration_id "
        f"LEFT JOIN {users} u ON u.id = a.lms_user_id "
        f"WHERE a.uuid IN ({chosen}) ORDER BY a.learner_email, a.uuid",
        [db_time(now), event_type, feed.iso(now), feed.ASSIGNMENT, json.dumps(keys)],
    )
