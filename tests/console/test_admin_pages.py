"""Every model of the admin, as an operator meets it: its list, one row's page and its add form
answer for staff; the anonymous are sent to log in and staff without the model's permissions are
refused; a list costs the same number of queries whatever the number of rows."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.console.test_admin_kit import console_data, grow, staff_login

LABELS = sorted(model._meta.label for model in admin.site._registry)


def _url(label: str, view: str, *args) -> str:
    meta = apps.get_model(label)._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


@pytest.fixture
def data(db):
    return console_data()


@pytest.fixture
def staff_client(client, data):
    staff_login(client)
    return client


def test_every_domain_model_is_in_the_admin():
    domain = {model._meta.label for model in apps.get_models() if model.__module__.startswith("coursegate.")}
    inline_only = {"accounts.Profile", "courses.CourseMode", "enrollments.EnrollmentHistory",
                   "assignments.LearnerContentAssignmentAction", "webhooks.WebhookDelivery"}  # fmt: skip
    kept_by_the_database = {"reporting.Tally", "reporting.TallyChange"}  # triggers write them (reporting/tallies.py)
    assert domain - inline_only - kept_by_the_database <= set(LABELS)
    assert {"oauth2_provider.Application", "oauth2_provider.AccessToken"} <= set(LABELS)


def test_the_index_links_every_model(staff_client):
    page = staff_client.get("/admin/").content.decode()

    missing = [label for label in LABELS if _url(label, "changelist") not in page]
    assert missing == []


@pytest.mark.parametrize("label", LABELS)
def test_list_row_and_add_pages_answer_for_staff(staff_client, label):
    model = apps.get_model(label)
    row = model._default_manager.order_by("pk").first()
    assert row is not None, f"no {label} row in the test data"

    listing = staff_client.get(_url(label, "changelist"))
    searched = staff_client.get(_url(label, "changelist"), {"q": "example"})
    page = staff_client.get(_url(label, "change", row.pk))

    assert listing.status_code == 200
    assert listing.context["cl"].result_count >= 1
    assert searched.status_code == 200
    assert page.status_code == 200
    model_admin = admin.site._registry[model]
    if model_admin.has_add_permission(listing.wsgi_request):
        assert staff_client.get(_url(label, "add")).status_code == 200
    else:
        assert staff_client.get(_url(label, "add")).status_code == 403


@pytest.mark.parametrize("label", LABELS)
def test_the_anonymous_are_sent_to_log_in(client, db, label):
    response = client.get(_url(label, "changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


def test_a_user_who_is_not_staff_is_sent_to_log_in(client, data):
    user = apps.get_model("accounts.User").objects.get(username="honor")
    client.force_login(user)

    response = client.get(_url("subscriptions.License", "changelist"))
    login = client.get(response["Location"])

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert b"not authorized to access this page" in login.content


@pytest.mark.parametrize("label", ["subscriptions.License", "enterprise.EnterpriseCustomer", "accounts.User"])
def test_staff_without_the_models_permissions_are_refused(client, data, label):
    staff_login(client, superuser=False, username="helpdesk")
    row = apps.get_model(label)._default_manager.first()

    assert client.get(_url(label, "changelist")).status_code == 403
    assert client.get(_url(label, "change", row.pk)).status_code == 403


def _queries(client, label: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(label, "changelist"))
    assert response.status_code == 200, label
    return len(queries)


def test_a_list_costs_the_same_queries_whatever_its_rows(staff_client):
    small = {label: _queries(staff_client, label) for label in LABELS}
    grow(25, "big")
    large = {label: _queries(staff_client, label) for label in LABELS}

    assert {label: (small[label], large[label]) for label in LABELS if small[label] != large[label]} == {}
    assert max(large.values()) <= 12
