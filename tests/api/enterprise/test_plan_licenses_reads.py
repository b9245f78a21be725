"""GET .../subscriptions/{plan}/licenses/, .../licenses/overview/ and .../licenses/csv/
(reference/learner_side.md §4.1-§4.3; issue 12): exact bodies, filters, ordering, paging, the
count invariants against GET subscriptions, every bad input. Who may call: test_plan_licenses_access.py."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from coursegate.subscriptions.models import License
from coursegate.subscriptions.selectors import license_counts_for_plans
from tests.api.enterprise.license_support import (
    LEARNER_EMAIL,
    PLAN_A,
    PLAN_B,
    S,
    license_json,
    license_of,
    licensed_world,
)

BASE = f"/enterprise/v1/subscriptions/{PLAN_A}/licenses"


@pytest.fixture
def licensed(enterprise_world, frozen, make_user):
    return licensed_world(enterprise_world, make_user)


def _get(world, path="/", caller="admin_a", accept="application/json", **params):
    return world.client(caller, accept=accept).get(f"{BASE}{path}", params)


def _unassigned(plan=PLAN_A) -> list[dict]:
    rows = License.objects.filter(plan_id=plan, status=S.UNASSIGNED).order_by("uuid")
    return [license_json(row) for row in rows]


# --- list ---------------------------------------------------------------------------------------------


def test_the_list_holds_every_license_by_status_then_e_mail(licensed):
    response = _get(licensed)

    assert response.status_code == 200
    expected = (
        [license_json(license_of("alice@example.com"))]
        + [license_json(license_of(e)) for e in ("bob@example.com", LEARNER_EMAIL)]
        + [license_json(license_of("carol@example.com", status=S.REVOKED))]
        + _unassigned()
    )
    assert response.json() == {"count": 11, "num_pages": 1, "next": None, "previous": None, "results": expected}
    assert expected[0]["activation_key"]
    assert (expected[-1]["user_email"], expected[-1]["activation_key"]) == (None, None)  # unassigned


def test_the_list_is_xml_by_default(licensed):
    root = ET.fromstring(_get(licensed, accept=None).content)

    assert [child.tag for child in root] == ["count", "num_pages", "next", "previous", "results"]
    assert root.findtext("results/list-item/user_email") == "alice@example.com"
    assert root.findall("results/list-item")[-1].findtext("user_email") == ""


def test_counts_match_the_plan_s_license_counts(licensed):
    counts = license_counts_for_plans([PLAN_A])[PLAN_A]

    assert _get(licensed).json()["count"] == counts.total + counts.revoked
    assert _get(licensed, status="assigned").json()["count"] == counts.assigned
    assert _get(licensed, status="assigned,activated").json()["count"] == counts.allocated
    assert _get(licensed, active_only="1").json()["count"] == counts.allocated


@pytest.mark.parametrize(
    ("params", "emails"),
    [
        ({"status": "assigned"}, ["bob@example.com", LEARNER_EMAIL]),
        ({"status": " revoked , activated "}, ["alice@example.com", "carol@example.com"]),
        ({"search": "AL"}, ["alice@example.com"]),
        ({"search": "bo", "status": "assigned"}, ["bob@example.com"]),
        ({"user_email": "Bob@Example.com"}, ["bob@example.com"]),
        ({"user_email": "bo"}, []),
        ({"active_only": "true", "ordering": "-user_email"}, [LEARNER_EMAIL, "bob@example.com", "alice@example.com"]),
        ({"ordering": "user_email", "status": "assigned,activated,revoked"},
         ["alice@example.com", "bob@example.com", "carol@example.com", LEARNER_EMAIL]),
        ({"ordering": "nonsense", "status": "activated,revoked"}, ["alice@example.com", "carol@example.com"]),
    ],
)  # fmt: skip
def test_filters_and_ordering(licensed, params, emails):
    body = _get(licensed, **params).json()

    assert [r["user_email"] for r in body["results"]] == emails
    assert body["count"] == len(emails)


def test_ignore_null_emails_leaves_out_revoked_licenses_without_an_e_mail(licensed):
    License.objects.filter(plan_id=PLAN_A, status=S.REVOKED).update(user_email="")

    assert _get(licensed, status="revoked").json()["count"] == 1
    assert _get(licensed, status="revoked", ignore_null_emails="1").json()["count"] == 0
    assert _get(licensed, ignore_null_emails="1").json()["count"] == 10


def test_pages(licensed):
    first = _get(licensed, page_size=4).json()
    last = _get(licensed, page_size=4, page=3).json()

    assert (first["count"], first["num_pages"], len(first["results"])) == (11, 3, 4)
    assert first["next"] == f"http://testserver{BASE}/?page=2&page_size=4" and first["previous"] is None
    assert (len(last["results"]), last["next"]) == (3, None)
    assert _get(licensed, page_size=1000).json()["count"] == 11  # above 500: 500 a page


def test_the_list_costs_the_same_queries_whatever_the_plan_holds(licensed, django_assert_num_queries):
    client = licensed.client("admin_a")
    client.get(f"{BASE}/")
    with django_assert_num_queries(5):  # token, roles, plan, count, page
        client.get(f"{BASE}/")
    License.objects.bulk_create([License(plan=licensed.plan) for _ in range(300)])
    with django_assert_num_queries(5):
        assert len(client.get(f"{BASE}/", {"page_size": 500}).json()["results"]) == 311


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "gone"},
         {"status": ["Unknown license status: gone. Statuses: unassigned, assigned, activated, revoked."]}),
        ({"status": "assigned,x,y"},
         {"status": ["Unknown license status: x, y. Statuses: unassigned, assigned, activated, revoked."]}),
        ({"active_only": "perhaps"}, {"active_only": ["Must be a valid boolean."]}),
        ({"ignore_null_emails": "2"}, {"ignore_null_emails": ["Must be a valid boolean."]}),
        ({"page_size": "-1"}, {"page_size": ["Ensure this value is greater than or equal to 1."]}),
        ({"page": "0"}, {"page": ["Ensure this value is greater than or equal to 1."]}),
        ({"search": "x" * 255}, {"search": ["Ensure this field has no more than 254 characters."]}),
    ],
)  # fmt: skip
def test_bad_list_queries_are_400(licensed, params, expected):
    response = _get(licensed, **params)

    assert (response.status_code, response.json()) == (400, expected)


def test_a_page_past_the_end_is_404(licensed):
    response = _get(licensed, page=2)

    assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})


# --- overview -----------------------------------------------------------------------------------------


def test_the_overview_counts_licenses_by_status_largest_first(licensed):
    response = _get(licensed, "/overview/")

    assert response.status_code == 200
    assert response.json() == [
        {"status": "unassigned", "count": 7},
        {"status": "assigned", "count": 2},
        {"status": "activated", "count": 1},
        {"status": "revoked", "count": 1},
    ]


def test_the_overview_applies_the_filters_and_leaves_out_empty_statuses(licensed):
    assert _get(licensed, "/overview/", active_only="1").json() == [
        {"status": "assigned", "count": 2},
        {"status": "activated", "count": 1},
    ]
    assert _get(licensed, "/overview/", search="carol").json() == [{"status": "revoked", "count": 1}]
    assert _get(licensed, "/overview/", search="nobody").json() == []


def test_the_overview_is_xml_by_default(licensed):
    root = ET.fromstring(_get(licensed, "/overview", accept=None).content)

    assert [(i.findtext("status"), i.findtext("count")) for i in root.findall("list-item")][0] == ("unassigned", "7")


def test_a_bad_overview_filter_is_400(licensed):
    response = _get(licensed, "/overview/", status="nope")

    assert response.status_code == 400
    assert list(response.json()) == ["status"]


# --- CSV ----------------------------------------------------------------------------------------------


def test_the_csv_lists_the_licenses_given_out_with_their_activation_links(licensed):
    response = _get(licensed, "/csv/", accept=None)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="licenses-{PLAN_A}.csv"'
    text = response.content.decode("utf-8")
    assert text.endswith("\r\n") and "\r\n" in text
    link = "http://testserver/customer-a/licenses/{}/activate"
    rows = [
        ["activation_date", "activation_link", "last_remind_date", "status", "user_email"],
        ["2027-03-01T09:30:00+00:00", link.format(license_of("alice@example.com").activation_key),
         "2027-03-01T09:30:00+00:00", "activated", "alice@example.com"],
        ["", link.format(license_of("bob@example.com").activation_key), "2027-03-01T09:30:00+00:00", "assigned",
         "bob@example.com"],
        ["", link.format(license_of(LEARNER_EMAIL).activation_key), "2027-03-01T09:30:00+00:00", "assigned",
         LEARNER_EMAIL],
        ["", link.format(license_of("carol@example.com", status=S.REVOKED).activation_key),
         "2027-03-01T09:30:00+00:00", "revoked", "carol@example.com"],
    ]  # fmt: skip
    assert list(csv.reader(io.StringIO(text))) == rows


def test_the_csv_uses_the_learner_portal_when_configured_and_escapes_formulas(licensed, settings):
    settings.COURSEGATE_LEARNER_PORTAL_URL = "https://learn.example.com/"
    License.objects.filter(plan_id=PLAN_A, user_email="bob@example.com").update(user_email="=cmd@example.com")

    rows = list(csv.reader(io.StringIO(_get(licensed, "/csv").content.decode())))

    assert rows[1][1].startswith("https://learn.example.com/customer-a/licenses/")
    assert [row[4] for row in rows[1:]][:2] == ["alice@example.com", "'=cmd@example.com"]


def test_the_csv_of_a_plan_without_licenses_given_is_its_header(licensed):
    response = licensed.client("admin_b").get(f"/enterprise/v1/subscriptions/{PLAN_B}/licenses/csv/")
    License.objects.filter(plan_id=PLAN_B).update(status=S.UNASSIGNED)
    empty = licensed.client("admin_b").get(f"/enterprise/v1/subscriptions/{PLAN_B}/licenses/csv/")

    assert len(response.content.decode().splitlines()) == 3
    assert empty.content == b"activation_date,activation_link,last_remind_date,status,user_email\r\n"


def test_csv_errors_are_negotiated_as_everywhere(licensed):
    response = licensed.client("learner_a", accept=None).get(f"{BASE}/csv/")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/xml; charset=utf-8"
