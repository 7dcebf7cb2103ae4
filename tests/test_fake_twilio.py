"""`FakeTwilio`, the webhook builders and `RelayCaller` behave as their docstrings say.

REST calls go through the twilio library's own async client (``AsyncTwilioHttpClient``,
``client.api.base_url`` pointed at the fake); a few use raw HTTP to send what the library
never sends. Status callbacks arrive at a small aiohttp app that checks them with
``RequestValidator.validate``, and `RelayCaller` talks to a tiny ConversationRelay app
that checks the handshake signature the same way.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

# twilio 9.13 has hints but no py.typed; `unused-ignore` covers a mypy override of twilio.*.
from twilio.base.exceptions import (  # type: ignore[import-untyped, unused-ignore]
    TwilioRestException,
)
from twilio.http.async_http_client import (  # type: ignore[import-untyped, unused-ignore]
    AsyncTwilioHttpClient,
)
from twilio.request_validator import (  # type: ignore[import-untyped, unused-ignore]
    RequestValidator,
)
from twilio.rest import Client  # type: ignore[import-untyped, unused-ignore]

from tests.fakes.twilio_api import (
    CALL_FIELDS,
    MESSAGE_FIELDS,
    FakeTwilio,
    RelayCaller,
    RelayClosed,
    RelayError,
    count_segments,
    incoming_call,
    incoming_sms,
    new_sid,
    relay_session_ended,
    signed,
)

ACCOUNT = "AC" + "0123456789abcdef" * 2
TOKEN = "0123456789abcdef0123456789abcdef"
OURS = "+15550100002"
ALICE = "+14155550123"
TWIML = "<Response><Say>Connecting you to a person.</Say></Response>"
JSON = dict[str, Any]

# twilio 9.13's AsyncTwilioHttpClient passes `auth=aiohttp.BasicAuth(...)` on every request,
# and aiohttp 3.14 deprecates both the class and the parameter. The warnings are the library's
# (attributed to twilio.http.async_http_client and twilio.base.client_base), not ours.
pytestmark = pytest.mark.filterwarnings(
    "ignore:(BasicAuth|The 'auth' parameter) is deprecated:DeprecationWarning:twilio\\."
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio(ACCOUNT, TOKEN) as server:
        yield server


@pytest.fixture
async def client(fake: FakeTwilio) -> AsyncIterator[Any]:
    async with make_client(fake) as twilio_client:
        yield twilio_client


@contextlib.asynccontextmanager
async def make_client(
    fake: FakeTwilio, token: str = TOKEN, account_sid: str | None = None
) -> AsyncIterator[Any]:
    """The official client pointed at `fake`, its aiohttp session closed on exit."""
    # AsyncTwilioHttpClient opens its ClientSession in __init__: build it inside the loop.
    http = AsyncTwilioHttpClient()
    twilio_client = Client(ACCOUNT, token, account_sid=account_sid, http_client=http)
    twilio_client.api.base_url = fake.base_url
    try:
        yield twilio_client
    finally:
        await http.close()


@dataclass
class Received:
    params: dict[str, str]
    valid: bool


@dataclass
class Receiver:
    """Our side of status callbacks: each request is validated as our app would."""

    token: str
    answer: int = 204
    url: str = ""
    received: list[Received] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        form = await request.post()
        params = {name: str(value) for name, value in form.items()}
        valid = RequestValidator(self.token).validate(
            str(request.url), params, request.headers.get("X-Twilio-Signature", "")
        )
        self.received.append(Received(params, bool(valid)))
        return web.Response(status=self.answer if valid else 403)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    found = Receiver(TOKEN)
    app = web.Application()
    app.router.add_post("/twilio/status", found.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        # A query string, so the signature is shown to cover it.
        found.url = str(server.make_url("/twilio/status?tenant=acme"))
        yield found


# --- REST: messages -----------------------------------------------------------------------


async def test_create_message_answers_the_message_resource(fake: FakeTwilio, client: Any) -> None:
    message = await client.messages.create_async(to=ALICE, from_=OURS, body="Hello")

    assert message.sid.startswith("SM")
    assert len(message.sid) == 34
    assert message.status == "queued"
    assert message.num_segments == "1"
    assert message.direction == "outbound-api"
    assert message.account_sid == ACCOUNT
    assert isinstance(message.date_created, datetime)
    request = fake.requests[-1]
    assert (request.operation, request.status, request.accepted) == ("CreateMessage", 201, True)
    assert set(request.body) == MESSAGE_FIELDS
    assert request.headers["User-Agent"].startswith("twilio-python/")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.params == {"To": [ALICE], "From": [OURS], "Body": ["Hello"]}
    [sent] = fake.messages(ALICE)
    assert (sent.sid, sent.body, sent.from_) == (message.sid, "Hello", OURS)

    fetched = await client.messages(message.sid).fetch_async()
    assert (fetched.sid, fetched.body, fetched.status) == (message.sid, "Hello", "queued")
    assert set(fake.requests[-1].body) == MESSAGE_FIELDS


async def test_media_and_messaging_service(fake: FakeTwilio, client: Any) -> None:
    media = ["https://cdn.example.com/a.png", "https://cdn.example.com/b.png"]
    with_media = await client.messages.create_async(to=ALICE, from_=OURS, media_url=media)
    service = "MG" + "0" * 32
    via_service = await client.messages.create_async(
        to=ALICE, messaging_service_sid=service, body="Hi"
    )

    assert with_media.sid.startswith("MM")
    assert with_media.num_media == "2"
    assert fake.messages()[0].media_urls == media
    assert via_service.status == "accepted"
    assert via_service.from_ is None
    assert via_service.num_segments == "0"
    assert via_service.messaging_service_sid == service


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("é" * 160, 1),  # é is in the GSM-7 basic table
        ("€" * 80, 1),  # extension characters take two septets
        ("€" * 81, 2),
        ("ł" * 70, 1),
        ("ł" * 71, 2),
        ("😀" * 35, 1),  # two UTF-16 code units each
        ("😀" * 36, 2),
    ],
)
def test_count_segments(body: str, segments: int) -> None:
    assert count_segments(body) == segments


async def test_wrong_auth_token_is_20003(fake: FakeTwilio) -> None:
    async with make_client(fake, token="not-the-token") as intruder:
        with pytest.raises(TwilioRestException) as raised:
            await intruder.messages.create_async(to=ALICE, from_=OURS, body="Hi")

    assert (raised.value.status, raised.value.code) == (401, 20003)
    assert fake.requests[-1].body == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }
    assert fake.messages() == []


async def test_another_account_in_the_path_is_not_found(fake: FakeTwilio) -> None:
    other = "AC" + "f" * 32
    async with make_client(fake, account_sid=other) as twilio_client:
        with pytest.raises(TwilioRestException) as raised:
            await twilio_client.messages.create_async(to=ALICE, from_=OURS, body="Hi")

    assert (raised.value.status, raised.value.code) == (404, 20404)
    assert other in fake.requests[-1].body["message"]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"to": ALICE, "from_": OURS}, 21602),
        ({"to": "", "from_": OURS, "body": "Hi"}, 21604),
        ({"to": ALICE, "body": "Hi"}, 21603),
        ({"to": "whatsapp:" + ALICE, "from_": OURS, "body": "Hi"}, 21910),
        ({"to": ALICE, "from_": "whatsapp:" + OURS, "body": "Hi"}, 21910),
        ({"to": "415-555-0123", "from_": OURS, "body": "Hi"}, 21211),
        ({"to": ALICE, "from_": "Switchboard", "body": "Hi"}, 21212),
        ({"to": ALICE, "from_": OURS, "body": "x" * 1601}, 21617),
        ({"to": ALICE, "from_": OURS, "body": "Hi", "status_callback": "ftp://e.com/s"}, 21609),
        ({"to": ALICE, "from_": OURS, "body": "Hi", "messaging_service_sid": "MG1"}, 20001),
        ({"to": ALICE, "from_": OURS, "body": "Hi", "attempt": "twice"}, 20001),
        (
            {
                "to": ALICE,
                "from_": OURS,
                "content_sid": "HX" + "0" * 32,
                "content_variables": "[]",
            },
            21656,
        ),
    ],
)
async def test_create_message_is_checked_as_twilio_does(
    fake: FakeTwilio, client: Any, kwargs: dict[str, Any], code: int
) -> None:
    with pytest.raises(TwilioRestException) as raised:
        await client.messages.create_async(**kwargs)

    assert (raised.value.status, raised.value.code) == (400, code)
    assert set(fake.requests[-1].body) == {"code", "message", "more_info", "status"}
    assert not fake.requests[-1].accepted
    assert fake.messages() == []


async def test_whatsapp_on_both_sides_is_accepted(fake: FakeTwilio, client: Any) -> None:
    message = await client.messages.create_async(
        to="whatsapp:" + ALICE, from_="whatsapp:" + OURS, body="Hola"
    )

    assert message.to == "whatsapp:" + ALICE
    assert fake.messages("whatsapp:" + ALICE)[0].body == "Hola"


async def raw_post(fake: FakeTwilio, path: str, **kwargs: Any) -> tuple[int, JSON]:
    credentials = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{fake.base_url}/2010-04-01/Accounts/{ACCOUNT}/{path}",
            headers={"Authorization": f"Basic {credentials}"},
            **kwargs,
        ) as response,
    ):
        body: JSON = await response.json()
        return response.status, body


async def test_unknown_and_repeated_parameters_are_rejected(fake: FakeTwilio) -> None:
    typo = await raw_post(fake, "Messages.json", data={"To": ALICE, "From": OURS, "Bdy": "Hi"})
    twice = await raw_post(
        fake, "Messages.json", data=[("To", ALICE), ("From", OURS), ("Body", "a"), ("Body", "b")]
    )
    as_json = await raw_post(fake, "Messages.json", json={"To": ALICE, "Body": "Hi"})

    assert (typo[0], typo[1]["code"], twice[0], as_json[0]) == (400, 20001, 400, 400)
    assert "Bdy" in typo[1]["message"]
    assert "Body" in twice[1]["message"]
    assert "x-www-form-urlencoded" in as_json[1]["message"]
    assert fake.requests[0].params["Bdy"] == ["Hi"]
    assert fake.messages() == []


async def test_scripted_failures(fake: FakeTwilio, client: Any) -> None:
    fake.fail("messages")
    fake.rate_limit("messages")
    fake.fail("calls", status=503, code=20503, message="Service Unavailable")
    call_sid = fake.add_call()

    codes = []
    for _ in range(2):
        with pytest.raises(TwilioRestException) as raised:
            await client.messages.create_async(to=ALICE, from_=OURS, body="Hi")
        codes.append((raised.value.status, raised.value.code))
    with pytest.raises(TwilioRestException) as call_failure:
        await client.calls(call_sid).update_async(twiml=TWIML)
    message = await client.messages.create_async(to=ALICE, from_=OURS, body="Hi")

    assert codes == [(500, 20500), (429, 20429)]
    assert (call_failure.value.status, call_failure.value.code) == (503, 20503)
    assert message.status == "queued"
    assert fake.call_updates(call_sid) == []


async def test_wait_for_names_the_predicate(fake: FakeTwilio) -> None:
    with pytest.raises(TimeoutError, match="still false"):
        await fake.wait_for(lambda twilio: twilio.messages(), timeout=0.1)


# --- REST: calls --------------------------------------------------------------------------


async def test_call_update_and_fetch(fake: FakeTwilio, client: Any) -> None:
    sid = fake.add_call(from_=ALICE, to=OURS)

    call = await client.calls(sid).update_async(twiml=TWIML)
    assert (call.sid, call.status, call.to) == (sid, "in-progress", OURS)
    assert set(fake.requests[-1].body) == CALL_FIELDS
    fetched = await client.calls(sid).fetch_async()
    # CallInstance keeps "from" as `_from`, where MessageInstance has `from_`.
    assert (fetched._from, fetched.from_formatted) == (ALICE, ALICE)
    ended = await client.calls(sid).update_async(status="completed")
    assert ended.status == "completed"
    assert ended.end_time is not None
    with pytest.raises(TwilioRestException) as raised:
        await client.calls(sid).update_async(twiml=TWIML)

    assert (raised.value.status, raised.value.code) == (400, 21220)
    assert fake.call_updates(sid) == [{"Twiml": TWIML}, {"Status": "completed"}]
    found = fake.call(sid)
    assert found is not None
    assert found.twiml == TWIML


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"twiml": "<Response><Say>unclosed</Response>"}, 400, 12100),
        ({"twiml": "<Say>no response</Say>"}, 400, 12100),
        ({"url": "not a url"}, 400, 20001),
        ({"status": "busy"}, 400, 20001),
        ({}, 400, 20001),
    ],
)
async def test_call_update_is_checked(
    fake: FakeTwilio, client: Any, kwargs: dict[str, str], status: int, code: int
) -> None:
    sid = fake.add_call()
    with pytest.raises(TwilioRestException) as raised:
        await client.calls(sid).update_async(**kwargs)

    assert (raised.value.status, raised.value.code) == (status, code)
    assert fake.call_updates(sid) == []


async def test_unknown_call_is_not_found(client: Any) -> None:
    with pytest.raises(TwilioRestException) as raised:
        await client.calls(new_sid("CA")).update_async(twiml=TWIML)

    assert (raised.value.status, raised.value.code) == (404, 20404)


# --- status callbacks ---------------------------------------------------------------------


async def test_status_callbacks_are_signed_and_follow_delivery(
    fake: FakeTwilio, client: Any, receiver: Receiver
) -> None:
    message = await client.messages.create_async(
        to=ALICE, from_=OURS, body="Hello", status_callback=receiver.url
    )
    await fake.wait_for(lambda twilio: len(twilio.callbacks) == 2)

    assert [c.params["MessageStatus"] for c in fake.callbacks] == ["sent", "delivered"]
    assert [c.status for c in fake.callbacks] == [204, 204]
    assert [r.valid for r in receiver.received] == [True, True]
    assert receiver.received[0].params == {
        "MessageSid": message.sid,
        "MessageStatus": "sent",
        "AccountSid": ACCOUNT,
        "From": OURS,
        "To": ALICE,
        "ApiVersion": "2010-04-01",
        "SmsSid": message.sid,
        "SmsStatus": "sent",
    }
    fetched = await client.messages(message.sid).fetch_async()
    assert fetched.status == "delivered"
    assert fetched.date_sent is not None
    found = fake.message(message.sid)
    assert found is not None
    assert found.statuses == ["queued", "sent", "delivered"]


async def test_scripted_failed_delivery_carries_the_error_code(
    fake: FakeTwilio, client: Any, receiver: Receiver
) -> None:
    fake.script_delivery(ALICE, ["sent", "failed"], error_code=30003)
    message = await client.messages.create_async(
        to=ALICE, from_=OURS, body="Hello", status_callback=receiver.url
    )
    await fake.wait_for(lambda twilio: len(twilio.callbacks) == 2)

    sent, failed = (r.params for r in receiver.received)
    assert "ErrorCode" not in sent
    assert (failed["MessageStatus"], failed["ErrorCode"]) == ("failed", "30003")
    assert all(r.valid for r in receiver.received)
    fetched = await client.messages(message.sid).fetch_async()
    assert (fetched.status, fetched.error_code) == ("failed", 30003)
    with pytest.raises(ValueError, match="not message statuses"):
        fake.delivery = ["sent", "lost"]


async def test_status_by_hand_records_what_the_app_answered(
    fake: FakeTwilio, client: Any, receiver: Receiver
) -> None:
    fake.auto_callbacks = False
    message = await client.messages.create_async(
        to=ALICE, from_=OURS, body="Hello", status_callback=receiver.url
    )
    await asyncio.sleep(0.05)
    assert fake.callbacks == []

    undelivered = await fake.send_status(message.sid, "undelivered", error_code=30005)
    receiver.answer = 500
    delivered = await fake.send_status(message.sid, "delivered")

    assert (undelivered.status, undelivered.params["ErrorCode"]) == (204, "30005")
    assert delivered.status == 500
    assert "ErrorCode" not in delivered.params
    assert fake.callbacks == [undelivered, delivered]
    with pytest.raises(ValueError, match="failed or undelivered"):
        await fake.send_status(message.sid, "sent", error_code=30001)


async def test_unreachable_callback_is_recorded(fake: FakeTwilio, client: Any) -> None:
    fake.delivery = ["sent"]
    await client.messages.create_async(
        to=ALICE, from_=OURS, body="Hello", status_callback="http://127.0.0.1:9/status"
    )
    [callback] = await fake.wait_for(lambda twilio: twilio.callbacks)

    assert callback.status is None
    assert callback.error is not None


# --- what Twilio sends us -----------------------------------------------------------------

URL = "https://support.example.com/twilio/messages?tenant=acme"


@pytest.mark.parametrize(
    "params",
    [
        incoming_sms(ALICE, OURS, "Where is my order?", account_sid=ACCOUNT),
        incoming_sms(ALICE, OURS, "Hola", account_sid=ACCOUNT, whatsapp=True),
        incoming_call(ALICE, OURS, account_sid=ACCOUNT),
        relay_session_ended(
            new_sid("CA"), handoff_data='{"reason": "agent"}', account_sid=ACCOUNT
        ),
    ],
)
def test_signed_round_trips_through_request_validator(params: dict[str, str]) -> None:
    headers = signed(URL, params, TOKEN)
    signature = headers["X-Twilio-Signature"]

    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert RequestValidator(TOKEN).validate(URL, params, signature)
    assert not RequestValidator("another-token").validate(URL, params, signature)
    assert not RequestValidator(TOKEN).validate(URL, {**params, "Body": "forged"}, signature)
    assert not RequestValidator(TOKEN).validate(URL.replace("acme", "evil"), params, signature)


def test_incoming_sms_parameters() -> None:
    sms = incoming_sms(
        ALICE,
        OURS,
        "Photo attached",
        account_sid=ACCOUNT,
        media=[("https://cdn.example.com/a.png", "image/png")],
        num_media=2,
    )
    whatsapp = incoming_sms(ALICE, OURS, "Hola", account_sid=ACCOUNT, whatsapp=True)

    assert sms["MessageSid"].startswith("MM")
    assert sms["SmsSid"] == sms["SmsMessageSid"] == sms["MessageSid"]
    assert (sms["NumMedia"], sms["MediaContentType0"], sms["MediaContentType1"]) == (
        "2",
        "image/png",
        "image/jpeg",
    )
    assert (sms["FromCountry"], sms["ToCountry"], sms["SmsStatus"]) == ("US", "US", "received")
    assert (whatsapp["From"], whatsapp["To"]) == ("whatsapp:" + ALICE, "whatsapp:" + OURS)
    assert (whatsapp["WaId"], whatsapp["ProfileName"]) == (ALICE[1:], "Customer")
    assert "FromCountry" not in whatsapp
    with pytest.raises(ValueError, match="whatsapp=True"):
        incoming_sms("whatsapp:" + ALICE, OURS, "Hola", account_sid=ACCOUNT)


def test_incoming_call_and_session_end_parameters() -> None:
    call = incoming_call(ALICE, OURS, account_sid=ACCOUNT)
    ended = relay_session_ended(call["CallSid"], handoff_data=None, account_sid=ACCOUNT)

    assert (call["CallStatus"], call["Direction"], call["Caller"]) == ("ringing", "inbound", ALICE)
    assert call["CallSid"].startswith("CA")
    assert ended["SessionId"].startswith("VX")
    assert ended["SessionStatus"] == "ended"
    assert "HandoffData" not in ended


# --- ConversationRelay --------------------------------------------------------------------


@dataclass
class RelayApp:
    """A tiny ConversationRelay app: checks the handshake signature, echoes prompts as tokens,
    ends the session on a key press, and answers an interrupt with a frame Twilio refuses."""

    token: str
    received: list[JSON] = field(default_factory=list)
    error_received: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        # Twilio signs the ws(s):// URL it was given; aiohttp reports http://.
        url = str(request.url.with_scheme("ws"))
        signature = request.headers.get("X-Twilio-Signature", "")
        if not RequestValidator(self.token).validate(url, {}, signature):
            return web.Response(status=403)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for message in ws:
            frame: JSON = json.loads(message.data)
            self.received.append(frame)
            if frame["type"] == "prompt":
                words = frame["voicePrompt"].split()
                for index, word in enumerate(words):
                    last = index == len(words) - 1
                    await ws.send_json({"type": "text", "token": f"{word} ", "last": last})
            elif frame["type"] == "dtmf":
                handoff = json.dumps({"pressed": frame["digit"]})
                await ws.send_json({"type": "end", "handoffData": handoff})
            elif frame["type"] == "interrupt":
                await ws.send_json({"type": "txt", "token": "oops"})
            elif frame["type"] == "error":
                self.error_received.set()
        return ws


@pytest.fixture
async def relay_app() -> AsyncIterator[tuple[RelayApp, str]]:
    app_state = RelayApp(TOKEN)
    app = web.Application()
    app.router.add_get("/relay", app_state.handle)
    async with TestServer(app, host="127.0.0.1") as server:
        yield app_state, str(server.make_url("/relay").with_scheme("ws"))


def caller(url: str, token: str = TOKEN) -> RelayCaller:
    return RelayCaller(
        url,
        token,
        call_sid=new_sid("CA"),
        from_=ALICE,
        to=OURS,
        account_sid=ACCOUNT,
        custom_parameters={"ticket": "T-1"},
    )


async def test_relay_caller_sends_setup_and_collects_tokens(
    relay_app: tuple[RelayApp, str],
) -> None:
    app, url = relay_app
    async with caller(url) as session:
        await session.say("where is my order")
        tokens = await session.tokens_until_last()

    setup = app.received[0]
    assert setup["type"] == "setup"
    assert setup["callSid"] == session.setup["callSid"]
    assert (setup["from"], setup["to"], setup["accountSid"]) == (ALICE, OURS, ACCOUNT)
    assert setup["customParameters"] == {"ticket": "T-1"}
    assert app.received[1] == {
        "type": "prompt",
        "voicePrompt": "where is my order",
        "lang": "en-US",
        "last": True,
    }
    assert "".join(t["token"] for t in tokens) == "where is my order "
    assert [t["last"] for t in tokens] == [False, False, False, True]
    assert session.frames == tokens
    assert session.closed
    assert session.close_code == 1000


async def test_relay_caller_closes_after_end(relay_app: tuple[RelayApp, str]) -> None:
    _, url = relay_app
    async with caller(url) as session:
        await session.press("0")
        end = await session.next_frame()
        with pytest.raises(RelayClosed):
            await session.next_frame(timeout=1)

    assert end == {"type": "end", "handoffData": '{"pressed": "0"}'}
    assert session.end == end
    assert session.closed


async def test_relay_caller_refuses_invalid_frames(relay_app: tuple[RelayApp, str]) -> None:
    app, url = relay_app
    async with caller(url) as session:
        await session.interrupt("where is", 460)
        with pytest.raises(RelayError, match="unknown type 'txt'"):
            await session.next_frame()
        async with asyncio.timeout(2):
            await app.error_received.wait()

    assert app.received[1] == {
        "type": "interrupt",
        "utteranceUntilInterrupt": "where is",
        "durationUntilInterruptMs": 460,
    }
    assert [error.reason for error in session.errors] == [
        "unknown type 'txt'; expected one of end, language, play, sendDigits, text"
    ]


async def test_relay_handshake_with_a_wrong_signature_is_refused(
    relay_app: tuple[RelayApp, str],
) -> None:
    _, url = relay_app
    with pytest.raises(aiohttp.WSServerHandshakeError) as raised:
        async with caller(url, token="not-the-token"):
            pass

    assert raised.value.status == 403
