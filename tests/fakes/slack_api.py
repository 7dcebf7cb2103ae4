"""A local fake of the Slack Web API, served over real HTTP, and builders of what Slack sends us.

Slack is a provider our tests cannot reach, so `FakeSlack` stands in for
``https://slack.com/api/`` on 127.0.0.1 (an ephemeral port). Clients reach it exactly as they
reach Slack (slack_sdk's ``AsyncWebClient(token=..., base_url=fake.base_url)``), so the whole
HTTP path -- bearer token, JSON or form bodies, query strings, status codes -- is exercised.

Methods (the ones our code calls), each at ``GET|POST /api/<method>``: ``auth.test``,
``chat.postMessage``, ``chat.update``, ``chat.startStream``, ``chat.appendStream``,
``chat.stopStream``, ``users.info``, ``conversations.info``. Any other method answers
``{"ok": false, "error": "unknown_method"}``. Errors are HTTP 200 with ``ok: false``, as Slack
answers them; only rate limiting is a 429 (with ``Retry-After``).

Arguments are read the ways slack_sdk sends them: the query string (GET, and POST for methods
such as ``auth.test`` that slack_sdk sends as ``params``), a form body (urlencoded or multipart)
and a JSON body; body arguments win over query ones. What it checks, as Slack does:

- the token: ``Authorization: Bearer`` or a ``token`` argument (``not_authed`` when there is
  none, ``invalid_auth`` when it is wrong); Slack ignores a ``token`` inside a JSON body;
- the body: a JSON body that is not an object is ``invalid_json``; a body without
  Content-Type is ``missing_post_type``, one of another type ``invalid_post_type``;
- the arguments against the method's list in ``specs/slack_methods.json`` (copied from
  slack_kit's extraction of docs.slack.dev, see ``specs/README.md``): a missing required one
  (empty counts as missing) or, stricter than Slack, one not in the list is
  ``invalid_arguments`` with ``response_metadata.messages`` such as
  ``"[ERROR] missing required field: channel"``; a list where a string belongs is
  ``invalid_array_arg``; a boolean argument must read as one (``true``/``false``/``1``/``0``);
- ``blocks`` (a JSON string or a list): at most 50 objects, each with a string ``type``
  (``invalid_blocks``; ``invalid_blocks_format`` when the string is not JSON); ``chunks`` a list
  of objects with a string ``type``, ``markdown_text`` chunks with a string ``text``
  (``invalid_chunks``); ``markdown_text`` at most 12,000 characters;
- ``chat.postMessage``/``chat.update``: one of text, blocks, markdown_text or attachments
  (``no_text``), and markdown_text not together with text or blocks
  (``markdown_text_conflict``); ``chat.update`` needs an existing message
  (``message_not_found``) that is not streaming (``streaming_state_conflict``);
- streams: ``chat.startStream`` to a channel (``C...``/``G...``, not a DM) needs
  ``recipient_user_id`` and ``recipient_team_id`` (``missing_recipient_user_id``,
  ``missing_recipient_team_id``: Slack's own codes for it); ``chat.appendStream`` and
  ``chat.stopStream`` need an existing message (``message_not_found``) still streaming
  (``message_not_in_streaming_state``). The spec lists ``markdown_text`` as required for
  ``chat.appendStream``, but slack_sdk's own ``chat_stream`` helper sends only ``chunks``, so
  either is accepted. Two arguments slack_sdk 3.47 can send are not in Slack's reference and
  so are rejected: ``chat.postMessage(container_id=...)`` and
  ``chat.stopStream(session_status=...)``;
- ``users.info``: users registered with `FakeSlack.add_user`, else ``user_not_found``; the
  ``locale`` only with ``include_locale=true``, as Slack does;
- ``conversations.info``: channels registered with `FakeSlack.add_channel`, else one made up
  from the id's prefix (C public, G private, D a DM); other ids are ``channel_not_found``.

Messages are kept like Slack keeps them (`SlackMessage`: channel, ts, thread_ts, text, blocks,
markdown_text, reply_broadcast, streaming, edits), with new unique increasing ``ts`` values. A
stream's text is its markdown_text and ``markdown_text`` chunks joined in order. Response
bodies follow the shapes of Slack's Java SDK samples (fields we have no value for are left out).

Socket Mode: ``apps.connections.open`` (an app-level ``xapp-`` token, `TEST_APP_TOKEN`) answers
with the URL of a WebSocket that greets with ``hello``; `FakeSlack.push` sends an envelope
and `FakeSlack.acks` records what the app acknowledged. This method is not in the copied
method list (it takes no arguments besides the token); its shape follows Slack's Socket Mode
documentation.

Not implemented or not checked: channel membership and existence for posting (any channel id
or name is accepted), the thread parent of a reply or stream (it may be a user message the fake
never saw), Block Kit beyond each block's ``type``, attachment and metadata structure, scopes,
token types, Slack's own rate limits (only the scripted ones), and any method not listed above.
The wording of ``response_metadata`` messages other than "missing required field" is ours.

Test controls: `FakeSlack.fail` and `FakeSlack.rate_limit` script the next answers of a
method. Inspection: `FakeSlack.calls`, `FakeSlack.requests`, `FakeSlack.messages`,
`FakeSlack.message`, and `FakeSlack.wait_for` to wait for background work after an HTTP ack.

The module also builds what Slack sends us: `signed_headers` signs a body with slack_sdk's own
``SignatureVerifier``; `event_callback` (checked against Slack's envelope JSON schema,
``specs/slack_common_event_wrapper_schema.json``), `message_event`, `app_mention_event`,
`bot_message_event` and `block_action` build payloads shaped after Slack's samples;
`form_body` wraps an interactivity payload as the form field ``payload``.
"""

