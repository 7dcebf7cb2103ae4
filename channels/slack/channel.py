"""Slack: the agents' console and a customer channel, behind one endpoint.

slack-bolt (async) receives `/slack/events`, mounted in our aiohttp app. Before
bolt sees a request, this module checks it the way Slack documents: the
`X-Slack-Signature` HMAC over the raw body with the signing secret, and a
timestamp within five minutes (forged or stale: 403; not JSON or form: 400;
too large: 413 from aiohttp). Bolt acknowledges at once and runs listeners
after the ack, so slow work never meets Slack's 3-second limit.

Events:
- in `SLACK_AGENTS_CHANNEL`, a person's reply in a ticket's thread goes to the
  desk (`SlackDesk.on_reply`); the card's buttons go to `SlackDesk.on_action`;
- a direct message to the app, or a mention of it elsewhere, is a customer
  message (internal help desks): the conversation is that user in that Slack
  channel, and replies stream into the thread of the message they answer.

Slack retries an event it thinks was not acknowledged (`X-Slack-Retry-Num`);
each `event_id` is claimed once in the store, so a retry never produces a
second reply, relay or card. When the inbox is full the request is refused
(503) before bolt acknowledges it, so Slack delivers it again later instead
of the message being lost. With `SLACK_APP_TOKEN`, Socket Mode replaces the
public endpoint (local development); it uses the same listeners.
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
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.errors import InboxFull
from bot.inbox import Inbox
from bot.model import Address, Inbound, Role
from bot.reply import Reply
from bot.store import Store
from channels.base import Channel
from channels.slack.card import escape
from channels.slack.desk import ACTIONS, SlackDesk
from channels.slack.stream import SlackStreamer, Target

log = logging.getLogger(__name__)

REPLY_TO = "slack-reply-to"
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
    ) -> None:
        self._settings = settings
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
        )
        self._bolt.event("message")(self._on_message)
        self._bolt.event("app_mention")(self._on_mention)
        for action_id in ACTIONS:
            self._bolt.action(action_id)(self._on_action)
        self._running: set[asyncio.Task[Any]] = set()
        self._socket_mode: Any = None

    def setup(self, app: web.Application) -> None:
        if self._verifier is not None:
            app.router.add_post("/slack/events", self._events)
        if self._settings.slack_app_token is not None:
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
        if self._inbox.pending >= self._settings.inbox_max_pending:
            # Refusing (not acknowledging) makes Slack deliver the event again later;
            # acknowledging and dropping it would lose a customer's message.
            return web.json_response({"error": "busy"}, status=503, headers={"Retry-After": "5"})
        response = await self._bolt.async_dispatch(
            AsyncBoltRequest(
                body=body,
                query=request.query_string,
                headers={key: value for key, value in request.headers.items()},
            )
        )
        return await to_aiohttp_response(response)

    # -- listeners (run after bolt has acknowledged) ----------------------------

    async def _on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        await self._tracked(self._message(event, body))

    async def _on_mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        await self._tracked(self._message(event, body, mention=True))

    async def _on_action(
        self, ack: Callable[[], Awaitable[None]], body: dict[str, Any], action: dict[str, Any]
    ) -> None:
        await ack()
        if self._desk is None:
            return
        user = str(body.get("user", {}).get("id", ""))
        await self._tracked(
            self._desk.on_action(
                user=user, action_id=str(action["action_id"]), ticket_id=str(action["value"])
            )
        )

    async def _message(
        self, event: dict[str, Any], body: dict[str, Any], *, mention: bool = False
    ) -> None:
        if event.get("bot_id") or event.get("subtype") not in _DROP_SUBTYPES_EXCEPT:
            return  # our own posts, edits, deletions, joins
        event_id = body.get("event_id")
        if event_id and not await self._store.claim(
            f"slack-event:{event_id}", self._settings.dedupe_ttl_seconds
        ):
            log.info("slack: dropped retried event %s", event_id)
            return
        channel, user = str(event.get("channel", "")), event.get("user")
        if not user:
            return
        text = str(event.get("text") or "")
        thread_ts, ts = event.get("thread_ts"), str(event.get("ts", ""))
        if self._desk is not None and channel == self._desk.channel:
            if thread_ts and thread_ts != ts and event.get("subtype") != "file_share":
                await self._desk.on_reply(user=str(user), thread_ts=str(thread_ts), text=text)
            return
        is_dm = event.get("channel_type") == "im"
        if not is_dm and not mention:
            return  # channel chatter; mentions arrive as app_mention
        team = str(event.get("team") or body.get("team_id") or "")
        address = Address(self.name, f"{team}:{channel}:{user}")
        await self._store.put_ref(REPLY_TO, address.conversation_id, str(thread_ts or ts))
        text = _MENTION.sub("", text).strip()
        media = tuple(str(f.get("filetype") or "file") for f in event.get("files") or ())
        try:
            self._inbox.submit(
                Inbound(address=address, text=text, message_id=f"{channel}:{ts}", media=media)
            )
        except InboxFull:
            log.warning("slack: inbox full; message %s in %s waits for a retry", ts, channel)

    async def _tracked(self, work: Awaitable[None]) -> None:
        # Bolt runs listeners in tasks of its own; remembering them lets a
        # shutdown finish what agents and customers already sent.
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await work
        except Exception:
            log.exception("slack: handling an event failed")
        finally:
            if task is not None:
                self._running.discard(task)

    # -- delivery to Slack customers ---------------------------------------------

    async def deliver(self, address: Address, reply: Reply) -> None:
        team, channel, user = address.id.split(":", 2)
        thread_ts = await self._store.get_ref(REPLY_TO, address.conversation_id)
        if reply.role is Role.AGENT or thread_ts is None:
            text = await reply.text()
            if reply.author:
                text = f"*{escape(reply.author)}:* {text}"
            await self._client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=text)
            return
        await self._streamer.deliver(
            Target(channel, thread_ts, team or None, user), _pieces(reply)
        )

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
