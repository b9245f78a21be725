"""Rate limits (reference §1.1 "Throttling", §6 case 27): the (limit+1)-th request of a learner
within the window answers 429 with DRF's ``detail``; staff have a higher limit; the public
course-details endpoint is limited per client address."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from coursegate.core.throttling import EnrollmentAnonThrottle, EnrollmentUserThrottle
from tests.api.edx_enrollment.support import C, E, post_enrollment

RATES = {"enrollment_user": "3/minute", "enrollment_staff": "5/minute", "enrollment_anon": "2/minute"}


@pytest.fixture
def small_rates(settings, monkeypatch):
    settings.THROTTLING_ENABLED = True
    # DRF copies DEFAULT_THROTTLE_RATES into the class at import, so the class attribute is patched.
    monkeypatch.setattr(EnrollmentUserThrottle, "THROTTLE_RATES", RATES)
    monkeypatch.setattr(EnrollmentAnonThrottle, "THROTTLE_RATES", RATES)


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    assert set(response.json()) == {"detail"}
    assert response.json()["detail"].startswith("Request was throttled.")
    assert int(response["Retry-After"]) > 0


def test_the_learners_request_beyond_the_limit_is_throttled(small_rates, client_for, learner, course):
    client = client_for(learner)

    statuses = [client.get(f"{E}/enrollment").status_code for _ in range(3)]
    over = post_enrollment(client, {"course_details": {"course_id": C}})

    assert statuses == [200, 200, 200]
    _assert_throttled(over)


def test_one_learners_limit_does_not_throttle_another(small_rates, client_for, learner, other_learner, course):
    first, second = client_for(learner), client_for(other_learner)
    for _ in range(3):
        first.get(f"{E}/enrollment")

    _assert_throttled(first.get(f"{E}/enrollment"))
    assert second.get(f"{E}/enrollment").status_code == 200


def test_staff_have_a_higher_limit(small_rates, client_for, staff, course):
    client = client_for(staff)

    statuses = [client.get(f"{E}/enrollments").status_code for _ in range(5)]

    assert statuses == [200] * 5
    _assert_throttled(client.get(f"{E}/enrollments"))


def test_anonymous_course_details_are_throttled_per_client(small_rates, course):
    client = APIClient()

    statuses = [client.get(f"{E}/course/{C}").status_code for _ in range(2)]

    assert statuses == [200, 200]
    _assert_throttled(client.get(f"{E}/course/{C}"))


def test_nothing_is_throttled_when_throttling_is_switched_off(settings, monkeypatch, client_for, learner, course):
    settings.THROTTLING_ENABLED = False
    monkeypatch.setattr(EnrollmentUserThrottle, "THROTTLE_RATES", RATES)
    client = client_for(learner)

    assert {client.get(f"{E}/enrollment").status_code for _ in range(5)} == {200}
