"""One result line per measurement, as a ratio against the limit measured in the same run.

This machine is shared and noisy, so a lone absolute figure means little (issue 10): every
benchmark measures its own limit (``GET /health`` requests/s, a raw ``COPY``, a raw
``INSERT ... SELECT``) right beside the work, and reports ``ratio = work / limit`` (for times,
where less is better, ``limit / work``). ``bench/report.py`` turns the lines into RESULTS.md.
"""

from __future__ import annotations

import datetime
import json
import os


def database() -> str:
    return "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


def emit(
    *,
    benchmark: str,
    value: float,
    unit: str,
    limit: float,
    limit_name: str,
    target: float | None,
    scale: str,
    lower_is_better: bool = False,
    **details,
) -> dict:
    """Print (and return) one JSON line: the work, its limit, the ratio and whether it meets the target."""
    ratio = (limit / value if lower_is_better else value / limit) if value and limit else 0.0
    line = {
        "benchmark": benchmark,
        "database": database(),
        "scale": scale,
        "value": round(value, 4),
        "unit": unit,
        "limit": round(limit, 4),
        "limit_name": limit_name,
        "ratio": round(ratio, 3),
        "target": target,
        "met": None if target is None else ratio >= target,
        "date": datetime.date.today().isoformat(),
        **details,
    }
    print(json.dumps(line), flush=True)
    return line
