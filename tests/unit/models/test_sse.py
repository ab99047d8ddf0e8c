"""SSE and NDJSON framing over byte chunks cut at arbitrary places."""

from __future__ import annotations

from collections.abc import AsyncIterator

from brisk.models._sse import SSEEvent, is_done, iter_ndjson, iter_sse


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for p in parts:
        yield p


async def _events(*parts: bytes) -> list[SSEEvent]:
    return [e async for e in iter_sse(_chunks(*parts))]


async def test_simple_events_and_done() -> None:
    evs = await _events(b'data: {"a":1}\n\ndata: {"a":2}\n\ndata: [DONE]\n\n')
    assert [e.data for e in evs] == [b'{"a":1}', b'{"a":2}', b"[DONE]"]
    assert is_done(evs[-1].data) and not is_done(evs[0].data)
    assert is_done(b" [DONE] ")


async def test_event_split_across_every_byte() -> None:
    raw = b'data: {"x": "hello"}\n\n: keep-alive\n\ndata: {"x": "world"}\n\n'
    evs = await _events(*[raw[i : i + 1] for i in range(len(raw))])
    assert [e.data for e in evs] == [b'{"x": "hello"}', b'{"x": "world"}']


async def test_comments_are_skipped() -> None:
    evs = await _events(b": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: 1\n\n:x\ndata: 2\n\n")
    assert [e.data for e in evs] == [b"1", b"2"]


async def test_multi_line_data_is_joined_with_newline() -> None:
    evs = await _events(b"data: line one\ndata: line two\ndata:line three\n\n")
    assert evs == [SSEEvent(b"line one\nline two\nline three", None, None)]


async def test_event_and_id_fields() -> None:
    evs = await _events(b"event: message_start\nid: 7\nretry: 100\ndata: {}\n\ndata: x\n\n")
    assert evs[0] == SSEEvent(b"{}", "message_start", "7")
    # the event name is per event, the last id persists
    assert evs[1] == SSEEvent(b"x", None, "7")


async def test_crlf_and_cr_line_endings_split_between_chunks() -> None:
    # Gemini uses \r\n\r\n; a \r at the end of a chunk must not end a line twice.
    evs = await _events(b"data: a\r", b"\ndata: b\r\n\r", b"\ndata: c\r\rdata: d\r\n\r\n")
    assert [e.data for e in evs] == [b"a\nb", b"c", b"d"]


async def test_last_event_without_blank_line_is_delivered() -> None:
    assert [e.data for e in await _events(b"data: 1\n\ndata: [DONE]")] == [b"1", b"[DONE]"]
    assert [e.data for e in await _events(b"data: 1\ndata: 2\n")] == [b"1\n2"]
    assert await _events(b"", b": only a comment") == []


async def test_blank_lines_without_data_yield_nothing() -> None:
    assert await _events(b"\n\n\n", b"event: ping\n\n") == []


async def test_ndjson_lines() -> None:
    raw = b'{"a":1}\n{"b":\n'
    lines = [x async for x in iter_ndjson(_chunks(raw[:5], raw[5:], b"2}\n\n", b"", b'  {"c":3}  '))]
    # a newline always ends a record; blank lines and surrounding spaces are dropped
    assert lines == [b'{"a":1}', b'{"b":', b"2}", b'{"c":3}']


async def test_ndjson_split_inside_line() -> None:
    raw = b'{"message":{"content":"It is "},"done":false}\n{"done":true}\n'
    lines = [x async for x in iter_ndjson(_chunks(*[raw[i : i + 3] for i in range(0, len(raw), 3)]))]
    assert lines == [b'{"message":{"content":"It is "},"done":false}', b'{"done":true}']
