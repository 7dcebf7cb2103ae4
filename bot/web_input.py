"""Reading request bodies that anyone on the internet can send.

Every route reads its body through these: text must be UTF-8, JSON may nest at most
`MAX_DEPTH` deep (Python's parser recurses, and a body of 50,000 `[` ends in a
RecursionError), and a form must be a well-formed `application/x-www-form-urlencoded`
body. What cannot be read is answered 400 here, before any work and before it can
reach code that would fail with a 500. Size is aiohttp's (`client_max_size`, 413).
A large body is checked and parsed in a thread, so reading it never holds up the
event loop (a megabyte takes tens of milliseconds).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, NoReturn
from urllib.parse import parse_qsl

from aiohttp import web

MAX_DEPTH = 32  # no webhook payload we accept nests deeper than a dozen levels
_INLINE = 64 * 1024  # bodies up to this are read on the event loop (well under 2 ms)


def refuse(detail: str) -> NoReturn:
    """Answer 400 with `detail`, as JSON."""
    raise web.HTTPBadRequest(text=json.dumps({"error": detail}), content_type="application/json")


async def text_of(request: web.Request) -> str:
    """The body as text; 400 unless it is UTF-8."""
    try:
        return (await request.read()).decode("utf-8")
    except UnicodeDecodeError:
        refuse("the body is not UTF-8")


def parse_json(text: str) -> Any:
    """A JSON document, refusing one nested deeper than `MAX_DEPTH` before parsing it."""
    if too_deep(text, MAX_DEPTH):
        refuse(f"JSON nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text)
    except ValueError:
        refuse("the body is not JSON")


async def json_of(request: web.Request) -> Any:
    text = await text_of(request)
    if len(text) > _INLINE:
        return await asyncio.to_thread(parse_json, text)
    return parse_json(text)


def parse_form(text: str) -> dict[str, str]:
    """A form body's fields (the last value of a repeated field wins, as Twilio's do not
    repeat); 400 when it is not a form."""
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
    except (ValueError, UnicodeDecodeError):
        refuse("the body is not a form")
    return dict(pairs)


def too_deep(text: str, limit: int) -> bool:
    """Whether brackets nest deeper than `limit` outside strings: one linear pass."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False
