"""Content metadata of the demo catalogs (seed 003's example keys). Data only: the demo command
loads it through catalogs.services.content_item_upsert(**columns).

Each entry is ``(content_type, content_key, title, columns)``. ``columns`` holds ContentItem
columns; ``columns["metadata"]`` holds every other field the seed lists for that kind of item
("Fields in a course / course_run / program Content Item"), with values shaped like the seed's
example responses. Fields that are columns are not repeated in the metadata: a course's and a
run's ``key`` and ``title``, a run's ``course`` (``parent_key``), ``enrollment_end`` (``enroll_by``)
and ``first_enrollable_paid_seat_price`` (``price_cents``), a program's ``uuid`` and ``title``.
``course_runs`` and ``enrollment_url`` are computed when an item is rendered.

The run dates match the demo's course runs (demo/loading.py, OPEN_RUN); one
archived run (``course-v1:edx+tr1012+1T2020``) is inactive, so catalog listings leave it out.
"""

from __future__ import annotations

from datetime import UTC, datetime

PROGRAM_UUID = "a3d6f3fb-4a8b-4b8a-9cde-5f1d6a0e7c11"

SITE = "https://learn.coursegate.example"
MEDIA = "https://media.coursegate.example"
MODIFIED = "2024-01-12T16:45:17.341223Z"

COURSE_UUIDS = {
    "edx+tr1012": "a5db2463-d7f8-4437-b3eb-61ab5dcce60d",
    "HarvardX+FIH": "502a0991-4d7d-45e1-801e-dd9acd6d34ee",
    "MyUni+Sport101x": "d894b8cf-4781-4f9b-9914-7219a2296244",
    "edx+api101": "799678db-3c25-42cd-92fc-754969f852e7",
    "edx+101": "7672b43b-2d8b-4cb6-a4c9-1d527c825edc",
}
RUN_UUIDS = {
    "course-v1:edx+tr1012+1T2021": "477c3303-1533-4072-8e5f-03159d95ae2d",
    "course-v1:edx+tr1012+1T2020": "9ad67e12-d3ba-4db3-b614-7ff72af18fb6",
    "course-v1:HarvardX+FIH+3T2023": "70725644-1b77-438f-b731-32df5fab008f",
    "course-v1:MyUni+Sport101x": "6aaca88f-761a-42b2-aa32-9ab1fa741d28",
    "course-v1:edx+api101+1T2025": "d670a6ab-4709-4ef4-adf8-54d43a76d54d",
    "course-v1:edx+101+1T2025": "94e19ebe-7358-4cb6-8e6e-4966b55240b5",
}
COURSE_TYPES = {
    "verified-audit": "bb8689f4-ff6a-4029-a647-836371da81cd",
    "audit": "16fddf26-b3f3-44c8-b220-92808344c61f",
}
RUN_TYPES = {"verified-audit": "92b053fe-59e9-4113-9945-e554e94963ce", "audit": "724a8040-6d64-45ff-8e68-73f57df8da15"}


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _image(path: str) -> dict:
    return {"src": f"{MEDIA}/media/{path}", "description": None, "height": None, "width": None}


def _org(key: str, name: str, uuid: str, description: str) -> dict:
    slug = key.lower()
    return {
        "uuid": uuid,
        "key": key,
        "name": name,
        "auto_generate_course_run_keys": False,
        "certificate_logo_image_url": f"{MEDIA}/organization/certificate_logos/{uuid}.png",
        "logo_image_url": f"{MEDIA}/organization/logos/{uuid}.png",
        "organization_hex_color": None,
        "data_modified_timestamp": None,
        "description": description,
        "description_es": "",
        "homepage_url": None,
        "tags": ["charter"],
        "marketing_url": f"{SITE}/school/{slug}",
        "slug": slug,
        "banner_image_url": f"{MEDIA}/organization/banner_images/{uuid}.png",
        "enterprise_subscription_inclusion": True,
    }


