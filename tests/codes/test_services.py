"""Service rules of enrollment codes (coursegate.codes.services): generation, single-use
redemption, cancel and restore."""

from __future__ import annotations

import string
from datetime import timedelta

import pytest
from django.utils import timezone

from coursegate.codes import services
from coursegate.codes.exceptions import (
    AlreadyEnrolledError,
    EnrollmentCodeNotFoundError,
    EnrollmentCodeUnusableError,
    EnrollmentCodeUserNotFoundError,
)
from coursegate.codes.models import EnrollmentCode
from coursegate.codes.services import code_redeem, code_set_status, codes_generate
from coursegate.enrollments.exceptions import CourseFullError, EnrollmentClosedError
from coursegate.enrollments.models import Enrollment, EnrollmentHistory, Source
from coursegate.enrollments.services import Outcome, enrollment_upsert

# Appsembler's alphabet (reference §2.8): letters and digits without vowels, 1 and l.
EXPECTED_ALPHABET = set("BCDFGHJKLMNPQRSTVWXYZ023456789bcdfghjkmnpqrstvwxyz")


@pytest.fixture
def run(make_run):
    return make_run("course-v1:edX+DemoX+Demo_Course", modes=("audit",))


def _state(code: str) -> tuple[str, int | None]:
    row = EnrollmentCode.objects.get(code=code)
    return row.status, row.redeemed_by_id


# --- codes_generate ----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, -1, -10_000, 10_001, 1_000_000])
def test_generating_a_count_outside_1_to_10000_raises_value_error_and_stores_nothing(count, run):
    with pytest.raises(ValueError):
        codes_generate(course_run=run, count=count)

    assert EnrollmentCode.objects.count() == 0


@pytest.mark.parametrize("count", [1, 2, 10_000])
def test_generating_stores_exactly_count_distinct_valid_codes_of_the_run(count, run, staff):
    codes = codes_generate(course_run=run, count=count, actor=staff)

    assert len(codes) == count
    assert len({c.code for c in codes}) == count
    stored = EnrollmentCode.objects.filter(course_run=run)
    assert stored.count() == count
    assert set(stored.values_list("status", "created_by_id", "redeemed_by_id", "redeemed_at", "mode")) == {
        (EnrollmentCode.Status.VALID, staff.pk, None, None, "")
    }


def test_generated_codes_are_8_characters_of_the_alphabet_without_vowels_1_and_l(run):
    codes = [c.code for c in codes_generate(course_run=run, count=2_000)]

    assert {len(code) for code in codes} == {8}
    used = set("".join(codes))
    assert used <= EXPECTED_ALPHABET
    assert not used & set("AEIOUaeiou1l")
    # 16,000 draws from 50 symbols: every symbol shows up (the draw is not biased to a subset).
    assert used == EXPECTED_ALPHABET


def test_the_code_alphabet_has_50_symbols_none_of_them_a_vowel_1_or_l():
    assert len(services.CODE_ALPHABET) == 50
    assert set(services.CODE_ALPHABET) == EXPECTED_ALPHABET
    assert set(services.CODE_ALPHABET) <= set(string.ascii_letters + string.digits)
    assert services.CODE_LENGTH == 8


def test_codes_are_unique_across_many_generations(run, make_run):
    other = make_run("course-v1:Appsembler+APP101+1Q2016")
    codes = [c.code for _ in range(5) for c in codes_generate(course_run=run, count=500)]
    codes += [c.code for c in codes_generate(course_run=other, count=500)]

    assert len(codes) == 3_000
    assert len(set(codes)) == 3_000
    assert EnrollmentCode.objects.count() == 3_000


def test_generation_retries_when_a_new_code_collides_with_a_stored_one(run, monkeypatch):
    [existing] = codes_generate(course_run=run, count=1)
    draws = iter([existing.code, "BBBBBBBB"])
    monkeypatch.setattr(services, "_new_code", lambda: next(draws))

    codes = codes_generate(course_run=run, count=1)

    assert [c.code for c in codes] == ["BBBBBBBB"]
    assert EnrollmentCode.objects.count() == 2
    assert EnrollmentCode.objects.filter(code=existing.code).count() == 1


def test_generation_gives_up_with_runtime_error_when_every_attempt_collides(run, monkeypatch):
    [existing] = codes_generate(course_run=run, count=1)
    monkeypatch.setattr(services, "_new_code", lambda: existing.code)

    with pytest.raises(RuntimeError):
        codes_generate(course_run=run, count=1)

    assert EnrollmentCode.objects.count() == 1


# --- code_redeem --------------------------------------------------------------------------------------


def test_redeeming_enrolls_the_learner_through_the_enrollment_service_and_uses_the_code_up(run, learner, staff):
    [code] = codes_generate(course_run=run, count=1)

    result = code_redeem(code=code.code, email="HONOR@example.com", actor=staff)

    assert result.outcome == Outcome.CREATED
    assert result.enrollment.user_id == learner.pk
    assert list(Enrollment.objects.values_list("user_id", "course_run_id", "mode", "is_active")) == [
        (learner.pk, run.pk, "audit", True)
    ]
    assert list(EnrollmentHistory.objects.values_list("source", "actor_id", "is_active")) == [
        (Source.ENROLLMENT_CODE, staff.pk, True)
    ]
    code.refresh_from_db()
    assert code.redeemed_by_id == learner.pk
    assert code.redeemed_at is not None
    assert code.status == EnrollmentCode.Status.VALID


