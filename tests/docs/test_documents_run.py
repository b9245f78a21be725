"""Every ```sh block of README.md and docs/*.md runs as written against a fresh `make run` server and
prints what the output block after it shows (tests/docs/run.py; notation in docs/README.md).

One document: ``.venv/bin/python -m pytest tests/docs -m slow -k authentication`` (the id is the
file name without ``.md``; ``README`` is the project README, ``docs-README`` the docs index), or
``.venv/bin/python -m tests.docs.run docs/authentication.md``.
"""

from __future__ import annotations

import pytest

from tests.docs.blocks import documents
from tests.docs.run import ROOT, run_document


def _id(path) -> str:
    return "docs-README" if path == ROOT / "docs" / "README.md" else path.stem


@pytest.mark.slow
@pytest.mark.parametrize("path", documents(ROOT), ids=_id)
def test_document_runs_as_written(path, docs_server):
    result = run_document(path, docs_server)
    print(result.summary())
    assert result.ok, result.report()