ORGS = {
    "edx": _org(
        "edx", "edX", "4f8cb2c9-589b-4d1e-88c1-b01a02db3a9c",
        "<p>edX offers online courses in computer science, business, the humanities and more.</p>",
    ),
    "HarvardX": _org(
        "HarvardX", "Harvard University", "0dcd6266-7e17-46e4-b3b9-a7f90a6e565b",
        "<p>Harvard University's online learning initiative.</p>",
    ),
    "MyUni": _org(
        "MyUni", "My University", "6e320062-9e30-4e86-b4f2-6cff6d78e39d",
        "<p>My University teaches sport science and coaching.</p>",
    ),
}  # fmt: skip


def _subject(name: str, slug: str, uuid: str) -> dict:
    return {
        "name": name,
        "subtitle": f"<p>Learn about {name.lower()} from the best universities and institutions.</p>",
        "description": f"<p>Online courses in {name.lower()}.</p>",
        "banner_image_url": f"{MEDIA}/subject/banner/{slug}.jpg",
        "card_image_url": f"{MEDIA}/subject/card/{slug}.jpg",
        "slug": slug,
        "uuid": uuid,
    }


SUBJECTS = {
    "social-sciences": _subject("Social Sciences", "social-sciences", "eefb009b-0a02-49e9-b1b1-249982b6ce86"),
    "health-safety": _subject("Health & Safety", "health-safety", "dabfb816-c76b-4c92-99d2-661d994c2d70"),
    "computer-science": _subject("Computer Science", "computer-science", "952c54e3-4ec9-4548-94fe-02ef1e41ef00"),
}


def _person(uuid: str, given: str, family: str, org: dict) -> dict:
    slug = f"{given}-{family}".lower()
    return {
        "uuid": uuid,
        "salutation": "Dr.",
        "given_name": given,
        "family_name": family,
        "bio": f"<p>{given} {family} teaches at {org['name']}.</p>",
        "slug": slug,
        "position": {
            "title": "Professor",
            "organization_name": org["name"],
            "organization_id": None,
            "organization_override": None,
            "organization_marketing_url": org["marketing_url"],
            "organization_uuid": org["uuid"],
            "organization_logo_image_url": org["logo_image_url"],
        },
        "areas_of_expertise": [],
        "profile_image": {"medium": {"url": f"{MEDIA}/people/{uuid}.medium.png", "width": 110, "height": 110}},
        "works": [],
        "urls": {"facebook": None, "twitter": None, "blog": None},
        "urls_detailed": [],
        "email": None,
        "profile_image_url": f"{MEDIA}/people/{uuid}.png",
        "major_works": "",
        "published": True,
    }


STAFF = {
    "edx": _person("eb282e24-f8b5-4674-848e-45d67aba79ef", "Ada", "Lovelace", ORGS["edx"]),
    "HarvardX": _person("3eb5bcaa-27f1-4635-9f4b-1ea9cab54711", "Julia", "Child", ORGS["HarvardX"]),
    "MyUni": _person("b81c25d8-9b0b-41cd-9570-138599992fde", "Jesse", "Owens", ORGS["MyUni"]),
}


def _seat(mode: str, price: str, sku: str, upgrade_deadline: str | None = None) -> dict:
    return {
        "type": mode,
        "price": price,
        "currency": "USD",
        "upgrade_deadline": upgrade_deadline,
        "upgrade_deadline_override": None,
        "credit_provider": None,
        "credit_hours": None,
        "sku": sku,
        "bulk_sku": None,
    }


PROGRAM_TYPE = {
    "uuid": "da59aea8-68dc-4b2c-aa00-25f290fc58e3",
    "slug": "professional-certificate",
    "coaching_supported": False,
}
PROGRAM_SLUG = "food-and-sport"
PROGRAM_SUMMARY = {
    "uuid": PROGRAM_UUID,
    "title": "Professional Certificate in Food and Sport",
    "type": "Professional Certificate",
    "type_attrs": PROGRAM_TYPE,
    "marketing_slug": PROGRAM_SLUG,
    "marketing_url": f"{SITE}/certificates/professional-certificate/{PROGRAM_SLUG}",
    "number_of_courses": 2,
}