@pytest.mark.parametrize("second", ["same learner", "other learner"])
def test_a_code_is_single_use(second, run, learner, other_learner):
    [code] = codes_generate(course_run=run, count=1)
    code_redeem(code=code.code, email=learner.email)
    user = learner if second == "same learner" else other_learner

    with pytest.raises(EnrollmentCodeUnusableError):
        code_redeem(code=code.code, email=user.email)

    assert _state(code.code) == (EnrollmentCode.Status.VALID, learner.pk)
    assert Enrollment.objects.count() == 1


@pytest.mark.parametrize("code", ["NOPE1234", "", "bcdfghj"])
def test_redeeming_an_unknown_code_raises_unusable(code, run, learner):
    codes_generate(course_run=run, count=1)

    with pytest.raises(EnrollmentCodeUnusableError):
        code_redeem(code=code, email=learner.email)

    assert Enrollment.objects.count() == 0


def test_redeeming_a_cancelled_code_raises_unusable(run, learner):
    [code] = codes_generate(course_run=run, count=1)
    code_set_status(code=code.code, action="cancel")

    with pytest.raises(EnrollmentCodeUnusableError):
        code_redeem(code=code.code, email=learner.email)

    assert Enrollment.objects.count() == 0


@pytest.mark.parametrize("email", ["nobody@example.com", "", None])
def test_redeeming_for_an_unknown_email_raises_user_not_found_and_leaves_the_code_unused(email, run, learner):
    [code] = codes_generate(course_run=run, count=1)

    with pytest.raises(EnrollmentCodeUserNotFoundError):
        code_redeem(code=code.code, email=email)

    assert _state(code.code) == (EnrollmentCode.Status.VALID, None)


def test_an_empty_email_never_matches_an_account_with_a_blank_email(run, django_user_model):
    blank = django_user_model.objects.create_user(username="tool", email="", password="x")
    [code] = codes_generate(course_run=run, count=1)

    with pytest.raises(EnrollmentCodeUserNotFoundError):
        code_redeem(code=code.code, email="")

    assert not Enrollment.objects.filter(user=blank).exists()
    assert _state(code.code) == (EnrollmentCode.Status.VALID, None)


def test_redeeming_for_an_enrolled_learner_raises_already_enrolled_and_rolls_the_claim_back(run, learner):
    enrollment_upsert(user=learner, course_run=run, source=Source.ADMIN)
    [code] = codes_generate(course_run=run, count=1)

    with pytest.raises(AlreadyEnrolledError):
        code_redeem(code=code.code, email=learner.email)

    assert _state(code.code) == (EnrollmentCode.Status.VALID, None)
    assert EnrollmentHistory.objects.count() == 1


# (case, kind of run, error)
REFUSED_RUNS = [
    ("closed enrollment", "closed", EnrollmentClosedError),
    ("full run", "full", CourseFullError),
]


@pytest.mark.parametrize(("case", "kind", "error"), REFUSED_RUNS, ids=[c[0] for c in REFUSED_RUNS])
def test_a_refused_enrollment_rolls_the_claim_back(case, kind, error, make_run, learner, other_learner):
    if kind == "closed":
        run = make_run("course-v1:Org+Closed+Run", enrollment_end=timezone.now() - timedelta(hours=1))
    else:
        run = make_run("course-v1:Org+Full+Run", max_enrollments=1)
        enrollment_upsert(user=other_learner, course_run=run, source=Source.ADMIN)
    [code] = codes_generate(course_run=run, count=1)

    with pytest.raises(error):
        code_redeem(code=code.code, email=learner.email)

    assert _state(code.code) == (EnrollmentCode.Status.VALID, None)
    assert not Enrollment.objects.filter(user=learner).exists()


# --- code_set_status ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "status"), [("cancel", EnrollmentCode.Status.CANCELLED), ("restore", EnrollmentCode.Status.VALID)]
)
def test_cancel_and_restore_of_a_redeemed_code_unenroll_and_free_it(action, status, run, learner, staff):
    [code] = codes_generate(course_run=run, count=1)
    code_redeem(code=code.code, email=learner.email)

    row = code_set_status(code=code.code, action=action, actor=staff)

    assert (row.status, row.redeemed_by_id, row.redeemed_at) == (status, None, None)
    assert _state(code.code) == (status, None)
    assert list(Enrollment.objects.values_list("user_id", "is_active")) == [(learner.pk, False)]
    assert list(EnrollmentHistory.objects.values_list("source", "actor_id", "is_active")) == [
        (Source.ENROLLMENT_CODE, None, True),
        (Source.ENROLLMENT_CODE, staff.pk, False),
    ]


def test_set_status_of_an_unknown_code_raises_not_found_with_the_code(run):
    with pytest.raises(EnrollmentCodeNotFoundError) as info:
        code_set_status(code="XYZ", action="cancel")

    assert info.value.code == "XYZ"


@pytest.mark.parametrize("action", ["delete", "", "Cancel", None])
def test_set_status_with_another_action_raises_value_error_and_changes_nothing(action, run):
    [code] = codes_generate(course_run=run, count=1)

    with pytest.raises(ValueError):
        code_set_status(code=code.code, action=action)

    assert _state(code.code) == (EnrollmentCode.Status.VALID, None)
