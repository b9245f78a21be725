"""factory-boy factories that create rows through the domain services, as every API does, so a
test's data obeys the same rules (profiles, history, key parsing) as real data.

    UserFactory(username="honor")                    -> accounts.User via user_create
    CourseRunFactory(key="course-v1:Org+Num+Run", modes=("audit", "verified"))
    CustomerFactory(name="Customer A")               -> enterprise.EnterpriseCustomer
"""

from __future__ import annotations

import uuid

import factory

from coursegate.accounts.services import user_create
from coursegate.courses.services import course_mode_upsert, course_run_upsert

MODE_NAMES = {
    "audit": "Audit",
    "honor": "Honor Code Certificate",
    "verified": "Verified Certificate",
    "professional": "Professional Education",
}


class ServiceFactory(factory.Factory):
    """A factory whose ``_create`` calls a domain service instead of ``Model.objects.create``."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return cls.service(**kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        return cls.service(**kwargs)


class UserFactory(ServiceFactory):
    class Meta:
        model = dict  # built by the service; Meta.model only satisfies factory-boy

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = "edx"
    name = factory.LazyAttribute(lambda o: o.username.title())
    is_staff = False

    @staticmethod
    def service(**kwargs):
        return user_create(validate_password=False, **kwargs)


class CourseRunFactory(ServiceFactory):
    """A run with its course and modes; ``modes`` items are slugs or ``(slug, {field: value})``."""

    class Meta:
        model = dict

    key = factory.Sequence(lambda n: f"course-v1:Org+Num{n}+Run")
    title = factory.LazyAttribute(lambda o: o.key)
    modes = ("audit",)

    @staticmethod
    def service(*, key, title, modes, **fields):
        run = course_run_upsert(key=key, title=title, **fields)
        for mode in modes:
            slug, extra = (mode, {}) if isinstance(mode, str) else mode
            course_mode_upsert(course_run=run, slug=slug, name=MODE_NAMES.get(slug, slug.title()), **extra)
        return type(run).objects.select_related("course").prefetch_related("modes").get(pk=run.pk)


class CustomerFactory(ServiceFactory):
    class Meta:
        model = dict

    uuid = factory.LazyFunction(uuid.uuid4)
    name = factory.Sequence(lambda n: f"Customer {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    contact_email = factory.LazyAttribute(lambda o: f"admin@{o.slug}.example")

    @staticmethod
    def service(**kwargs):
        from coursegate.enterprise.services import customer_upsert  # the enterprise app is optional here

        return customer_upsert(**kwargs)
