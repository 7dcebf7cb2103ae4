"""Web chat: the embeddable widget and its WebSocket (protocol: README, "Web chat protocol").

Who may read a conversation. The browser keeps a session token the server issued:
a random id and its HMAC-SHA256 under a key (`WEBCHAT_SECRET`, or one generated at
the first start and kept in the store, so every process accepts every other's
tokens). A token the server did not sign (a client-chosen one, a tampered one, one
from before tokens were signed) starts a new, empty session with a new token; it
never reads another session's history. The customer's address is a hash of the
token, so the token itself is never stored or shown. A page on an origin that is not
allowed (`WEBCHAT_ALLOWED_ORIGINS`, the app's own and PUBLIC_URL's) is refused with
403 at the upgrade, before it reads anything.

Every frame from the widget goes through `parse_frame`, which turns it into one of
three typed frames or raises `FrameError`; the socket answers that with an `error`
frame and keeps going. A message is acknowledged (`ack`) once the inbox has it.
Replies are streamed as `delta` frames to every socket of the conversation (several
tabs may be open) and closed with a `done` frame carrying the whole text.

Sockets live in the process that accepted them; replies are decided by whichever
worker takes the message. Frames travel through `bot.fanout`: with Redis, a
worker anywhere publishes them and the process holding the conversation's
sockets forwards them. A widget that connects reads the transcript first, and a
`done` frame for a reply it already shows replaces it, so nothing shows twice.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from bot.config import Settings, origin_of
from bot.effects import Message
from bot.errors import InboxFull, InboxUnavailable
from bot.events import Entry
from bot.fanout import Fanout, Frame
from bot.i18n import Catalog
from bot.inbox import Inbox
from bot.language import LanguageDetector
from bot.model import Address, Inbound, Role, Turn
from bot.reply import Reply
from bot.statemachine import State
from bot.store import Store
from bot.web_input import too_deep
from channels.base import Channel

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "webchat_static"
MAX_FRAME = 64 * 1024  # bytes; aiohttp closes the socket (1009) on a bigger frame
_MAX_DEPTH = 4  # every frame is a flat object: deeper is not a frame
_MAX_ID = 64
_MAX_LOCALE = 35  # the longest language tag browsers send, with room to spare
_TOKEN = re.compile(r"^([A-Za-z0-9_-]{32})\.([A-Za-z0-9_-]{43})$")
_KEY_FLAG = "webchat-secret"  # the store flag holding a generated key
_HELLO_TIMEOUT = 30.0
_NOT_A_FRAME = "frames are JSON objects with a 'type'"


# -- frames from the widget -----------------------------------------------------


class FrameError(ValueError):
    """A frame that is not one of the protocol's; `str()` says why, for the `error` frame.

    `client_id` is the message's id when the frame was a `message` with a usable one, so
    the widget can tell which of its messages was refused.
    """

    def __init__(self, reason: str, client_id: str | None = None) -> None:
        super().__init__(reason)
        self.client_id = client_id


@dataclass(frozen=True, slots=True)
class HelloFrame:
    session: str | None  # a token from an earlier `welcome`, unchecked as yet
    locale: str | None


@dataclass(frozen=True, slots=True)
class MessageFrame:
    id: str
    text: str


@dataclass(frozen=True, slots=True)
class PingFrame:
    pass


ClientFrame = HelloFrame | MessageFrame | PingFrame


def parse_frame(data: str) -> ClientFrame:
    """One text frame from the widget, checked field by field (README, "Client to server").

    Raises `FrameError`, and nothing else, for anything that is not a protocol frame:
    text that is not JSON (or nests deeper than a frame does), JSON that is not an
    object, an unknown `type`, a field of the wrong type, an oversize frame. Fields
    the protocol does not name are ignored, so a newer widget may add some.
    """
    if len(data) > MAX_FRAME:
        raise FrameError(f"a frame is at most {MAX_FRAME // 1024} KiB")
    # Checked before parsing: Python's parser recurses, and 50,000 `[` end in a
    # RecursionError rather than a ValueError.
    if too_deep(data, _MAX_DEPTH):
        raise FrameError(_NOT_A_FRAME)
    try:
        frame = json.loads(data)
    except (ValueError, RecursionError):
        raise FrameError(_NOT_A_FRAME) from None
    if not isinstance(frame, dict):
        raise FrameError(_NOT_A_FRAME)
    kind = frame.get("type")
    if kind == "hello":
        return _hello_frame(frame)
    if kind == "message":
        return _message_frame(frame)
    if kind == "ping":
        return PingFrame()
    if isinstance(kind, str) and _readable(kind):
        raise FrameError(f"unknown frame type {kind[:32]!r}")
    raise FrameError(_NOT_A_FRAME)


def _hello_frame(frame: dict[str, Any]) -> HelloFrame:
    session, locale = frame.get("session"), frame.get("locale")
    if session is not None and not isinstance(session, str):
        raise FrameError("'session' is the token from a 'welcome', or null")
    if locale is not None and not isinstance(locale, str):
        raise FrameError("'locale' is a language tag such as 'es-MX', or null")
    # The locale is only a hint: one that cannot be a language tag is ignored.
    if locale is not None and not (_readable(locale) and len(locale) <= _MAX_LOCALE):
        locale = None
    return HelloFrame(session=session, locale=locale or None)


def _message_frame(frame: dict[str, Any]) -> MessageFrame:
    client_id, text = frame.get("id"), frame.get("text")
    # The id is echoed in `ack` and `error` frames and kept in the store: printable only.
    if not (isinstance(client_id, str) and 0 < len(client_id) <= _MAX_ID and _readable(client_id)):
        raise FrameError(f"a message needs an 'id' of 1 to {_MAX_ID} printable characters")
    if not isinstance(text, str) or not text.strip():
        raise FrameError("a message needs a non-empty 'text'", client_id)
    if not _utf8(text):
        raise FrameError("a message's 'text' must be valid Unicode", client_id)
    return MessageFrame(id=client_id, text=text)


def _readable(value: str) -> bool:
    # isprintable() is False for control characters and for lone surrogates (which
    # JSON's \ud800 escapes can produce and no store or socket could encode).
    return value.isprintable()


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False  # a lone surrogate
    return True


# -- who may open a session ------------------------------------------------------


def origin_allowed(origin: str | None, own: str | None, allowed: frozenset[str]) -> bool:
    """Whether a socket whose upgrade carried `Origin: origin` may open.

    Browsers always send Origin with a WebSocket and a page cannot forge it, so a page
    elsewhere cannot open one (it would read the conversation of any token it learned).
    A client that sends none is not a browser and proves itself with its token alone.
    `null` (a sandboxed frame, a local file) and anything unreadable are refused.
    """
    if origin is None:
        return True
    try:
        seen = origin_of(origin)
    except ValueError:
        return False
    return seen == own or seen in allowed


def _own_origin(request: web.Request) -> str | None:
    # Behind a router TLS ends before the app, so the page's scheme and host are the
    # router's, as it forwards them. A page cannot set these headers on a socket it
    # opens, so trusting them cannot let another site in.
    proto = _first(request.headers.get("X-Forwarded-Proto")) or request.scheme
    host = _first(request.headers.get("X-Forwarded-Host")) or request.host
    try:
        return origin_of(f"{proto}://{host}")
    except ValueError:
        return None


def _first(value: str | None) -> str | None:
    # Several routers in a row each append theirs; the first is the one the browser hit.
    first = (value or "").split(",")[0].strip()
    return first or None


def _signature(key: bytes, session_id: str) -> str:
    digest = hmac.new(key, b"webchat-session:" + session_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issued(key: bytes, token: str) -> bool:
    """Whether `token` is one the server signed with `key` (compared in constant time)."""
    found = _TOKEN.match(token)
    if found is None:
        return False
    return hmac.compare_digest(found[2], _signature(key, found[1]))


def new_token(key: bytes) -> str:
    session_id = secrets.token_urlsafe(24)
    return f"{session_id}.{_signature(key, session_id)}"


def address_for(token: str) -> Address:
    return Address(WebChat.name, hashlib.sha256(token.encode()).hexdigest()[:32])


@dataclass(frozen=True, slots=True)
class _Session:
    address: Address
    locale: str | None
    language: str  # as the welcome chose it


class WebChat(Channel):
    name = "webchat"

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        inbox: Inbox,
        catalog: Catalog,
        detector: LanguageDetector,
        fanout: Fanout,
    ) -> None:
        self._settings = settings
        self._store = store
        self._inbox = inbox
        self._catalog = catalog
        self._detector = detector
        self._fanout = fanout
        self._sockets: dict[str, set[web.WebSocketResponse]] = {}
        configured = settings.webchat_secret
        self._key: bytes | None = configured.reveal().encode() if configured else None
        self._key_lock = asyncio.Lock()
        allowed = set(settings.webchat_allowed_origins)
        if settings.public_url:
            allowed.add(origin_of(settings.public_url))
        self._allowed = frozenset(allowed)

    def setup(self, app: web.Application) -> None:
        app.router.add_get("/", self._page)
        app.router.add_get("/webchat/ws", self._socket)
        app.router.add_get("/webchat/widget.js", self._asset)
        app.router.add_get("/webchat/widget.css", self._asset)
        app.on_shutdown.append(self._close_all)

    # -- HTTP ------------------------------------------------------------------

    async def _page(self, request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})

    async def _asset(self, request: web.Request) -> web.FileResponse:
        name = request.path.rsplit("/", 1)[-1]
        return web.FileResponse(STATIC / name, headers={"Cache-Control": "public, max-age=300"})

    # -- the socket ------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if not origin_allowed(origin, _own_origin(request), self._allowed):
            log.info("web chat: refused a socket opened from %r", origin[:200] if origin else "")
            return web.json_response({"error": "this origin may not open the chat"}, status=403)
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_FRAME)
        await ws.prepare(request)
        session: _Session | None = None
        try:
            while not ws.closed:
                timeout = _HELLO_TIMEOUT if session is None else None
                msg = await ws.receive(timeout=timeout)
                if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                    break
                if msg.type is WSMsgType.ERROR:
                    # A frame over MAX_FRAME (1009) or not UTF-8 (1007): aiohttp has
                    # closed the socket with that code already.
                    log.info("web chat socket closed: %s", msg.data)
                    break
                try:
                    if msg.type is not WSMsgType.TEXT:
                        raise FrameError(_NOT_A_FRAME + ", sent as text")
                    frame = parse_frame(msg.data)
                except FrameError as exc:
                    await _error(ws, "bad_request", str(exc), exc.client_id)
                    continue
                if session is None:
                    if isinstance(frame, HelloFrame):
                        session = await self._hello(ws, frame)
                    else:
                        await _error(ws, "bad_request", "the first frame must be 'hello'")
                elif isinstance(frame, MessageFrame):
                    await self._message(ws, session, frame)
                elif isinstance(frame, PingFrame):
                    await ws.send_json({"type": "pong"})
                else:
                    await _error(ws, "bad_request", "'hello' is sent once, first")
        except TimeoutError:
            await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"no hello")
        except ConnectionError:
            log.debug("web chat: the socket went away while we wrote to it")
        finally:
            if session is not None:
                await self._forget(session.address.conversation_id, ws)
        return ws

    async def _signing_key(self) -> bytes:
        """WEBCHAT_SECRET, else the key in the store, made there by the first process."""
        async with self._key_lock:
            if self._key is None:
                stored = await self._store.get_flag(_KEY_FLAG)
                if stored is None and await self._store.claim(f"{_KEY_FLAG}:making", 60):
                    stored = secrets.token_urlsafe(32)
                    await self._store.set_flag(_KEY_FLAG, stored)
                # Another process claimed the making: its key is there in a moment.
                async with asyncio.timeout(10):
                    while stored is None:
                        await asyncio.sleep(0.05)
                        stored = await self._store.get_flag(_KEY_FLAG)
                self._key = stored.encode()
            return self._key

    async def _token(self, offered: str | None) -> str | None:
        """`offered` when the server issued it, else a new token (a new, empty session);
        None when the key cannot be read now."""
        try:
            key = await self._signing_key()
        except Exception:
            log.exception("web chat: could not read the session key")
            return None
        if offered is not None and issued(key, offered):
            return offered
        if offered:
            log.info("web chat: a token the server did not issue starts a new session")
        return new_token(key)

    async def _hello(self, ws: web.WebSocketResponse, frame: HelloFrame) -> _Session:
        token = await self._token(frame.session)
        # Without a token (the key is in the store and the store is away) the widget
        # still opens, on a session no one can come back to, and keeps the token it has:
        # a moment's outage must not cost anyone their conversation.
        address = address_for(token or secrets.token_urlsafe(24))
        conversation = ticket = None
        turns: list[Turn] = []
        try:
            snapshot = await self._store.load(address.conversation_id)
            conversation, ticket = snapshot.conversation, snapshot.ticket
            if ticket is not None:
                turns = await self._store.transcript(ticket.id)
        except Exception:
            # Without the store there is no history to show, but the customer
            # can still write and will get the engine's localized apology.
            log.exception("web chat: could not load conversation %s", address.conversation_id)
        language = (
            (conversation.language if conversation else None)
            or self._detector.from_hint(frame.locale)
            or self._settings.default_language
        )
        limit = self._settings.max_message_chars
        # The widget says "too long" before sending, in the customer's language.
        ui = self._catalog.ui(language, self._settings.bot_name)
        ui["too_long"] = self._catalog.text(language, "message-too-long", limit=limit)
        history = [self._greeting(language)] + [_message(turn) for turn in turns]
        await ws.send_json(
            {
                "type": "welcome",
                "session": token,
                "state": (ticket.status if ticket else State.BOT).value,
                "language": language,
                "ui": ui,
                "max_message_chars": limit,
                "history": history,
            }
        )
        await self._remember(address.conversation_id, ws)
        return _Session(address, frame.locale, language)

    def _greeting(self, language: str) -> dict[str, Any]:
        # Shown on every (re)connect, never stored: a visitor who only opens
        # the widget must not create a ticket.
        text = self._catalog.text(language, "greeting", bot_name=self._settings.bot_name)
        return {"id": "greeting", "role": Role.BOT.value, "text": text, "source": None, "at": None}

    async def _language(self, session: _Session) -> str:
        """The conversation's language now (it may have changed since the welcome)."""
        try:
            snapshot = await self._store.load(session.address.conversation_id)
        except Exception:
            log.warning("web chat: store away; answering in the welcome's language")
            return session.language
        conversation = snapshot.conversation
        return (conversation.language if conversation else None) or session.language

    async def _message(
        self, ws: web.WebSocketResponse, session: _Session, frame: MessageFrame
    ) -> None:
        text, client_id = frame.text.strip(), frame.id
        limit = self._settings.max_message_chars
        if len(text) > limit:
            message = self._catalog.text(
                await self._language(session), "message-too-long", limit=limit
            )
            await _error(ws, "too_large", message, client_id)
            return
        event = Inbound(
            address=session.address,
            text=text,
            message_id=f"{session.address.id}:{client_id}",
            locale=session.locale,
        )
        try:
            await self._inbox.submit(Entry.message(event))
        except InboxUnavailable as exc:
            # Not taken: the widget keeps the message and sends it again a little later.
            log.warning("web chat: message not journaled: %s", exc)
            language = self._detector.from_hint(session.locale) or self._settings.default_language
            key = "busy" if isinstance(exc, InboxFull) else "fallback-unavailable"
            await _error(ws, "unavailable", self._catalog.text(language, key), client_id)
            return
        await ws.send_json({"type": "ack", "id": client_id})

    # -- delivery ----------------------------------------------------------------

    async def stream(self, address: Address, reply: Reply) -> None:
        cid = address.conversation_id
        await self._fanout.publish(cid, {"type": "typing"})
        first = True
        async for piece in reply:
            frame: Frame = {"type": "delta", "reply": reply.id, "text": piece}
            if first:
                # A retried turn streams its reply again under the same id: start afresh.
                frame["first"] = True
                first = False
            await self._fanout.publish(cid, frame)

    async def send(self, address: Address, message: Message) -> None:
        if not message.text:
            return  # nothing was said (a model failed first); the apology follows
        await self._fanout.publish(
            address.conversation_id,
            {
                "type": "done",
                "reply": message.id,
                "role": message.role.value,
                "author": message.author,
                "text": message.text,
                "source": {"title": message.source} if message.source else None,
            },
        )

    async def state_changed(self, address: Address, state: State) -> None:
        await self._fanout.publish(
            address.conversation_id, {"type": "state", "state": state.value}
        )

    # -- this process's sockets ---------------------------------------------------

    async def _remember(self, conversation_id: str, ws: web.WebSocketResponse) -> None:
        sockets = self._sockets.setdefault(conversation_id, set())
        sockets.add(ws)
        if len(sockets) == 1:

            async def sink(frame: Frame) -> None:
                await self._broadcast(conversation_id, frame)

            await self._fanout.attach(conversation_id, sink)

    async def _forget(self, conversation_id: str, ws: web.WebSocketResponse) -> None:
        sockets = self._sockets.get(conversation_id)
        if sockets is None:
            return
        sockets.discard(ws)
        if not sockets:
            del self._sockets[conversation_id]
            await self._fanout.detach(conversation_id)

    async def _broadcast(self, conversation_id: str, frame: Frame) -> None:
        for ws in list(self._sockets.get(conversation_id, ())):
            try:
                await ws.send_json(frame)
            except (ConnectionError, RuntimeError):
                # Closed mid-reply; the transcript keeps the text for the next hello.
                await self._forget(conversation_id, ws)

    async def _close_all(self, app: web.Application) -> None:
        # 1012 tells the widget to reconnect: another instance will answer.
        for sockets in list(self._sockets.values()):
            for ws in list(sockets):
                await ws.close(code=WSCloseCode.SERVICE_RESTART, message=b"restarting")


def _message(turn: Turn) -> dict[str, Any]:
    # A customer's message carries the widget's own id, so a widget that never
    # saw the ack can tell the message arrived and not send it again.
    message_id = turn.meta.get("message_id")
    shown_id = str(message_id).split(":", 1)[-1] if message_id else turn.id
    return {
        "id": shown_id,
        "role": turn.role.value,
        "author": turn.meta.get("author"),
        "text": turn.text,
        "source": {"title": turn.source} if turn.source else None,
        "at": turn.at.isoformat(),
    }


async def _error(
    ws: web.WebSocketResponse, code: str, message: str, client_id: str | None = None
) -> None:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if client_id is not None:
        frame["id"] = client_id
    await ws.send_json(frame)
