"""coursegate.core.streaming: streamed JSON arrays, CSV and NDJSON bodies, and format negotiation.

The JSON body is produced in batches of rows; the row counts below sit on both sides of the batch
boundaries (0, 1, 499, 500, 501, 1000, 1001 rows), where a missing or doubled comma would hide.
Chunks of records rendered elsewhere (by the database) are framed into the same bodies
(``streamed_chunks``).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.http import StreamingHttpResponse
from django.test import RequestFactory

from coursegate.core.streaming import BATCH, RECORDS, SEPARATORS, negotiate_format, streamed_chunks, streamed_rows

FIELDS = ("username", "id", "is_active", "date_joined")


def row(i: int) -> dict:
    return {
        "date_joined": datetime(2016, 12, 17, 23, 45, 47, tzinfo=UTC) + timedelta(seconds=i),
        "id": i,
        "is_active": i % 2 == 0,
        "username": f"user{i}",
    }


def expected_json(i: int) -> dict:
    stamp = datetime(2016, 12, 17, 23, 45, 47, tzinfo=UTC) + timedelta(seconds=i)
    return {
        "username": f"user{i}",
        "id": i,
        "is_active": i % 2 == 0,
        "date_joined": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def body_of(response: StreamingHttpResponse) -> bytes:
    assert response.streaming is True
    return b"".join(response.streaming_content)


def chunks_of(response: StreamingHttpResponse) -> list[bytes]:
    return list(response.streaming_content)


ROW_COUNTS = [0, 1, 2, BATCH - 1, BATCH, BATCH + 1, 2 * BATCH, 2 * BATCH + 1]


def test_the_batch_size_the_boundary_counts_are_built_on_is_500():
    assert BATCH == 500
    assert ROW_COUNTS == [0, 1, 2, 499, 500, 501, 1000, 1001]


@pytest.mark.parametrize("count", ROW_COUNTS)
def test_json_body_is_one_well_formed_array_of_every_row_in_order(count):
    response = streamed_rows((row(i) for i in range(count)), fields=FIELDS, fmt="json")

    body = body_of(response)

    assert response["Content-Type"] == "application/json"
    assert json.loads(body) == [expected_json(i) for i in range(count)]
    assert body.startswith(b"[") and body.endswith(b"]")
    assert b",," not in body and b"[," not in body and b",]" not in body


def test_json_body_of_no_rows_is_an_empty_array():
    assert body_of(streamed_rows(iter(()), fields=FIELDS, fmt="json")) == b"[]"


def test_json_body_of_one_row_is_exact_with_keys_in_field_order():
    body = body_of(streamed_rows([row(0)], fields=FIELDS, fmt="json"))

    assert body == b'[{"username":"user0","id":0,"is_active":true,"date_joined":"2016-12-17T23:45:47Z"}]'


@pytest.mark.parametrize(("count", "chunks"), [(0, 2), (1, 3), (500, 3), (501, 4), (1001, 5)])
def test_json_body_is_streamed_in_batches_not_in_one_piece(count, chunks):
    # "[" + one chunk per started batch of 500 rows + "]"
    assert len(chunks_of(streamed_rows((row(i) for i in range(count)), fields=FIELDS, fmt="json"))) == chunks


def test_rows_are_consumed_lazily_as_the_body_is_read():
    consumed = []

    def rows():
        for i in range(3 * BATCH):
            consumed.append(i)
            yield row(i)

    response = streamed_rows(rows(), fields=FIELDS, fmt="json")
    assert consumed == []

    stream = iter(response.streaming_content)
    next(stream)  # "["
    next(stream)  # first batch
    assert len(consumed) <= BATCH + 1


def test_only_the_named_fields_are_rendered_in_their_order():
    body = body_of(streamed_rows([{"b": 2, "a": 1, "secret": "x"}], fields=("a", "b"), fmt="json"))

    assert body == b'[{"a":1,"b":2}]'


DATETIMES = [
    (datetime(2016, 12, 17, 23, 45, 47, tzinfo=UTC), "2016-12-17T23:45:47Z"),
    (datetime(2016, 12, 17, 23, 55, 27, 765000, tzinfo=UTC), "2016-12-17T23:55:27.765000Z"),
    (datetime(2016, 12, 17, 23, 45, 47), "2016-12-17T23:45:47Z"),  # naive: UTC
]


@pytest.mark.parametrize(("value", "text"), DATETIMES)
@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_date_times_are_rendered_in_utc_with_a_z(value, text, fmt):
    body = body_of(streamed_rows([{"at": value}], fields=("at",), fmt=fmt)).decode()

    if fmt == "json":
        assert json.loads(body) == [{"at": text}]
    elif fmt == "ndjson":
        assert json.loads(body) == {"at": text}
    else:
        assert body == f"at\r\n{text}\r\n"


def test_an_aware_date_time_in_another_zone_is_converted_to_utc_in_every_format():
    # The module's contract: "Date-times are rendered as ISO 8601 in UTC with a Z". The database
    # hands back UTC values, so this guards the renderer itself.
    value = datetime(2016, 12, 18, 4, 45, 47, tzinfo=timezone(timedelta(hours=5)))
    rendered = {
        fmt: body_of(streamed_rows([{"at": value}], fields=("at",), fmt=fmt)).decode()
        for fmt in ("json", "ndjson", "csv")
    }

    assert rendered == {
        "json": '[{"at":"2016-12-17T23:45:47Z"}]',
        "ndjson": '{"at":"2016-12-17T23:45:47Z"}\n',
        "csv": "at\r\n2016-12-17T23:45:47Z\r\n",
    }


@pytest.mark.parametrize("count", ROW_COUNTS)
def test_ndjson_body_is_one_json_object_per_line(count):
    response = streamed_rows((row(i) for i in range(count)), fields=FIELDS, fmt="ndjson")

    body = body_of(response)

    assert response["Content-Type"] == "application/x-ndjson"
    lines = body.split(b"\n")
    assert lines[-1] == b""  # every line, the last included, ends with a newline
    assert [json.loads(line) for line in lines[:-1]] == [expected_json(i) for i in range(count)]


def test_ndjson_body_of_no_rows_is_empty():
    assert body_of(streamed_rows(iter(()), fields=FIELDS, fmt="ndjson")) == b""


def test_ndjson_line_is_exact():
    body = body_of(streamed_rows([row(1)], fields=FIELDS, fmt="ndjson"))

    assert body == b'{"username":"user1","id":1,"is_active":false,"date_joined":"2016-12-17T23:45:48Z"}\n'


@pytest.mark.parametrize("count", ROW_COUNTS)
def test_csv_body_is_a_header_line_then_one_line_per_row(count):
    response = streamed_rows((row(i) for i in range(count)), fields=FIELDS, fmt="csv")

    body = body_of(response).decode()

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    records = list(csv.reader(io.StringIO(body)))
    assert records[0] == list(FIELDS)
    assert records[1:] == [
        [f"user{i}", str(i), "true" if i % 2 == 0 else "false", expected_json(i)["date_joined"]] for i in range(count)
    ]


def test_csv_body_of_no_rows_is_the_header_line_alone():
    assert body_of(streamed_rows(iter(()), fields=FIELDS, fmt="csv")) == b"username,id,is_active,date_joined\r\n"


CSV_CELLS = [
    # value, how it is written in the line
    ("plain", "plain"),
    ("a,b", '"a,b"'),
    ('say "hi"', '"say ""hi"""'),
    ('O\'Brien, "Bob"', '"O\'Brien, ""Bob"""'),
    ("two\nlines", '"two\nlines"'),
    ("", ""),
    (None, ""),
    (True, "true"),
    (False, "false"),
    (42, "42"),
    ("Zoë", "Zoë"),
]


