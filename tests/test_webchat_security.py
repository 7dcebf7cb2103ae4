"""Web chat sessions belong to the server that issued them, and to the pages allowed
to open them: another site's page is refused at the upgrade, a token the server did
not sign never reads anyone's conversation, a frame that is not the protocol's gets
an error frame (never a traceback), and an over-long message is announced before it
is sent, never cut."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import WSCloseCode, WSMsgType, web
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.config import ConfigError
from bot.store.redis_store import RedisStore
from channels.webchat import (
    MAX_FRAME,
    FrameError,
    HelloFrame,
    MessageFrame,
    PingFrame,
    issued,
    new_token,
    origin_allowed,
    parse_frame,
)
from tests.conftest import BOT_DONE, Customer, make_settings, redis_store

AppClient = Callable[..., Any]
QUESTION = "what is your return policy?"
KEY = b"k" * 32
OPEN = '#sb-panel[data-connection="open"]'
DEAD_REDIS = "redis://127.0.0.1:1/0"


# -- origins -----------------------------------------------------------------------


async def test_a_page_on_another_origin_is_refused_at_the_upgrade(
    app_client: AppClient,
) -> None:
    settings = make_settings(WEBCHAT_ALLOWED_ORIGINS="https://shop.example.com")
    client, _ = await app_client(settings)
    for foreign in ("https://evil.example", "https://shop.example.com.evil.example", "null"):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect("/webchat/ws", headers={"Origin": foreign})
        assert refused.value.status == 403
    # Written as a browser writes it, or as an operator might (port, case): the same origin.
    for allowed in ("https://shop.example.com", "HTTPS://Shop.Example.com:443"):
        ws = await client.ws_connect("/webchat/ws", headers={"Origin": allowed})
        await ws.send_json({"type": "hello", "session": None, "locale": "en"})
        assert (await ws.receive_json())["type"] == "welcome"
        await ws.close()


async def test_by_default_only_the_apps_own_pages_may_open_it(app_client: AppClient) -> None:
    client, _ = await app_client(make_settings(PUBLIC_URL="https://support.example.com/help"))
    own = str(client.make_url("")).rstrip("/")
    behind_a_router = {
        "Origin": "https://chat.example.org",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "chat.example.org",
    }
    for headers in ({"Origin": own}, {"Origin": "https://support.example.com"}, behind_a_router):
        ws = await client.ws_connect("/webchat/ws", headers=headers)
        await ws.close()
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/webchat/ws", headers={"Origin": "https://elsewhere.example"})
    assert refused.value.status == 403


def test_origin_rules() -> None:
    allowed = frozenset({"https://shop.example.com"})
    own = "http://127.0.0.1:8080"
    assert origin_allowed(None, own, allowed)  # not a browser: its token decides
    assert origin_allowed("http://127.0.0.1:8080", own, allowed)
    assert origin_allowed("https://shop.example.com", own, allowed)
    assert origin_allowed("https://shop.example.com:443", None, allowed)
    for refused in ("http://shop.example.com", "https://shop.example.com:8443", "null", "", "x"):
        assert not origin_allowed(refused, own, allowed)
    assert not origin_allowed("http://[::1", own, allowed)  # unreadable: refused, not raised


def test_allowed_origins_are_origins() -> None:
    settings = make_settings(
        WEBCHAT_ALLOWED_ORIGINS=" HTTPS://Shop.Example.com:443/ , http://[::1]:8080,"
    )
    assert settings.webchat_allowed_origins == ("https://shop.example.com", "http://[::1]:8080")
    for bad in ("shop.example.com", "https://shop.example.com/chat", "ftp://x", "https://x:99999"):
        with pytest.raises(ConfigError, match="WEBCHAT_ALLOWED_ORIGINS"):
            make_settings(WEBCHAT_ALLOWED_ORIGINS=bad)


# -- tokens ------------------------------------------------------------------------


def test_only_tokens_signed_with_the_key_are_issued_ones() -> None:
    token = new_token(KEY)
    assert issued(KEY, token)
    assert not issued(b"another key, of the same length!", token)
    session_id, signature = token.split(".")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    for forged in ("a" * 20, session_id, f"{session_id}.{flipped}", token + "x", "", " " + token):
        assert not issued(KEY, forged)


async def test_a_token_the_server_did_not_sign_starts_an_empty_session(
    app_client: AppClient,
) -> None:
    client, _ = await app_client(make_settings(STREAM_CHUNK_DELAY_MS="0"))
    owner = Customer(client)
    await owner.connect()
    await owner.ask(QUESTION)
    assert owner.session is not None
    session_id, signature = owner.session.split(".")
    tampered = f"{session_id}.{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}"
    other_id = f"{'b' * len(session_id)}.{signature}"

    # A client-chosen token (what browsers kept before tokens were signed), a tampered
    # signature, someone else's signature on another id.
    for forged in ("a" * 20, tampered, other_id):
        stranger = Customer(client, session=forged)
        welcome = await stranger.connect()
        assert welcome["session"] != forged
        assert issued_by_server(welcome["session"], owner.session)
        assert [m["id"] for m in welcome["history"]] == ["greeting"]

    back = Customer(client, session=owner.session)
    welcome = await back.connect()
    assert welcome["session"] == owner.session
    assert any(QUESTION in str(m) for m in welcome["history"])


def issued_by_server(token: str, other: str) -> bool:
    """Shaped like the server's tokens and not the other one."""
    session_id, _, signature = token.partition(".")
    return len(session_id) == 32 and len(signature) == 43 and token != other


