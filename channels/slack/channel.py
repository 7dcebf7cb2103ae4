"""Slack: the agents' console and a customer channel, behind one endpoint.

slack-bolt (async) receives `/slack/events`, mounted in our aiohttp app. Before
bolt sees a request, this module checks it the way Slack documents: the
`X-Slack-Signature` HMAC over the raw body with the signing secret, and a
timestamp within five minutes (forged or stale: 403; not JSON or form: 400;
too large: 413 from aiohttp). Listeners only journal what came (a few
milliseconds) and bolt answers after them (`process_before_response`), so Slack
gets its 200 only once the inbox has the event, and slow work never meets
Slack's 3-second limit: a worker does it.

Events:
- in `SLACK_AGENTS_CHANNEL`, a person's reply in a ticket's thread goes to the
  desk (`SlackDesk.on_reply`); the card's buttons go to `SlackDesk.on_action`;
- a direct message to the app, or a mention of it elsewhere, is a customer
  message (internal help desks): the conversation is that user in that Slack
  channel, and replies stream into the thread of the message they answer.

Slack retries an event it thinks was not acknowledged (`X-Slack-Retry-Num`);
each message is journaled under its channel and timestamp, so a retry never
produces a second reply, relay or card. When the inbox cannot take an event the
request is answered 503, so Slack delivers it again later instead of the
message being lost. With `SLACK_APP_TOKEN`, Socket Mode replaces the public
endpoint (local development); it uses the same listeners.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.effects import Message
from bot.errors import DeliveryError, InboxUnavailable
from bot.events import Entry
from bot.inbox import Inbox
from bot.model import Address, Inbound
from bot.reply import Reply
from bot.store import Store
from channels.base import Channel
from channels.slack.card import escape
from channels.slack.desk import ACTIONS, SlackDesk
from channels.slack.stream import SlackStreamer, Target

log = logging.getLogger(__name__)

REPLY_TO = "slack-reply-to"
# Set in a request's bolt context when its event could not be journaled.
_NOT_TAKEN = "switchboard_not_taken"
_MENTION = re.compile(r"<@[A-Z0-9]+>")
_DROP_SUBTYPES_EXCEPT = frozenset({None, "file_share", "thread_broadcast"})


def client_for(settings: Settings) -> AsyncWebClient:
    assert settings.slack_bot_token is not None
    return AsyncWebClient(
        token=settings.slack_bot_token.reveal(), base_url=settings.slack_api_url + "/"
    )


class Slack(Channel):
    name = "slack"

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        inbox: Inbox,
        client: AsyncWebClient,
        desk: SlackDesk | None,
        socket_mode: bool = True,
    ) -> None:
        self._settings = settings
        # Socket Mode is a way in: only a process with the web role opens it.
        self._use_socket_mode = socket_mode and settings.slack_app_token is not None
        self._store = store
        self._inbox = inbox
        self._client = client
        self._desk = desk
        self._streamer = SlackStreamer(client)
        secret = settings.slack_signing_secret
        self._verifier = SignatureVerifier(secret.reveal()) if secret is not None else None
        self._bolt = AsyncApp(
            client=client,
            signing_secret=secret.reveal() if secret is not None else "",
            request_verification_enabled=secret is not None,
            raise_error_for_unhandled_request=False,
            # Listeners only journal: answering after them means a 200 is a safe event.
            process_before_response=True,
        )
        self._bolt.event("message")(self._on_message)
        self._bolt.event("app_mention")(self._on_mention)
        for action_id in ACTIONS:
            self._bolt.action(action_id)(self._on_action)
        self._running: set[asyncio.Task[Any]] = set()
        self._socket_mode: Any = None
        self._streamed: set[str] = set()

    def setup(self, app: web.Application) -> None:
        if self._verifier is not None:
            app.router.add_post("/slack/events", self._events)
        if self._use_socket_mode:
            app.on_startup.append(self._start_socket_mode)
        app.on_shutdown.append(self._finish)

    # -- HTTP ----------------------------------------------------------------------

    async def _events(self, request: web.Request) -> web.StreamResponse:
        assert self._verifier is not None
        raw = await request.read()
        body = raw.decode("utf-8", errors="replace")
        if not self._verifier.is_valid_request(body, dict(request.headers)):
            return web.json_response({"error": "invalid or stale Slack signature"}, status=403)
        if not _well_formed(body, request.content_type):
            return web.json_response({"error": "expected Slack's JSON or form body"}, status=400)
        outcome: dict[str, Any] = {}
        response = await self._bolt.async_dispatch(
            AsyncBoltRequest(
                body=body,
                query=request.query_string,
                headers={key: value for key, value in request.headers.items()},
                context={_NOT_TAKEN: outcome},
            )
        )
        if outcome:
            # Refusing (not acknowledging) makes Slack deliver the event again later;
            # acknowledging and dropping it would lose a customer's message.
            return web.json_response({"error": "busy"}, status=503, headers={"Retry-After": "5"})
        return await to_aiohttp_response(response)

    # -- listeners (run after bolt has acknowledged) ----------------------------

    async def _on_message(
        self, event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]
    ) -> None:
        await self._journal(self._message(event, body), context)

    async def _on_mention(
        self, event: dict[str, Any], body: dict[str, Any], context: dict[str, Any]
    ) -> None:
        await self._journal(self._message(event, body, mention=True), context)

    async def _on_action(
        self,
        ack: Callable[[], Awaitable[None]],
        body: dict[str, Any],
        action: dict[str, Any],
        context: dict[str, Any],
    ) -> None:
        if self._desk is not None:
            user = str(body.get("user", {}).get("id", ""))
            pressed = self._desk.on_action(
                user=user,
                action_id=str(action["action_id"]),
                ticket_id=str(action["value"]),
                key=f"{action.get('action_ts', '')}:{user}:{action['action_id']}",
            )
            if not await self._journal(pressed, context):
                return  # no ack: Slack shows the agent the press did not go through
        await ack()

    async def _journal(self, work: Awaitable[None], context: dict[str, Any]) -> bool:
        """Run a listener's journaling; remember in the request when it was not taken, so
        Slack hears 503 and sends the event again instead of it being lost."""
        try:
            await self._tracked(work)
        except Exception as exc:
            if isinstance(exc, InboxUnavailable):
                log.warning("slack: event not journaled: %s", exc)
            else:
                log.exception("slack: an event could not be taken")
            outcome = context.get(_NOT_TAKEN)
            if isinstance(outcome, dict):
                outcome["error"] = str(exc)
            return False
        return True

    async def _message(
        self, event: dict[str, Any], body: dict[str, Any], *, mention: bool = False
    ) -> None:
        if event.get("bot_id") or event.get("subtype") not in _DROP_SUBTYPES_EXCEPT:
            return  # our own posts, edits, deletions, joins
        channel, user = str(event.get("channel", "")), event.get("user")
        if not user:
            return
        text = str(event.get("text") or "")
        thread_ts, ts = event.get("thread_ts"), str(event.get("ts", ""))
        if self._desk is not None and channel == self._desk.channel:
            if thread_ts and thread_ts != ts and event.get("subtype") != "file_share":
                await self._desk.on_reply(
                    user=str(user), thread_ts=str(thread_ts), text=text, key=f"{channel}:{ts}"
                )
            return
        is_dm = event.get("channel_type") == "im"
        if not is_dm and not mention:
            return  # channel chatter; mentions arrive as app_mention
        team = str(event.get("team") or body.get("team_id") or "")
        address = Address(self.name, f"{team}:{channel}:{user}")
        await self._store.put_ref(REPLY_TO, address.conversation_id, str(thread_ts or ts))
        text = _MENTION.sub("", text).strip()
        media = tuple(str(f.get("filetype") or "file") for f in event.get("files") or ())
        inbound = Inbound(address=address, text=text, message_id=f"{channel}:{ts}", media=media)
        await self._inbox.submit(Entry.message(inbound))

    async def _tracked(self, work: Awaitable[None]) -> None:
        # Bolt runs listeners in tasks of its own; remembering them lets a
        # shutdown finish what agents and customers already sent.
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await work
        finally:
            if task is not None:
                self._running.discard(task)

    # -- delivery to Slack customers ---------------------------------------------

    async def stream(self, address: Address, reply: Reply) -> None:
        thread_ts = await self._store.get_ref(REPLY_TO, address.conversation_id)
        if thread_ts is None:
            await reply.text()
            return
        _, channel, user = address.id.split(":", 2)
        team = address.id.split(":", 1)[0]
        await self._streamer.deliver(
            Target(channel, thread_ts, team or None, user), _pieces(reply)
        )
        # The stream is the message: `send` only finishes the bookkeeping.
        self._streamed.add(reply.id)

    async def send(self, address: Address, message: Message) -> None:
        if message.id in self._streamed:
            self._streamed.discard(message.id)
            return
        _, channel, _ = address.id.split(":", 2)
        thread_ts = await self._store.get_ref(REPLY_TO, address.conversation_id)
        text = message.text
        if message.author:
            text = f"*{escape(message.author)}:* {text}"
        try:
            await self._client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
        except SlackApiError as exc:
            raise _undelivered(exc) from exc

    # -- lifecycle ---------------------------------------------------------------------

    async def _start_socket_mode(self, app: web.Application) -> None:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        assert self._settings.slack_app_token is not None
        self._socket_mode = AsyncSocketModeHandler(
            self._bolt, self._settings.slack_app_token.reveal()
        )
        await self._socket_mode.connect_async()
        log.info("slack: connected in Socket Mode")

    async def _finish(self, app: web.Application) -> None:
        if self._socket_mode is not None:
            await self._socket_mode.close_async()
        running = [task for task in self._running if task is not asyncio.current_task()]
        if running:
            await asyncio.wait(running, timeout=self._settings.shutdown_grace_seconds)


async def _pieces(reply: Reply) -> AsyncIterator[str]:
    async for piece in reply:
        yield piece


def _undelivered(exc: SlackApiError) -> DeliveryError:
    """Slack's error as the outbox reads it: rate limits and server errors pass."""
    status = int(getattr(exc.response, "status_code", 0) or 0)
    wait = (exc.response.headers or {}).get("Retry-After") if status == 429 else None
    return DeliveryError(
        f"Slack did not take the message: {exc.response.get('error')}",
        retryable=status == 429 or status >= 500,
        retry_after=float(wait) if wait and str(wait).isdigit() else None,
    )


def _well_formed(body: str, content_type: str) -> bool:
    try:
        if content_type == "application/json":
            return isinstance(json.loads(body), dict)
        form = parse_qs(body, strict_parsing=True)
    except ValueError:
        return False
    if "payload" in form:
        try:
            return isinstance(json.loads(form["payload"][0]), dict)
        except ValueError:
            return False
    return "command" in form or "ssl_check" in form
