"""Course-run keys (``course-v1:Org+Course+Run``, ``course-v1:Org+Course``, ``Org/Course/Run``) and
catalog-level course keys (``Org+Course``)."""

from __future__ import annotations

import pytest

from coursegate.core.course_keys import (
    MAX_KEY_LENGTH,
    InvalidKeyError,
    is_course_run_key,
    parse_course_key,
    parse_course_run_key,
)

VALID_RUN_KEYS = [
    # key, org, course, run, legacy
    ("course-v1:edX+DemoX+Demo_Course", "edX", "DemoX", "Demo_Course", False),
    ("course-v1:HarvardX+FIH+3T2023", "HarvardX", "FIH", "3T2023", False),
    ("course-v1:Appsembler+APP101+1Q2016", "Appsembler", "APP101", "1Q2016", False),
    ("course-v1:MyUni+Sport101x", "MyUni", "Sport101x", "", False),
    ("course-v1:Org.x+Course-1~a+Run:2024.v2", "Org.x", "Course-1~a", "Run:2024.v2", False),
    ("edX/DemoX/Demo_Course", "edX", "DemoX", "Demo_Course", True),
    ("MITx/6.002x/2012_Fall", "MITx", "6.002x", "2012_Fall", True),
]


@pytest.mark.parametrize(("key", "org", "course", "run", "legacy"), VALID_RUN_KEYS)
def test_valid_run_keys_are_split_into_their_parts(key, org, course, run, legacy):
    parsed = parse_course_run_key(key)

    assert (parsed.org, parsed.course, parsed.run, parsed.legacy) == (org, course, run, legacy)
    assert parsed.raw == key
    assert str(parsed) == key
    assert parsed.course_key == f"{org}+{course}"
    assert is_course_run_key(key) is True


def test_a_run_key_of_exactly_the_maximum_length_is_valid():
    prefix = "course-v1:edX+DemoX+"
    key = prefix + "R" * (MAX_KEY_LENGTH - len(prefix))
    assert len(key) == MAX_KEY_LENGTH

    assert parse_course_run_key(key).run == "R" * (MAX_KEY_LENGTH - len(prefix))


def _overlong_run_key() -> str:
    prefix = "course-v1:edX+DemoX+"
    return prefix + "R" * (MAX_KEY_LENGTH + 1 - len(prefix))


INVALID_RUN_KEYS = [
    pytest.param("", id="empty"),
    pytest.param(_overlong_run_key(), id="one-character-too-long"),
    pytest.param("edX/DemoX/" + "R" * 300, id="overlong-legacy"),
    pytest.param(" course-v1:edX+DemoX+Demo_Course", id="leading-space"),
    pytest.param("course-v1:edX+DemoX+Demo_Course ", id="trailing-space"),
    pytest.param("course-v1:edX+Demo X+Demo_Course", id="space-inside"),
    pytest.param("edX/Demo X/Demo_Course", id="legacy-space-inside"),
    pytest.param("course-v1:edX+DemoX+Demo_Course\n", id="trailing-newline"),
    pytest.param("edX/DemoX/Demo_Course\n", id="legacy-trailing-newline"),
    pytest.param("course-v1:edX", id="one-part"),
    pytest.param("course-v1:", id="prefix-only"),
    pytest.param("course-v1:edX+DemoX+Demo_Course+Extra", id="four-parts"),
    pytest.param("course-v1:+DemoX+Demo_Course", id="empty-org"),
    pytest.param("course-v1:edX++Demo_Course", id="empty-course"),
    pytest.param("course-v1:edX+DemoX+", id="empty-run"),
    pytest.param("course-v2:edX+DemoX+Demo_Course", id="unknown-prefix"),
    pytest.param("edX+DemoX+Demo_Course", id="no-prefix"),
    pytest.param("edX+DemoX", id="course-key-not-run-key"),
    pytest.param("edX/DemoX", id="legacy-two-parts"),
    pytest.param("edX/DemoX/Demo_Course/Extra", id="legacy-four-parts"),
    pytest.param("edX//Demo_Course", id="legacy-empty-course"),
    pytest.param("course-v1:edX+DemoX+Demo%2BCourse", id="percent-sign"),
    pytest.param("course-v1:edX+Demo/X+Demo_Course", id="slash-in-new-form"),
]


@pytest.mark.parametrize("key", INVALID_RUN_KEYS)
def test_malformed_run_keys_are_refused(key):
    with pytest.raises(InvalidKeyError):
        parse_course_run_key(key)
    assert is_course_run_key(key) is False


@pytest.mark.parametrize("value", [None, 42, 4.2, b"course-v1:edX+DemoX+Demo_Course", ["edX/DemoX/Demo_Course"]])
def test_run_keys_that_are_not_strings_are_refused(value):
    with pytest.raises(InvalidKeyError):
        parse_course_run_key(value)
    assert is_course_run_key(value) is False


def test_invalid_key_error_is_a_value_error():
    assert issubclass(InvalidKeyError, ValueError)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("edX+DemoX", ("edX", "DemoX")),
        ("edx+tr1012", ("edx", "tr1012")),
        ("HarvardX+FIH", ("HarvardX", "FIH")),
        ("MyUni+Sport101x", ("MyUni", "Sport101x")),
        ("Org.x+Course-1~a_b", ("Org.x", "Course-1~a_b")),
    ],
)
def test_valid_course_keys_are_split_into_org_and_course(key, expected):
    assert parse_course_key(key) == expected


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("", id="empty"),
        pytest.param("edX", id="one-part"),
        pytest.param("edX+", id="empty-course"),
        pytest.param("+DemoX", id="empty-org"),
        pytest.param("edX+DemoX+Demo_Course", id="run-parts"),
        pytest.param("course-v1:edX+DemoX", id="run-key-prefix"),
        pytest.param("edX/DemoX", id="slash"),
        pytest.param("edX/DemoX/Demo_Course", id="legacy-run-key"),
        pytest.param("edX+Demo X", id="space-inside"),
        pytest.param(" edX+DemoX", id="leading-space"),
        pytest.param("edX+DemoX ", id="trailing-space"),
        pytest.param("edX+DemoX\n", id="trailing-newline"),
        pytest.param("edX+" + "C" * MAX_KEY_LENGTH, id="overlong"),
        pytest.param(None, id="none"),
        pytest.param(42, id="int"),
        pytest.param(b"edX+DemoX", id="bytes"),
    ],
)
def test_malformed_course_keys_are_refused(key):
    with pytest.raises(InvalidKeyError):
        parse_course_key(key)


def test_a_course_key_of_exactly_the_maximum_length_is_valid():
    key = "edX+" + "C" * (MAX_KEY_LENGTH - 4)

    assert parse_course_key(key) == ("edX", "C" * (MAX_KEY_LENGTH - 4))
