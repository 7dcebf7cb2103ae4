"""Web chat: the embeddable widget and its WebSocket (protocol: README, "Web chat protocol").

The browser keeps a session token the server issued: a random id and its HMAC
under a secret (`WEBCHAT_SECRET`, or one generated at the first start and kept in
the store, so every process accepts every other's tokens). A token the server did
not sign (a client-chosen one, a tampered one, one from before tokens were signed)
starts a new, empty session. The customer's address is a hash of the token, so the
token itself is never stored or shown. The socket is refused (403) at the upgrade
when the page that opens it is not on an allowed origin (`WEBCHAT_ALLOWED_ORIGINS`;
by default the app's own host and PUBLIC_URL's), so another site cannot read a
conversation even with its token. A message is acknowledged (`ack`)
once the inbox has it. Replies are streamed as `delta` frames to every socket of
the conversation (several tabs may be open) and closed with a `done` frame
carrying the whole text.

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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web

from bot.config import Settings
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
from channels.base import Channel

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "webchat_static"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}\.[A-Za-z0-9_-]{22}$")
_SECRET_FLAG = "webchat-secret"  # noqa: S105 -- the name of the store flag, not a secret
_MAX_FRAME = 64 * 1024
_HELLO_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class _Session:
    address: Address
    locale: str | None


def _sign(key: bytes, session_id: str) -> str:
    digest = hmac.new(key, session_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:22]


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower()


def address_for(token: str) -> Address:
    return Address(WebChat.name, hashlib.sha256(token.encode()).hexdigest()[:32])


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
        self._secret: bytes | None = configured.reveal().encode() if configured else None
        self._allowed = {_origin(url) for url in settings.webchat_allowed_origins}
        if settings.public_url:
            self._allowed.add(_origin(settings.public_url))

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

    def _origin_allowed(self, request: web.Request) -> bool:
        """Browsers always send Origin with a WebSocket; a page elsewhere must not open
        one (it would read the conversation of any token it learned). A client that
        is not a browser sends none and proves itself with its token alone."""
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        own = f"{request.scheme}://{request.host}".lower()
        return _origin(origin) in self._allowed or (
            not self._settings.webchat_allowed_origins and _origin(origin) == own
        )

    async def _signing_key(self) -> bytes:
        if self._secret is None:
            stored = await self._store.get_flag(_SECRET_FLAG)
            if stored is None:
                # First start ever: one process makes the secret, the others read it.
                if await self._store.claim(f"{_SECRET_FLAG}:making", 60):
                    stored = secrets.token_urlsafe(32)
                    await self._store.set_flag(_SECRET_FLAG, stored)
                else:
                    async with asyncio.timeout(10):
                        while stored is None:
                            await asyncio.sleep(0.05)
                            stored = await self._store.get_flag(_SECRET_FLAG)
            self._secret = stored.encode()
        return self._secret

    async def _issued(self, token: object) -> str | None:
        """`token` when this server signed it, else None."""
        if not isinstance(token, str) or not _TOKEN.match(token):
            return None
        session_id, signature = token.split(".")
        expected = _sign(await self._signing_key(), session_id)
        return token if hmac.compare_digest(signature, expected) else None

    async def _new_token(self) -> str:
        session_id = secrets.token_urlsafe(24)
        return f"{session_id}.{_sign(await self._signing_key(), session_id)}"

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        if not self._origin_allowed(request):
            log.info("web chat: refused a socket from %s", request.headers.get("Origin"))
            return web.json_response({"error": "this origin may not open the chat"}, status=403)
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=_MAX_FRAME)
        await ws.prepare(request)
        session: _Session | None = None
        try:
            while not ws.closed:
                timeout = _HELLO_TIMEOUT if session is None else None
                msg = await ws.receive(timeout=timeout)
                if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                    break
                if msg.type is WSMsgType.ERROR:
                    log.info("web chat socket error: %s", ws.exception())
                    break
                frame = _frame(msg.data) if msg.type is WSMsgType.TEXT else None
                if frame is None:
                    await _error(ws, "bad_request", "frames are JSON objects with a 'type'")
                elif session is None:
                    if frame["type"] != "hello":
                        await _error(ws, "bad_request", "the first frame must be 'hello'")
                        continue
                    session = await self._hello(ws, frame)
                elif frame["type"] == "message":
                    await self._message(ws, session, frame)
                elif frame["type"] == "ping":
                    await ws.send_json({"type": "pong"})
                else:
                    await _error(ws, "bad_request", f"unexpected frame {frame['type']!r}")
        except TimeoutError:
            await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"no hello")
        finally:
            if session is not None:
                await self._forget(session.address.conversation_id, ws)
        return ws

    async def _hello(self, ws: web.WebSocketResponse, frame: Mapping[str, Any]) -> _Session:
        try:
            token = await self._issued(frame.get("session")) or await self._new_token()
        except Exception:
            # The key is in the store and the store is down: the widget still opens
            # (its messages get the localized "unavailable"), on a throwaway session
            # whose token no server will accept later, rather than on an unchecked one.
            log.exception("web chat: could not read the session key")
            token = f"{secrets.token_urlsafe(24)}.{'0' * 22}"
        locale = frame.get("locale")
        locale = locale[:35] if isinstance(locale, str) else None
        address = address_for(token)
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
            or self._detector.from_hint(locale)
            or self._settings.default_language
        )
        history = [self._greeting(language)] + [_message(turn) for turn in turns]
        await ws.send_json(
            {
                "type": "welcome",
                "session": token,
                "state": (ticket.status if ticket else State.BOT).value,
                "language": language,
                "ui": self._catalog.ui(language, self._settings.bot_name),
                "history": history,
            }
        )
        await self._remember(address.conversation_id, ws)
        return _Session(address, locale)

    def _greeting(self, language: str) -> dict[str, Any]:
        # Shown on every (re)connect, never stored: a visitor who only opens
        # the widget must not create a ticket.
        text = self._catalog.text(language, "greeting", bot_name=self._settings.bot_name)
        return {"id": "greeting", "role": Role.BOT.value, "text": text, "source": None, "at": None}

    async def _message(
        self, ws: web.WebSocketResponse, session: _Session, frame: Mapping[str, Any]
    ) -> None:
        client_id, text = frame.get("id"), frame.get("text")
        if not isinstance(client_id, str) or not 0 < len(client_id) <= 64:
            await _error(ws, "bad_request", "a message needs an 'id' of 1 to 64 characters")
            return
        if not isinstance(text, str) or not text.strip():
            await _error(ws, "bad_request", "a message needs a non-empty 'text'", client_id)
            return
        limit = self._settings.max_message_chars
        if len(text) > limit:
            snapshot = await self._store.load(session.address.conversation_id)
            language = (snapshot.conversation and snapshot.conversation.language) or (
                self._detector.from_hint(session.locale) or self._settings.default_language
            )
            message = self._catalog.text(language, "message-too-long", limit=limit)
            await _error(ws, "too_large", message, client_id)
            return
        event = Inbound(
            address=session.address,
            text=text.strip(),
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


def _frame(data: str) -> dict[str, Any] | None:
    try:
        frame = json.loads(data)
    except ValueError:
        return None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        return None
    return frame


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
