"""Constants and helpers shared by the assignment administration contract tests (seed 003
"assignment-configurations-remind", "assignment-configurations-cancel"):
test_assignments_remind_cancel.py (remind and cancel), test_assignments_requests.py (bad input, who
and how, the seed's curl examples) and test_assignments_list.py (GET .../admin/assignments/).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from coursegate.assignments.services import policy_upsert

CONF_A = "6fc7ef56-d1c4-4aa8-a649-e6eb209f0000"  # the seed's example configuration (customer A)
CONF_B = "7c1d2e3f-4a5b-4c6d-8e9f-0000000c0f0b"  # customer B's
POLICY_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
POLICY_B = "7c1d2e3f-4a5b-4c6d-8e9f-00000000b0b0"
UNKNOWN = "99999999-9999-4999-8999-999999999999"
SUBSIDY_EXPIRATION = datetime(2030, 12, 31, tzinfo=UTC)

S = LearnerContentAssignment.State
STAMP = {S.ACCEPTED: "accepted_at", S.CANCELLED: "cancelled_at", S.ERRORED: "errored_at",
         S.EXPIRED: "expired_at", S.REVERSED: "reversed_at"}  # fmt: skip


def admin_url(action: str = "", configuration: str = CONF_A) -> str:
    base = f"/enterprise/v1/assignment-configurations/{configuration}/admin/assignments/"
    return f"{base}{action}/" if action else base


def assignments_world(enterprise_world):
    """enterprise_world plus customer A's policy (configuration CONF_A, the seed's) and customer B's
    policy (configuration CONF_B). No assignments: each test makes the ones it needs."""
    w = enterprise_world
    common = {
        "spend_limit": 100_000_000,
        "subsidy_balance_cents": 200_000_000,
        "subsidy_expiration": SUBSIDY_EXPIRATION,
    }
    w.policy_a = policy_upsert(uuid=POLICY_A, configuration_uuid=CONF_A, customer=w.customer_a, catalog=w.catalog_a,
                               **common)  # fmt: skip
    w.policy_b = policy_upsert(uuid=POLICY_B, configuration_uuid=CONF_B, customer=w.customer_b, catalog=w.catalog_b,
                               **common)  # fmt: skip
    return w


def make_assignment(
    email: str,
    state: str = S.ALLOCATED,
    *,
    configuration: str = CONF_A,
    content_key: str = "edx+101",
    title: str = "edX 101",
    allocated_at: datetime | None = None,
) -> LearnerContentAssignment:
    """An assignment of ``configuration`` in ``state``, with that state's time stamp set."""
    now = timezone.now()
    fields = {STAMP[state]: now} if state in STAMP else {}
    return LearnerContentAssignment.objects.create(
        assignment_configuration_id=configuration,
        learner_email=email,
        content_key=content_key,
        content_title=title,
        content_quantity=-1000,
        state=state,
        allocated_at=allocated_at or now - timedelta(days=10),
        **fields,
    )


def admin_post(
    world, action: str, body, *, caller: str = "admin_a", configuration: str = CONF_A, accept="application/json"
):
    return world.client(caller, accept=accept).post(admin_url(action, configuration), body, format="json")


def snapshot() -> dict:
    """Every assignment's (state, cancelled_at, modified) and every action: to show nothing changed."""
    return {
        "assignments": sorted(
            LearnerContentAssignment.objects.values_list("uuid", "state", "cancelled_at", "modified")
        ),
        "actions": sorted(LearnerContentAssignmentAction.objects.values_list("uuid", "action_type")),
    }


# The mixed set of MIXED (test_assignments_list_filters.py, test_assignments_bulk_actions.py): e-mail ->
# (state, its notification: None, "ok" or "error", content key, title, learner_state the list derives).
MIXED = {
    "ann@example.com": (S.ALLOCATED, None, "edx+101", "edX 101", "notifying"),
    "bob@example.com": (S.ALLOCATED, "ok", "edx+101", "edX 101", "waiting"),
    "cat@example.com": (S.ALLOCATED, "ok", "edx+api101", "API Design 101", "waiting"),
    "dan@example.com": (S.ALLOCATED, "error", "edx+api101", "API Design 101", "failed"),
    "eve@example.com": (S.ERRORED, "ok", "edx+101", "edX 101", "failed"),
    "fay@example.com": (S.EXPIRED, "ok", "edx+api101", "API Design 101", "expired"),
    "gus@example.com": (S.ACCEPTED, "ok", "edx+101", "edX 101", None),
    "hal@example.com": (S.CANCELLED, "ok", "edx+api101", "API Design 101", None),
}
MIXED_START = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def mixed_assignments(make_user) -> dict[str, LearnerContentAssignment]:
    """MIXED in CONF_A, created a minute apart in its order (ann oldest, hal newest); bob and cat
    have accounts (lms_user_id); plus an allocated, notified assignment of CONF_B (zed@)."""
    made = {}
    for i, (email, (state, notified, key, title, _)) in enumerate(MIXED.items()):
        assignment = make_assignment(email, state, content_key=key, title=title)
        if email in ("bob@example.com", "cat@example.com"):
            assignment.lms_user = make_user(email.split("@")[0], email=email)
        assignment.created = MIXED_START + timedelta(minutes=i)
        LearnerContentAssignment.objects.filter(pk=assignment.pk).update(
            created=assignment.created, lms_user=assignment.lms_user
        )
        if notified:
            LearnerContentAssignmentAction.objects.create(
                assignment=assignment, action_type="notified",
                completed_at=None if notified == "error" else assignment.allocated_at,
                error_reason="email_error" if notified == "error" else None,
            )  # fmt: skip
        made[email] = assignment
    other = make_assignment("zed@example.com", configuration=CONF_B)
    LearnerContentAssignmentAction.objects.create(assignment=other, action_type="notified", completed_at=timezone.now())
    return made
