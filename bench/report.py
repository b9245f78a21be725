"""Turn the JSON lines of the benchmarks (bench/_ratio.py) into a Markdown table.

.venv/bin/python bench/report.py var/bench/results.jsonl >> bench/RESULTS.md
"""

from __future__ import annotations

import json
import sys


def table(lines: list[dict]) -> str:
    rows = [
        "| benchmark | database | scale | work | limit (same run) | ratio | target | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in lines:
        target = "" if r.get("target") is None else f">= {r['target']}"
        met = {True: "yes", False: "**no**", None: ""}[r.get("met")]
        rows.append(
            f"| {r['benchmark']} | {r['database']} | {r['scale']} | {r['value']} {r['unit']} | "
            f"{r['limit']} ({r['limit_name']}) | {r['ratio']} | {target} | {met} |"
        )
    return "\n".join(rows)


def main() -> None:
    lines = []
    for path in sys.argv[1:] or ["-"]:
        handle = sys.stdin if path == "-" else open(path)
        with handle:
            for text in handle:
                text = text.strip()
                if text.startswith("{"):
                    record = json.loads(text)
                    if "ratio" in record:
                        lines.append(record)
    dates = sorted({r["date"] for r in lines})
    print(f"## Ratios against the limit of the same run ({', '.join(dates)})\n")
    print(table(lines))


if __name__ == "__main__":
    main()
