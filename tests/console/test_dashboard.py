"""The dashboard page (GET /admin/dashboard/): who may see it, every chart drawn as an SVG whose
marks carry the numbers of the data made here, the range filter, and the empty states.

The world (``dashboard_world``) is made through the domain services where they exist (enrollments,
plans, events) and put into states with the ORM where only a long story would get there (license
statuses, assignment states, job outcomes), at fixed times under time_machine."""

from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from coursegate.catalogs.services import catalog_upsert
from coursegate.enrollments.models import Source
from coursegate.enrollments.services import enrollment_upsert
from coursegate.enterprise.services import customer_upsert
from coursegate.enterprise_jobs.models import BulkEnrollmentJob
from coursegate.events.services import events_store
from coursegate.subscriptions.models import License
from coursegate.subscriptions.services import plan_upsert
from tests.assignments.conftest import State, assignment_create, policy_create
from tests.events.support import new_event

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
URL = "/admin/dashboard/"
SVG = "{http://www.w3.org/2000/svg}"
CHARTS = ("enrollments", "top-runs", "licenses", "assignments", "spend", "jobs", "events")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def at(when: datetime):
    return time_machine.travel(when, tick=False)


def make_world(*, make_user, make_run, tag: str = "", users: int = 4, licenses: int = 10) -> dict:
    """Enrollments from three families on two days (plus one deactivation and one 200 days ago),
    an active and an inactive plan, a policy with assignments, jobs and events."""
    one, two = make_run(f"course-v1:Dash+One{tag}+2026"), make_run(f"course-v1:Dash+Two{tag}+2026")
    people = [make_user(f"dash{tag}{i}") for i in range(users)]
    with at(NOW - timedelta(days=200)):
        enrollment_upsert(user=people[0], course_run=make_run(f"course-v1:Dash+Old{tag}+2025"), source=Source.ADMIN)
    with at(NOW - timedelta(days=2)):
        for person in people[:3]:
            enrollment_upsert(user=person, course_run=one, source=Source.EDX_API)
    with at(NOW - timedelta(days=1)):
        for person in people[:2]:
            enrollment_upsert(user=person, course_run=two, source=Source.APPSEMBLER)
        enrollment_upsert(user=people[3], course_run=one, source=Source.ENTERPRISE)
    with at(NOW):
        enrollment_upsert(user=people[2], course_run=one, is_active=False, source=Source.EDX_API, privileged=True)

    customer = customer_upsert(uuid=uuid.uuid4(), name=f"Acme{tag}", slug=f"acme{tag}")
    catalog = catalog_upsert(uuid=uuid.uuid4(), customer=customer, title="Acme catalog")
    plan = {"customer": customer, "catalog": catalog, "start_date": NOW - timedelta(days=30)}
    active = plan_upsert(uuid=uuid.uuid4(), title=f"Plan A{tag}", num_licenses=licenses,
                         expiration_date=NOW + timedelta(days=300), **plan)  # fmt: skip
    plan_upsert(uuid=uuid.uuid4(), title=f"Old plan{tag}", num_licenses=5, is_active=False,
                expiration_date=NOW + timedelta(days=1), **plan)  # fmt: skip
    ids = list(active.licenses.order_by("uuid").values_list("uuid", flat=True))
    for status, chosen in (("assigned", ids[:3]), ("activated", ids[3:5]), ("revoked", ids[5:6])):
        for n, pk in enumerate(chosen):
            License.objects.filter(pk=pk).update(status=status, user_email=f"{status}{n}{tag}@example.com")

    policy = policy_create(customer=customer, catalog=catalog, uuid=uuid.uuid4(),
                           configuration_uuid=uuid.uuid4(), spend_limit=100_000)  # fmt: skip
    for n in range(2):
        assignment_create(policy, email=f"a{n}{tag}@example.com", price=1000)
    assignment_create(policy, email=f"b{tag}@example.com", state=State.ACCEPTED, price=5000)
    assignment_create(policy, email=f"c{tag}@example.com", state=State.CANCELLED, price=1000)

    jobs = [("failed", NOW - timedelta(days=3), None), ("running", NOW - timedelta(hours=5), NOW - timedelta(hours=4)),
            ("succeeded", NOW - timedelta(days=100), None), ("succeeded", NOW - timedelta(days=4), None)]  # fmt: skip
    for status, created, heartbeat in jobs:
        job = BulkEnrollmentJob.objects.create(customer=customer, status=status, heartbeat=heartbeat)
        BulkEnrollmentJob.objects.filter(pk=job.pk).update(created=created)
    with at(NOW - timedelta(days=5)):
        events_store(events=[new_event(apprenticeship_id=n + 1) for n in range(4)])
    with at(NOW):
        events_store(events=[new_event(apprenticeship_id=9)])
    return {"runs": (one, two), "customer": customer}


@pytest.fixture
def dashboard_world(db, make_user, make_run):
    return make_world(make_user=make_user, make_run=make_run)


def charts(response) -> dict[str, ET.Element]:
    """The page's SVG charts by id (without the ``chart-`` prefix), each parsed as XML."""
    found = {}
    for markup in re.findall(r'<svg [^>]*class="cg-chart".*?</svg>', response.content.decode(), flags=re.S):
        root = ET.fromstring(markup)
        found[root.get("id").removeprefix("chart-")] = root
    return found


