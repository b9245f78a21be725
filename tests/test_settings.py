"""Settings come from the environment; a blank variable means its default, never a crash."""

import json
import os
import subprocess
import sys

BLANKABLE = [
    "COURSEGATE_ALLOWED_HOSTS", "COURSEGATE_PASSWORD_MIN_LENGTH", "COURSEGATE_ACCESS_TOKEN_SECONDS",
    "COURSEGATE_JWT_ISSUER", "COURSEGATE_JWT_AUDIENCE", "COURSEGATE_JWT_LEEWAY_SECONDS",
    "COURSEGATE_THROTTLE_ENROLLMENT_USER", "COURSEGATE_THROTTLE_ENROLLMENT_STAFF",
    "COURSEGATE_THROTTLE_ENROLLMENT_ANON",
    "COURSEGATE_LOG_LEVEL", "COURSEGATE_FROM_EMAIL", "COURSEGATE_HOST", "COURSEGATE_PORT", "COURSEGATE_WORKERS",
    "COURSEGATE_THREADS", "COURSEGATE_FORWARDED_ALLOW_IPS",
]  # fmt: skip

PRINT = (
    "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps(["
    "s.ALLOWED_HOSTS, s.ACCESS_TOKEN_EXPIRE_SECONDS, s.JWT_ISSUER, s.JWT_AUDIENCE, s.JWT_LEEWAY_SECONDS,"
    "s.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['enrollment_user'], s.DEFAULT_FROM_EMAIL, s.SERVE_HOST, s.SERVE_PORT,"
    "s.SERVE_WORKERS]))"
)


def test_blank_variables_fall_back_to_their_defaults(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "coursegate.settings", "COURSEGATE_VAR_DIR": str(tmp_path)}
    env.update({name: "" for name in BLANKABLE})

    done = subprocess.run([sys.executable, "-c", PRINT], env=env, capture_output=True, text=True, check=True)

    assert json.loads(done.stdout) == [
        ["localhost", "127.0.0.1", "[::1]", "testserver"], 3600, "coursegate", "coursegate", 300, "40/minute",
        "Coursegate <no-reply@coursegate.local>", "127.0.0.1", 8000, 2,
    ]  # fmt: skip


def test_a_malformed_number_stops_the_server_with_the_variables_name(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "coursegate.settings", "COURSEGATE_VAR_DIR": str(tmp_path),
           "COURSEGATE_PORT": "eighty"}  # fmt: skip

    done = subprocess.run([sys.executable, "-c", PRINT], env=env, capture_output=True, text=True)

    assert done.returncode != 0
    assert "COURSEGATE_PORT must be a whole number" in done.stderr
