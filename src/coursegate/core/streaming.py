"""Streamed list responses for large exports (the analytics batch endpoints).

The body is produced row by row from an iterator, so memory stays flat whatever the size and
the first byte leaves at once. Formats, chosen by ``?format=`` or the Accept header:
- ``json`` (default): one JSON array, as the seeds show;
- ``csv`` (``text/csv``): a header line, then one line per row;
- ``ndjson`` (``application/x-ndjson``): one JSON object per line.
Date-times are rendered as ISO 8601 in UTC with a ``Z``, as DRF does.

Rows come either as dicts, rendered here (``streamed_rows``, ``streamed_queryset``), or already
rendered by the database as chunks of records joined by ``SEPARATORS[fmt]`` (JSON objects, or
CSV lines for ``csv``), which are only framed here (``streamed_chunks``): the same bytes.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

import orjson
from django.http import StreamingHttpResponse
from rest_framework.negotiation import BaseContentNegotiation

FORMATS = {"json": "application/json", "csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}
# How records are joined inside a chunk of pre-rendered records, and what each record is.
SEPARATORS = {"json": ",", "csv": "\r\n", "ndjson": "\n"}
RECORDS = {"json": "json", "csv": "csv", "ndjson": "json"}
BATCH = 500
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME


def _utc_iso(value) -> str:
    """ISO 8601 in UTC with a ``Z``, as DRF renders date-times (naive values are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _default(value):
    if isinstance(value, datetime):
        return _utc_iso(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def negotiate_format(request) -> str:
    requested = (request.GET.get("format") or "").lower()
    if requested in FORMATS:
        return requested
    accept = request.headers.get("Accept", "")
    if "text/csv" in accept:
        return "csv"
    if "application/x-ndjson" in accept or "application/jsonl" in accept:
        return "ndjson"
    return "json"


def _json_array(rows: Iterable[dict]) -> Iterator[bytes]:
    yield b"["
    first, chunk = True, []
    for row in rows:
        chunk.append(orjson.dumps(row, default=_default, option=_OPTIONS))
        if len(chunk) >= BATCH:
            yield (b"" if first else b",") + b",".join(chunk)
            first, chunk = False, []
    if chunk:
        yield (b"" if first else b",") + b",".join(chunk)
    yield b"]"


def _ndjson(rows: Iterable[dict]) -> Iterator[bytes]:
    chunk = []
    for row in rows:
        chunk.append(orjson.dumps(row, default=_default, option=_OPTIONS))
        if len(chunk) >= BATCH:
            yield b"\n".join(chunk) + b"\n"
            chunk = []
    if chunk:
        yield b"\n".join(chunk) + b"\n"


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return _utc_iso(value)
    return str(value)


def _csv(rows: Iterable[dict], fields: Sequence[str]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(fields)
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(row[name]) for name in fields])
        count += 1
        if count % BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def streamed_rows(rows: Iterable[dict], *, fields: Sequence[str], fmt: str) -> StreamingHttpResponse:
    """A streaming response of ``rows`` (dicts with ``fields`` in that order) in ``fmt``."""
    ordered = ({name: row[name] for name in fields} for row in rows)
    if fmt == "csv":
        body = _csv(ordered, fields)
    elif fmt == "ndjson":
        body = _ndjson(ordered)
    else:
        body = _json_array(ordered)
    response = StreamingHttpResponse(body, content_type=FORMATS[fmt])
    response["Vary"] = "Accept"
    return response


def _csv_header(fields: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(fields)
    return buffer.getvalue().encode()


def _framed(first: bytes | None, rest: Iterator[bytes], fields: Sequence[str], fmt: str) -> Iterator[bytes]:
    if fmt == "json":
        if first is None:
            yield b"[]"
            return
        yield b"[" + first
        for chunk in rest:
            yield b"," + chunk
        yield b"]"
    elif fmt == "csv":
        header = _csv_header(fields)
        if first is None:
            yield header
            return
        yield header + first + b"\r\n"
        for chunk in rest:
            yield chunk + b"\r\n"
    elif first is not None:
        yield first + b"\n"
        for chunk in rest:
            yield chunk + b"\n"


class _ClosingBody:
    """A response body that closes the chunk source when the response is closed (the server
    closes it at the end, or when the client has gone away), even if it was never read."""

    def __init__(self, parts: Iterator[bytes], source: Iterator[bytes]):
        self._parts, self._source = parts, source

    def __iter__(self) -> Iterator[bytes]:
        return self._parts

    def close(self) -> None:
        close = getattr(self._source, "close", None)
        if close is not None:
            close()


def streamed_chunks(chunks: Iterator[bytes], *, fields: Sequence[str], fmt: str) -> StreamingHttpResponse:
    """A streaming response of pre-rendered ``chunks`` in ``fmt``: each chunk is one or more
    records (``RECORDS[fmt]``) joined by ``SEPARATORS[fmt]``; an empty result has no chunk.
    The first chunk is read now, so that a database error is an error answer, not a 200 whose
    body breaks off."""
    first = next(chunks, None)
    body = _ClosingBody(_framed(first, chunks, fields, fmt), chunks)
    response = StreamingHttpResponse(body, content_type=FORMATS[fmt])
    response["Vary"] = "Accept"
    return response


class StreamFormatNegotiation(BaseContentNegotiation):
    """For streamed endpoints: errors always render as JSON, and neither ``?format=csv`` nor
    ``Accept: text/csv`` makes DRF answer 404/406 (the stream picks its own format)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def streamed_queryset(request, queryset, *, fields: Sequence[str], id_field: str, limit: int | None):
    """Stream a ``values()`` queryset ordered by ``id_field``. Without ``limit`` every row is streamed
    from a server-side cursor; with it, one keyset page is sent, and a ``Link: <...>; rel="next"``
    header (``after_id`` = the page's last id) when more rows follow."""
    fmt = negotiate_format(request)
    if limit is None:
        rows = queryset.iterator(chunk_size=2000)
        # Run the query before the response starts: a database error is then an error answer,
        # not a 200 whose body breaks off.
        first = next(rows, None)
        return streamed_rows(itertools.chain([first], rows) if first is not None else (), fields=fields, fmt=fmt)
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    response = streamed_rows(rows, fields=fields, fmt=fmt)
    if more:
        query = request.GET.copy()
        query["after_id"] = str(rows[-1][id_field])
        query["limit"] = str(limit)
        response["Link"] = f'<{request.build_absolute_uri(request.path)}?{query.urlencode()}>; rel="next"'
    return response
