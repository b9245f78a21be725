"""Users, their profiles and their role assignments."""

from __future__ import annotations

from functools import cache

from django.contrib.auth.models import AbstractUser
from django.db import connection, models
from django.db.models.functions import Lower

from coursegate.core.roles import Role, RoleClaim
from coursegate.core.rows import Columns


class User(AbstractUser):
    """Django's user; e-mail addresses are unique regardless of case (blank allowed for tools)."""

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~models.Q(email=""), name="accounts_user_email_ci_unique")
        ]

    def role_claims(self) -> list[str]:
        """The user's roles as claim strings (``role`` or ``role:context``), sorted for stable
        tokens. core's authentication and JWT minting read roles through this method of
        AUTH_USER_MODEL, so the ground floor never imports this app.

        Read on every JWT issued and every role check of an opaque token, with SQL written once
        (core/rows.py): the ORM's values_list() cost several times the query itself."""
        with connection.cursor() as cursor:
            cursor.execute(_role_rows_sql(connection.vendor), [self.pk])
            rows = cursor.fetchall()
        return sorted(str(RoleClaim(role, context)) for role, context in rows)


class Profile(models.Model):
    """What the learning platform knows about a person beyond the login."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    name = models.CharField(max_length=255, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")

    def __str__(self) -> str:
        return f"profile of {self.user_id}"


class RoleAssignment(models.Model):
    """One role held by one user, optionally limited to a context (a customer uuid, a course run,
    or ``*`` for all)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=64, choices=Role.choices)
    context = models.CharField(max_length=255, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "context"], name="accounts_role_assignment_unique")
        ]
        indexes = [models.Index(fields=["role", "context"])]

    def __str__(self) -> str:
        return self.as_claim()

    def as_claim(self) -> str:
        return str(RoleClaim(self.role, self.context))


@cache
def _role_rows_sql(vendor: str) -> str:
    """SELECT role, context of one user's role assignments (vendor: one SQL per database kind)."""
    columns = Columns(RoleAssignment, "r", fields=["role", "context"])
    return f"SELECT {columns.select} FROM {columns.table} r WHERE {columns.column('user')} = %s"