from __future__ import annotations

import json
import re
import secrets
import string
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import jsonschema  # type: ignore[import-untyped]  # jsonschema ships no types or py.typed
from aiohttp import WSMsgType, web
from multidict import CIMultiDict, CIMultiDictProxy
from slack_sdk.signature import SignatureVerifier

from tests.fakes.local_server import LocalServer

JSON = dict[str, Any]

TEST_BOT_TOKEN: Final = "xoxb-0000000000-0000000000000-switchboardTESTtoken"
"""The bot token `FakeSlack` accepts unless another is given."""
TEST_SIGNING_SECRET: Final = "switchboard-test-signing-secret-0001"
"""A signing secret for tests that sign inbound requests."""
VERIFICATION_TOKEN: Final = "Jhj5dZrVaK7ZwHHjRyZWjbDl"
"""The legacy ``token`` field Slack still puts in payloads (a fixed, meaningless value)."""

TEST_APP_TOKEN: Final = "xapp-1-A0TEST-0000000000-switchboardtestapptoken"
"""The app-level token `FakeSlack` accepts for Socket Mode (``apps.connections.open``)."""

TEAM_ID: Final = "T0TEST"
TEAM_DOMAIN: Final = "switchboard-test"
APP_ID: Final = "A0TEST"
BOT_USER_ID: Final = "U0BOT"
BOT_ID: Final = "B0BOT"

_SPECS: Final = Path(__file__).parent / "specs"
_MAX_BLOCKS: Final = 50
_MAX_MARKDOWN: Final = 12_000
_CONTENT_ARGS: Final = ("text", "blocks", "markdown_text", "attachments")
# slack_sdk's AsyncChatStream sends appendStream with `chunks` and no `markdown_text`, so
# Slack must accept either, whatever the method reference says.
_REQUIRED_UNLESS: Final[Mapping[tuple[str, str], str]] = {
    ("chat.appendStream", "markdown_text"): "chunks",
}
_TRUE: Final = frozenset({"true", "1"})
_FALSE: Final = frozenset({"false", "0", ""})
_MENTION: Final = re.compile(r"<@([UW][A-Z0-9]+)>")


# --- the method list ----------------------------------------------------------------------


@dataclass(frozen=True)
class Argument:
    """One documented argument of a Web API method."""

    required: bool
    type: str | None
    """"string", "boolean", "array", or None where the reference gives no type."""


@dataclass(frozen=True)
class MethodSpec:
    """A Web API method as documented: its arguments and the error codes it can answer."""

    name: str
    args: Mapping[str, Argument]
    errors: frozenset[str]


def _load_methods() -> dict[str, MethodSpec]:
    data = json.loads((_SPECS / "slack_methods.json").read_text(encoding="utf-8"))
    return {
        name: MethodSpec(
            name=name,
            args={
                arg: Argument(required=bool(spec["required"]), type=spec["type"])
                for arg, spec in method["args"].items()
            },
            errors=frozenset(method["errors"]),
        )
        for name, method in data["methods"].items()
    }


METHODS: Final = _load_methods()
"""The methods `FakeSlack` implements, from ``specs/slack_methods.json``."""

_ENVELOPE_SCHEMA: Final[JSON] = json.loads(
    (_SPECS / "slack_common_event_wrapper_schema.json").read_text(encoding="utf-8")
)


# --- values and errors --------------------------------------------------------------------


class SlackError(Exception):
    """An ``ok: false`` answer, in Slack's shape."""

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error if not messages else f"{error}: {'; '.join(messages)}")
        self.error = error
        self.messages = messages or []

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


@dataclass(frozen=True)
class _RateLimited:
    retry_after: int


@dataclass(frozen=True)
class Edit:
    """A ``chat.update`` of a message: when, and the content it left."""

    ts: str
    """When the edit happened, as a Slack ts."""
    text: str
    blocks: list[JSON] | None


