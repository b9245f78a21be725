"""The doc runner's own rules: which blocks run, which block is an output, the placeholders."""

from __future__ import annotations

import re

import pytest

from tests.docs.blocks import shell_blocks
from tests.docs.compare import Mismatch, compare

UUID = "6fa7ae40-1b2c-4d3e-8f90-123456789abc"
DOC = """# A document

```sh
echo '{"a": 1}'
```

Prose between a command and its output is allowed.

```json
{"a": 1}
```

- a list item:
  ```sh
  echo one
  ```
  ```text
  one
  ```

```sh norun: needs Docker
docker ps
```

```sh
true
```

```json example
{"not": "an output"}
```
"""


def test_each_sh_block_is_paired_with_the_output_block_after_it():
    blocks = shell_blocks(DOC)
    assert [(b.line, b.script, b.output_language, b.output) for b in blocks] == [
        (3, "echo '{\"a\": 1}'", "json", '{"a": 1}'),
        (14, "echo one", "text", "one"),
        (21, "docker ps", None, None),
        (25, "true", None, None),
    ]
    assert [b.norun for b in blocks] == [None, None, "needs Docker", None]


@pytest.mark.parametrize(
    ("expected", "actual"),
    [
        ('{"b": [1, 2], "a": "x"}', '{"a": "x", "b": [1, 2]}'),
        (
            '{"id": "<uuid>", "at": "<time>", "n": "<int>"}',
            '{"id": "' + UUID + '", "at": "2026-12-01T02:03:04.5Z", "n": 12}',
        ),
        (
            '{"token": "<token>", "any": "...", "url": "http://x/...?page=2"}',
            '{"token": "a.b-c", "any": [1, {}], "url": "http://x/y/z?page=2"}',
        ),
        ('{"results": [{"a": 1}, "..."], "...": "..."}', '{"results": [{"a": 1}, {"a": 2}], "count": 2}'),
        ('{"a": 1}\n{"b": 2}', '{"a": 1}{"b": 2}\n'),
    ],
)
def test_json_matches(expected, actual):
    compare("json", expected, actual)


@pytest.mark.parametrize(
    ("expected", "actual", "message"),
    [
        ('{"a": 1}', '{"a": 2}', "$.a: expected 1, got 2"),
        ('{"a": 1}', '{"a": 1, "b": 2}', "unexpected key(s) ['b']"),
        ('{"a": [1]}', '{"a": [1, 2]}', "expected 1 element(s), got 2"),
        ('{"a": true}', '{"a": 1}', "expected true, got 1"),
        ('{"a": "<uuid>"}', '{"a": "12"}', "expected '<uuid>'"),
        ('{"a": 1}', "Not found", "not JSON"),
    ],
)
def test_json_mismatches_say_where(expected, actual, message):
    with pytest.raises(Mismatch, match=re.escape(message)):
        compare("json", expected, actual)


def test_text_lines_with_gaps_and_placeholders():
    printed = "HTTP/1.1 200 OK\nA: b\nC: d\nid,6fa7ae406fa7ae406fa7ae406fa7ae40  \n"
    compare("text", "HTTP/1.1 200 OK\n...\nid,<uuid>\n", printed)
    with pytest.raises(Mismatch, match="at line 2"):
        compare("text", "a\nb", "a\nc")


def test_xml_is_compared_after_indenting_both_sides():
    expected = '<?xml version="1.0"?>\n<root>\n  <uuid>...</uuid>\n  <next></next>\n  ...\n</root>'
    compare("xml", expected, f"<root><uuid>{UUID}</uuid><next/><a>1</a><b>2</b></root>")
    with pytest.raises(Mismatch):
        compare("xml", "<root><a>1</a></root>", "<root><a>2</a></root>")