def _run(
    key: str,
    *,
    title: str,
    course: str,
    org: str,
    seats: list,
    start: str = "2024-01-01T00:00:00Z",
    end: str = "2030-12-31T00:00:00Z",
    enrollment_start: str | None = "2023-12-01T00:00:00Z",
    pacing: str = "self_paced",
    weeks: int = 6,
    effort: tuple[int, int] = (2, 4),
    level: str = "Introductory",
    status: str = "published",
    availability: str = "Current",
    enrollments: tuple[int, int] = (0, 0),
    programs: tuple = (),
    description: str = "",
) -> dict:
    """The metadata of one course run (seed 003, "Fields in a course_run Content Item")."""
    paid = [seat for seat in seats if seat["price"] != "0.00"]
    kind = "verified-audit" if paid else "audit"
    slug = key.lower().replace(":", "").replace("+", "-")
    return {
        "uuid": RUN_UUIDS[key],
        "external_key": "",
        "image": _image(f"course/image/{COURSE_UUIDS[course]}.small.jpg"),
        "short_description": f"<p>{description}</p>",
        "marketing_url": f"{SITE}/course/{slug}",
        "seats": seats,
        "start": start,
        "end": end,
        "go_live_date": enrollment_start,
        "enrollment_start": enrollment_start,
        "weeks_to_complete": weeks,
        "pacing_type": pacing,
        "type": "verified" if paid else "audit",
        "run_type": RUN_TYPES[kind],
        "status": status,
        "is_enrollable": availability != "Archived",
        "is_marketable": availability != "Archived",
        "availability": availability,
        "variant_id": None,
        "full_description": f"<p>{description} Taught by {ORGS[org]['name']}.</p>",
        "announcement": enrollment_start,
        "video": None,
        "content_language": "en-us",
        "license": "",
        "outcome": f"<p>What you will learn in {title}.</p>",
        "transcript_languages": ["en-us"],
        "instructors": [],
        "staff": [STAFF[org]],
        "min_effort": effort[0],
        "max_effort": effort[1],
        "modified": MODIFIED,
        "level_type": level,
        "mobile_available": True,
        "hidden": False,
        "reporting_type": "mooc",
        "eligible_for_financial_aid": bool(paid),
        "has_ofac_restrictions": False,
        "ofac_comment": "",
        "enrollment_count": enrollments[0],
        "recent_enrollment_count": enrollments[1],
        "expected_program_type": "Professional Certificate" if programs else None,
        "expected_program_name": programs[0]["title"] if programs else "",
        "course_uuid": COURSE_UUIDS[course],
        "estimated_hours": float(weeks * (effort[0] + effort[1]) / 2),
        "content_language_search_facet_name": "English",
        "enterprise_subscription_inclusion": True,
        "programs": list(programs),
    }