@dataclass
class SlackMessage:
    """A message the app posted or streamed, as Slack holds it now."""

    channel: str
    ts: str
    thread_ts: str | None
    """None for a top-level message; the parent's ts for a reply (streams are replies)."""
    text: str = ""
    """The text shown: `text`, else `markdown_text`; for a stream, all its text so far."""
    blocks: list[JSON] | None = None
    markdown_text: str | None = None
    attachments: list[JSON] | None = None
    metadata: JSON | None = None
    reply_broadcast: bool = False
    streaming: bool = False
    chunks: list[JSON] = field(default_factory=list)
    """Every chunk streamed into the message, in order."""
    edits: list[Edit] = field(default_factory=list)
    user: str = BOT_USER_ID
    bot_id: str = BOT_ID
    app_id: str = APP_ID
    team: str = TEAM_ID

    def as_json(self) -> JSON:
        """The message object Slack returns (``message`` in chat.postMessage's answer)."""
        message: JSON = {
            "user": self.user,
            "type": "message",
            "ts": self.ts,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": self.text,
            "team": self.team,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": "Switchboard",
                "deleted": False,
                "team_id": self.team,
                "user_id": self.user,
            },
        }
        if self.blocks is not None:
            message["blocks"] = self.blocks
        if self.attachments is not None:
            message["attachments"] = self.attachments
        if self.metadata is not None:
            message["metadata"] = self.metadata
        if self.thread_ts is not None:
            message["thread_ts"] = self.thread_ts
        if self.edits:
            message["edited"] = {"user": self.user, "ts": self.edits[-1].ts}
        return message


@dataclass
class SlackRequest:
    """One HTTP request the fake received, and how it answered."""

    method: str
    """The API method, e.g. ``chat.postMessage``."""
    http_method: str
    headers: CIMultiDictProxy[str]
    args: JSON = field(default_factory=dict)
    """The arguments without the token; after validation, parsed (blocks a list, booleans)."""
    status: int = 200
    response: JSON = field(default_factory=dict)
    accepted: bool = False
    """Passed authentication and validation, and took effect."""
    at: float = field(default_factory=time.perf_counter)
    """When it arrived (`time.perf_counter`), for benchmarks in the same process."""


@dataclass
class _User:
    id: str
    name: str
    real_name: str
    display_name: str
    locale: str
    tz: str
    is_bot: bool


@dataclass
class _Channel:
    id: str
    name: str
    locale: str | None
    num_members: int


class _TsClock:
    """Slack timestamps: unique and increasing, near the wall clock, to the microsecond."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> str:
        self._last = max(self._last + 100, time.time_ns() // 1_000)
        return f"{self._last // 1_000_000}.{self._last % 1_000_000:06d}"


_CLOCK: Final = _TsClock()


def new_ts() -> str:
    """A fresh Slack ``ts``, later than every ts made before in this process."""
    return _CLOCK.next()


def _ts_key(ts: str) -> Decimal:
    try:
        return Decimal(ts)
    except InvalidOperation:
        return Decimal(0)


# --- argument checks ----------------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or value == "" or value == []


def _invalid(message: str) -> SlackError:
    return SlackError("invalid_arguments", [message])


def _pick(spec: MethodSpec, preferred: str, fallback: str) -> str:
    """Answer the method's own error code for a case when it documents one."""
    return preferred if preferred in spec.errors else fallback


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise _invalid(f"[ERROR] must be a boolean [json-pointer:/{name}]")


def _as_string(name: str, value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list):
        raise SlackError("invalid_array_arg")
    raise _invalid(f"[ERROR] must be a string [json-pointer:/{name}]")


def _json_value(value: Any) -> Any:
    """Form bodies carry structured arguments as JSON text; JSON bodies carry them as is."""
    if isinstance(value, str):
        return json.loads(value)
    return value


def parse_blocks(spec: MethodSpec, value: Any) -> list[JSON]:
    """Check ``blocks`` as Slack does and return them as a list."""
    try:
        blocks = _json_value(value)
    except ValueError:
        raise SlackError(
            _pick(spec, "invalid_blocks_format", "invalid_blocks"),
            ["[ERROR] failed to parse JSON [json-pointer:/blocks]"],
        ) from None
    if not isinstance(blocks, list):
        raise SlackError(
            _pick(spec, "invalid_blocks_format", "invalid_blocks"),
            ["[ERROR] must provide an array [json-pointer:/blocks]"],
        )
    if len(blocks) > _MAX_BLOCKS:
        raise SlackError(
            _pick(spec, "msg_blocks_too_many", "invalid_blocks"),
            [f"[ERROR] no more than {_MAX_BLOCKS} items allowed [json-pointer:/blocks]"],
        )
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            raise SlackError(
                "invalid_blocks",
                [f"[ERROR] must provide an object [json-pointer:/blocks/{index}]"],
            )
        if not isinstance(block.get("type"), str) or not block["type"]:
            raise SlackError(
                "invalid_blocks",
                [f"[ERROR] missing required field: type [json-pointer:/blocks/{index}]"],
            )
    return blocks