@pytest.mark.parametrize(("value", "written"), CSV_CELLS)
def test_csv_cells_are_escaped_and_read_back_unchanged(value, written):
    body = body_of(streamed_rows([{"name": value, "n": 1}], fields=("name", "n"), fmt="csv")).decode()

    assert body == f"name,n\r\n{written},1\r\n"
    expected = {None: "", True: "true", False: "false"}.get(value, str(value)) if not isinstance(value, str) else value
    assert list(csv.reader(io.StringIO(body)))[1] == [expected, "1"]


def test_csv_body_is_utf8():
    body = body_of(streamed_rows([{"name": "Zoë"}], fields=("name",), fmt="csv"))

    assert body == "name\r\nZoë\r\n".encode()


def test_the_streamed_response_varies_on_accept():
    assert streamed_rows([], fields=FIELDS, fmt="json")["Vary"] == "Accept"


NEGOTIATION = [
    # query, Accept header, format
    ("", None, "json"),
    ("", "application/json", "json"),
    ("", "*/*", "json"),
    ("", "text/csv", "csv"),
    ("", "text/csv; charset=utf-8", "csv"),
    ("", "application/x-ndjson", "ndjson"),
    ("", "application/jsonl", "ndjson"),
    ("format=csv", None, "csv"),
    ("format=CSV", None, "csv"),
    ("format=ndjson", None, "ndjson"),
    ("format=json", "text/csv", "json"),  # the query parameter wins
    ("format=xml", None, "json"),  # unknown: the default
    ("format=xml", "text/csv", "csv"),
]