def _course(
    key: str,
    *,
    title: str,
    org: str,
    subject: str,
    runs: list[tuple[str, str]],
    advertised: str,
    entitlements: list,
    description: str,
    level: str = "Introductory",
    enrollments: tuple[int, int] = (0, 0),
    programs: tuple = (),
    slug: str = "",
) -> dict:
    """The metadata of one course (seed 003, "Fields in a course Content Item"); ``runs`` are its
    runs' (key, status)."""
    slug = slug or title.lower().replace(" ", "-")
    kind = "verified-audit" if entitlements else "audit"
    return {
        "uuid": COURSE_UUIDS[key],
        "entitlements": entitlements,
        "owners": [ORGS[org]],
        "image": _image(f"course/image/{COURSE_UUIDS[key]}.small.jpg"),
        "short_description": f"<p>{description}</p>",
        "type": COURSE_TYPES[kind],
        "url_slug": slug,
        "course_type": kind,
        "enterprise_subscription_inclusion": True,
        "excluded_from_seo": False,
        "excluded_from_search": False,
        "full_description": f"<p>{description} Offered by {ORGS[org]['name']}.</p>",
        "level_type": level,
        "subjects": [SUBJECTS[subject]],
        "prerequisites": [],
        "prerequisites_raw": "None.",
        "expected_learning_items": [f"The core ideas of {title}", f"How to apply {title} at work"],
        "video": None,
        "sponsors": [],
        "modified": MODIFIED,
        "marketing_url": f"{SITE}/course/{slug}",
        "syllabus_raw": "<ol><li>Introduction</li><li>Practice</li><li>Assessment</li></ol>",
        "outcome": f"<p>What you will learn in {title}.</p>",
        "original_image": _image(f"course/image/{COURSE_UUIDS[key]}.jpg"),
        "card_image_url": f"{MEDIA}/media/course/card/{COURSE_UUIDS[key]}.jpg",
        "canonical_course_run_key": advertised,
        "extra_description": None,
        "additional_information": None,
        "additional_metadata": None,
        "faq": None,
        "learner_testimonials": None,
        "enrollment_count": enrollments[0],
        "recent_enrollment_count": enrollments[1],
        "topics": [],
        "key_for_reruns": "",
        "url_slug_history": [slug],
        "url_redirects": [],
        "course_run_statuses": sorted({status for _, status in runs}),
        "editors": [],
        "collaborators": [],
        "skill_names": [title],
        "skills": [{"name": title, "description": f"The skills taught in {title}."}],
        "organization_short_code_override": "",
        "organization_logo_override_url": None,
        "geolocation": None,
        "location_restriction": None,
        "in_year_value": None,
        "product_source": {"name": "edX", "slug": "edx", "description": "Open courses"},
        "data_modified_timestamp": "2023-11-21T21:09:56.175672Z",
        "watchers": [f"course-team@{org.lower()}.example"],
        "programs": list(programs),
        "course_run_keys": [run_key for run_key, _ in runs],
        "editable": True,
        "advertised_course_run_uuid": RUN_UUIDS[advertised],
    }


def _entitlement(price: str, sku: str) -> dict:
    return {"mode": "verified", "price": price, "currency": "USD", "sku": sku, "expires": None}


def _program_course(key: str, title: str, run_key: str) -> dict:
    """A course as a program lists it (a short record)."""
    return {
        "key": key,
        "uuid": COURSE_UUIDS[key],
        "title": title,
        "url_slug": title.lower().replace(" ", "-"),
        "course_runs": [
            {"key": run_key, "uuid": RUN_UUIDS[run_key], "title": title, "status": "published",
             "start": "2024-01-01T00:00:00Z", "end": "2030-12-31T00:00:00Z"}
        ],
    }  # fmt: skip


PROGRAM_METADATA = {
    "subtitle": "Eat well, train well: nutrition history and sport science",
    "type": "Professional Certificate",
    "type_attrs": PROGRAM_TYPE,
    "status": "active",
    "marketing_slug": PROGRAM_SLUG,
    "marketing_url": PROGRAM_SUMMARY["marketing_url"],
    "banner_image": {
        "large": {"url": f"{MEDIA}/programs/banner/{PROGRAM_UUID}.large.jpg", "width": 1440, "height": 480},
        "small": {"url": f"{MEDIA}/programs/banner/{PROGRAM_UUID}.small.jpg", "width": 435, "height": 145},
    },
    "hidden": False,
    "courses": [
        _program_course("HarvardX+FIH", "Food in History", "course-v1:HarvardX+FIH+3T2023"),
        _program_course("MyUni+Sport101x", "Sport 101", "course-v1:MyUni+Sport101x"),
    ],
    "authoring_organizations": [ORGS["HarvardX"], ORGS["MyUni"]],
    "card_image_url": f"{MEDIA}/programs/card_images/{PROGRAM_UUID}.png",
    "is_program_eligible_for_one_click_purchase": True,
    "degree": None,
    "curricula": [],
    "marketing_hook": "Two courses on what we eat and how we move.",
    "total_hours_of_effort": 84,
    "recent_enrollment_count": 2,
    "organization_short_code_override": "",
    "organization_logo_override_url": None,
    "primary_subject_override": SUBJECTS["health-safety"],
    "level_type_override": {"name": "Introductory", "sort_value": 1},
    "language_override": "en-us",
    "labels": ["nutrition", "sport"],
    "taxi_form": None,
    "program_duration_override": None,
    "data_modified_timestamp": "2023-11-21T21:09:56.175672Z",
    "excluded_from_search": False,
    "excluded_from_seo": False,
    "has_ofac_restrictions": False,
    "ofac_comment": "",
    "overview": "<p>Follow food through history, then put nutrition to work in sport.</p>",
    "weeks_to_complete": 14,
    "weeks_to_complete_max": 16,
    "weeks_to_complete_min": 12,
    "min_hours_effort_per_week": 2,
    "max_hours_effort_per_week": 4,
    "video": None,
    "expected_learning_items": ["How diets changed through history", "How athletes train and eat"],
    "faq": [],
    "credit_backing_organizations": [],
    "corporate_endorsements": [],
    "job_outlook_items": [],
    "individual_endorsements": [],
    "languages": ["en-us"],
    "transcript_languages": ["en-us"],
    "subjects": [SUBJECTS["health-safety"], SUBJECTS["social-sciences"]],
    "price_ranges": [{"currency": "USD", "min": 49.0, "max": 49.0, "total": 49.0}],
    "staff": [STAFF["HarvardX"], STAFF["MyUni"]],
    "credit_redemption_overview": None,
    "applicable_seat_types": ["verified", "professional"],
    "instructor_ordering": [],
    "enrollment_count": 2,
    "topics": [],
    "credit_value": 0,
    "enterprise_subscription_inclusion": True,
    "geolocation": None,
    "location_restriction": None,
    "is_2u_degree_program": False,
    "in_year_value": None,
    "skill_names": ["Nutrition", "Sport science"],
    "skills": [{"name": "Nutrition", "description": "What food does for the body."}],
    "product_source": {"name": "edX", "slug": "edx", "description": "Open courses"},
    "subscription_eligible": True,
    "subscription_prices": [],
}