async def test_the_configured_secret_signs_and_checks_tokens(app_client: AppClient) -> None:
    secret = "correct horse battery staple"
    first, _ = await app_client(make_settings(WEBCHAT_SECRET=secret))
    same_key, _ = await app_client(make_settings(WEBCHAT_SECRET=secret))
    other_key, _ = await app_client(make_settings(WEBCHAT_SECRET=secret + "!"))
    customer = Customer(first)
    await customer.connect()
    token = customer.session
    assert (await Customer(same_key, session=token).connect())["session"] == token
    assert (await Customer(other_key, session=token).connect())["session"] != token


async def test_every_process_accepts_every_others_tokens(
    app_client: AppClient, redis_url: str, redis_prefix: str
) -> None:
    settings = make_settings(STREAM_CHUNK_DELAY_MS="0")
    first, _ = await app_client(settings, store=redis_store(redis_url, redis_prefix))
    second, _ = await app_client(settings, store=redis_store(redis_url, redis_prefix))
    # Both start at once on a store without a key: one makes it, the other waits for it.
    alice, bob = Customer(first), Customer(second)
    await asyncio.gather(alice.connect(), bob.connect())
    await alice.ask(QUESTION)
    again = Customer(second, session=alice.session)
    welcome = await again.connect()
    assert welcome["session"] == alice.session
    assert any(QUESTION in str(m) for m in welcome["history"])
    assert (await Customer(first, session=bob.session).connect())["session"] == bob.session


async def test_while_the_key_cannot_be_read_the_widget_keeps_its_token(
    app_client: AppClient,
) -> None:
    # The key lives in the store, and nothing listens on port 1.
    client, _ = await app_client(make_settings(), store=RedisStore.from_url(DEAD_REDIS))
    customer = Customer(client, session=new_token(KEY))
    welcome = await customer.connect()
    assert welcome["session"] is None  # the widget keeps what it has
    assert [m["id"] for m in welcome["history"]] == ["greeting"]


# -- frames ------------------------------------------------------------------------


def test_frames_parse_into_their_types() -> None:
    assert parse_frame('{"type": "hello", "session": null, "locale": "es-MX"}') == HelloFrame(
        None, "es-MX"
    )
    assert parse_frame('{"type": "hello"}') == HelloFrame(None, None)
    # The locale is a hint: one that is no language tag is dropped, not refused.
    assert parse_frame(json.dumps({"type": "hello", "locale": "x" * 99})) == HelloFrame(None, None)
    assert parse_frame('{"type": "message", "id": "m1", "text": "hi", "new": 1}') == MessageFrame(
        "m1", "hi"
    )
    assert parse_frame('{"type": "ping"}') == PingFrame()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("not json", "JSON objects"),
        ("[1, 2]", "JSON objects"),
        ('"hello"', "JSON objects"),
        ("{}", "JSON objects"),
        ('{"type": 7}', "JSON objects"),
        ('{"type": "teleport"}', "unknown frame type 'teleport'"),
        ('{"type": "hello", "session": 12}', "'session'"),
        ('{"type": "hello", "locale": ["en"]}', "'locale'"),
        ('{"type": "message", "text": "hi"}', "'id'"),
        ('{"type": "message", "id": "", "text": "hi"}', "'id'"),
        ('{"type": "message", "id": "x\\n", "text": "hi"}', "'id'"),
        ('{"type": "message", "id": "m", "text": 5}', "'text'"),
        ('{"type": "message", "id": "m", "text": "  "}', "'text'"),
        ('{"type": "message", "id": "m", "text": "\\ud800"}', "Unicode"),
        ('{"type": "ping", "x": ' + "[" * 5000 + "]" * 5000 + "}", "JSON objects"),
        ('{"type": "ping", "pad": "' + "x" * MAX_FRAME + '"}', "at most"),
    ],
)
def test_what_is_not_a_frame_is_refused_with_a_reason(data: str, reason: str) -> None:
    with pytest.raises(FrameError, match=reason):
        parse_frame(data)