def _parse_chunks(value: Any) -> list[JSON]:
    try:
        chunks = _json_value(value)
    except ValueError:
        raise SlackError(
            "invalid_chunks", ["[ERROR] failed to parse JSON [json-pointer:/chunks]"]
        ) from None
    if not isinstance(chunks, list):
        raise SlackError(
            "invalid_chunks", ["[ERROR] must provide an array [json-pointer:/chunks]"]
        )
    for index, chunk in enumerate(chunks):
        where = f"[json-pointer:/chunks/{index}]"
        if not isinstance(chunk, dict) or not isinstance(chunk.get("type"), str):
            raise SlackError("invalid_chunks", [f"[ERROR] missing required field: type {where}"])
        if chunk["type"] == "markdown_text" and not isinstance(chunk.get("text"), str):
            raise SlackError("invalid_chunks", [f"[ERROR] missing required field: text {where}"])
    return chunks


def _parse_list(name: str, value: Any, error: str) -> list[JSON]:
    try:
        parsed = _json_value(value)
    except ValueError:
        raise SlackError(error, [f"[ERROR] failed to parse JSON [json-pointer:/{name}]"]) from None
    if not isinstance(parsed, list) or not all(isinstance(item, dict) for item in parsed):
        raise SlackError(
            error, [f"[ERROR] must provide an array of objects [json-pointer:/{name}]"]
        )
    return parsed


def _parse_metadata(spec: MethodSpec, value: Any) -> JSON:
    error = _pick(spec, "invalid_metadata_format", "invalid_arguments")
    try:
        parsed = _json_value(value)
    except ValueError:
        raise SlackError(error) from None
    if not isinstance(parsed, dict):
        raise SlackError(error)
    return parsed


def validate_arguments(spec: MethodSpec, args: Mapping[str, Any]) -> JSON:
    """Check `args` against the method's documented list; return them parsed.

    Raises `SlackError` with the code Slack answers. Required and unknown arguments are
    reported together, as Slack lists every problem in ``response_metadata.messages``.
    """
    problems: list[str] = []
    for name, argument in spec.args.items():
        if not argument.required or not _missing(args.get(name)):
            continue
        alternative = _REQUIRED_UNLESS.get((spec.name, name))
        if alternative is not None and not _missing(args.get(alternative)):
            continue
        problems.append(f"[ERROR] missing required field: {name}")
    problems.extend(f"[ERROR] unknown field: {name}" for name in args if name not in spec.args)
    if problems:
        raise SlackError("invalid_arguments", problems)
    parsed: JSON = {}
    for name, value in args.items():
        kind = spec.args[name].type
        if name == "blocks":
            parsed[name] = parse_blocks(spec, value)
        elif name == "chunks":
            parsed[name] = _parse_chunks(value)
        elif name in ("attachments", "unfurled_attachments"):
            parsed[name] = _parse_list(
                name, value, _pick(spec, "invalid_attachments", "invalid_arguments")
            )
        elif name == "metadata":
            parsed[name] = _parse_metadata(spec, value)
        elif kind == "boolean":
            parsed[name] = _as_bool(name, value)
        elif kind == "string":
            parsed[name] = _as_string(name, value)
        else:
            parsed[name] = value
    markdown = parsed.get("markdown_text")
    if isinstance(markdown, str) and len(markdown) > _MAX_MARKDOWN:
        raise _invalid(
            f"[ERROR] must be no more than {_MAX_MARKDOWN} characters "
            "[json-pointer:/markdown_text]"
        )
    return parsed


def _check_content(args: JSON) -> None:
    """chat.postMessage and chat.update need something to show, in one form."""
    if all(_missing(args.get(name)) for name in _CONTENT_ARGS):
        raise SlackError("no_text")
    if not _missing(args.get("markdown_text")) and (
        not _missing(args.get("text")) or not _missing(args.get("blocks"))
    ):
        raise SlackError("markdown_text_conflict")


def _streamed_text(args: JSON) -> str:
    text = args.get("markdown_text") or ""
    for chunk in args.get("chunks") or ():
        if chunk["type"] == "markdown_text":
            text += chunk["text"]
    return str(text)


# --- the server ---------------------------------------------------------------------------


