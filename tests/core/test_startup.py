"""Clear start-up errors (issue 11, failure 8): an unusable COURSEGATE_VAR_DIR or a database that
does not answer or is not migrated stops `coursegate serve` (and the commands that need them) with
one line on stderr naming the problem and the variable to fix, a non-zero exit status and no
traceback; no server is left answering 500 to every write."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.core.test_outage_kit import BIN, free_port, server_env

# The session fixtures (databases migrated once, a private PostgreSQL cluster) live in the kit.
pytest_plugins = ["tests.core.test_outage_kit"]

# Runs the command in a private mount namespace where the directory ($0) is bind-mounted read-only:
# the one way to make a directory read-only for root, who passes every permission check.
READ_ONLY = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"'


def _run(env: dict, *args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*prefix, str(BIN / "coursegate"), *args], env=env, capture_output=True, text=True, timeout=60, cwd="/"
    )


def _assert_one_line(done: subprocess.CompletedProcess, *words: str) -> str:
    assert done.returncode != 0, done
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def _read_only_prefix(directory: Path) -> tuple[str, ...]:
    """How to run a command that sees ``directory`` read-only (skips when this machine cannot)."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        return ()
    prefix = ("unshare", "--mount", "--propagation", "private", "sh", "-c", READ_ONLY, str(directory))
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: no way to make a directory read-only for root")
    probe = subprocess.run([*prefix, "touch", str(directory / "probe")], capture_output=True, text=True)
    if "Read-only file system" not in probe.stderr:
        pytest.skip(f"cannot mount a read-only directory here: {probe.stderr.strip()}")
    return prefix


def test_an_uncreatable_var_dir_stops_serve_with_one_line(tmp_path):
    (tmp_path / "a-file").write_text("")
    env = server_env(tmp_path / "a-file" / "var")
    line = _assert_one_line(_run(env, "serve"), "COURSEGATE_VAR_DIR", str(tmp_path / "a-file" / "var"))
    print(f"\n{line}")


@pytest.mark.parametrize("command", ["serve", "migrate"])
def test_a_read_only_var_dir_stops_coursegate_with_one_line(sqlite_template, tmp_path, command):
    # A var dir that worked before (secrets written, database migrated), now read-only.
    env = sqlite_template.server_env(tmp_path)
    var_dir = Path(env["COURSEGATE_VAR_DIR"])
    line = _assert_one_line(_run(env, command, prefix=_read_only_prefix(var_dir)), "COURSEGATE_VAR_DIR", "writable")
    print(f"\n{line}")


@pytest.mark.parametrize("command", [("serve",), ("migrate", "--no-input"), ("demo",)])
def test_a_database_that_does_not_answer_stops_coursegate_with_one_line(tmp_path, command):
    env = server_env(tmp_path, DATABASE_URL=f"postgres://coursegate@127.0.0.1:{free_port()}/coursegate")
    line = _assert_one_line(_run(env, *command), "DATABASE_URL", "unavailable")
    print(f"\n{line}")


def test_a_database_that_is_not_migrated_stops_serve_with_one_line(tmp_path):
    env = server_env(tmp_path)  # a fresh SQLite database in the var dir
    line = _assert_one_line(_run(env, "serve", "--port", str(free_port())), "not migrated", "coursegate migrate")
    print(f"\n{line}")
