"""The shell blocks of a Markdown document and the output block that answers each one.

A fenced block whose info string starts with ``sh`` is a command block. The first fenced block after
it, before the next command block, is its expected output when its language is ``json``, ``text``,
``xml`` or ``csv`` and its info string says nothing else (```` ```json example ```` is an example,
never compared). ```` ```sh norun <reason> ```` is shown to the reader but not run; the reason is
required. Fences may be indented (blocks inside list items): the fence's indentation is removed
from every line of the block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

OUTPUT_LANGUAGES = {"json", "text", "xml", "csv"}
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


@dataclass(frozen=True)
class Fenced:
    line: int  # 1-based line of the opening fence
    language: str
    rest: str  # the info string after the language
    text: str


@dataclass(frozen=True)
class ShellBlock:
    line: int
    script: str
    norun: str | None  # the reason, for a block that is not run
    output_language: str | None = None
    output: str | None = None
    output_line: int | None = None


def fenced_blocks(markdown: str) -> list[Fenced]:
    blocks: list[Fenced] = []
    lines = markdown.splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        language, _, rest = opening["info"].strip().partition(" ")
        body: list[str] = []
        index += 1
        while index < len(lines):
            line = lines[index]
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                break
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            index += 1
        start = index - len(body)  # 1-based number of the opening fence
        blocks.append(Fenced(line=start, language=language.lower(), rest=rest.strip(), text="\n".join(body)))
        index += 1
    return blocks


def shell_blocks(markdown: str) -> list[ShellBlock]:
    """The ``sh`` blocks of the document in order, each with the output block that follows it."""
    fenced = fenced_blocks(markdown)
    result: list[ShellBlock] = []
    for position, block in enumerate(fenced):
        if block.language != "sh":
            continue
        norun = None
        if block.rest.startswith("norun"):
            norun = block.rest[len("norun") :].strip(" :—-") or ""
        following = fenced[position + 1] if position + 1 < len(fenced) else None
        if following and following.language in OUTPUT_LANGUAGES and not following.rest:
            result.append(ShellBlock(block.line, block.text, norun, following.language, following.text, following.line))
        else:
            result.append(ShellBlock(block.line, block.text, norun))
    return result


def documents(root: Path) -> list[Path]:
    """README.md, then every docs/*.md in alphabetical order (new documents are picked up)."""
    return [root / "README.md", *sorted((root / "docs").glob("*.md"))]
