"""A local fake of the Telegram Bot API, served over real HTTP, and builders of the updates
Telegram sends us.

Telegram is a provider our tests cannot reach, so `FakeTelegram` stands in for
``https://api.telegram.org/bot<token>/<method>`` on 127.0.0.1 (an ephemeral port). Clients
reach it exactly as they reach Telegram (python-telegram-bot's
``telegram.Bot(token, base_url=fake.base_url)``), so the whole HTTP path is exercised.

Methods (the ones our code calls), by GET or POST, names case-insensitive as on Telegram:
``getMe``, ``sendMessage``, ``sendMessageDraft``, ``sendChatAction``, ``setWebhook``,
``deleteWebhook``, ``getWebhookInfo``, ``editMessageText``. Answers are
``{"ok": true, "result": ...}``; errors ``{"ok": false, "error_code", "description"}`` with the
same HTTP status (a wrong token is 401 ``Unauthorized``, another method 404
``Not Found: method not found``, anything outside ``/bot<token>/<method>`` 404 ``Not Found``).

Arguments are read from the query string, a JSON body, and urlencoded or multipart forms. In
forms every value is text: python-telegram-bot 22.8 posts ``application/x-www-form-urlencoded``
(multipart only with files) with strings as they are and everything else JSON-encoded
(``chat_id=5``, ``drop_pending_updates=true``, ``allowed_updates=["message"]``). What it
checks, as Telegram does, with Telegram's 400 ``Bad Request: ...`` descriptions:

- each field against the method's list in ``specs/telegram_methods.json`` (copied from
  PaulSonOfLars/telegram-bot-api-spec, Bot API 10.1, see ``specs/README.md``): required fields
  present and not empty (``chat_id is empty``, ``message text is empty``); stricter than
  Telegram, a field not in the list is rejected; Integer, String and Boolean values (text or
  JSON) must read as such, ``Integer or String`` chat ids as an integer (any integer is a chat:
  positive a private chat, negative a group; a ``@username`` is ``chat not found``), arrays and
  objects must be JSON of that shape;
- ``text`` after entity parsing (``parse_mode`` HTML, MarkdownV2 or Markdown; with
  ``entities`` given the text is taken as it is), with surrounding whitespace trimmed: empty is
  ``message text is empty`` (except for drafts, which may be empty), over 4096 characters is
  ``message is too long``; markup that does not parse is ``can't parse entities: ...`` (tags
  Telegram does not support, unclosed tags and entities, MarkdownV2 reserved characters left
  unescaped);
- ``sendMessageDraft``: ``draft_id must be non-zero``; ``sendChatAction``: the action is one of
  Telegram's eleven (``wrong parameter action in request``);
- ``setWebhook``: an HTTPS URL on port 80, 88, 443 or 8443 (or empty, which removes the
  webhook); ``secret_token`` 1-256 of ``A-Z a-z 0-9 _ -``; ``allowed_updates`` kept when left
  out;
- ``editMessageText``: chat_id and message_id of a message the bot sent (``message to edit not
  found``), and a change (``message is not modified: ...``).

Not implemented or not checked: chats as Telegram knows them (no membership, blocking or
``chat not found`` for integer ids), inline messages, files, the exact Unicode rules of entity
parsing (lengths are counted in code points; byte offsets in errors are approximate), flood
limits other than the scripted ones, and every other method. The wording of descriptions for
type errors and unknown fields is ours.

Test controls: `FakeTelegram.fail` and `FakeTelegram.retry_after` script the next answers of a
method. Inspection: `FakeTelegram.calls`, `FakeTelegram.requests`, `FakeTelegram.sent`,
`FakeTelegram.messages`, `FakeTelegram.drafts`, `FakeTelegram.actions`,
`FakeTelegram.webhook`, and `FakeTelegram.wait_for` for background work after an HTTP ack.

The module also builds the updates Telegram posts to our webhook (`text_update`,
`photo_update`, `sticker_update`, `command_update`, shaped after the Bot API's ``Update``,
``Message``, ``User`` and ``Chat`` types) and the headers that come with them
(`secret_headers`).
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

from tests.fakes.local_server import LocalServer

JSON = dict[str, Any]

TEST_TOKEN: Final = "123456:TEST-token"
"""The bot token `FakeTelegram` accepts unless another is given."""

CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
MAX_TEXT: Final = 4096
WEBHOOK_PORTS: Final = (80, 88, 443, 8443)

_SPECS: Final = Path(__file__).parent / "specs"
_PATH: Final = re.compile(r"/bot([^/]+)/([^/]+)/?")
_INTEGER: Final = re.compile(r"-?\d+")
_SECRET_TOKEN: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")
_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)


# --- the method list ----------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One documented field of a Bot API method."""

    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fields: Mapping[str, Field]


