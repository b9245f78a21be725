"""``users`` (``username,email[,name,password]``) and ``enrollments``
(``username,course_run_key[,mode,is_active]``)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db import transaction
from django.db.models.functions import Lower

from coursegate.accounts.exceptions import AccountExistsError, AccountInvalidError
from coursegate.accounts.models import User
from coursegate.accounts.provisioning import users_details_update
from coursegate.accounts.validators import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, email_problems, username_problems
from coursegate.courses.models import CourseRun
from coursegate.enrollments.models import Enrollment, Source
from coursegate.enrollments.notifications import enrollment_change_emails_enqueue
from coursegate.enrollments.registration import user_register
from coursegate.enrollments.services import EnrollmentRequest, Outcome, enrollments_bulk_upsert
from coursegate.provisioning.files import Row
from coursegate.provisioning.runner import CREATED, FAILED, UNCHANGED, UPDATED, Kind, Options, RowError, RowResult
from coursegate.provisioning.values import bool_value, required

# --- users ---------------------------------------------------------------------------------------


def _user_values(row: Row) -> tuple[str, str, str, str | None]:
    v = row.values
    username, email, name = required(v, "username"), required(v, "email"), v.get("name", "")
    problems = [f"username: {p}" for p in username_problems(username)]
    problems += [f"email: {p}" for p in email_problems(email)]
    if len(email) > EMAIL_MAX_LENGTH:
        problems.append(f"email: at most {EMAIL_MAX_LENGTH} characters")
    if len(name) > NAME_MAX_LENGTH:
        problems.append(f"name: at most {NAME_MAX_LENGTH} characters")
    if problems:
        raise RowError("; ".join(problems))
    return username, email, name, v.get("password") or None


def _account_problem(exc: AccountInvalidError | AccountExistsError) -> str:
    if isinstance(exc, AccountExistsError):
        return f"{' and '.join(exc.fields)}: taken by another account"
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.field_errors.items())


def users_apply(rows: list[Row], options: Options) -> list[RowResult]:
    """New accounts through ``user_register`` (one at a time: each may hash a password); changed
    e-mails and names of existing accounts in one set-based update. A password is used only when
    the account is created (an existing account's password is never reset by an import); without
    one the account has an unusable password and logs in through tokens."""
    parsed: list[tuple[int, tuple[str, str, str, str | None]]] = []
    results: list[RowResult] = []
    for row in rows:
        try:
            parsed.append((row.line, _user_values(row)))
        except RowError as exc:
            results.append(RowResult(row.line, FAILED, str(exc)))
    users = {
        u.username: u for u in User.objects.filter(username__in={p[0] for _, p in parsed}).select_related("profile")
    }
    owners = dict(
        User.objects.exclude(email="")
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in={p[1].lower() for _, p in parsed})
        .values_list("email_lower", "username")
    )
    changes: dict[str, tuple[User, str, str]] = {}
    for line, (username, email, name, password) in parsed:
        owner = owners.get(email.lower())
        if owner is not None and owner != username:
            results.append(RowResult(line, FAILED, f"email: {email} belongs to the account {owner}"))
            continue
        user = users.get(username)
        if user is None:
            try:
                with transaction.atomic():
                    user = user_register(username=username, email=email, password=password, name=name)
            except (AccountInvalidError, AccountExistsError) as exc:
                results.append(RowResult(line, FAILED, _account_problem(exc)))
                continue
            users[username], owners[email.lower()] = user, username
            results.append(RowResult(line, CREATED))
            continue
        current_name = user.profile.name if hasattr(user, "profile") else None
        if user.email == email and current_name == name:
            results.append(RowResult(line, UNCHANGED))
            continue
        changes[username] = (user, email, name)
        owners.pop(user.email.lower(), None)
        owners[email.lower()] = username
        results.append(RowResult(line, UPDATED))
    users_details_update(changes=list(changes.values()))
    return results


def users_export() -> Iterator[dict]:
    rows = User.objects.order_by("id").values_list("username", "email", "profile__name").iterator(chunk_size=5000)
    for username, email, name in rows:
        yield {"username": username, "email": email, "name": name or ""}


USERS = Kind("users", required=("username", "email"), optional=("name", "password"), apply=users_apply,
             export=users_export)  # fmt: skip


# --- enrollments ---------------------------------------------------------------------------------

_OUTCOMES = {
    Outcome.CREATED: CREATED,
    Outcome.REACTIVATED: UPDATED,
    Outcome.UPDATED: UPDATED,
    Outcome.DEACTIVATED: UPDATED,
    Outcome.UNCHANGED: UNCHANGED,
    Outcome.NOT_ENROLLED: UNCHANGED,
}


def enrollments_apply(rows: list[Row], options: Options) -> list[RowResult]:
    """One ``enrollments_bulk_upsert`` per batch, as staff (privileged: a mode can be changed and an
    enrollment deactivated); ``--force`` also enrolls outside the window, past capacity and without
    invitation. History rows carry the source "admin". E-mails only with ``--notify``."""
    results: list[RowResult] = []
    wanted = [(row, row.values.get("username", ""), row.values.get("course_run_key", "")) for row in rows]
    users = User.objects.in_bulk({u for _, u, _ in wanted if u}, field_name="username")
    runs = CourseRun.objects.prefetch_related("modes").in_bulk({k for _, _, k in wanted if k}, field_name="key")
    requests: list[tuple[int, EnrollmentRequest]] = []
    for row, username, key in wanted:
        try:
            user, run = users.get(required(row.values, "username")), runs.get(required(row.values, "course_run_key"))
            if user is None:
                raise RowError(f"username: no account {username!r}")
            if run is None:
                raise RowError(f"course_run_key: no course run {key!r}")
            is_active = bool_value(row.values, "is_active", True)
        except RowError as exc:
            results.append(RowResult(row.line, FAILED, str(exc)))
            continue
        mode = row.values.get("mode") or None
        requests.append((row.line, EnrollmentRequest(user=user, course_run=run, mode=mode, is_active=is_active)))
    outcomes = enrollments_bulk_upsert(
        requests=[r for _, r in requests], actor=None, source=Source.ADMIN, privileged=True, force=options.force
    )
    mails = []
    for (line, request), result in zip(requests, outcomes, strict=True):
        if result.error is not None:
            results.append(RowResult(line, FAILED, str(result.error) or type(result.error).__name__))
            continue
        results.append(RowResult(line, _OUTCOMES.get(result.outcome or "", UPDATED)))
        if request.user.email and result.outcome in (Outcome.CREATED, Outcome.REACTIVATED):
            mails.append(("enrolled_enroll", request.user.email, request.course_run))
        elif request.user.email and result.outcome == Outcome.DEACTIVATED:
            mails.append(("enrolled_unenroll", request.user.email, request.course_run))
    if options.notify and mails:
        enrollment_change_emails_enqueue(mails)
    return results


def enrollments_export() -> Iterator[dict]:
    rows = (
        Enrollment.objects.order_by("id")
        .values_list("user__username", "course_run__key", "mode", "is_active")
        .iterator(chunk_size=5000)
    )
    for username, key, mode, is_active in rows:
        yield {"username": username, "course_run_key": key, "mode": mode, "is_active": is_active}


ENROLLMENTS = Kind("enrollments", required=("username", "course_run_key"), optional=("mode", "is_active"),
                   apply=enrollments_apply, export=enrollments_export)  # fmt: skip