AUDIT_HONOR = [_seat("audit", "0.00", "4A19EC2"), _seat("honor", "0.00", "4A19EC3")]

# (content_type, content_key, title, columns)
DEMO_CONTENT = [
    (
        "course", "edx+tr1012", "Training 1012",
        {"metadata": _course(
            "edx+tr1012", title="Training 1012", org="edx", subject="social-sciences",
            runs=[("course-v1:edx+tr1012+1T2021", "published"), ("course-v1:edx+tr1012+1T2020", "published")],
            advertised="course-v1:edx+tr1012+1T2021", entitlements=[], enrollments=(3, 1),
            description="Training for teams: plan, practise and review.", slug="trench-run-10",
        )},
    ),
    (
        "course", "HarvardX+FIH", "Food in History",
        {"metadata": _course(
            "HarvardX+FIH", title="Food in History", org="HarvardX", subject="social-sciences",
            runs=[("course-v1:HarvardX+FIH+3T2023", "published")], advertised="course-v1:HarvardX+FIH+3T2023",
            entitlements=[_entitlement("49.00", "0E5F108")], enrollments=(5, 2), programs=(PROGRAM_SUMMARY,),
            description="How what we eat shaped societies, from the first farms to fast food.",
        ), "price_cents": 4900},
    ),
    (
        "course", "MyUni+Sport101x", "Sport 101",
        {"metadata": _course(
            "MyUni+Sport101x", title="Sport 101", org="MyUni", subject="health-safety",
            runs=[("course-v1:MyUni+Sport101x", "published")], advertised="course-v1:MyUni+Sport101x",
            entitlements=[], enrollments=(4, 4), programs=(PROGRAM_SUMMARY,),
            description="The science of training, recovery and nutrition for every athlete.",
        )},
    ),
    (
        "course", "edx+api101", "APIs 101",
        {"metadata": _course(
            "edx+api101", title="APIs 101", org="edx", subject="computer-science",
            runs=[("course-v1:edx+api101+1T2025", "published")], advertised="course-v1:edx+api101+1T2025",
            entitlements=[_entitlement("10.00", "A91C0E1")],
            description="Design, document and call web APIs.",
        ), "price_cents": 1000},
    ),
    (
        "course", "edx+101", "edX 101",
        {"metadata": _course(
            "edx+101", title="edX 101", org="edx", subject="computer-science",
            runs=[("course-v1:edx+101+1T2025", "published")], advertised="course-v1:edx+101+1T2025",
            entitlements=[_entitlement("10.00", "A91C0E2")],
            description="How to learn online: the platform, the tools and good habits.",
        ), "price_cents": 1000},
    ),
    (
        "courserun", "course-v1:edx+tr1012+1T2021", "Training 1012",
        {"parent_key": "edx+tr1012", "metadata": _run(
            "course-v1:edx+tr1012+1T2021", title="Training 1012", course="edx+tr1012", org="edx",
            seats=AUDIT_HONOR, pacing="instructor_paced", weeks=3, effort=(1, 2), enrollments=(3, 1),
            description="Training for teams: plan, practise and review.",
        )},
    ),
    (
        # An archived run: in the catalog, but inactive (not listed; its detail is still served).
        "courserun", "course-v1:edx+tr1012+1T2020", "Training 1012",
        {"parent_key": "edx+tr1012", "enroll_by": _dt("2020-06-01T00:00:00"), "is_active": False, "metadata": _run(
            "course-v1:edx+tr1012+1T2020", title="Training 1012", course="edx+tr1012", org="edx",
            seats=AUDIT_HONOR, start="2020-01-15T00:00:00Z", end="2020-06-30T00:00:00Z",
            enrollment_start="2019-12-01T00:00:00Z", pacing="instructor_paced", weeks=3, effort=(1, 2),
            availability="Archived", description="Training for teams: plan, practise and review.",
        )},
    ),
    (
        "courserun", "course-v1:HarvardX+FIH+3T2023", "Food in History",
        {"parent_key": "HarvardX+FIH", "price_cents": 4900, "metadata": _run(
            "course-v1:HarvardX+FIH+3T2023", title="Food in History", course="HarvardX+FIH", org="HarvardX",
            seats=[*AUDIT_HONOR, _seat("verified", "49.00", "DE707ED", "2030-12-21T23:59:59Z")],
            pacing="instructor_paced", weeks=8, effort=(3, 5), level="Intermediate", enrollments=(5, 2),
            programs=(PROGRAM_SUMMARY,),
            description="How what we eat shaped societies, from the first farms to fast food.",
        )},
    ),
    (
        # Seed 003's two-part run key.
        "courserun", "course-v1:MyUni+Sport101x", "Sport 101",
        {"parent_key": "MyUni+Sport101x", "metadata": _run(
            "course-v1:MyUni+Sport101x", title="Sport 101", course="MyUni+Sport101x", org="MyUni",
            seats=[_seat("audit", "0.00", "5B27FD1")], weeks=6, effort=(2, 3), enrollments=(4, 4),
            programs=(PROGRAM_SUMMARY,),
            description="The science of training, recovery and nutrition for every athlete.",
        )},
    ),
    (
        "courserun", "course-v1:edx+api101+1T2025", "APIs 101",
        {"parent_key": "edx+api101", "price_cents": 1000, "metadata": _run(
            "course-v1:edx+api101+1T2025", title="APIs 101", course="edx+api101", org="edx",
            seats=[_seat("audit", "0.00", "C0FFEE1"), _seat("verified", "10.00", "C0FFEE2", "2030-12-21T23:59:59Z")],
            start="2025-01-15T00:00:00Z", enrollment_start="2024-12-01T00:00:00Z", weeks=4, effort=(2, 3),
            description="Design, document and call web APIs.",
        )},
    ),
    (
        "courserun", "course-v1:edx+101+1T2025", "edX 101",
        {"parent_key": "edx+101", "price_cents": 1000, "metadata": _run(
            "course-v1:edx+101+1T2025", title="edX 101", course="edx+101", org="edx",
            seats=[_seat("audit", "0.00", "C0FFEE3"), _seat("verified", "10.00", "C0FFEE4", "2030-12-21T23:59:59Z")],
            start="2025-01-15T00:00:00Z", enrollment_start="2024-12-01T00:00:00Z", weeks=2, effort=(1, 2),
            description="How to learn online: the platform, the tools and good habits.",
        )},
    ),
    ("program", PROGRAM_UUID, "Professional Certificate in Food and Sport", {"metadata": PROGRAM_METADATA}),
]  # fmt: skip