def _load_methods() -> dict[str, MethodSpec]:
    data = json.loads((_SPECS / "telegram_methods.json").read_text(encoding="utf-8"))
    return {
        name: MethodSpec(
            name=name,
            fields={
                spec["name"]: Field(spec["name"], tuple(spec["types"]), bool(spec["required"]))
                for spec in method["fields"]
            },
        )
        for name, method in data["methods"].items()
    }


METHODS: Final = _load_methods()
"""The methods `FakeTelegram` implements, from ``specs/telegram_methods.json``."""
_BY_LOWER_NAME: Final = {name.lower(): spec for name, spec in METHODS.items()}


# --- values and errors --------------------------------------------------------------------


class TelegramError(Exception):
    """An ``ok: false`` answer, in Telegram's shape."""

    def __init__(self, error_code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> TelegramError:
    return TelegramError(400, f"Bad Request: {detail}")


@dataclass
class TelegramMessage:
    """A message the bot sent, as Telegram holds it now."""

    chat_id: int
    message_id: int
    text: str
    """The text as shown: markup parsed away, surrounding whitespace trimmed."""
    date: int
    sent_text: str
    """The text as last sent, markup included."""
    parse_mode: str | None = None
    entities: list[JSON] | None = None
    reply_markup: JSON | None = None
    edit_date: int | None = None
    edits: list[str] = field(default_factory=list)
    """The shown text after each ``editMessageText``, in order."""


@dataclass
class Webhook:
    """The webhook as ``setWebhook`` left it."""

    url: str
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int = 40
    ip_address: str | None = None
    drop_pending_updates: bool = False


@dataclass(frozen=True)
class _Described:
    """A result Telegram answers with a ``description`` beside it (the webhook methods)."""

    result: Any
    description: str


@dataclass
class TelegramRequest:
    """One HTTP request the fake received, and how it answered."""

    method: str
    """The Bot API method as documented (``sendMessage``), or as requested when unknown."""
    http_method: str
    headers: CIMultiDictProxy[str]
    args: JSON = field(default_factory=dict)
    """The fields; after validation, converted to their types (ints, bools, parsed JSON)."""
    status: int = 200
    response: JSON = field(default_factory=dict)
    accepted: bool = False


# --- field checks -------------------------------------------------------------------------


def _wrong_type(spec: Field) -> TelegramError:
    return bad_request(f'field "{spec.name}" must be of type {" or ".join(spec.types)}')


def _json_field(spec: Field, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        if spec.name == "entities":
            raise bad_request("can't parse entities JSON object") from None
        if spec.name == "reply_markup":
            raise bad_request("can't parse reply keyboard markup JSON object") from None
        raise bad_request(f"can't parse {spec.name} JSON object") from None


def convert_field(spec: Field, value: Any) -> Any:
    """`value` as the type the field documents, or a 400 like Telegram's."""
    types = spec.types
    if types == ("Integer", "String"):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            return int(value) if _INTEGER.fullmatch(value) else value
        raise _wrong_type(spec)
    if types == ("Integer",):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INTEGER.fullmatch(value):
            return int(value)
        raise _wrong_type(spec)
    if types == ("String",):
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise _wrong_type(spec)
    if types == ("Boolean",):
        if isinstance(value, bool):
            return value
        if isinstance(value, str | int) and str(value).lower() in ("true", "1", "false", "0"):
            return str(value).lower() in ("true", "1")
        raise _wrong_type(spec)
    if types == ("InputFile",):
        return value
    parsed = _json_field(spec, value)
    if types[0].startswith("Array of"):
        if not isinstance(parsed, list):
            raise _wrong_type(spec)
        if types[0] == "Array of String" and not all(isinstance(x, str) for x in parsed):
            raise _wrong_type(spec)
        return parsed
    if not isinstance(parsed, dict):
        raise _wrong_type(spec)
    return parsed


def _empty(value: Any) -> bool:
    return value is None or value == ""


def validate_fields(spec: MethodSpec, args: Mapping[str, Any]) -> JSON:
    """Check `args` against the method's documented fields; return them converted."""
    for name in args:
        if name not in spec.fields:
            raise bad_request(f'unknown parameter "{name}" for method {spec.name}')
    for name, documented in spec.fields.items():
        if documented.required and _empty(args.get(name)):
            if name == "text":
                raise bad_request("message text is empty")
            raise bad_request(f"{name} is empty")
    return {
        name: convert_field(spec.fields[name], value)
        for name, value in args.items()
        if value is not None
    }


# --- entity parsing -----------------------------------------------------------------------


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


def _cant_parse(detail: str) -> TelegramError:
    return bad_request(f"can't parse entities: {detail}")


def _unclosed(text: str, index: int) -> TelegramError:
    return _cant_parse(
        f"Can't find end of the entity starting at byte offset {_byte_offset(text, index)}"
    )


_HTML_TAGS: Final = frozenset(
    {
        "a",
        "b",
        "blockquote",
        "code",
        "del",
        "em",
        "i",
        "ins",
        "pre",
        "s",
        "span",
        "strike",
        "strong",
        "tg-emoji",
        "tg-spoiler",
        "tg-time",
        "u",
    }
)


class _HtmlText(HTMLParser):
    """Collects the text of Telegram-HTML, refusing tags Telegram refuses."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.parts: list[str] = []
        self.open: list[str] = []
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", source)]

    def _offset(self) -> int:
        line, column = self.getpos()
        return _byte_offset(self.source, self._line_starts[line - 1] + column)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            raise _cant_parse(f'Unsupported start tag "{tag}" at byte offset {self._offset()}')
        if tag == "span" and ("class", "tg-spoiler") not in attrs:
            raise _cant_parse(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self._offset()}'
            )
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open:
            raise _cant_parse(f"Unexpected end tag at byte offset {self._offset()}")
        expected = self.open.pop()
        if expected != tag:
            raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{expected}"')

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def text(self) -> str:
        self.feed(self.source)
        self.close()
        if self.open:
            raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{self.open[-1]}"')
        return "".join(self.parts)


# Outside code, each of these must be escaped in MarkdownV2 (core.telegram.org/bots/api
# #markdownv2-style).
_MARKDOWN_V2_RESERVED: Final = frozenset("_*[]()~`>#+-=|{}.!")
_PRE_LANGUAGE: Final = re.compile(r"[\w+#.-]*\n")


def _url_end(text: str, start: int) -> int:
    """The index of the ``)`` closing a URL that starts at `start`, or -1."""
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == ")":
            return index
        index += 1
    return -1


def _markdown_v2_text(text: str) -> str:
    out: list[str] = []
    open_marks: dict[str, int] = {}
    code: tuple[str, int] | None = None
    link: int | None = None
    expandable_quote = False
    index = 0
    while index < len(text):
        char = text[index]
        if code is not None:
            if char == "\\" and index + 1 < len(text):
                out.append(text[index + 1])
                index += 2
            elif text.startswith(code[0], index):
                index += len(code[0])
                code = None
            else:
                out.append(char)
                index += 1
            continue
        if char == "\\":
            if index + 1 == len(text):
                raise _cant_parse(
                    "Character '\\' is reserved and must be escaped with the preceding '\\'"
                )
            out.append(text[index + 1])
            index += 2
            continue
        line_start = index == 0 or text[index - 1] == "\n"
        if text.startswith("```", index):
            code = ("```", index)
            index += 3
            language = _PRE_LANGUAGE.match(text, index)
            if language is not None:
                index = language.end()
        elif char == "`":
            code = ("`", index)
            index += 1
        elif line_start and text.startswith("**>", index):
            expandable_quote = True
            index += 3
        elif line_start and char == ">":
            index += 1
        elif text.startswith("||", index):
            at_line_end = index + 2 == len(text) or text[index + 2] == "\n"
            if expandable_quote and at_line_end and "||" not in open_marks:
                expandable_quote = False
            elif "||" in open_marks:
                del open_marks["||"]
            else:
                open_marks["||"] = index
            index += 2
        elif text.startswith("__", index) or char in "*_~":
            mark = "__" if text.startswith("__", index) else char
            if mark in open_marks:
                del open_marks[mark]
            else:
                open_marks[mark] = index
            index += len(mark)
        elif link is None and (char == "[" or text.startswith("![", index)):
            link = index
            index += 1 if char == "[" else 2
        elif char == "]" and link is not None:
            if not text.startswith("(", index + 1):
                raise _unclosed(text, link)
            end = _url_end(text, index + 2)
            if end < 0:
                raise _cant_parse(
                    f"Can't find end of a URL at byte offset {_byte_offset(text, index + 1)}"
                )
            link = None
            index = end + 1
        elif char in _MARKDOWN_V2_RESERVED:
            raise _cant_parse(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        else:
            out.append(char)
            index += 1
    starts = [*open_marks.values(), *(() if link is None else (link,))]
    if code is not None:
        starts.append(code[1])
    if starts:
        raise _unclosed(text, min(starts))
    return "".join(out)


def _markdown_text(text: str) -> str:
    """Legacy Markdown: ``*bold*``, ``_italic_``, code, pre and links; no nesting."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text) and text[index + 1] in "_*`[":
            out.append(text[index + 1])
            index += 2
        elif text.startswith("```", index):
            end = text.find("```", index + 3)
            if end < 0:
                raise _unclosed(text, index)
            body = text[index + 3 : end]
            language = _PRE_LANGUAGE.match(body)
            out.append(body[language.end() :] if language is not None else body)
            index = end + 3
        elif char in "*_`":
            end = text.find(char, index + 1)
            if end < 0:
                raise _unclosed(text, index)
            out.append(text[index + 1 : end])
            index = end + 1
        elif (
            char == "["
            and (close := text.find("]", index + 1)) >= 0
            and text.startswith("(", close + 1)
        ):
            end = text.find(")", close + 2)
            if end < 0:
                raise _unclosed(text, index)
            out.append(text[index + 1 : close])
            index = end + 1
        else:
            out.append(char)
            index += 1
    return "".join(out)


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text Telegram shows for `text` sent with `parse_mode`, surrounding space trimmed."""
    mode = (parse_mode or "").lower()
    if not mode:
        shown = text
    elif mode == "html":
        shown = _HtmlText(text).text()
    elif mode == "markdownv2":
        shown = _markdown_v2_text(text)
    elif mode == "markdown":
        shown = _markdown_text(text)
    else:
        raise bad_request("unsupported parse_mode")
    return shown.strip()


def _checked_text(args: JSON, *, may_be_empty: bool = False) -> str:
    raw = str(args.get("text", ""))
    shown = raw.strip() if args.get("entities") is not None else None
    if shown is None:
        shown = visible_text(raw, args.get("parse_mode"))
    if not shown and not may_be_empty:
        raise bad_request("message text is empty")
    if len(shown) > MAX_TEXT:
        raise bad_request("message is too long")
    return shown


# --- the server ---------------------------------------------------------------------------


def _chat(chat_id: int) -> JSON:
    if chat_id > 0:
        return {"id": chat_id, "type": "private"}
    # Supergroup ids are -100 followed by the channel id; basic groups are small negatives.
    kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
    return {"id": chat_id, "title": "Support", "type": kind}


class FakeTelegram(LocalServer):
    """The fake Bot API server: ``async with FakeTelegram(token=...) as tg: ...``."""

    def __init__(
        self,
        token: str = TEST_TOKEN,
        *,
        username: str = "switchboard_test_bot",
        first_name: str = "Switchboard",
    ) -> None:
        super().__init__()
        self.token = token
        bot_id, _, _ = token.partition(":")
        self.bot_user: JSON = {
            "id": int(bot_id) if bot_id.isdigit() else 123456,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self.requests: list[TelegramRequest] = []
        self.webhook: Webhook | None = None
        self._messages: dict[int, list[TelegramMessage]] = {}
        self._drafts: dict[int, list[tuple[int, str]]] = {}
        self._actions: dict[int, list[str]] = {}
        self._scripted: dict[str, deque[TelegramError]] = {}
        self._handlers: dict[str, Callable[[JSON], Any]] = {
            "getMe": self._get_me,
            "sendMessage": self._send_message,
            "sendMessageDraft": self._send_message_draft,
            "sendChatAction": self._send_chat_action,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "editMessageText": self._edit_message_text,
        }

    # -- scripting

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/bot``, for ``telegram.Bot(token, base_url=...)``."""
        return self._url("/bot")

    def fail(
        self,
        method: str,
        error_code: int = 500,
        description: str = "Internal Server Error",
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of `method` with this error."""
        self._script(method, TelegramError(error_code, description), times)

    def retry_after(self, method: str, seconds: int, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with a 429 flood-wait of `seconds`."""
        error = TelegramError(
            429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds}
        )
        self._script(method, error, times)

    def _script(self, method: str, error: TelegramError, times: int) -> None:
        spec = _BY_LOWER_NAME.get(method.lower())
        if spec is None:
            raise ValueError(
                f"FakeTelegram does not implement {method!r}; it has {sorted(METHODS)}"
            )
        if times < 1:
            raise ValueError("times must be at least 1")
        self._scripted.setdefault(spec.name, deque()).extend([error] * times)

    # -- inspection

    def calls(self, method: str) -> list[JSON]:
        """The converted fields of the accepted calls of `method`, in order."""
        return [r.args for r in self.requests if r.accepted and r.method == method]

    def messages(self, chat_id: int) -> list[TelegramMessage]:
        """The messages the bot sent to `chat_id`, in order."""
        return list(self._messages.get(chat_id, ()))

    def sent(self, chat_id: int) -> list[str]:
        """The shown texts of the messages sent to `chat_id`, in order, as edited since."""
        return [message.text for message in self._messages.get(chat_id, ())]

    def drafts(self, chat_id: int) -> list[tuple[int, str]]:
        """``(draft_id, shown text)`` of each ``sendMessageDraft`` to `chat_id`, in order."""
        return list(self._drafts.get(chat_id, ()))

    def actions(self, chat_id: int) -> list[str]:
        """The chat actions sent to `chat_id`, in order."""
        return list(self._actions.get(chat_id, ()))

    def _summary(self, last: int = 8) -> str:
        if not self.requests:
            return "none"
        return ", ".join(
            f"{r.method} -> {'ok' if r.response.get('ok') else r.response.get('description')}"
            for r in self.requests[-last:]
        )

    # -- lifecycle

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/{path:.*}", self._bot_api)

    # -- HTTP

    async def _bot_api(self, request: web.Request) -> web.StreamResponse:
        match = _PATH.fullmatch(request.path)
        requested = match.group(2) if match else request.path
        spec = _BY_LOWER_NAME.get(requested.lower()) if match else None
        record = TelegramRequest(
            method=spec.name if spec is not None else requested,
            http_method=request.method,
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
        )
        self.requests.append(record)
        try:
            if match is None:
                raise TelegramError(404, "Not Found")
            if not secrets.compare_digest(match.group(1).encode(), self.token.encode()):
                raise TelegramError(401, "Unauthorized")
            if spec is None:
                raise TelegramError(404, "Not Found: method not found")
            record.args = await self._arguments(request)
            scripted = self._scripted.get(spec.name)
            if scripted:
                raise scripted.popleft()
            record.args = validate_fields(spec, record.args)
            result = self._handlers[spec.name](record.args)
            if isinstance(result, _Described):
                record.response = {
                    "ok": True,
                    "result": result.result,
                    "description": result.description,
                }
            else:
                record.response = {"ok": True, "result": result}
            record.accepted = True
        except TelegramError as error:
            record.status = error.error_code
            record.response = error.body()
        finally:
            self._changed.set()
        return web.json_response(record.response, status=record.status)

    async def _arguments(self, request: web.Request) -> JSON:
        args: JSON = dict(request.query)
        if not request.can_read_body:
            return args
        if request.content_type == "application/json":
            try:
                body = json.loads(await request.read())
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            args.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            args.update(await request.post())
        return args

    # -- methods

    def _get_me(self, args: JSON) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _chat_id(self, args: JSON) -> int:
        chat_id = args["chat_id"]
        if not isinstance(chat_id, int):
            raise bad_request("chat not found")
        return chat_id

    def _message_json(self, message: TelegramMessage) -> JSON:
        body: JSON = {
            "message_id": message.message_id,
            "from": dict(self.bot_user),
            "chat": _chat(message.chat_id),
            "date": message.date,
        }
        if message.edit_date is not None:
            body["edit_date"] = message.edit_date
        body["text"] = message.text
        if message.entities:
            body["entities"] = message.entities
        if message.reply_markup is not None:
            body["reply_markup"] = message.reply_markup
        return body

    def _send_message(self, args: JSON) -> JSON:
        chat_id = self._chat_id(args)
        shown = _checked_text(args)
        chat = self._messages.setdefault(chat_id, [])
        message = TelegramMessage(
            chat_id=chat_id,
            message_id=len(chat) + 1,
            text=shown,
            date=int(time.time()),
            sent_text=args["text"],
            parse_mode=args.get("parse_mode"),
            entities=args.get("entities"),
            reply_markup=args.get("reply_markup"),
        )
        chat.append(message)
        return self._message_json(message)

    def _send_message_draft(self, args: JSON) -> bool:
        chat_id = self._chat_id(args)
        if args["draft_id"] == 0:
            raise bad_request("draft_id must be non-zero")
        shown = _checked_text(args, may_be_empty=True)
        self._drafts.setdefault(chat_id, []).append((args["draft_id"], shown))
        return True

    def _send_chat_action(self, args: JSON) -> bool:
        chat_id = self._chat_id(args)
        if args["action"] not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._actions.setdefault(chat_id, []).append(args["action"])
        return True

    def _set_webhook(self, args: JSON) -> _Described:
        url: str = args.get("url", "")
        if not url:
            return self._delete_webhook(args)
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if (parts.port or 443) not in WEBHOOK_PORTS:
            raise bad_request(
                "bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443"
            )
        secret = args.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = args.get("max_connections", 40)
        if not 1 <= max_connections <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        previous = self.webhook
        allowed = args.get("allowed_updates")
        if allowed is None and previous is not None:
            allowed = previous.allowed_updates  # "If not specified, the previous setting"
        self.webhook = Webhook(
            url=url,
            secret_token=secret,
            allowed_updates=allowed,
            max_connections=max_connections,
            ip_address=args.get("ip_address"),
            drop_pending_updates=bool(args.get("drop_pending_updates", False)),
        )
        return _Described(True, "Webhook was set")

    def _delete_webhook(self, args: JSON) -> _Described:
        existed, self.webhook = self.webhook is not None, None
        return _Described(True, "Webhook was deleted" if existed else "Webhook is already deleted")

    def _get_webhook_info(self, args: JSON) -> JSON:
        if self.webhook is None:
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        info: JSON = {
            "url": self.webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": 0,
            "max_connections": self.webhook.max_connections,
        }
        if self.webhook.ip_address is not None:
            info["ip_address"] = self.webhook.ip_address
        if self.webhook.allowed_updates is not None:
            info["allowed_updates"] = self.webhook.allowed_updates
        return info

    def _edit_message_text(self, args: JSON) -> JSON:
        if args.get("inline_message_id") is not None:
            raise bad_request("MESSAGE_ID_INVALID")
        if args.get("chat_id") is None:
            raise bad_request("chat_id is empty")
        if args.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        chat_id = self._chat_id(args)
        found = [m for m in self._messages.get(chat_id, ()) if m.message_id == args["message_id"]]
        if not found:
            raise bad_request("message to edit not found")
        if args.get("text") is None:
            # Rich messages (Bot API 10.1) are not implemented, so text is required here.
            raise bad_request("message text is empty")
        message = found[0]
        shown = _checked_text(args)
        entities = args.get("entities")
        reply_markup = args.get("reply_markup")
        if (shown, entities, reply_markup) == (
            message.text,
            message.entities,
            message.reply_markup,
        ):
            raise bad_request(_NOT_MODIFIED.removeprefix("Bad Request: "))
        message.text = shown
        message.sent_text = args["text"]
        message.parse_mode = args.get("parse_mode")
        message.entities = entities
        message.reply_markup = reply_markup
        message.edit_date = int(time.time())
        message.edits.append(shown)
        return self._message_json(message)


# --- what Telegram sends us ---------------------------------------------------------------

_MESSAGE_IDS: Final = itertools.count(1000)


def _user(user_id: int, first_name: str, language_code: str | None) -> JSON:
    user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code is not None:
        user["language_code"] = language_code
    return user


def _inbound_chat(chat_id: int, first_name: str) -> JSON:
    chat = _chat(chat_id)
    if chat["type"] == "private":
        chat["first_name"] = first_name
    return chat


def _message(
    chat_id: int,
    user_id: int | None,
    first_name: str,
    language_code: str | None,
    message_id: int | None,
    date: int | None,
) -> JSON:
    sender = user_id if user_id is not None else (chat_id if chat_id > 0 else 1_000_001)
    return {
        "message_id": message_id if message_id is not None else next(_MESSAGE_IDS),
        "from": _user(sender, first_name, language_code),
        "chat": _inbound_chat(chat_id, first_name),
        "date": date if date is not None else int(time.time()),
    }


def _file_ids() -> tuple[str, str]:
    """A ``file_id`` and ``file_unique_id`` shaped like Telegram's (opaque base64url)."""
    return "AgACAgIAAxkBAAI" + secrets.token_urlsafe(48), "AQAD" + secrets.token_urlsafe(9)


def _utf16_length(text: str) -> int:
    """Entity offsets and lengths count UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def text_update(
    update_id: int,
    chat_id: int,
    text: str,
    user_id: int | None = None,
    first_name: str = "Ada",
    language_code: str | None = "en",
    message_id: int | None = None,
    *,
    date: int | None = None,
) -> JSON:
    """An update with a text message from a person (in a private chat for a positive id)."""
    message = _message(chat_id, user_id, first_name, language_code, message_id, date)
    message["text"] = text
    return {"update_id": update_id, "message": message}


def photo_update(
    update_id: int,
    chat_id: int,
    caption: str | None = None,
    user_id: int | None = None,
    first_name: str = "Ada",
    language_code: str | None = "en",
    message_id: int | None = None,
    *,
    date: int | None = None,
) -> JSON:
    """An update with a photo (three sizes, as Telegram sends them) and no text."""
    message = _message(chat_id, user_id, first_name, language_code, message_id, date)
    sizes: list[JSON] = []
    for width, height, size in ((90, 68, 1_302), (320, 240, 15_886), (1280, 960, 112_337)):
        file_id, unique_id = _file_ids()
        sizes.append(
            {
                "file_id": file_id,
                "file_unique_id": unique_id,
                "file_size": size,
                "width": width,
                "height": height,
            }
        )
    message["photo"] = sizes
    if caption is not None:
        message["caption"] = caption
    return {"update_id": update_id, "message": message}


def sticker_update(
    update_id: int,
    chat_id: int,
    emoji: str = "👍",
    user_id: int | None = None,
    first_name: str = "Ada",
    language_code: str | None = "en",
    message_id: int | None = None,
    *,
    date: int | None = None,
) -> JSON:
    """An update with a (static, regular) sticker and no text."""
    message = _message(chat_id, user_id, first_name, language_code, message_id, date)
    file_id, unique_id = _file_ids()
    thumb_id, thumb_unique_id = _file_ids()
    message["sticker"] = {
        "width": 512,
        "height": 512,
        "emoji": emoji,
        "set_name": "SwitchboardTest",
        "is_animated": False,
        "is_video": False,
        "type": "regular",
        "thumbnail": {
            "file_id": thumb_id,
            "file_unique_id": thumb_unique_id,
            "file_size": 5_418,
            "width": 128,
            "height": 128,
        },
        "file_id": file_id,
        "file_unique_id": unique_id,
        "file_size": 27_374,
    }
    return {"update_id": update_id, "message": message}


def command_update(
    update_id: int,
    chat_id: int,
    command: str = "/start",
    argument: str = "",
    user_id: int | None = None,
    first_name: str = "Ada",
    language_code: str | None = "en",
    message_id: int | None = None,
    *,
    date: int | None = None,
) -> JSON:
    """An update with a command (``/start``, with an optional argument after a space)."""
    if not command.startswith("/"):
        raise ValueError(f"a command starts with '/', not {command!r}")
    message = _message(chat_id, user_id, first_name, language_code, message_id, date)
    message["text"] = f"{command} {argument}" if argument else command
    message["entities"] = [{"offset": 0, "length": _utf16_length(command), "type": "bot_command"}]
    return {"update_id": update_id, "message": message}


def secret_headers(secret: str) -> dict[str, str]:
    """The headers of a webhook delivery for a webhook set with ``secret_token=secret``."""
    return {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
