"""Reading and writing the files of ``coursegate import`` / ``export``: CSV with a header line, or
JSON lines (one object per line), streamed row by row (a file is never held in memory whole)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, BinaryIO, NamedTuple

FORMATS = ("csv", "jsonl")
_EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


class FileUsageError(Exception):
    """The file cannot be read as asked (unknown format, bad header): a usage error, exit status 2."""


def format_for(path: str, explicit: str | None) -> str:
    """The format named by ``--format``, else by the file's extension; CSV for stdin/stdout."""
    if explicit:
        return explicit
    if path == "-":
        return "csv"
    fmt = _EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        raise FileUsageError(f"cannot tell the format of {path!r} from its extension; use --format csv or jsonl")
    return fmt


class CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read through it (the progress bar's position)."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


class Row(NamedTuple):
    """One record of the input: the line it ends on, its values by column, or why it is unreadable.
    (A named tuple: made once per row of files of a million rows, three times cheaper than a frozen dataclass.)"""

    line: int
    values: dict[str, str]
    error: str | None = None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def read_rows(stream: IO[str], fmt: str, *, required: tuple[str, ...], optional: tuple[str, ...]) -> Iterator[Row]:
    """Yield the rows of ``stream``. A CSV header (or a JSON object) with an unknown column or without
    a required one raises FileUsageError (CSV: before any row) / gives a failed row (JSON lines)."""
    known = set(required) | set(optional)
    if fmt == "csv":
        yield from _csv_rows(stream, required, known)
    else:
        yield from _jsonl_rows(stream, required, known)


def _header_problem(columns, required, known) -> str | None:
    unknown = [c for c in columns if c not in known]
    missing = [c for c in required if c not in columns]
    if unknown:
        return f"unknown column(s) {', '.join(unknown)}; the columns are {', '.join(sorted(known))}"
    if missing:
        return f"missing column(s) {', '.join(missing)}"
    return None


def _csv_rows(stream: IO[str], required, known) -> Iterator[Row]:
    reader = csv.reader(stream)
    try:
        header = [name.strip().lstrip("\ufeff") for name in next(reader)]
    except StopIteration:
        return
    except csv.Error as exc:
        raise FileUsageError(f"line 1: {exc}") from exc
    problem = _header_problem(header, required, known)
    if problem:
        raise FileUsageError(f"line 1: {problem}")
    width = len(header)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Row(reader.line_num, {}, f"unreadable CSV: {exc}")
            continue
        if len(record) != width:
            if record and "".join(record).strip():  # a blank line (or blank cells only) is skipped
                yield Row(reader.line_num, {}, f"expected {width} values, found {len(record)}")
            continue
        values = dict(zip(header, map(str.strip, record)))  # noqa: B905  (lengths checked above)
        if not any(values.values()):
            continue
        yield Row(reader.line_num, values)


def _jsonl_rows(stream: IO[str], required, known) -> Iterator[Row]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            yield Row(number, {}, f"invalid JSON: {exc}")
            continue
        if not isinstance(obj, dict):
            yield Row(number, {}, "a line must hold one JSON object")
            continue
        problem = _header_problem(list(obj), required, known)
        if problem:
            yield Row(number, {}, problem)
            continue
        yield Row(number, {name: _text(value).strip() for name, value in obj.items()})


def open_input(path: str) -> tuple[IO[str], CountingReader, int | None]:
    """A text stream over ``path`` (``-``: stdin), its byte counter, and its size when known."""
    if path == "-":
        raw: BinaryIO = sys.stdin.buffer
        size = None
    else:
        try:
            raw = open(path, "rb")  # noqa: SIM115  (closed by the caller through the text stream)
        except OSError as exc:
            raise FileUsageError(f"cannot read {path}: {exc.strerror}") from exc
        size = Path(path).stat().st_size
    counter = CountingReader(raw)
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 16), encoding="utf-8-sig", newline="")
    return text, counter, size


class RowWriter:
    """Writes dicts as CSV (header first) or JSON lines, in the given column order."""

    def __init__(self, stream: IO[str], fmt: str, columns: tuple[str, ...]) -> None:
        self.stream, self.fmt, self.columns = stream, fmt, columns
        if fmt == "csv":
            self._csv = csv.writer(stream, lineterminator="\n")
            self._csv.writerow(columns)

    def write(self, values: dict) -> None:
        if self.fmt == "csv":
            self._csv.writerow([_text(values.get(c)) for c in self.columns])
        else:
            self.stream.write(json.dumps({c: values.get(c) for c in self.columns}, default=str) + "\n")
