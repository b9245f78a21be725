"""The admin's read-only list of keys, and the guard's choices of what to store."""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client

from coursegate.idempotency.guard import IdempotencyGuard
from coursegate.idempotency.models import IdempotencyKey
from coursegate.idempotency.services import Claim, key_claim
from tests.idempotency.support import post_event


def _claim() -> Claim:
    claim = key_claim(client="u1/a1", key="k", fingerprint="f" * 64, method="POST", path="/x")
    assert isinstance(claim, Claim)
    return claim


def test_the_admin_lists_keys_and_changes_none(events_writer, make_user):
    post_event(events_writer, "admin-key")
    admin = make_user("root", is_staff=True)
    admin.is_superuser = True
    admin.save()
    browser = Client()
    browser.force_login(admin)
    row = IdempotencyKey.objects.get()

    listing = browser.get("/admin/idempotency/idempotencykey/")
    detail = browser.get(f"/admin/idempotency/idempotencykey/{row.pk}/change/")

    assert listing.status_code == 200 and b"admin-key" in listing.content
    assert detail.status_code == 200 and b"admin-key" in detail.content
    assert b"apprenticeshipId" not in detail.content  # bodies are not shown, only their size
    assert browser.get("/admin/idempotency/idempotencykey/add/").status_code == 403
    assert browser.post(f"/admin/idempotency/idempotencykey/{row.pk}/delete/").status_code == 403
    assert IdempotencyKey.objects.count() == 1


def test_a_streamed_answer_is_not_stored_and_frees_the_key(db):
    claim = _claim()

    IdempotencyGuard().settle(claim, StreamingHttpResponse(iter([b"a,b\n"]), content_type="text/csv"))

    assert not IdempotencyKey.objects.exists()


def test_a_plain_answer_is_stored_with_its_kept_headers(db):
    claim = _claim()
    response = HttpResponse(b"<done/>", status=202, content_type="application/xml")
    response["Location"] = "http://testserver/next"
    response["X-Other"] = "not kept"

    IdempotencyGuard().settle(claim, response)

    row = IdempotencyKey.objects.get()
    assert (row.state, row.status, bytes(row.body)) == ("complete", 202, b"<done/>")
    assert row.content_type == "application/xml"
    assert row.headers == {"Location": "http://testserver/next"}


def test_a_lost_claim_stores_nothing(db):
    claim = _claim()
    IdempotencyKey.objects.update(run=2)  # taken over by a later request

    IdempotencyGuard().settle(claim, HttpResponse(b"late", status=200))
    IdempotencyGuard().abandon(claim)

    row = IdempotencyKey.objects.get()
    assert (row.state, bytes(row.body)) == ("in_progress", b"")
