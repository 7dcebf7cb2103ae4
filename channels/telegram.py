"""Telegram: a bot in webhook mode at `/telegram/webhook`.

python-telegram-bot parses updates (`Update.de_json`) and calls the Bot API;
the webhook itself is our aiohttp route, so it shares the app's port, limits
and health checks. Every update must carry the secret given to `setWebhook`
in `X-Telegram-Bot-Api-Secret-Token` (forged or missing: 403).

- Text messages go to the inbox; the sender's `language_code` is the language hint.
- `/start` greets and `/help` explains, without opening a ticket; `/human`
  asks for a person like saying so would.
- Anything that is not text (photos, stickers, voice notes) gets the localized
  "I can only read text"; the ticket records what was sent.
- Replies stream as message drafts (`sendMessageDraft`) while they are
  produced and are kept with `sendMessage` (split at 4096 characters); a
  typing action shows while the customer waits for the first words.

A message is journaled in the inbox before Telegram gets its 200. Telegram
re-sends an update it thinks was not delivered: the inbox recognises a message
by chat and message id, and commands answered here claim their `update_id`.
When the inbox cannot take a message the webhook answers 503, so Telegram
tries again later.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import secrets
import time
from datetime import timedelta
from typing import Any

from aiohttp import web
from telegram import Bot, Message, Update
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from bot.config import Settings
from bot.effects import Message as Said
from bot.errors import DeliveryError, InboxUnavailable
from bot.events import Entry
from bot.i18n import Catalog
from bot.inbox import Inbox
from bot.language import LanguageDetector
from bot.model import Address, Inbound, clipped
from bot.reply import Reply, split_text
from bot.store import Store
from bot.web_input import json_of
from channels.base import Channel

log = logging.getLogger(__name__)

# python-telegram-bot 22 warns on every read of a duration (RetryAfter.retry_after, even
# inside its own constructor) until one opts in to what 23 will do: timedeltas. Opt in;
# the code below reads both forms.
os.environ.setdefault("PTB_TIMEDELTA", "1")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
PART_REF = "telegram-part"  # a part of a reply Telegram took: reply id and part → message id
MAX_TEXT = 4096
_DRAFT_INTERVAL = 0.4
_TYPING_EVERY = 4.5  # Telegram shows "typing" for up to 5 s
_TYPING_FOR = 60.0
_MEDIA = (
    "photo",
    "sticker",
    "voice",
    "video",
    "video_note",
    "audio",
    "animation",
    "document",
    "location",
    "contact",
    "poll",
)


class Telegram(Channel):
    name = "telegram"

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        inbox: Inbox,
        catalog: Catalog,
        detector: LanguageDetector,
    ) -> None:
        assert settings.telegram_bot_token is not None
        assert settings.telegram_webhook_secret is not None
        self._settings = settings
        self._store = store
        self._inbox = inbox
        self._catalog = catalog
        self._detector = detector
        self._secret = settings.telegram_webhook_secret.reveal().encode()
        api = settings.telegram_api_url
        self.bot = Bot(
            settings.telegram_bot_token.reveal(),
            base_url=f"{api}/bot",
            base_file_url=f"{api}/file/bot",
        )
        self._typing: dict[int, tuple[asyncio.Task[None], asyncio.Event]] = {}
        self._ready = False

    def setup(self, app: web.Application) -> None:
        app.router.add_post("/telegram/webhook", self._webhook)
        app.on_shutdown.append(self._stop_typing)
        app.on_cleanup.append(self._close)

    # -- the webhook ---------------------------------------------------------------

    async def _webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.json_response({"error": "missing or wrong secret token"}, status=403)
        data = await json_of(request)
        if not _update_ok(data):
            return web.json_response({"error": "not a Telegram update"}, status=400)
        try:
            update = Update.de_json(data, self.bot)
        except Exception as exc:
            # python-telegram-bot trusts the Bot API's types; anything else breaks it.
            return web.json_response({"error": f"not a Telegram update: {exc}"}, status=400)
        message = update.message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return web.json_response({"ok": True})  # edits, channel posts, other bots
        try:
            await self._receive(update.update_id, message)
        except InboxUnavailable as exc:
            log.warning("telegram: update %s not journaled: %s", update.update_id, exc)
            return web.json_response(
                {"error": "busy, send it again later"}, status=503, headers={"Retry-After": "5"}
            )
        return web.json_response({"ok": True})

    async def _receive(self, update_id: int, message: Message) -> None:
        chat_id = message.chat.id
        user = message.from_user
        locale = user.language_code if user is not None else None
        address = Address(self.name, str(chat_id))
        text, too_long = clipped((message.text or "").strip(), self._settings.max_message_chars)
        command = _command(text)
        if command in ("start", "help"):
            if await self._store.claim(f"telegram:update:{update_id}", 86400):
                language = await self._language(address, locale)
                key = "greeting" if command == "start" else "chat-help"
                words = self._catalog.text(language, key, bot_name=self._settings.bot_name)
                await self._answer(chat_id, words)
            return
        media = tuple(kind for kind in _MEDIA if getattr(message, kind, None))
        if not text and not media:
            media = ("unsupported",)
        event = Inbound(
            address=address,
            text="" if command == "human" else text,
            message_id=f"{chat_id}:{message.message_id}",
            locale=locale,
            media=media if not text else (),
            command=command if command == "human" else None,
            too_long=too_long,
        )
        # Typing first: its task then runs ahead of the turn, so the action is
        # shown before a quick answer lands, not after it.
        self._start_typing(chat_id)
        try:
            await self._inbox.submit(Entry.message(event))
        except InboxUnavailable:
            self._stop_typing_for(chat_id)
            raise

    async def _language(self, address: Address, locale: str | None) -> str:
        conversation = await self._store.get_conversation(address.conversation_id)
        return (
            (conversation.language if conversation else None)
            or self._detector.from_hint(locale)
            or self._settings.default_language
        )

    # -- delivery ------------------------------------------------------------------------

    async def stream(self, address: Address, reply: Reply) -> None:
        """Drafts while the reply is produced: Telegram shows them and keeps nothing."""
        chat_id = int(address.id)
        await self._ensure_ready()
        prefix = f"{reply.author}:\n" if reply.author else ""
        draft_id = secrets.randbelow(2**31 - 1) + 1
        drafting, text, drafted = True, "", 0.0
        async for piece in reply:
            self._stop_typing_for(chat_id)
            text += piece
            if drafting and time.monotonic() - drafted >= _DRAFT_INTERVAL:
                drafting = await self._draft(chat_id, draft_id, prefix + text)
                drafted = time.monotonic()

    async def send(self, address: Address, message: Said) -> None:
        chat_id = int(address.id)
        self._stop_typing_for(chat_id)
        prefix = f"{message.author}:\n" if message.author else ""
        for index, part in enumerate(split_text(prefix + message.text, MAX_TEXT)):
            sent = f"{message.id}:{index}"
            if await self._store.get_ref(PART_REF, sent) is not None:
                continue  # taken by Telegram on an earlier try of this message
            try:
                await self._ensure_ready()
                kept = await self.bot.send_message(chat_id, part)
            except TelegramError as exc:
                raise _undelivered(exc) from exc
            await self._store.put_ref(PART_REF, sent, str(kept.message_id))

    async def _draft(self, chat_id: int, draft_id: int, text: str) -> bool:
        """Show the reply so far; False when drafts are unavailable (the reply comes whole)."""
        try:
            await self.bot.send_message_draft(chat_id, draft_id, text[:MAX_TEXT])
        except TelegramError as exc:
            log.info("telegram: drafts unavailable in chat %s: %s", chat_id, exc)
            return False
        return True

    async def _send(self, chat_id: int, text: str) -> None:
        await self._ensure_ready()
        for part in split_text(text, MAX_TEXT):
            await self.bot.send_message(chat_id, part)

    # -- typing -------------------------------------------------------------------------

    def _start_typing(self, chat_id: int) -> None:
        if chat_id not in self._typing:
            answered = asyncio.Event()
            task = asyncio.create_task(self._keep_typing(chat_id, answered))
            self._typing[chat_id] = (task, answered)

    def _stop_typing_for(self, chat_id: int) -> None:
        # Not a cancel: an action already on its way is allowed to land.
        typing = self._typing.pop(chat_id, None)
        if typing is not None:
            typing[1].set()

    async def _keep_typing(self, chat_id: int, answered: asyncio.Event) -> None:
        started = time.monotonic()
        try:
            await self._ensure_ready()
            while not answered.is_set() and time.monotonic() - started < _TYPING_FOR:
                await self.bot.send_chat_action(chat_id, "typing")
                try:
                    async with asyncio.timeout(_TYPING_EVERY):
                        await answered.wait()
                except TimeoutError:
                    continue
        except TelegramError as exc:
            log.info("telegram: typing action failed in chat %s: %s", chat_id, exc)
        finally:
            current = self._typing.get(chat_id)
            if current is not None and current[0] is asyncio.current_task():
                del self._typing[chat_id]

    async def _answer(self, chat_id: int, text: str) -> None:
        try:
            await self._send(chat_id, text)
        except TelegramError as exc:
            log.warning("telegram: could not answer a command in chat %s: %s", chat_id, exc)

    # -- lifecycle ------------------------------------------------------------------------

    async def _ensure_ready(self) -> None:
        # Initializing asks Telegram who we are (getMe); done on first use, so a
        # Telegram outage at start-up does not stop the app from starting.
        if not self._ready:
            await self.bot.initialize()
            self._ready = True

    async def _stop_typing(self, app: web.Application) -> None:
        tasks = [task for task, _ in self._typing.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._typing.clear()

    async def _close(self, app: web.Application) -> None:
        if self._ready:
            await self.bot.shutdown()


def _undelivered(exc: TelegramError) -> DeliveryError:
    """Telegram's error as the outbox reads it: flood control and network trouble pass."""
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        return DeliveryError(f"Telegram asked to wait: {exc}", retryable=True, retry_after=seconds)
    # BadRequest is a NetworkError in python-telegram-bot, but retrying it cannot help.
    retryable = isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)
    return DeliveryError(f"Telegram did not take the message: {exc}", retryable=retryable)


def _update_ok(data: Any) -> bool:
    """An update with the fields this channel reads, of the types the Bot API sends."""
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return False
    message = data.get("message")
    if message is None:
        return True  # edits, channel posts and the rest are acknowledged and ignored
    if not isinstance(message, dict) or type(message.get("message_id")) is not int:
        return False
    chat, sender = message.get("chat"), message.get("from")
    return (
        isinstance(chat, dict)
        and type(chat.get("id")) is int
        and isinstance(chat.get("type"), str)
        and type(message.get("date")) is int
        and isinstance(message.get("text"), str | None)
        and (
            sender is None
            or (
                isinstance(sender, dict)
                and type(sender.get("id")) is int
                and type(sender.get("is_bot")) is bool
                and isinstance(sender.get("first_name"), str)
                and isinstance(sender.get("language_code"), str | None)
            )
        )
    )


def _command(text: str) -> str | None:
    """`start` for "/start" or "/start@SomeBot extra words"; None for plain text."""
    if not text.startswith("/"):
        return None
    word = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
    return word.split("@", 1)[0].lower() or None