class FakeSlack(LocalServer):
    """The fake Web API server: ``async with FakeSlack(token=...) as slack: ...``."""

    def __init__(
        self,
        token: str = TEST_BOT_TOKEN,
        *,
        team_id: str = TEAM_ID,
        bot_user_id: str = BOT_USER_ID,
        bot_id: str = BOT_ID,
        app_id: str = APP_ID,
    ) -> None:
        super().__init__()
        self.token = token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.requests: list[SlackRequest] = []
        self._messages: dict[tuple[str, str], SlackMessage] = {}
        self._users: dict[str, _User] = {}
        self._channels: dict[str, _Channel] = {}
        self._scripted: dict[str, deque[SlackError | _RateLimited]] = {}
        self._handlers: dict[str, Callable[[JSON], JSON]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.startStream": self._start_stream,
            "chat.appendStream": self._append_stream,
            "chat.stopStream": self._stop_stream,
            "users.info": self._users_info,
            "conversations.info": self._conversations_info,
        }
        self.app_token = TEST_APP_TOKEN
        self.acks: list[JSON] = []
        self._sockets: list[web.WebSocketResponse] = []

    # -- set-up and scripting

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/api/``, for ``AsyncWebClient(base_url=...)``."""
        return self._url("/api/")

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        locale: str = "en-US",
        tz: str = "America/New_York",
        is_bot: bool = False,
    ) -> None:
        """Make `user_id` known to ``users.info``."""
        ZoneInfo(tz)  # an unknown zone fails here, not in the middle of a request
        self._users[user_id] = _User(
            id=user_id,
            name=name,
            real_name=real_name if real_name is not None else name,
            display_name=display_name if display_name is not None else name,
            locale=locale,
            tz=tz,
            is_bot=is_bot,
        )

    def add_channel(
        self, channel_id: str, name: str, *, locale: str | None = None, num_members: int = 2
    ) -> None:
        """Give ``conversations.info`` a name (and locale) for `channel_id`."""
        self._channels[channel_id] = _Channel(channel_id, name, locale, num_members)

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with ``{"ok": false, "error": error}``."""
        self._script(method, SlackError(error), times)

    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP 429 and ``Retry-After``."""
        self._script(method, _RateLimited(retry_after), times)

    def _script(self, method: str, outcome: SlackError | _RateLimited, times: int) -> None:
        if method not in METHODS:
            raise ValueError(f"FakeSlack does not implement {method!r}; it has {sorted(METHODS)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        self._scripted.setdefault(method, deque()).extend([outcome] * times)

    # -- inspection

    def calls(self, method: str) -> list[JSON]:
        """The parsed arguments of the accepted calls of `method`, in order."""
        return [r.args for r in self.requests if r.accepted and r.method == method]

    def messages(self, channel: str, thread_ts: str | None = None) -> list[SlackMessage]:
        """Top-level messages in `channel` (or the replies in thread `thread_ts`), by ts."""
        found = [
            message
            for message in self._messages.values()
            if message.channel == channel
            and message.thread_ts == thread_ts
            and message.ts != thread_ts
        ]
        return sorted(found, key=lambda message: _ts_key(message.ts))

    def message(self, channel: str, ts: str) -> SlackMessage | None:
        """The message at (`channel`, `ts`), or None."""
        return self._messages.get((channel, ts))

    def _summary(self, last: int = 8) -> str:
        if not self.requests:
            return "none"
        return ", ".join(
            f"{r.method} -> {'ok' if r.response.get('ok') else r.response.get('error')}"
            for r in self.requests[-last:]
        )

    # -- lifecycle

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("POST", "/api/apps.connections.open", self._connections_open)
        router.add_route("GET", "/api/{method}", self._api)
        router.add_route("POST", "/api/{method}", self._api)
        router.add_route("GET", "/link", self._socket_mode)

    async def _stopping(self) -> None:
        # A Socket Mode handler runs as long as its connection is open; closing them lets the
        # server stop at once instead of waiting out the shutdown timeout.
        for ws in list(self._sockets):
            await ws.close()

    # -- HTTP

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        record = SlackRequest(
            method=method,
            http_method=request.method,
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
        )
        self.requests.append(record)
        headers = {"X-Slack-Req-Id": secrets.token_hex(16)}
        try:
            spec = METHODS.get(method)
            if spec is None:
                raise SlackError("unknown_method")
            args, token = await self._arguments(request)
            record.args = args
            self._authenticate(request, token)
            scripted = self._scripted.get(method)
            outcome = scripted.popleft() if scripted else None
            if isinstance(outcome, _RateLimited):
                record.status = 429
                headers["Retry-After"] = str(outcome.retry_after)
                raise SlackError("ratelimited")
            if outcome is not None:
                raise outcome
            record.args = validate_arguments(spec, args)
            record.response = self._handlers[method](record.args)
            record.accepted = True
        except SlackError as error:
            record.response = error.body()
        finally:
            self._changed.set()
        return web.json_response(record.response, status=record.status, headers=headers)

    # -- Socket Mode

    async def _connections_open(self, request: web.Request) -> web.StreamResponse:
        """``apps.connections.open``: a WebSocket URL, for an app-level token only."""
        record = SlackRequest(
            method="apps.connections.open",
            http_method=request.method,
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
        )
        self.requests.append(record)
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            record.response = {"ok": False, "error": "not_authed"}
        elif not token.startswith("xapp-"):
            record.response = {"ok": False, "error": "not_allowed_token_type"}
        elif not secrets.compare_digest(token.encode(), self.app_token.encode()):
            record.response = {"ok": False, "error": "invalid_auth"}
        else:
            record.accepted = True
            record.response = {"ok": True, "url": f"ws://127.0.0.1:{self._port}/link"}
        self._changed.set()
        return web.json_response(record.response)

    async def _socket_mode(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self._sockets),
                "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id},
            }
        )
        self._changed.set()
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    self.acks.append(json.loads(message.data))
                    self._changed.set()
        finally:
            self._sockets.remove(ws)
        return ws

    @property
    def socket_mode_connected(self) -> bool:
        return bool(self._sockets)

    async def push(self, kind: str, payload: JSON, *, retry_attempt: int = 0) -> str:
        """Send an envelope (``events_api``, ``interactive``) to every connected app;
        returns its ``envelope_id``, which the app must acknowledge."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        for ws in list(self._sockets):
            await ws.send_json(envelope)
        return envelope_id

    async def _arguments(self, request: web.Request) -> tuple[JSON, str | None]:
        """The request's arguments, and the token given as an argument (if any)."""
        args: JSON = dict(request.query)
        raw = await request.read()
        content_type = request.headers.get("Content-Type")
        if raw and content_type is None:
            raise SlackError("missing_post_type")
        if raw and request.content_type == "application/json":
            try:
                body = json.loads(raw)
            except ValueError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("invalid_json")
            body.pop("token", None)  # Slack reads the token of a JSON call from the header only
            args.update(body)
        elif raw and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            try:
                form = await request.post()
            except ValueError:
                raise SlackError("invalid_form_data") from None
            args.update((key, value) for key, value in form.items() if isinstance(value, str))
        elif raw:
            raise SlackError("invalid_post_type")
        token = args.pop("token", None)
        # slack_sdk adds `team_id` to every call of a client made for one team (slack-bolt's
        # per-request clients are); Slack accepts it on every method, for org-wide apps.
        team = args.pop("team_id", None)
        if team is not None and team != self.team_id:
            raise SlackError("team_access_not_granted")
        return args, token if isinstance(token, str) else None

    def _authenticate(self, request: web.Request, token_arg: str | None) -> None:
        token = token_arg
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credentials.strip():
            token = credentials.strip()
        if not token:
            raise SlackError("not_authed")
        if not secrets.compare_digest(token.encode(), self.token.encode()):
            raise SlackError("invalid_auth")

    # -- methods

    def _auth_test(self, args: JSON) -> JSON:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Switchboard Test",
            "user": "switchboard",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _new_message(self, channel: str, thread_ts: str | None) -> SlackMessage:
        message = SlackMessage(
            channel=channel,
            ts=new_ts(),
            thread_ts=thread_ts,
            user=self.bot_user_id,
            bot_id=self.bot_id,
            app_id=self.app_id,
            team=self.team_id,
        )
        self._messages[(channel, message.ts)] = message
        return message

    def _existing(self, args: JSON) -> SlackMessage:
        message = self._messages.get((args["channel"], str(args["ts"])))
        if message is None:
            raise SlackError("message_not_found")
        return message

    def _post_message(self, args: JSON) -> JSON:
        _check_content(args)
        thread_ts = args.get("thread_ts")
        message = self._new_message(args["channel"], str(thread_ts) if thread_ts else None)
        message.markdown_text = args.get("markdown_text")
        message.text = str(args.get("text") or message.markdown_text or "")
        message.blocks = args.get("blocks")
        message.attachments = args.get("attachments")
        message.metadata = args.get("metadata")
        message.reply_broadcast = bool(args.get("reply_broadcast", False))
        return {
            "ok": True,
            "channel": message.channel,
            "ts": message.ts,
            "message": message.as_json(),
        }

    def _update(self, args: JSON) -> JSON:
        message = self._existing(args)
        if message.streaming:
            raise SlackError("streaming_state_conflict")
        _check_content(args)
        # Slack keeps what an update leaves out: blocks and attachments are only replaced
        # (or, with an empty array, removed) when given.
        if not _missing(args.get("markdown_text")):
            message.markdown_text = args["markdown_text"]
            message.text = args["markdown_text"]
            message.blocks = None
        if "text" in args:
            message.text = str(args["text"])
        if "blocks" in args:
            message.blocks = args["blocks"] or None
        if "attachments" in args:
            message.attachments = args["attachments"] or None
        if "metadata" in args:
            message.metadata = args["metadata"]
        message.edits.append(Edit(ts=new_ts(), text=message.text, blocks=message.blocks))
        return {
            "ok": True,
            "channel": message.channel,
            "ts": message.ts,
            "text": message.text,
            "message": message.as_json(),
        }

    def _start_stream(self, args: JSON) -> JSON:
        channel: str = args["channel"]
        if channel[:1] in ("C", "G"):
            # "Required when streaming to channels" (chat.startStream reference).
            if _missing(args.get("recipient_user_id")):
                raise SlackError("missing_recipient_user_id")
            if _missing(args.get("recipient_team_id")):
                raise SlackError("missing_recipient_team_id")
        message = self._new_message(channel, str(args["thread_ts"]))
        message.streaming = True
        message.markdown_text = message.text = _streamed_text(args)
        message.chunks.extend(args.get("chunks") or ())
        return {"ok": True, "channel": channel, "ts": message.ts}

    def _streaming(self, args: JSON) -> SlackMessage:
        message = self._existing(args)
        if not message.streaming:
            raise SlackError("message_not_in_streaming_state")
        return message

    def _append_stream(self, args: JSON) -> JSON:
        message = self._streaming(args)
        message.text += _streamed_text(args)
        message.markdown_text = message.text
        message.chunks.extend(args.get("chunks") or ())
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def _stop_stream(self, args: JSON) -> JSON:
        message = self._streaming(args)
        message.text += _streamed_text(args)
        message.markdown_text = message.text
        message.chunks.extend(args.get("chunks") or ())
        if "blocks" in args:
            message.blocks = args["blocks"]
        if "metadata" in args:
            message.metadata = args["metadata"]
        message.streaming = False
        return {"ok": True}

    def _users_info(self, args: JSON) -> JSON:
        user = self._users.get(args["user"])
        if user is None:
            raise SlackError("user_not_found")
        zone = ZoneInfo(user.tz)
        now = datetime.now(UTC).astimezone(zone)
        offset = now.utcoffset()
        body: JSON = {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "deleted": False,
            "real_name": user.real_name,
            "tz": user.tz,
            "tz_label": now.tzname() or user.tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "is_admin": False,
            "is_owner": False,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "updated": 1_700_000_000,
            "profile": {
                "real_name": user.real_name,
                "real_name_normalized": user.real_name,
                "display_name": user.display_name,
                "display_name_normalized": user.display_name,
                "team": self.team_id,
            },
        }
        if args.get("include_locale"):
            body["locale"] = user.locale
        return {"ok": True, "user": body}

    def _conversations_info(self, args: JSON) -> JSON:
        channel_id: str = args["channel"]
        prefix = channel_id[:1]
        known = self._channels.get(channel_id)
        if known is None and (prefix not in ("C", "G", "D") or len(channel_id) < 3):
            raise SlackError("channel_not_found")
        is_im = prefix == "D"
        channel: JSON = {
            "id": channel_id,
            "created": 1_700_000_000,
            "is_archived": False,
            "is_org_shared": False,
            "context_team_id": self.team_id,
            "updated": 1_700_000_000,
            "is_im": is_im,
        }
        if is_im:
            channel.update({"user": "U0CUSTOMER", "is_user_deleted": False, "priority": 0})
        else:
            name = known.name if known is not None else channel_id.lower()
            channel.update(
                {
                    "name": name,
                    "name_normalized": name,
                    "is_channel": prefix == "C",
                    "is_group": prefix == "G",
                    "is_private": prefix == "G",
                    "is_mpim": False,
                    "is_general": False,
                    "is_shared": False,
                    "is_ext_shared": False,
                    "is_member": True,
                    "creator": BOT_USER_ID,
                }
            )
        if args.get("include_locale"):
            channel["locale"] = (known.locale if known is not None else None) or "en-US"
        if args.get("include_num_members") and not is_im:
            channel["num_members"] = known.num_members if known is not None else 2
        return {"ok": True, "channel": channel}