def test_a_refused_message_names_its_id() -> None:
    with pytest.raises(FrameError) as refused:
        parse_frame('{"type": "message", "id": "m7", "text": ""}')
    assert refused.value.client_id == "m7"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=30,
)
# Frames of the protocol's shape with fields of any type, so the field checks are reached.
SHAPED = st.fixed_dictionaries(
    {"type": st.sampled_from(["hello", "message", "ping", "pong", ""]) | JSON},
    optional={"session": JSON, "locale": JSON, "id": JSON, "text": JSON},
)


def _parsed_or_refused(data: str) -> None:
    try:
        frame = parse_frame(data)
    except FrameError as exc:
        reason = str(exc)
        assert reason, "an error frame needs a reason"
        return
    assert isinstance(frame, HelloFrame | MessageFrame | PingFrame)
    if isinstance(frame, MessageFrame):
        assert 0 < len(frame.id) <= 64
        assert frame.text.strip()
        frame.text.encode()  # no lone surrogate reaches the store


@settings(max_examples=500)
@given(st.text() | st.binary().map(lambda b: b.decode("latin-1")))
def test_any_text_is_parsed_or_refused_with_our_error(data: str) -> None:
    _parsed_or_refused(data)


@settings(max_examples=500)
@given(SHAPED | JSON, st.booleans())
def test_any_json_is_parsed_or_refused_with_our_error(value: Any, ascii_only: bool) -> None:
    _parsed_or_refused(json.dumps(value, ensure_ascii=ascii_only))


@given(st.integers(min_value=1, max_value=20_000), st.sampled_from("[{"))
def test_deep_nesting_is_refused_with_our_error(depth: int, bracket: str) -> None:
    opened = bracket if bracket == "[" else '{"a":'
    _parsed_or_refused('{"type": "ping", "x": ' + opened * depth)


async def test_bad_frames_get_error_frames_and_never_a_traceback(
    app_client: AppClient, caplog: pytest.LogCaptureFixture
) -> None:
    client, _ = await app_client(make_settings())
    ws = await client.ws_connect("/webchat/ws")
    junk: list[str | bytes] = [
        "not json",
        "[]",
        '{"type": "hello", "session": {"a": 1}}',
        b"\x00\x01binary",
        "[" * 10_000,
    ]
    with caplog.at_level(logging.ERROR):
        for frame in junk:
            await (ws.send_bytes(frame) if isinstance(frame, bytes) else ws.send_str(frame))
            error = await ws.receive_json()
            assert (error["type"], error["code"]) == ("error", "bad_request")
        await ws.send_json({"type": "hello", "session": None})
        assert (await ws.receive_json())["type"] == "welcome"
        await ws.send_json({"type": "message", "id": "m1", "text": 42})
        assert await ws.receive_json() == {
            "type": "error",
            "code": "bad_request",
            "message": "a message needs a non-empty 'text'",
            "id": "m1",
        }
        await ws.send_str('{"type": "message", "id": "m2", "text": "\\udc80"}')
        assert (await ws.receive_json())["id"] == "m2"
        await ws.send_json({"type": "hello", "session": None})
        assert "once" in (await ws.receive_json())["message"]
        await ws.send_json({"type": "ping"})
        assert await ws.receive_json() == {"type": "pong"}

        # Over 64 KiB: closed with "message too big", as the README says.
        await ws.send_str(json.dumps({"type": "message", "id": "m3", "text": "x" * MAX_FRAME}))
        closing = await ws.receive()
        assert closing.type is WSMsgType.CLOSE
        assert ws.close_code == WSCloseCode.MESSAGE_TOO_BIG
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