def values(root: ET.Element, *keys: str) -> dict:
    """{(data-<key>, ...): data-value} of the chart's marks."""
    return {
        tuple(e.get(f"data-{k}") for k in keys): float(e.get("data-value"))
        for e in root.iter()
        if e.get("data-value") is not None and e.tag != f"{SVG}line"
    }


def is_empty(root: ET.Element) -> bool:
    return any(e.get("class") == "cg-empty" for e in root.iter(f"{SVG}text"))


@pytest.fixture
def staff_client(client, make_user):
    client.force_login(make_user("console-staff", is_staff=True))
    return client


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("learner", 302), ("inactive staff", 302), ("staff", 200), ("superuser", 200)],
)
def test_only_staff_see_the_dashboard_others_go_to_the_login_page(who, expected, client, make_user, db):
    if who != "anonymous":
        user = make_user("someone", is_staff=who != "learner")
        user.is_superuser = who == "superuser"
        user.is_active = who != "inactive staff"
        user.save()
        client.force_login(user)
    response = client.get(URL)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == f"/admin/login/?next={URL}"
    else:
        assert set(charts(response)) == set(CHARTS)


def test_the_page_is_in_the_admin_with_breadcrumbs_and_the_range_links(staff_client):
    response = staff_client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert '<div class="breadcrumbs">' in page and 'href="/admin/">Home</a>' in page
    assert "Coursegate" in page and "console/dashboard.css" in page
    assert 'href="?range=30"' in page and 'href="?range=365"' in page and "cg-range-current" in page
    assert "cdn" not in page.lower() and "<script" not in page.split("<svg", 1)[-1]  # charts carry no script


def test_the_charts_draw_the_numbers_of_the_data(staff_client, dashboard_world, frozen):
    response = staff_client.get(URL)
    drawn = charts(response)
    assert "1 failed, 1 stalled job" in response.content.decode()  # named above the charts
    day = lambda d: (NOW - timedelta(days=d)).date().isoformat()  # noqa: E731
    enrollments = values(drawn["enrollments"], "series", "label")
    assert enrollments[("Open edX Enrollment API", day(2))] == 3  # the deactivation is not counted
    assert enrollments[("Appsembler API", day(1))] == 2
    assert enrollments[("Enterprise API", day(1))] == 1
    assert sum(enrollments.values()) == 6 and ("Admin", day(200)) not in enrollments  # 200 days ago: outside 90
    assert len({label for _, label in enrollments}) == 90  # a point for every day of the window

    assert values(drawn["top-runs"], "label") == {("course-v1:Dash+One+2026",): 3, ("course-v1:Dash+Two+2026",): 2,
                                                  ("course-v1:Dash+Old+2025",): 1}  # fmt: skip
    licenses = values(drawn["licenses"], "label", "series")
    assert licenses == {("Plan A (Acme)", "Unassigned"): 4, ("Plan A (Acme)", "Assigned"): 3,
                        ("Plan A (Acme)", "Activated"): 2, ("Plan A (Acme)", "Revoked"): 1}  # fmt: skip
    assert values(drawn["assignments"], "series") == {("Allocated",): 2, ("Accepted",): 1, ("Cancelled",): 1}
    assert values(drawn["spend"], "series") == {("Redeemed",): 5000, ("Allocated",): 2000}
    [limit] = [e for e in drawn["spend"].iter(f"{SVG}line") if e.get("class") == "cg-marker"]
    assert limit.get("data-value") == "100000"
    spend_text = ["".join(e.itertext()) for e in drawn["spend"].iter(f"{SVG}text")]
    assert "$70 of $1,000" in spend_text  # redeemed + allocated, in dollars, of the limit
    jobs = values(drawn["jobs"], "label")
    assert jobs == {
        ("pending",): 0,
        ("running",): 1,
        ("stalled",): 1,
        ("succeeded",): 1,
        ("failed",): 1,
    }  # 100 days: out
    events = {label: n for (label,), n in values(drawn["events"], "label").items() if n}
    assert events == {day(5): 4, day(0): 1}
    assert all(not is_empty(chart) for chart in drawn.values())


def test_a_year_counts_per_week_and_reaches_further_back(staff_client, dashboard_world, frozen):
    drawn = charts(staff_client.get(URL, {"range": 365}))
    enrollments = values(drawn["enrollments"], "series", "label")
    old = (NOW - timedelta(days=200)).date()
    monday = (old - timedelta(days=old.weekday())).isoformat()
    assert enrollments[("Admin", monday)] == 1
    assert sum(enrollments.values()) == 7
    assert all(datetime.fromisoformat(label).weekday() == 0 for _, label in enrollments)
    assert values(drawn["jobs"], "label")[("succeeded",)] == 2


@pytest.mark.parametrize("value", ["30", "abc", "7", "-1", "", "99999999999999999999"])
def test_the_range_is_one_of_the_offered_ones_anything_else_shows_90_days(value, staff_client, frozen):
    response = staff_client.get(URL, {"range": value})
    assert response.status_code == 200
    days = 30 if value == "30" else 90
    assert f"last {days} days" in response.content.decode()


def test_an_empty_database_draws_every_chart_in_its_empty_state(staff_client, frozen):
    drawn = charts(staff_client.get(URL))
    assert set(drawn) == set(CHARTS)
    assert all(is_empty(chart) for name, chart in drawn.items() if name != "jobs")
    assert is_empty(drawn["jobs"])  # all statuses at zero