# --- what Slack sends us ------------------------------------------------------------------


def signed_headers(
    body: str,
    signing_secret: str,
    timestamp: int | None = None,
    retry_num: int | None = None,
    *,
    content_type: Literal["json", "form"] = "json",
    retry_reason: str = "http_timeout",
) -> dict[str, str]:
    """The headers Slack sends with `body`: its signature, timestamp and content type.

    The signature is made by slack_sdk's own `SignatureVerifier`, from `timestamp` (default:
    now). `retry_num` adds ``X-Slack-Retry-Num`` and ``X-Slack-Retry-Reason``, as on Slack's
    redeliveries.
    """
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(signing_secret).generate_signature(timestamp=stamp, body=body)
    if signature is None:  # only for a None timestamp, which cannot happen here
        raise ValueError("could not sign the body")
    headers = {
        "Content-Type": "application/json"
        if content_type == "json"
        else "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }
    if retry_num is not None:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = retry_reason
    return headers


def _event_id() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "Ev" + "".join(secrets.choice(alphabet) for _ in range(9))


def event_callback(
    event: JSON,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    event_id: str | None = None,
    *,
    authed_user: str = BOT_USER_ID,
    event_time: int | None = None,
) -> JSON:
    """The Events API envelope around `event`, checked against Slack's envelope schema."""
    envelope: JSON = {
        "token": VERIFICATION_TOKEN,
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id if event_id is not None else _event_id(),
        "event_time": int(time.time()) if event_time is None else event_time,
        "authed_users": [authed_user],
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": authed_user,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-" + secrets.token_urlsafe(24),
    }
    jsonschema.validate(envelope, _ENVELOPE_SCHEMA)
    return envelope


def _rich_text(text: str) -> list[JSON]:
    """The ``rich_text`` block Slack's clients attach to what a person types."""
    elements: list[JSON] = []
    at = 0
    for mention in _MENTION.finditer(text):
        if mention.start() > at:
            elements.append({"type": "text", "text": text[at : mention.start()]})
        elements.append({"type": "user", "user_id": mention.group(1)})
        at = mention.end()
    if at < len(text):
        elements.append({"type": "text", "text": text[at:]})
    return [
        {
            "type": "rich_text",
            "block_id": secrets.token_hex(3),
            "elements": [{"type": "rich_text_section", "elements": elements}],
        }
    ]


def message_event(
    channel: str,
    user: str,
    text: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: Literal["channel", "group", "im", "mpim"] = "channel",
    team: str = TEAM_ID,
) -> JSON:
    """A ``message`` event from a person (``channel_type`` "im" for a DM)."""
    ts = ts if ts is not None else new_ts()
    event: JSON = {
        "client_msg_id": str(uuid.uuid4()),
        "type": "message",
        "text": text,
        "user": user,
        "ts": ts,
        "blocks": _rich_text(text),
        "team": team,
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def app_mention_event(
    channel: str,
    user: str,
    text: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    team: str = TEAM_ID,
) -> JSON:
    """An ``app_mention`` event; `text` should contain the mention, e.g. ``<@U0BOT> hi``."""
    ts = ts if ts is not None else new_ts()
    event: JSON = {
        "type": "app_mention",
        "client_msg_id": str(uuid.uuid4()),
        "text": text,
        "user": user,
        "ts": ts,
        "blocks": _rich_text(text),
        "team": team,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def bot_message_event(
    channel: str,
    text: str,
    bot_id: str = BOT_ID,
    ts: str | None = None,
    thread_ts: str | None = None,
    username: str = "Switchboard",
    channel_type: Literal["channel", "group", "im", "mpim"] = "channel",
) -> JSON:
    """A ``message`` event of subtype ``bot_message`` (for instance our own reply echoed)."""
    ts = ts if ts is not None else new_ts()
    event: JSON = {
        "type": "message",
        "subtype": "bot_message",
        "text": text,
        "ts": ts,
        "username": username,
        "bot_id": bot_id,
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event


def _trigger_id() -> str:
    return f"{secrets.randbelow(10**11)}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"


def block_action(
    action_id: str,
    value: str,
    user_id: str,
    channel: str,
    message_ts: str,
    team_id: str = TEAM_ID,
    trigger_id: str | None = None,
    *,
    block_id: str | None = None,
    button_text: str = "Choose",
    message_text: str = "",
    thread_ts: str | None = None,
    user_name: str = "ada",
    api_app_id: str = APP_ID,
) -> JSON:
    """A ``block_actions`` interactivity payload: `user_id` pressed a button on our message.

    Slack posts it as the form field ``payload`` (see `form_body`).
    """
    block_id = block_id if block_id is not None else secrets.token_hex(3)
    button: JSON = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": button_text, "emoji": True},
        "value": value,
    }
    container: JSON = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel,
        "is_ephemeral": False,
    }
    message: JSON = {
        "type": "message",
        "user": BOT_USER_ID,
        "ts": message_ts,
        "bot_id": BOT_ID,
        "app_id": api_app_id,
        "text": message_text,
        "team": team_id,
        "blocks": [{"type": "actions", "block_id": block_id, "elements": [button]}],
    }
    if thread_ts is not None:
        container["thread_ts"] = thread_ts
        message["thread_ts"] = thread_ts
    return {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id},
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "container": container,
        "trigger_id": trigger_id if trigger_id is not None else _trigger_id(),
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "support"},
        "message": message,
        "state": {"values": {}},
        "response_url": (
            f"https://hooks.slack.com/actions/{team_id}/{secrets.randbelow(10**12)}/"
            f"{secrets.token_urlsafe(18)}"
        ),
        "actions": [{**button, "block_id": block_id, "style": "primary", "action_ts": new_ts()}],
    }


def form_body(payload: JSON) -> str:
    """`payload` as Slack posts interactivity: ``payload=<url-encoded JSON>``."""
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))})