# -- in a real browser ---------------------------------------------------------------


EMBEDDING_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>A shop</title></head><body><h1>A shop</h1>
<script src="{widget}" data-open="true" defer></script></body></html>"""


async def _shop(aiohttp_server: Callable[..., Any], embeds: dict[str, str]) -> Any:
    """Another origin (its own port) whose page embeds the widget from `embeds["widget"]`."""

    async def page(request: web.Request) -> web.Response:
        html = EMBEDDING_PAGE.format(widget=embeds["widget"])
        return web.Response(
            text=html, content_type="text/html", headers={"Cache-Control": "no-store"}
        )

    shop = web.Application()
    shop.router.add_get("/", page)
    return await aiohttp_server(shop)


@pytest.mark.browser
async def test_the_widget_opens_on_allowed_pages_only(
    aiohttp_server: Callable[..., Any], browser: Any
) -> None:
    embeds: dict[str, str] = {}
    shop = await _shop(aiohttp_server, embeds)
    shop_origin = str(shop.make_url("")).rstrip("/")
    default = await aiohttp_server(create_app(make_settings()))
    allowing = await aiohttp_server(create_app(make_settings(WEBCHAT_ALLOWED_ORIGINS=shop_origin)))
    page = await browser.new_page()

    # By default the shop's page may load the script, but not open the chat.
    embeds["widget"] = str(default.make_url("/webchat/widget.js"))
    async with page.expect_websocket() as opening:
        await page.goto(str(shop.make_url("/")))
    socket = await opening.value
    error = await socket.wait_for_event("socketerror")
    assert "403" in error  # refused at the upgrade
    assert await page.locator("#sb-panel").get_attribute("data-connection") != "open"
    assert await page.locator(".sb-msg").count() == 0

    # Once the shop's origin is allowed, it can.
    embeds["widget"] = str(allowing.make_url("/webchat/widget.js"))
    await page.goto(str(shop.make_url("/")))
    await page.wait_for_selector(OPEN)
    await page.locator("#sb-input").fill(QUESTION)
    await page.locator("#sb-input").press("Enter")
    await page.locator(BOT_DONE).filter(has_text="30 days").wait_for()

    # And the app's own page still works next to an allow-list.
    await page.goto(str(allowing.make_url("/")))
    await page.wait_for_selector(OPEN)


@pytest.mark.browser
async def test_an_over_long_message_is_announced_and_kept_whole(
    aiohttp_server: Callable[..., Any], browser: Any
) -> None:
    server = await aiohttp_server(create_app(make_settings(MAX_MESSAGE_CHARS="4000")))
    page = await browser.new_page(locale="es-ES")
    sent: list[dict[str, Any]] = []
    page.on(
        "websocket",
        lambda ws: ws.on("framesent", lambda payload: sent.append(json.loads(payload))),
    )
    await page.goto(str(server.make_url("/")))
    await page.wait_for_selector(OPEN)
    box = page.locator("#sb-input")
    await box.focus()
    pasted = "ñ" * 4999 + "?"
    await page.keyboard.insert_text(pasted)  # as a paste: maxlength would cut it here

    notice = page.locator('#sb-error[data-kind="too-long"]')
    await notice.wait_for()
    shown = await notice.inner_text()
    assert "demasiado largo" in shown  # in the customer's language, with the count
    assert "(5000 / 4000)" in shown
    assert await box.get_attribute("aria-invalid") == "true"
    assert await box.input_value() == pasted  # nothing cut

    await box.press("Enter")  # refused on the page: the text stays, whole
    assert await box.input_value() == pasted
    assert await page.locator('.sb-msg[data-role="customer"]').count() == 0
    assert await notice.is_visible()

    await box.fill(QUESTION)
    await page.wait_for_selector("#sb-error:empty", state="attached")  # :empty is hidden
    assert await box.get_attribute("aria-invalid") is None
    await box.press("Enter")
    await page.locator('.sb-msg[data-role="customer"]').filter(has_text=QUESTION).wait_for()
    await page.locator(BOT_DONE).filter(has_text="30").wait_for()
    assert [f["text"] for f in sent if f["type"] == "message"] == [QUESTION]
