"""Voice through Twilio: the call webhook, the ConversationRelay WebSocket, handoff, Gather.

Webhooks are signed with the twilio library's `RequestValidator`; `RelayCaller`
plays Twilio's side of the relay WebSocket (signed handshake, setup, prompt,
interrupt, dtmf) and checks every frame the app sends.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import ClientWebSocketResponse, WSCloseCode, WSMsgType, WSServerHandshakeError, web
from aiohttp.test_utils import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app import CHANNELS, RUNTIME, create_app
from bot.config import Settings
from bot.effects import Message
from bot.reply import Reply
from bot.statemachine import State
from channels.base import Channels
from channels.twilio.voice import (
    MAX_RELAY_FRAME,
    RelayDtmf,
    RelayFrameError,
    RelayInterrupt,
    RelayMessage,
    RelayProblem,
    RelayPrompt,
    RelaySetup,
    call_address,
    parse_relay_message,
)
from tests.conftest import make_settings, redis_store, settled
from tests.fakes.twilio_api import (
    FakeTwilio,
    RelayCaller,
    check_app_frame,
    incoming_call,
    relay_session_ended,
    signed,
)

PUBLIC = "https://support.example.com"
OURS = "+15550100200"
CALLER = "+34911234567"  # Madrid: the call is in Spanish until the caller says otherwise
AGENT = "+15550100999"
CALL_SID = "CA" + "1" * 32
AppClient = Callable[..., Any]


def voice_settings(twilio: FakeTwilio, **env: str) -> Settings:
    values = {
        "TWILIO_ACCOUNT_SID": twilio.account_sid,
        "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_API_URL": twilio.base_url,
        "PUBLIC_URL": PUBLIC,
        "STREAM_CHUNK_DELAY_MS": "30",
    }
    values.update(env)
    return make_settings(**values)


async def webhook(
    client: TestClient[Any, Any], twilio: FakeTwilio, path: str, params: dict[str, str]
) -> tuple[int, str]:
    headers = signed(f"{PUBLIC}{path}", params, twilio.auth_token)
    response = await client.post(path, data=urlencode(params), headers=headers)
    return response.status, await response.text()


def caller(client: TestClient[Any, Any], twilio: FakeTwilio, **options: Any) -> RelayCaller:
    return RelayCaller(
        str(client.make_url("/twilio/relay")).replace("http://", "ws://"),
        twilio.auth_token,
        **{
            "call_sid": CALL_SID,
            "from_": CALLER,
            "to": OURS,
            "account_sid": twilio.account_sid,
            "signature_url": f"{PUBLIC.replace('https://', 'wss://')}/twilio/relay",
            **options,
        },
    )


async def test_a_call_connects_to_the_relay_in_the_callers_language(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    client, runtime = await app_client(voice_settings(twilio))
    params = incoming_call(CALLER, OURS, account_sid=twilio.account_sid)
    status, twiml = await webhook(client, twilio, "/twilio/voice", params)
    assert status == 200
    assert f'<Connect action="{PUBLIC}/twilio/voice/ended">' in twiml
    assert 'url="wss://support.example.com/twilio/relay"' in twiml
    assert 'language="es-ES"' in twiml
    greeting = runtime.catalog.text("es", "greeting", bot_name="Switchboard")
    assert re.search(r'welcomeGreeting="([^"]+)"', twiml) is not None
    assert greeting.split(".")[0][:20] in twiml

    forged = signed(f"{PUBLIC}/twilio/voice", params, "0" * 32)
    answer = await client.post("/twilio/voice", data=urlencode(params), headers=forged)
    assert answer.status == 403


async def test_the_answer_is_spoken_while_it_is_produced(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    client, runtime = await app_client(voice_settings(twilio))
    async with caller(client, twilio) as call:
        await call.say("what is your return policy?", lang="en-US")
        tokens = await call.tokens_until_last(timeout=10)
    assert len(tokens) > 3  # streamed in pieces, the last one empty and marked last
    assert tokens[-1]["last"] is True
    assert all(not token["last"] for token in tokens[:-1])
    spoken = "".join(token["token"] for token in tokens)
    assert "30 days" in spoken
    await settled(runtime)


async def test_a_forged_relay_handshake_is_refused(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    client, _ = await app_client(voice_settings(twilio))
    with pytest.raises(WSServerHandshakeError) as refused:
        async with caller(client, twilio, signature_url="wss://evil.example.com/twilio/relay"):
            pass
    assert refused.value.status == 403


async def test_an_interruption_keeps_only_what_was_said(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    client, runtime = await app_client(voice_settings(twilio, STREAM_CHUNK_DELAY_MS="150"))
    async with caller(client, twilio) as call:
        await call.say("what is your return policy?", lang="en-US")
        first = await call.next_frame(timeout=10)
        assert first["type"] == "text"
        await call.interrupt(first["token"].strip(), 400)
        await settled(runtime)
        heard = [f for f in call.frames if f.get("type") == "text"]
    assert len(heard) < 4  # the rest of the answer was not sent
    snapshot = await runtime.store.load(call_address(CALL_SID, CALLER).conversation_id)
    assert snapshot.ticket is not None
    turns = await runtime.store.transcript(snapshot.ticket.id)
    bot = [t for t in turns if t.role.value == "bot"][-1]
    assert bot.text == first["token"].strip()
    assert bot.meta["interrupted"] is True


async def test_zero_gets_a_person_on_the_line(twilio: FakeTwilio, app_client: AppClient) -> None:
    client, runtime = await app_client(voice_settings(twilio, AGENT_PHONE_NUMBER=AGENT))
    async with caller(client, twilio) as call:
        await call.press("0")
        tokens = await call.tokens_until_last(timeout=10)
        assert "T-" in "".join(token["token"] for token in tokens)  # the ticket reference
        end = await call.next_frame(timeout=5)
    assert end["type"] == "end"
    snapshot = await runtime.store.load(call_address(CALL_SID, CALLER).conversation_id)
    assert snapshot.ticket is not None
    assert snapshot.ticket.status is State.WAITING_AGENT
    handoffs = await runtime.desk.list()
    assert handoffs[0]["ticket"] == snapshot.ticket.id

    ended = relay_session_ended(
        CALL_SID, handoff_data=end["handoffData"], account_sid=twilio.account_sid
    )
    status, twiml = await webhook(client, twilio, "/twilio/voice/ended", ended)
    assert status == 200
    assert f"<Dial>{AGENT}</Dial>" in twiml


async def test_without_an_agent_number_the_call_waits_in_a_queue(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    client, _ = await app_client(voice_settings(twilio))
    data = '{"reason": "handoff", "conversation": "voice:+34911234567"}'
    ended = relay_session_ended("CA" + "2" * 32, handoff_data=data, account_sid=twilio.account_sid)
    _, twiml = await webhook(client, twilio, "/twilio/voice/ended", ended)
    assert "<Enqueue>support</Enqueue>" in twiml
    plain = relay_session_ended("CA" + "3" * 32, handoff_data=None, account_sid=twilio.account_sid)
    _, twiml = await webhook(client, twilio, "/twilio/voice/ended", plain)
    assert "<Hangup" in twiml


async def test_gather_mode_for_accounts_without_relay(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    client, runtime = await app_client(voice_settings(twilio, TWILIO_VOICE_MODE="gather"))
    params = incoming_call("+14155550123", OURS, account_sid=twilio.account_sid)
    _, twiml = await webhook(client, twilio, "/twilio/voice", params)
    assert '<Gather action="https://support.example.com/twilio/voice/gather"' in twiml
    assert 'input="speech"' in twiml
    turn = {**params, "SpeechResult": "What is your return policy?", "Confidence": "0.92"}
    _, twiml = await webhook(client, twilio, "/twilio/voice/gather", turn)
    assert "<Say" in twiml
    assert "30 days" in twiml
    assert "<Gather" in twiml  # and listens for the next question
    await settled(runtime)


# -- one conversation per call ------------------------------------------------------------

OTHER_SID = "CA" + "2" * 32
RETURNS, SHIPPING = "what is your return policy?", "how long does shipping take?"


async def test_two_calls_from_one_number_each_hear_their_own_answer(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    client, runtime = await app_client(voice_settings(twilio))
    async with (
        caller(client, twilio) as first,
        caller(client, twilio, call_sid=OTHER_SID) as second,
    ):
        # Both ask before either is answered: the two answers are produced at once.
        await first.say(RETURNS, lang="en-US")
        await second.say(SHIPPING, lang="en-US")
        heard = await asyncio.gather(
            first.tokens_until_last(timeout=10), second.tokens_until_last(timeout=10)
        )
        await settled(runtime)
    returns, shipping = ("".join(token["token"] for token in tokens) for tokens in heard)
    assert "30 days" in returns
    assert "business days" not in returns
    assert "business days" in shipping
    assert "30 days" not in shipping
    assert first.errors == second.errors == []

    tickets = []
    for sid in (CALL_SID, OTHER_SID):
        snapshot = await runtime.store.load(call_address(sid, CALLER).conversation_id)
        assert snapshot.ticket is not None
        assert snapshot.ticket.address.id.endswith(CALLER)  # what the agents see
        tickets.append(snapshot.ticket.id)
    assert tickets[0] != tickets[1]
    # The number alone still names both calls (an export or erasure finds them).
    record = await runtime.store.export_customer(CALLER)
    assert set(record.conversation_ids) == {
        call_address(sid, CALLER).conversation_id for sid in (CALL_SID, OTHER_SID)
    }


async def test_two_gathered_calls_from_one_number_each_hear_their_own_answer(
    twilio: FakeTwilio, app_client: AppClient
) -> None:
    client, runtime = await app_client(voice_settings(twilio, TWILIO_VOICE_MODE="gather"))
    turns = [
        {
            **incoming_call(CALLER, OURS, call_sid=sid, account_sid=twilio.account_sid),
            "SpeechResult": question,
            "Confidence": "0.9",
        }
        for sid, question in ((CALL_SID, RETURNS), (OTHER_SID, SHIPPING))
    ]
    answers = await asyncio.gather(
        *(webhook(client, twilio, "/twilio/voice/gather", turn) for turn in turns)
    )
    (status, returns), (_, shipping) = answers
    assert status == 200
    assert "30 days" in returns
    assert "business days" not in returns
    assert "business days" in shipping
    assert "30 days" not in shipping
    await settled(runtime)

    no_call = {**turns[0], "CallSid": "not-a-call"}
    status, _ = await webhook(client, twilio, "/twilio/voice/gather", no_call)
    assert status == 400


# -- relay messages, read strictly --------------------------------------------------------

NAMES = (
    "type", "callSid", "from", "voicePrompt", "lang", "last", "digit",
    "utteranceUntilInterrupt", "durationUntilInterruptMs", "description", "customParameters",
)  # fmt: skip
KINDS = st.sampled_from(["setup", "prompt", "dtmf", "interrupt", "error", "text", "Setup", ""])
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | KINDS
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=6), inner, max_size=6)
    ),
    max_leaves=30,
)
SIDS = st.text("0123456789abcdefABCDEF", min_size=32, max_size=32).map(lambda h: "CA" + h)
CALLERS = st.from_regex(r"\+[1-9][0-9]{7,14}", fullmatch=True) | st.sampled_from(
    ["anonymous", "client:alice", "sip:alice@example.com", ""]
)
WORDS = st.text(max_size=60)
DURATIONS = (
    st.integers(0, 10**7)
    | st.floats(0, 10**7)
    | st.from_regex(r"[0-9]{1,7}(\.[0-9]{1,3})?", fullmatch=True)
)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


# Fields a valid message may carry besides its own: any JSON nested as deep as the parser
# takes (16 levels, this one included), under names we do not read.
FINITE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=20,
)
EXTRA = st.dictionaries(
    st.text(max_size=8).filter(lambda k: k not in NAMES),
    FINITE.filter(lambda value: _depth(value) < 16),
    max_size=3,
)


Valid = tuple[dict[str, Any], RelayMessage]


def _setup(f: dict[str, Any]) -> Valid:
    return f, RelaySetup(f["callSid"], f.get("from") or "")


def _prompt(f: dict[str, Any]) -> Valid:
    return f, RelayPrompt(f["voicePrompt"], f.get("lang"), f.get("last", True))


def _dtmf(f: dict[str, Any]) -> Valid:
    return f, RelayDtmf(f["digit"])


def _interrupt(f: dict[str, Any]) -> Valid:
    duration = f.get("durationUntilInterruptMs")
    heard = f.get("utteranceUntilInterrupt", "")
    return f, RelayInterrupt(heard, None if duration is None else float(duration))


def _problem(f: dict[str, Any]) -> Valid:
    return f, RelayProblem(f.get("description", ""))


# Every message Twilio documents, with each optional field present or not, and what it reads as.
VALID = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("setup"), "callSid": SIDS},
        optional={
            "from": CALLERS | st.none(),
            "to": CALLERS,
            "sessionId": st.just("VX" + "0" * 32),
            "customParameters": st.dictionaries(st.text(max_size=8), WORDS, max_size=3),
        },
    ).map(_setup),
    st.fixed_dictionaries(
        {"type": st.just("prompt"), "voicePrompt": WORDS},
        optional={"lang": st.sampled_from(["en-US", "es-ES"]) | st.none(), "last": st.booleans()},
    ).map(_prompt),
    st.fixed_dictionaries({"type": st.just("dtmf"), "digit": st.sampled_from("0123456789*#")}).map(
        _dtmf
    ),
    st.fixed_dictionaries(
        {"type": st.just("interrupt")},
        optional={"utteranceUntilInterrupt": WORDS, "durationUntilInterruptMs": DURATIONS},
    ).map(_interrupt),
    st.fixed_dictionaries({"type": st.just("error")}, optional={"description": WORDS}).map(
        _problem
    ),
)


def _read_or_refused(raw: str) -> RelayMessage | None:
    try:
        return parse_relay_message(raw)
    except RelayFrameError:
        return None


@settings(max_examples=300)
@given(VALID, EXTRA, st.booleans())
def test_every_valid_relay_message_is_read(
    valid: Valid, extra: dict[str, Any], ascii_only: bool
) -> None:
    frame, expected = valid
    assert parse_relay_message(json.dumps({**extra, **frame}, ensure_ascii=ascii_only)) == expected


@settings(max_examples=300)
@given(JSON)
def test_any_json_is_read_or_refused(value: Any) -> None:
    # json.dumps writes NaN and Infinity for such floats, which JSON does not have.
    parsed = _read_or_refused(json.dumps(value))
    assert parsed is None or isinstance(value, dict)


@settings(max_examples=300)
@given(st.text() | st.text(st.characters(codec=None, categories=["Cs", "Cc", "Ll"])))
def test_any_text_is_read_or_refused(raw: str) -> None:
    _read_or_refused(raw)


@settings(max_examples=300)
@given(VALID, st.data())
def test_a_damaged_valid_message_is_read_or_refused(valid: Valid, data: st.DataObject) -> None:
    raw = json.dumps(valid[0])
    start = data.draw(st.integers(0, len(raw)))
    end = data.draw(st.integers(start, len(raw)))
    _read_or_refused(raw[:start] + data.draw(st.text(max_size=6)) + raw[end:])


SETUP = {"type": "setup", "callSid": CALL_SID, "from": CALLER}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("not json", "not JSON"),
        ("[" * 30_000 + "]" * 30_000, "nested too deep"),
        ('"setup"', "not a JSON object"),
        ("{}", "missing or unknown type"),
        ('{"type": ["setup"]}', "missing or unknown type"),
        ('{"type": "media"}', "missing or unknown type"),
        (json.dumps({"type": "prompt", "voicePrompt": "x" * (MAX_RELAY_FRAME + 1)}), "larger"),
        # 40,000 characters, 80,000 bytes
        (
            json.dumps({"type": "prompt", "voicePrompt": "é" * 40_000}, ensure_ascii=False),
            "larger",
        ),
        (json.dumps({"type": "prompt"}), "voicePrompt is missing"),
        (json.dumps({"type": "prompt", "voicePrompt": 7}), "voicePrompt is not a string"),
        (json.dumps({"type": "prompt", "voicePrompt": "hi", "last": "yes"}), "last is not"),
        (json.dumps({"type": "prompt", "voicePrompt": "hi", "lang": ["en"]}), "lang is not"),
        ('{"type": "prompt", "voicePrompt": "\\ud800"}', "not valid Unicode"),
        (json.dumps({"type": "dtmf", "digit": 0}), "digit is not a string"),
        (json.dumps({"type": "interrupt", "durationUntilInterruptMs": -1}), "not a duration"),
        (json.dumps({"type": "interrupt", "durationUntilInterruptMs": True}), "not a duration"),
        (json.dumps({"type": "interrupt", "durationUntilInterruptMs": "4e2"}), "not a duration"),
        ('{"type": "interrupt", "durationUntilInterruptMs": NaN}', "not JSON"),
        ('{"type": "interrupt", "durationUntilInterruptMs": 1e400}', "not a duration"),
        ('{"type": "interrupt", "durationUntilInterruptMs": 1' + "0" * 400 + "}", "duration"),
        (json.dumps({**SETUP, "callSid": "CA123"}), "callSid is not a call SID"),
        (json.dumps({**SETUP, "callSid": CALL_SID + "\n"}), "callSid is not a call SID"),
        (json.dumps({**SETUP, "from": "+1{x}"}), "from is not a caller"),
        (json.dumps({**SETUP, "from": "+1\n2"}), "from is not a caller"),
        (json.dumps({"type": "error", "description": {}}), "description is not a string"),
    ],
)
def test_frames_that_are_not_twilio_messages_are_refused(raw: str, reason: str) -> None:
    with pytest.raises(RelayFrameError, match=re.escape(reason)):
        parse_relay_message(raw)


async def raw_relay(client: TestClient[Any, Any], twilio: FakeTwilio) -> ClientWebSocketResponse:
    """A relay WebSocket that sends whatever the test writes (RelayCaller sends JSON only)."""
    url = f"{PUBLIC.replace('https://', 'wss://')}/twilio/relay"
    signature = signed(url, {}, twilio.auth_token)["X-Twilio-Signature"]
    return await client.ws_connect("/twilio/relay", headers={"X-Twilio-Signature": signature})


async def test_malformed_relay_frames_are_ignored_and_the_call_goes_on(
    twilio: FakeTwilio, app_client: AppClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    client, runtime = await app_client(voice_settings(twilio))
    ws = await raw_relay(client, twilio)
    await ws.send_json(SETUP)
    for junk in (
        "not json",
        "[1, 2]",
        '{"type": "banana"}',
        '{"voicePrompt": "no type"}',
        '{"type": "prompt", "voicePrompt": ["what", "is"]}',
        '{"type": "interrupt", "utteranceUntilInterrupt": 3}',
        "[" * 50_000,
    ):
        await ws.send_str(junk)
    await ws.send_bytes(b"\x00\x01")
    await ws.send_json({"type": "prompt", "voicePrompt": RETURNS, "lang": "en-US", "last": True})
    tokens: list[dict[str, Any]] = []
    while not tokens or not tokens[-1]["last"]:
        frame = await ws.receive_json(timeout=10)
        assert check_app_frame(frame) is None
        tokens.append(frame)
    assert "30 days" in "".join(token["token"] for token in tokens)
    await settled(runtime)
    await ws.close()
    refused = [r for r in caplog.records if r.name == "channels.twilio.voice"]
    assert len(refused) == 8
    assert all(r.levelno == logging.INFO and r.exc_info is None for r in refused)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize(
    ("first", "code"),
    [
        ('{"type": "prompt", "voicePrompt": "hello"}', WSCloseCode.POLICY_VIOLATION),
        (json.dumps({**SETUP, "callSid": ""}), WSCloseCode.POLICY_VIOLATION),
        ("not json", WSCloseCode.POLICY_VIOLATION),
        (json.dumps({**SETUP, "padding": "x" * MAX_RELAY_FRAME}), WSCloseCode.MESSAGE_TOO_BIG),
    ],
)
async def test_a_relay_socket_that_cannot_be_a_call_is_closed(
    twilio: FakeTwilio, app_client: AppClient, first: str, code: WSCloseCode
) -> None:
    client, _ = await app_client(voice_settings(twilio))
    ws = await raw_relay(client, twilio)
    await ws.send_str(first)
    closing = await ws.receive(timeout=5)
    assert closing.type is WSMsgType.CLOSE
    assert closing.data == code
    await ws.close()


# -- finishing a streamed answer ----------------------------------------------------------


async def pieces(*texts: str) -> AsyncIterator[str]:
    for text in texts:
        yield text


async def spoken_by(call: RelayCaller, delivery: Channels, reply: Reply, final: str) -> list[str]:
    """What the caller hears of `reply` streamed and then sent as `final`."""
    address = call_address(call.setup["callSid"], CALLER)
    await delivery.stream(address, reply)
    await delivery.send(address, Message(reply.id, final))
    return [frame["token"] for frame in await call.tokens_until_last(timeout=10)]


APOLOGY = "Sorry, something went wrong on our side. A colleague will take over."


async def test_send_says_only_what_the_caller_has_not_heard(
    twilio: FakeTwilio, aiohttp_client: Callable[..., Any]
) -> None:
    app = create_app(voice_settings(twilio))
    client = await aiohttp_client(app)
    async with caller(client, twilio) as call:
        await call.say(RETURNS, lang="en-US")
        await call.tokens_until_last(timeout=10)  # the call is set up and answering
        delivery = app[CHANNELS]

        whole = "Your parcel left on Monday."
        heard = await spoken_by(
            call, delivery, Reply(pieces("Your parcel ", "left on Monday.")), whole
        )
        assert heard == ["Your parcel ", "left on Monday.", ""]

        more = whole + " It arrives on Friday."
        heard = await spoken_by(
            call, delivery, Reply(pieces("Your parcel ", "left on Monday.")), more
        )
        assert heard == ["Your parcel ", "left on Monday.", " It arrives on Friday."]

        # An answer cut half way and replaced: the replacement is said in full.
        heard = await spoken_by(
            call, delivery, Reply(pieces("The refund is ", "paid in")), APOLOGY
        )
        assert heard == ["The refund is ", "paid in", APOLOGY]

        # A message that was never streamed (an agent's) is said whole.
        await delivery.send(call_address(CALL_SID, CALLER), Message("agent-1", "Hello, Ana here."))
        assert [f["token"] for f in await call.tokens_until_last(timeout=5)] == [
            "Hello, Ana here."
        ]
    assert call.errors == []
    await settled(app[RUNTIME])


async def test_a_worker_elsewhere_finishes_its_answers_and_an_interruption_cuts_them(
    twilio: FakeTwilio, aiohttp_client: Callable[..., Any], redis_url: str, redis_prefix: str
) -> None:
    """The relay's process (web only) and a worker process, sharing Redis: the worker's
    tokens reach the relay by pub/sub, and the relay's process drops what the caller
    talked over."""
    settings = voice_settings(twilio, REDIS_URL=redis_url, REDIS_PREFIX=redis_prefix)
    web_app = create_app(settings, store=redis_store(redis_url, redis_prefix), worker=False)
    client = await aiohttp_client(web_app)
    worker_app = create_app(
        settings, store=redis_store(redis_url, redis_prefix), web_role=False, worker=True
    )
    runner = web.AppRunner(worker_app)
    await runner.setup()
    try:
        async with caller(client, twilio) as call:
            await call.say(RETURNS, lang="en-US")
            answer = await call.tokens_until_last(timeout=15)  # answered by the worker
            assert "30 days" in "".join(token["token"] for token in answer)
            delivery = worker_app[CHANNELS]

            streamed = pieces("Your parcel ", "left on Monday.")
            heard = await spoken_by(call, delivery, Reply(streamed), "Your parcel left on Monday.")
            assert heard == ["Your parcel ", "left on Monday.", ""]
            cut = await spoken_by(call, delivery, Reply(pieces("The refund is ", "paid")), APOLOGY)
            assert cut == ["The refund is ", "paid", APOLOGY]

            # The caller talks over an answer the worker is still producing.
            more: asyncio.Queue[str | None] = asyncio.Queue()

            async def produced() -> AsyncIterator[str]:
                while (piece := await more.get()) is not None:
                    yield piece

            address = call_address(CALL_SID, CALLER)
            reply = Reply(produced())
            streaming = asyncio.create_task(delivery.stream(address, reply))
            await more.put("Returns are free ")
            assert (await call.next_frame(timeout=10))["token"] == "Returns are free "
            await call.interrupt("Returns are free", 500)
            # The relay reads its socket in order: once this question is answered, the
            # interruption before it has been taken.
            await call.say(SHIPPING, lang="en-US")
            shipping = await call.tokens_until_last(timeout=15)
            assert "business days" in "".join(token["token"] for token in shipping)
            await more.put("within 30 days, ")
            await more.put("with the label in the box.")
            await more.put(None)
            await streaming
            await delivery.send(address, Message(reply.id, await reply.text()))
            await delivery.send(address, Message("after", "Anything else?"))
            # Frames of one conversation arrive in the order they were published.
            after = await call.tokens_until_last(timeout=10)
            assert [token["token"] for token in after] == ["Anything else?"]
        assert call.errors == []
        await settled(worker_app[RUNTIME])
    finally:
        await runner.cleanup()
