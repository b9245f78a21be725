"""Reading Coursegate's configuration from the environment (used by settings.py only).

Small typed readers (a blank variable counts as unset), the var dir check and the secrets that
are generated into it on first use, and the parser of COURSEGATE_TRUSTED_JWT_ISSUERS.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

env = os.environ


def env_str(name: str, default: str) -> str:
    """The variable's value, or ``default`` when it is unset or blank."""
    value = env.get(name, "").strip()
    return value or default


def env_int(name: str, default: int) -> int:
    value = env_str(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def env_flag(name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def default_var_dir() -> Path:
    # A source checkout keeps its state beside pyproject.toml; an installed package uses the
    # working directory.
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").exists():
        return checkout / "var"
    return Path.cwd() / "var"


def writable_var_dir() -> Path:
    """COURSEGATE_VAR_DIR (default: ./var), created if needed and checked by a real write."""
    var_dir = Path(env.get("COURSEGATE_VAR_DIR") or default_var_dir()).resolve()
    try:
        var_dir.mkdir(parents=True, exist_ok=True)
        # A real write, not os.access(): root passes access checks on a read-only file system.
        tempfile.TemporaryFile(dir=var_dir).close()
    except OSError as exc:
        # `coursegate` prints this one line and exits (coursegate/__main__.py), instead of a
        # traceback here or a server answering 500 to every write later.
        raise ImproperlyConfigured(
            f"COURSEGATE_VAR_DIR {var_dir} is not a writable directory ({exc.strerror or exc}); "
            "set COURSEGATE_VAR_DIR to one this user can create and write"
        ) from None
    return var_dir


def secret_from_var(var_dir: Path, name: str) -> str:
    """Read a generated secret from var/, creating it on first use (0600)."""
    path = var_dir / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def trusted_issuers(raw: str) -> list[dict]:
    """Parse COURSEGATE_TRUSTED_JWT_ISSUERS: a JSON list of
    {"issuer": str, "audience": str | [str], "secret": str} (HS256) or
    {"issuer": str, "audience": ..., "public_key": "<PEM>"} (RS256)."""
    if not raw.strip():
        return []
    issuers = json.loads(raw)
    if isinstance(issuers, dict):
        issuers = [issuers]
    for item in issuers:
        if "issuer" not in item or not ("secret" in item or "public_key" in item):
            raise ValueError("each trusted JWT issuer needs 'issuer' and 'secret' or 'public_key'")
        audience = item.get("audience") or []
        item["audience"] = [audience] if isinstance(audience, str) else list(audience)
    return issuers
