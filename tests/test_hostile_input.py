"""What anyone can send: every parser answers 400 or reads it, never an error of its own.

Hypothesis generates the inputs for the parsers each channel runs before anything else
(bodies, forms, Slack envelopes and interactivity payloads, Telegram updates); the last
test sends the fuzz script's mix of malformed, forged and mistyped requests through the
whole app and counts server errors.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Bot, Update

from bench.fuzz import fuzz
from bot.web_input import MAX_DEPTH, parse_form, parse_json, too_deep
from channels.slack.channel import _well_formed
from channels.telegram import _update_ok
from tests.fakes.telegram_api import TEST_TOKEN, text_update

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=30,
)
# Slack's and Telegram's field names, so that generated objects reach the checks that matter.
NAMES = st.sampled_from(
    ["type", "event", "user", "team", "enterprise", "authorizations", "actions", "action_id",
     "value", "id", "channel", "text", "ts", "files", "message", "chat", "from", "update_id",
     "message_id", "date", "first_name", "is_bot", "language_code", "view", "team_id"]
)  # fmt: skip
SHAPED = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAMES, inner, max_size=6),
    max_leaves=40,
)


def _reads_or_refuses(read: Any, *args: Any) -> Any:
    try:
        return read(*args)
    except web.HTTPBadRequest:
        return None


@given(st.text())
def test_json_bodies_are_read_or_refused(text: str) -> None:
    _reads_or_refuses(parse_json, text)


@given(st.integers(min_value=1, max_value=3000))
def test_json_nested_deeper_than_the_limit_is_refused_before_parsing(depth: int) -> None:
    body = "[" * depth + "]" * depth
    assert too_deep(body, MAX_DEPTH) is (depth > MAX_DEPTH)
    assert (_reads_or_refuses(parse_json, body) is None) is (depth > MAX_DEPTH)


@given(st.text())
def test_form_bodies_are_read_or_refused(text: str) -> None:
    form = _reads_or_refuses(parse_form, text)
    assert form is None or all(isinstance(v, str) for v in form.values())


@settings(max_examples=300)
@given(SHAPED | JSON)
def test_any_slack_body_is_judged_without_an_error(value: Any) -> None:
    body = json.dumps(value)
    _reads_or_refuses(_well_formed, body, "application/json")
    _reads_or_refuses(_well_formed, "payload=" + body, "application/x-www-form-urlencoded")


@settings(max_examples=300)
@given(SHAPED | JSON)
def test_a_telegram_update_that_passes_the_check_is_one_the_library_reads(value: Any) -> None:
    if _update_ok(value):
        Update.de_json(value, Bot(TEST_TOKEN))


def test_a_real_update_passes_the_check() -> None:
    assert _update_ok(text_update(1, 4242, "hello"))


async def test_malformed_forged_and_mistyped_requests_never_get_a_server_error() -> None:
    result = await fuzz(requests=600, seed=11)
    assert result["server_errors"] == 0, result["examples"]
    # The mix reached every kind of answer: refused, forged, too big, and taken.
    assert {400, 403, 413, 200} <= set(result["statuses"])