@pytest.mark.parametrize(("query", "accept", "fmt"), NEGOTIATION)
def test_format_is_chosen_by_the_format_parameter_then_the_accept_header(query, accept, fmt):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    request = RequestFactory().get(f"/x?{query}", **headers)

    assert negotiate_format(request) == fmt


# --- Pre-rendered chunks -------------------------------------------------------------------------


def record(i: int, fmt: str) -> bytes:
    """Row ``i`` as the Python renderer writes it alone, without its framing."""
    body = body_of(streamed_rows([row(i)], fields=FIELDS, fmt=fmt))
    if fmt == "json":
        return body[1:-1]
    if fmt == "ndjson":
        return body[:-1]
    return body.split(b"\r\n")[1]


def chunked(count: int, size: int, fmt: str) -> list[bytes]:
    """Rows 0..count-1 rendered, joined by the format's separator in chunks of ``size`` rows."""
    separator = SEPARATORS[fmt].encode()
    return [
        separator.join(record(i, fmt) for i in range(start, min(start + size, count)))
        for start in range(0, count, size)
    ]


@pytest.mark.parametrize("size", [1, 2, 3, 500])
@pytest.mark.parametrize("count", [0, 1, 2, 3, 7])
@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_chunks_are_framed_into_the_bytes_rows_are_rendered_into(fmt, count, size):
    response = streamed_chunks(iter(chunked(count, size, fmt)), fields=FIELDS, fmt=fmt)

    assert body_of(response) == body_of(streamed_rows((row(i) for i in range(count)), fields=FIELDS, fmt=fmt))
    assert response["Content-Type"] == streamed_rows([], fields=FIELDS, fmt=fmt)["Content-Type"]
    assert response["Vary"] == "Accept"


def test_records_are_json_objects_but_csv_lines_for_csv():
    assert RECORDS == {"json": "json", "ndjson": "json", "csv": "csv"}
    assert SEPARATORS == {"json": ",", "ndjson": "\n", "csv": "\r\n"}


def test_no_chunk_is_the_empty_body_of_each_format():
    bodies = {fmt: body_of(streamed_chunks(iter(()), fields=FIELDS, fmt=fmt)) for fmt in ("json", "ndjson", "csv")}

    assert bodies == {"json": b"[]", "ndjson": b"", "csv": b"username,id,is_active,date_joined\r\n"}


class Source:
    """A chunk source that records how far it was read and whether it was closed."""

    def __init__(self, chunks: list[bytes], fail_at: int | None = None):
        self.chunks, self.fail_at, self.read, self.closed = chunks, fail_at, 0, False

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        if self.read == self.fail_at:
            raise RuntimeError("the database went away")
        if self.read == len(self.chunks):
            raise StopIteration
        self.read += 1
        return self.chunks[self.read - 1]

    def close(self) -> None:
        self.closed = True


def test_the_first_chunk_is_read_at_once_and_the_rest_as_the_body_is_read():
    source = Source([b"{}", b"{}", b"{}"])

    response = streamed_chunks(source, fields=FIELDS, fmt="json")
    assert source.read == 1
    stream = iter(response.streaming_content)
    assert next(stream) == b"[{}"
    assert source.read == 1
    assert next(stream) == b",{}"
    assert source.read == 2


def test_an_error_on_the_first_chunk_is_raised_before_the_answer_starts():
    with pytest.raises(RuntimeError, match="went away"):
        streamed_chunks(Source([b"{}"], fail_at=0), fields=FIELDS, fmt="json")


@pytest.mark.parametrize("read", [0, 1, 2])
def test_closing_the_response_closes_the_source_however_far_it_was_read(read):
    source = Source([b"{}", b"{}", b"{}"])
    response = streamed_chunks(source, fields=FIELDS, fmt="json")
    stream = iter(response.streaming_content)
    for _ in range(read):
        next(stream)

    # As a server does (without the request's end closing database connections: no database here).
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)

    assert source.closed
