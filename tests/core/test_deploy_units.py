"""deploy/: every command the systemd units and the Procfile start is a `coursegate` command whose
options exist (the files are checked against the commands' own argument parsers, so a renamed
option fails here, not on a production host)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _commands() -> list[tuple[str, list[str]]]:
    found = []
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart="):
                found.append((unit.name, shlex.split(line.removeprefix("ExecStart=").replace("%i", "8000"))))
    for line in (DEPLOY / "Procfile").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, command = line.partition(":")
            command = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", command)  # ${PORT:-8000} -> 8000
            found.append((f"Procfile {name}", shlex.split(command)))
    return found


@pytest.mark.parametrize("where,argv", _commands(), ids=lambda value: value if isinstance(value, str) else "")
def test_each_deployed_command_parses(where, argv):
    assert Path(argv[0]).name == "coursegate", where
    name, options = argv[1], argv[2:]
    command = load_command_class(get_commands()[name], name)
    command.create_parser("coursegate", name).parse_args(options)  # SystemExit(2) on an unknown option


def test_units_cover_web_worker_and_one_beat():
    units = {p.name for p in (DEPLOY / "systemd").glob("*.service")}
    assert units == {"coursegate-web@.service", "coursegate-worker.service", "coursegate-beat.service"}
    beat = [argv for where, argv in _commands() if "--beat" in argv]
    assert len(beat) == 2  # the beat unit and the Procfile's beat process
    web = [argv for where, argv in _commands() if argv[1] == "serve"]
    assert all("--no-dispatcher" in argv for argv in web)  # the sweeps run in beat only
