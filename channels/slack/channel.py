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
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

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
from bot.model import Address, Inbound, clipped
from bot.reply import Reply
from bot.store import Store
from bot.web_input import parse_form, parse_json, text_of
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
        # What was streamed per reply id: the message the outbox sends afterwards is
        # the same text, or a replacement (an apology for a failed answer, the
        # guard's answer for a blocked one) that must still reach the customer.
        self._streamed: dict[str, str] = {}

    def setup(self, app: web.Application) -> None:
        if self._verifier is not None:
            app.router.add_post("/slack/events", self._events)
        if self._use_socket_mode:
            app.on_startup.append(self._start_socket_mode)
        app.on_shutdown.append(self._finish)

    # -- HTTP ----------------------------------------------------------------------

    async def _events(self, request: web.Request) -> web.StreamResponse:
        if self._verifier is None:  # the route exists only with a signing secret
            raise web.HTTPNotFound()
        body = await text_of(request)
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        # slack_sdk reads the timestamp with int(): anything but digits is a forgery,
        # refused here rather than as an exception inside the check.
        if not (stamp.isascii() and stamp.isdigit()) or not self._verifier.is_valid_request(
            body, dict(request.headers)
        ):
            return web.json_response({"error": "invalid or stale Slack signature"}, status=403)
        if not _well_formed(body, request.content_type):
            return web.json_response({"error": "expected Slack's JSON or form body"}, status=400)
        outcome: dict[str, Any] = {}
        try:
            # Bolt reads the workspace, user and channel out of the payload here, trusting
            # Slack's types; a signed payload that breaks that is malformed, not a crash.
            bolt_request = AsyncBoltRequest(
                body=body,
                query=request.query_string,
                headers={key: value for key, value in request.headers.items()},
                context={_NOT_TAKEN: outcome},
            )
        except (TypeError, AttributeError, KeyError, ValueError, IndexError):
            return web.json_response({"error": "a Slack payload of unexpected shape"}, status=400)
        response = await self._bolt.async_dispatch(bolt_request)
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
        ticket = action.get("value")
        if self._desk is not None and isinstance(ticket, str):
            user = str(body.get("user", {}).get("id", ""))
            pressed = self._desk.on_action(
                user=user,
                action_id=str(action["action_id"]),
                ticket_id=ticket,
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
        text, too_long = clipped(_MENTION.sub("", text).strip(), self._settings.max_message_chars)
        media = tuple(str(f.get("filetype") or "file") for f in event.get("files") or ())
        inbound = Inbound(
            address=address,
            text=text,
            message_id=f"{channel}:{ts}",
            media=media,
            too_long=too_long,
        )
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
        self._streamed[reply.id] = await reply.text()

    async def send(self, address: Address, message: Message) -> None:
        streamed = self._streamed.pop(message.id, None)
        if streamed is not None and streamed.strip() == message.text.strip():
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
    """A body Slack could have sent: an event envelope or an interactivity payload with
    the fields bolt and the listeners read, of the types Slack documents."""
    if content_type == "application/json":
        return _envelope_ok(parse_json(body))
    form = parse_form(body)
    if "payload" in form:
        return _interaction_ok(parse_json(form["payload"]))
    return "command" in form or "ssl_check" in form


_TEXT = (str, type(None))


def _fields_ok(value: dict[str, Any], names: tuple[str, ...]) -> bool:
    return all(isinstance(value.get(name), _TEXT) for name in names)


def _org_ok(value: dict[str, Any]) -> bool:
    """Where bolt looks for the workspace and organisation: each a string, an object with
    a string id, or absent; `authorizations` a list of such objects."""
    for name in ("team", "enterprise"):
        part = value.get(name)
        if isinstance(part, dict):
            if not _fields_ok(part, ("id", "enterprise_id")):
                return False
        elif not isinstance(part, _TEXT):
            return False
    authorizations = value.get("authorizations", [])
    return (
        _fields_ok(value, ("team_id", "enterprise_id", "user_team"))
        and isinstance(value.get("view", {}), dict | None)
        and isinstance(authorizations, list | None)
        and all(
            isinstance(item, dict) and _fields_ok(item, ("team_id", "enterprise_id", "user_id"))
            for item in authorizations or ()
        )
    )


def _envelope_ok(envelope: Any) -> bool:
    if not isinstance(envelope, dict) or not _org_ok(envelope):
        return False
    if not _fields_ok(envelope, ("type", "api_app_id", "event_id", "challenge", "token")):
        return False
    if "event" not in envelope:
        return True
    event = envelope["event"]
    names = ("type", "channel", "user", "text", "ts", "thread_ts", "channel_type", "subtype")
    files = event.get("files", []) if isinstance(event, dict) else None
    return (
        isinstance(event, dict)
        and isinstance(event.get("type"), str)
        and _org_ok(event)
        and _fields_ok(event, (*names, "bot_id", "event_ts"))
        and isinstance(files, list)
        and all(isinstance(item, dict) for item in files)
    )


def _interaction_ok(payload: Any) -> bool:
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        return False
    user, actions = payload.get("user", {}), payload.get("actions", [])
    return (
        _org_ok(payload)
        and isinstance(user, dict)
        and _fields_ok(user, ("id", "team_id", "username", "name"))
        and all(isinstance(payload.get(name, {}), dict | None) for name in _PARTS)
        and isinstance(actions, list)
        and all(
            isinstance(action, dict)
            and isinstance(action.get("action_id"), str)
            and isinstance(action.get("value", ""), str)
            and _fields_ok(action, ("action_ts", "block_id", "type"))
            for action in actions
        )
    )


_PARTS = ("channel", "container", "message")
