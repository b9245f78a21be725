"""Print the OpenAPI document's operations, one line each: method, path, operationId, tags, the
documented statuses and the request/response schema names. Compare two runs with ``diff`` to see
whether a change kept "the same operations" (issue 9).

    COURSEGATE_VAR_DIR=/tmp/cg .venv/bin/coursegate spectacular --format openapi-json --file s.json
    .venv/bin/python tools/openapi_operations.py s.json
"""

from __future__ import annotations

import json
import sys


def operations(document: dict):
    for path, item in sorted(document["paths"].items()):
        for method, op in sorted(item.items()):
            if method not in {"get", "post", "put", "patch", "delete", "head", "options"}:
                continue
            statuses = ",".join(sorted(op.get("responses", {})))
            params = ",".join(sorted(p["name"] for p in op.get("parameters", [])))
            operation = f"{method.upper()} {path} {op.get('operationId')} tags={op.get('tags')}"
            yield f"{operation} statuses={statuses} params={params}"


if __name__ == "__main__":
    with open(sys.argv[1]) as handle:
        print("\n".join(operations(json.load(handle))))
