"""A local fake of the Twilio REST API, what Twilio sends to our app, and a voice WebSocket caller.

Twilio is a provider our tests cannot reach, so `FakeTwilio` stands in for
``https://api.twilio.com`` on 127.0.0.1 (an ephemeral port). Our code reaches it with the
official client, exactly as it reaches Twilio::

    client = twilio.rest.Client(account_sid, auth_token, http_client=AsyncTwilioHttpClient())
    client.api.base_url = fake.base_url
    await client.messages.create_async(to=..., from_=..., body=..., status_callback=...)
    await client.calls(call_sid).update_async(twiml=...)

(`AsyncTwilioHttpClient` opens its aiohttp session when it is built, so build it inside a
running loop and close it with ``await client.http_client.close()``.)

Endpoints, with the form parameters of ``specs/twilio_api_v2010_subset.json`` (copied from
twilio/twilio-oai, see ``specs/README.md``):

- ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` (CreateMessage): 201 and the
  Message resource; ``GET .../Messages/{Sid}.json`` (FetchMessage);
- ``POST /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json`` (UpdateCall: Url, Twiml,
  Status and the rest) and ``GET .../Calls/{Sid}.json`` (FetchCall), for calls registered
  with `FakeTwilio.add_call`;
- anything else: 404 ``20404``.

Errors have Twilio's body, ``{"code", "message", "more_info", "status"}``, with the HTTP
status repeated in ``status``. What it checks, as Twilio does:

- HTTP Basic auth with the account SID and auth token (401 ``20003 Authenticate``, with
  ``WWW-Authenticate``). API keys (``SK...``) are not supported.
- The path's AccountSid is the authenticated account: another one is 404 ``20404`` ("The
  requested resource ... was not found"), which is how we understand Twilio answers an
  account that is not yours or a subaccount of it (not verified against Twilio).
- The body is ``application/x-www-form-urlencoded`` UTF-8 (our wording: 400 ``20001``).
- Each parameter against the operation's list in the spec subset. Stricter than Twilio,
  which ignores them, an unknown name is 400 ``20001`` ("Unknown parameter: ..."): it
  catches our typos. A parameter that is not an array given twice is also ``20001``. Values
  must match the spec's type (boolean ``true``/``false``, integer, number), enum, pattern
  (``MG...``, ``HX...``, ``AP...`` SIDs), and format (``uri``: an absolute http(s) URL,
  at most 4000 characters, no ``_`` in the host name; ``date-time``: ISO 8601). Such errors
  are ``20001`` with our wording, except ``StatusCallback``, which is Twilio's ``21609``.
- CreateMessage, with Twilio's codes: ``To`` required (21604 "A 'To' phone number is
  required."); ``From`` or ``MessagingServiceSid`` (21603); ``Body``, ``MediaUrl`` or
  ``ContentSid`` (21602 "Message body is required."); ``Body`` at most 1600 characters
  (21617). Those three groups are the spec's ``x-twilio.conditional``. ``To``, ``From`` and
  ``FallbackFrom`` must be E.164 (``+`` and 8-15 digits, first digit not 0) or
  ``whatsapp:`` + E.164 (21211 for To, 21212 for the others). Stricter than Twilio, short
  codes and alphanumeric sender IDs are refused. ``whatsapp:`` on one side needs it on
  the other: 400 ``21910`` "Invalid From and To pair. From and To should be of the same
  channel" (code and wording from memory, not verified). ``ContentVariables`` must be a
  JSON object (``21656``, from memory).
- UpdateCall: the call exists (404 ``20404``) and is still queued, ringing or in progress
  (400 ``21220`` "Call is not in-progress. Cannot redirect.", from memory). Stricter than
  Twilio: an update must carry ``Url``, ``Twiml`` or ``Status`` (``20001``), and ``Twiml``
  must be well-formed XML whose root is ``<Response>``, at most 4000 characters (``12100``
  "Document parse failure"; Twilio reports bad TwiML later, through the debugger).

The Message resource has every field of the spec's ``api.v2010.account.message``:
``sid`` ``SM`` + 32 hex (``MM`` with media), ``status`` ``queued`` (``accepted`` with a
MessagingServiceSid, ``scheduled`` with ScheduleType; Twilio's "Outbound Message Status in
Status Callbacks" guide), ``num_segments`` from `count_segments` (``"0"`` with a
Messaging Service, as Twilio answers), ``direction`` ``outbound-api``, dates in RFC 2822.
The Call resource has every field of ``api.v2010.account.call``.

Status callbacks, as Twilio sends them: after a message with a ``StatusCallback`` is
created, the fake POSTs form-encoded ``MessageSid, MessageStatus, AccountSid, From, To,
ApiVersion, SmsSid, SmsStatus`` (``MessagingServiceSid`` with a service, ``From`` only when
the message had one, ``ErrorCode`` for ``failed`` and ``undelivered``) signed with
``X-Twilio-Signature`` by the twilio library's own ``RequestValidator.compute_signature``
over the URL as given and the parameters (headers ``User-Agent: TwilioProxy/1.1`` and
``I-Twilio-Idempotency-Token`` too, from memory). No callback is sent for the initial status (as
Twilio documents); then `FakeTwilio.delivery` (default ``sent``, ``delivered``) follows,
`callback_interval` seconds apart, or a per-destination script
(`FakeTwilio.script_delivery`). ``auto_callbacks = False`` turns this off;
`FakeTwilio.send_status` sends one by hand. Every attempt is kept in
`FakeTwilio.callbacks` with the HTTP status the app answered. Twilio's retries and
timeouts and the ``bodySHA256`` scheme of JSON webhooks are not reproduced.

Not implemented or not checked: listing, deleting or updating messages, creating calls,
scheduling (``SendAt`` is only checked as a date), prices, Messaging Service sender pools,
subaccounts, API keys, regions and edges, and every other resource.

Test controls: `FakeTwilio.fail` and `FakeTwilio.rate_limit` script the next answers of the
message or call endpoints. Inspection: `FakeTwilio.requests` (every request, rejected ones
too), `FakeTwilio.messages`, `FakeTwilio.message`, `FakeTwilio.call`,
`FakeTwilio.call_updates`, `FakeTwilio.callbacks`, and `FakeTwilio.wait_for`.

What Twilio sends our app: `signed` makes the headers of a signed webhook;
`incoming_sms`, `incoming_call` and `relay_session_ended` build the form parameters of
the Messaging webhook, the Voice webhook and the ``<Connect action>`` request at the end
of a ConversationRelay session. Twilio publishes no machine-readable list of webhook
parameters: these come from its documentation pages as we know them (named in
``/work/shared/specs/README.md``, "Twilio gaps"), and each builder says what is uncertain.

`RelayCaller` plays Twilio's side of the ConversationRelay WebSocket (frames per
``/work/shared/specs/twilio/conversationrelay.md``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import math
import re
import secrets
import time
import uuid
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal, Self
from urllib.parse import parse_qsl, urlencode, urlsplit
from xml.etree import ElementTree

import aiohttp
import phonenumbers
from aiohttp import WSMsgType, web
from multidict import CIMultiDict, CIMultiDictProxy

# twilio 9.13 has hints but no py.typed; `unused-ignore` covers a mypy override of twilio.*.
from twilio.request_validator import (  # type: ignore[import-untyped, unused-ignore]
    RequestValidator,
)

from tests.fakes.local_server import LocalServer

JSON = dict[str, Any]

API_VERSION: Final = "2010-04-01"
TEST_ACCOUNT_SID: Final = "AC" + "5317c0de" * 4
"""The account `FakeTwilio` serves unless another is given."""
TEST_AUTH_TOKEN: Final = "5317c0de5317c0de0123456789abcdef"
"""The auth token `FakeTwilio` accepts unless another is given."""
DEFAULT_CALLER: Final = "+15550100001"
DEFAULT_NUMBER: Final = "+15550100002"
"""Numbers in the 555-01xx range, reserved for fiction."""

_SPECS: Final = Path(__file__).parent / "specs"
_FORM: Final = "application/x-www-form-urlencoded"
_ERROR_DOCS: Final = "https://www.twilio.com/docs/errors/{code}"
_INVALID_PARAMETER: Final = 20001
_MAX_BODY: Final = 1600
_MAX_TWIML: Final = 4000
_MAX_URL: Final = 4000
_E164: Final = re.compile(r"\+[1-9][0-9]{7,14}")
_WHATSAPP: Final = "whatsapp:"
_LIVE_CALL: Final = frozenset({"queued", "ringing", "in-progress"})
_ERROR_STATUSES: Final = frozenset({"failed", "undelivered"})
_UNKNOWN_DELIVERY_ERROR: Final = 30008
_CALLBACK_TIMEOUT: Final = 10.0

# GSM 03.38: the basic table (without ESC) and the extension table, whose characters take
# two septets.
_GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED: Final = frozenset("\f^{}\\[~]|€")


# --- the spec subset ----------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One form parameter of an operation, as the spec types it."""

    name: str
    type: str
    """"string", "boolean", "integer", "number" or "array"."""
    format: str | None = None
    pattern: re.Pattern[str] | None = None
    enum: frozenset[str] | None = None
    items: Param | None = None
    """For an array: the type of each value (the parameter repeated)."""


@dataclass(frozen=True)
class Operation:
    """One REST operation of the spec subset."""

    operation_id: str
    method: str
    path: str
    path_regex: re.Pattern[str]
    params: Mapping[str, Param]
    required: frozenset[str]
    conditional: tuple[tuple[str, ...], ...]
    """Groups of which at least one parameter must be given (``x-twilio.conditional``)."""
    status: int
    resource: str
    """The schema name of the resource answered."""

    @property
    def kind(self) -> Literal["messages", "calls"]:
        return "messages" if "/Messages" in self.path else "calls"


_SPEC: Final[JSON] = json.loads(
    (_SPECS / "twilio_api_v2010_subset.json").read_text(encoding="utf-8")
)
_SCHEMAS: Final[Mapping[str, JSON]] = _SPEC["components"]["schemas"]


def _resolve(schema: JSON) -> JSON:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return _SCHEMAS[ref.rsplit("/", 1)[1]]
    return schema


def _param(name: str, schema: JSON) -> Param:
    schema = _resolve(schema)
    return Param(
        name=name,
        type=schema["type"],
        format=schema.get("format"),
        pattern=re.compile(schema["pattern"]) if "pattern" in schema else None,
        enum=frozenset(schema["enum"]) if "enum" in schema else None,
        items=_param(name, schema["items"]) if schema["type"] == "array" else None,
    )


def _pascal(snake: str) -> str:
    """``messaging_service_sid`` -> ``MessagingServiceSid`` (how x-twilio names parameters)."""
    return "".join(part.capitalize() for part in snake.split("_"))


def _path_regex(path: str) -> re.Pattern[str]:
    pieces = re.split(r"\{(\w+)\}", path)
    return re.compile(
        "".join(
            re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>[^/]+)"
            for index, piece in enumerate(pieces)
        )
    )


def _load_operations() -> dict[str, Operation]:
    operations: dict[str, Operation] = {}
    for path, methods in _SPEC["paths"].items():
        for method, spec in methods.items():
            body = spec.get("requestBody", {}).get("content", {}).get(_FORM, {}).get("schema", {})
            params = {
                name: _param(name, schema) for name, schema in body.get("properties", {}).items()
            }
            conditional = tuple(
                tuple(_pascal(name) for name in group)
                for group in spec.get("x-twilio", {}).get("conditional", ())
            )
            for group in conditional:
                unknown = [name for name in group if name not in params]
                if unknown:
                    raise ValueError(f"{spec['operationId']}: conditional names {unknown}")
            ((status, response),) = spec["responses"].items()
            ref: str = response["content"]["application/json"]["schema"]["$ref"]
            operations[spec["operationId"]] = Operation(
                operation_id=spec["operationId"],
                method=method.upper(),
                path=path,
                path_regex=_path_regex(path),
                params=params,
                required=frozenset(body.get("required", ())),
                conditional=conditional,
                status=int(status),
                resource=ref.rsplit("/", 1)[1],
            )
    return operations


OPERATIONS: Final = _load_operations()
"""CreateMessage, FetchMessage, UpdateCall and FetchCall, from the spec subset."""
MESSAGE_STATUSES: Final = frozenset(_SCHEMAS["message_enum_status"]["enum"])
CALL_STATUSES: Final = frozenset(_SCHEMAS["call_enum_status"]["enum"])
MESSAGE_FIELDS: Final = frozenset(_SCHEMAS["api.v2010.account.message"]["properties"])
"""The fields of the Message resource (``api.v2010.account.message``)."""
CALL_FIELDS: Final = frozenset(_SCHEMAS["api.v2010.account.call"]["properties"])
"""The fields of the Call resource (``api.v2010.account.call``)."""


# --- errors and records -------------------------------------------------------------------


class TwilioError(Exception):
    """An error answer, in Twilio's shape."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> JSON:
        return {
            "code": self.code,
            "message": self.message,
            "more_info": _ERROR_DOCS.format(code=self.code),
            "status": self.status,
        }


def _not_found(path: str) -> TwilioError:
    return TwilioError(404, 20404, f"The requested resource {path} was not found")


def _invalid(message: str, code: int = _INVALID_PARAMETER) -> TwilioError:
    return TwilioError(400, code, message)


@dataclass
class ApiRequest:
    """One HTTP request the fake received, and how it answered."""

    method: str
    path: str
    headers: CIMultiDictProxy[str]
    params: dict[str, list[str]] = field(default_factory=dict)
    """The form parameters as sent (every value of a repeated name, in order)."""
    operation: str | None = None
    """The spec's operationId, or None for a path the fake does not serve."""
    status: int = 0
    body: JSON = field(default_factory=dict)
    """The JSON answered."""
    accepted: bool = False
    """Passed authentication and validation, and took effect."""
    at: float = field(default_factory=time.perf_counter)


@dataclass
class TwilioMessage:
    """A message the app sent, as Twilio holds it now."""

    sid: str
    account_sid: str
    to: str
    from_: str | None
    body: str
    messaging_service_sid: str | None
    media_urls: list[str]
    status_callback: str | None
    params: dict[str, list[str]]
    """Every form parameter of the create request."""
    status: str
    num_segments: int
    date_created: datetime
    date_updated: datetime
    date_sent: datetime | None = None
    error_code: int | None = None
    statuses: list[str] = field(default_factory=list)
    """Every status it has had, the initial one first."""

    @property
    def uri(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}/Messages/{self.sid}.json"

    def as_json(self) -> JSON:
        """The Message resource Twilio answers."""
        base = self.uri.removesuffix(".json")
        return {
            "body": self.body,
            "num_segments": str(self.num_segments),
            "direction": "outbound-api",
            "from": self.from_,
            "to": self.to,
            "date_updated": _rfc2822(self.date_updated),
            "price": None,
            "error_message": None,
            "uri": self.uri,
            "account_sid": self.account_sid,
            "num_media": str(len(self.media_urls)),
            "status": self.status,
            "messaging_service_sid": self.messaging_service_sid,
            "sid": self.sid,
            "date_sent": _rfc2822(self.date_sent) if self.date_sent is not None else None,
            "date_created": _rfc2822(self.date_created),
            "error_code": self.error_code,
            "price_unit": "USD",
            "api_version": API_VERSION,
            "subresource_uris": {
                "media": f"{base}/Media.json",
                "feedback": f"{base}/Feedback.json",
            },
        }


@dataclass
class TwilioCall:
    """A call registered with `FakeTwilio.add_call`, as Twilio holds it now."""

    sid: str
    account_sid: str
    from_: str
    to: str
    status: str
    date_created: datetime
    date_updated: datetime
    start_time: datetime | None
    end_time: datetime | None = None
    twiml: str | None = None
    """The TwiML of the last update that gave some."""
    url: str | None = None
    """The Url of the last update that gave one."""
    updates: list[dict[str, str]] = field(default_factory=list)
    """The parameters of every accepted update, in order."""
    phone_number_sid: str = field(default_factory=lambda: new_sid("PN"))

    @property
    def uri(self) -> str:
        return f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{self.sid}.json"

    def as_json(self) -> JSON:
        """The Call resource Twilio answers."""
        base = self.uri.removesuffix(".json")
        duration = None
        if self.start_time is not None and self.end_time is not None:
            duration = str(int((self.end_time - self.start_time).total_seconds()))
        return {
            "sid": self.sid,
            "date_created": _rfc2822(self.date_created),
            "date_updated": _rfc2822(self.date_updated),
            "parent_call_sid": None,
            "account_sid": self.account_sid,
            "to": self.to,
            "to_formatted": self.to,
            "from": self.from_,
            "from_formatted": self.from_,
            "phone_number_sid": self.phone_number_sid,
            "status": self.status,
            "start_time": _rfc2822(self.start_time) if self.start_time is not None else None,
            "end_time": _rfc2822(self.end_time) if self.end_time is not None else None,
            "duration": duration,
            "price": None,
            "price_unit": "USD",
            "direction": "inbound",
            "answered_by": None,
            "api_version": API_VERSION,
            "forwarded_from": None,
            "group_sid": None,
            "caller_name": None,
            "queue_time": "0",
            "trunk_sid": None,
            "uri": self.uri,
            "subresource_uris": {
                "notifications": f"{base}/Notifications.json",
                "recordings": f"{base}/Recordings.json",
                "payments": f"{base}/Payments.json",
                "events": f"{base}/Events.json",
                "siprec": f"{base}/Siprec.json",
                "streams": f"{base}/Streams.json",
                "transcriptions": f"{base}/Transcriptions.json",
                "user_defined_message_subscriptions": (
                    f"{base}/UserDefinedMessageSubscriptions.json"
                ),
                "user_defined_messages": f"{base}/UserDefinedMessages.json",
            },
        }


@dataclass(frozen=True)
class Callback:
    """One status callback the fake sent, and what became of it."""

    url: str
    params: dict[str, str]
    headers: dict[str, str]
    status: int | None
    """The HTTP status the app answered; None when the request failed (see `error`)."""
    error: str | None = None
    at: float = field(default_factory=time.perf_counter)


@dataclass(frozen=True)
class _Delivery:
    statuses: tuple[str, ...]
    error_code: int | None


# --- values -------------------------------------------------------------------------------


def new_sid(prefix: str) -> str:
    """A Twilio SID: two letters and 32 hex digits (``SM...``, ``CA...``, ``VX...``)."""
    return prefix + secrets.token_hex(16)


def _rfc2822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC))


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def count_segments(body: str) -> int:
    """How many SMS segments `body` takes: GSM-7 160 (153 per part), else UCS-2 70 (67).

    An estimate like Twilio's: GSM-7 extension characters count twice, UCS-2 counts UTF-16
    code units; Twilio's Smart Encoding (replacing look-alike characters) is not modelled.
    """
    if not body:
        return 1
    if all(char in _GSM7_BASIC or char in _GSM7_EXTENDED for char in body):
        units = len(body) + sum(char in _GSM7_EXTENDED for char in body)
        single, part = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, part = 70, 67
    return 1 if units <= single else math.ceil(units / part)


def _signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    return str(RequestValidator(auth_token).compute_signature(url, dict(params)))


def _is_whatsapp(address: str) -> bool:
    return address.startswith(_WHATSAPP)


def _valid_address(address: str) -> bool:
    return _E164.fullmatch(address.removeprefix(_WHATSAPP)) is not None


def _valid_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    host = parts.hostname or ""
    return (
        len(value) <= _MAX_URL
        and parts.scheme in ("http", "https")
        and bool(host)
        and "_" not in host
        and not any(char.isspace() for char in value)
    )


def _valid_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _check_statuses(statuses: Sequence[str]) -> tuple[str, ...]:
    unknown = [status for status in statuses if status not in MESSAGE_STATUSES]
    if unknown:
        raise ValueError(
            f"not message statuses: {unknown}; Twilio's are {sorted(MESSAGE_STATUSES)}"
        )
    return tuple(statuses)


# --- parameter checks ---------------------------------------------------------------------


def _check_value(param: Param, value: str) -> None:
    if param.type == "array" and param.items is not None:
        _check_value(param.items, value)
        return
    problem: str | None = None
    if param.type == "boolean" and value.lower() not in ("true", "false"):
        problem = "must be true or false"
    elif param.type == "integer" and re.fullmatch(r"[+-]?[0-9]+", value) is None:
        problem = "must be an integer"
    elif param.type == "number":
        try:
            if not math.isfinite(float(value)):
                problem = "must be a number"
        except ValueError:
            problem = "must be a number"
    elif param.enum is not None and value not in param.enum:
        problem = f"must be one of {', '.join(sorted(param.enum))}"
    elif param.pattern is not None and param.pattern.fullmatch(value) is None:
        problem = f"must match {param.pattern.pattern}"
    elif param.format == "uri" and not _valid_url(value):
        if param.name == "StatusCallback":
            raise _invalid(f"The StatusCallback URL {value} is not a valid URL.", 21609)
        problem = "must be an absolute http or https URL"
    elif param.format == "date-time" and not _valid_datetime(value):
        problem = "must be an ISO 8601 date-time"
    if problem is not None:
        raise _invalid(f"Invalid parameter {param.name}: {value!r} {problem}")


# Twilio's own codes for what CreateMessage lacks; other operations require nothing.
_REQUIRED_ERRORS: Final[Mapping[str, tuple[int, str]]] = {
    "To": (21604, "A 'To' phone number is required."),
}
_CONDITIONAL_ERRORS: Final[Mapping[str, tuple[int, str]]] = {
    "From": (21603, "A 'From' phone number is required."),
    "Body": (21602, "Message body is required."),
}


def validate_params(operation: Operation, params: Mapping[str, Sequence[str]]) -> None:
    """Check form `params` against the operation's spec; raise `TwilioError` as Twilio would.

    Order: unknown names (ours), repeated names (ours), required, the conditional groups,
    then each value's type, enum, pattern and format. An empty value counts as absent.
    """
    unknown = [name for name in params if name not in operation.params]
    if unknown:
        raise _invalid(f"Unknown parameter: {', '.join(unknown)}")
    for name, values in params.items():
        if len(values) > 1 and operation.params[name].type != "array":
            raise _invalid(f"Parameter {name} was given {len(values)} times")

    def given(name: str) -> bool:
        return any(value != "" for value in params.get(name, ()))

    for name in sorted(operation.required):
        if not given(name):
            code, message = _REQUIRED_ERRORS.get(name, (_INVALID_PARAMETER, f"{name} is required"))
            raise _invalid(message, code)
    for group in operation.conditional:
        if not any(given(name) for name in group):
            code, message = _CONDITIONAL_ERRORS.get(
                group[0], (_INVALID_PARAMETER, f"One of {', '.join(group)} is required")
            )
            raise _invalid(message, code)
    for name, values in params.items():
        for value in values:
            if value != "":
                _check_value(operation.params[name], value)


def _check_message(params: Mapping[str, str]) -> None:
    """CreateMessage's checks beyond the spec's types: addresses, channel, length."""
    to = params["To"]
    if not _valid_address(to):
        raise _invalid(f"The 'To' number {to} is not a valid phone number.", 21211)
    for name in ("From", "FallbackFrom"):
        value = params.get(name, "")
        if value and not _valid_address(value):
            raise _invalid(
                f"The '{name}' number {value} is not a valid phone number, shortcode, "
                "or alphanumeric sender ID.",
                21212,
            )
    sender = params.get("From", "")
    if sender and _is_whatsapp(sender) != _is_whatsapp(to):
        raise _invalid(
            "Invalid From and To pair. From and To should be of the same channel", 21910
        )
    if len(params.get("Body", "")) > _MAX_BODY:
        raise _invalid(
            f"The concatenated message body exceeds the {_MAX_BODY} character limit.", 21617
        )
    variables = params.get("ContentVariables", "")
    if variables:
        try:
            parsed = json.loads(variables)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise _invalid("The ContentVariables Parameter is invalid.", 21656)


def _check_twiml(twiml: str) -> None:
    if len(twiml) > _MAX_TWIML:
        raise _invalid(f"Twiml is longer than {_MAX_TWIML} characters")
    try:
        # The TwiML is what our own code under test sends to this local fake.
        root = ElementTree.fromstring(twiml)  # noqa: S314
    except ElementTree.ParseError as error:
        raise _invalid(f"Document parse failure: {error}", 12100) from None
    if root.tag != "Response":
        raise _invalid(f"Document parse failure: the root is <{root.tag}>, not <Response>", 12100)


# --- the server ---------------------------------------------------------------------------


class FakeTwilio(LocalServer):
    """The fake REST API: ``async with FakeTwilio(account_sid, auth_token) as twilio: ...``."""

    def __init__(
        self,
        account_sid: str = TEST_ACCOUNT_SID,
        auth_token: str = TEST_AUTH_TOKEN,
        *,
        callback_interval: float = 0.005,
    ) -> None:
        if re.fullmatch(r"AC[0-9a-fA-F]{32}", account_sid) is None:
            raise ValueError("account_sid must be AC followed by 32 hex digits")
        if not auth_token:
            raise ValueError("auth_token must not be empty")
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.callback_interval = callback_interval
        """Seconds before each automatic status callback."""
        self.auto_callbacks = True
        """Send `delivery` (or a scripted delivery) after each message with a StatusCallback."""
        self.requests: list[ApiRequest] = []
        self.callbacks: list[Callback] = []
        self._delivery: tuple[str, ...] = ("sent", "delivered")
        self._scripts: dict[str, _Delivery] = {}
        self._messages: dict[str, TwilioMessage] = {}
        self._calls: dict[str, TwilioCall] = {}
        self._failures: dict[str, deque[TwilioError]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        self.routes: dict[str, str] = {}
        """Public URL prefix → the address actually called (see `_post_callback`)."""

    # -- set-up and scripting

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, for ``client.api.base_url``."""
        return self._url()

    @property
    def delivery(self) -> list[str]:
        """The statuses reported after each message (default ``sent``, ``delivered``)."""
        return list(self._delivery)

    @delivery.setter
    def delivery(self, statuses: Sequence[str]) -> None:
        self._delivery = _check_statuses(statuses)

    def script_delivery(
        self, to: str, statuses: Sequence[str], *, error_code: int | None = None
    ) -> None:
        """Report `statuses` for every later message to `to` instead of `delivery`.

        `error_code` goes with ``failed`` and ``undelivered`` (default 30008, "Unknown
        error"); e.g. ``script_delivery(to, ["sent", "failed"], error_code=30003)``.
        """
        self._scripts[to] = _Delivery(_check_statuses(statuses), error_code)

    def fail(
        self,
        path_kind: Literal["messages", "calls"] = "messages",
        status: int = 500,
        code: int = 20500,
        message: str = "Internal Server Error",
        times: int = 1,
    ) -> None:
        """Answer the next `times` authenticated requests to `path_kind` with this error."""
        if not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status")
        self._script(path_kind, TwilioError(status, code, message), times)

    def rate_limit(
        self, path_kind: Literal["messages", "calls"] = "messages", times: int = 1
    ) -> None:
        """Answer the next `times` requests to `path_kind` with 429 ``20429``."""
        self._script(path_kind, TwilioError(429, 20429, "Too Many Requests"), times)

    def _script(self, kind: str, error: TwilioError, times: int) -> None:
        if kind not in ("messages", "calls"):
            raise ValueError("path_kind must be 'messages' or 'calls'")
        if times < 1:
            raise ValueError("times must be at least 1")
        self._failures.setdefault(kind, deque()).extend([error] * times)

    def add_call(
        self,
        call_sid: str | None = None,
        from_: str = DEFAULT_CALLER,
        to: str = DEFAULT_NUMBER,
        status: str = "in-progress",
    ) -> str:
        """Register a live inbound call (so UpdateCall and FetchCall find it); return its SID."""
        sid = call_sid if call_sid is not None else new_sid("CA")
        if re.fullmatch(r"CA[0-9a-fA-F]{32}", sid) is None:
            raise ValueError("call_sid must be CA followed by 32 hex digits")
        if status not in CALL_STATUSES:
            raise ValueError(f"status must be one of {sorted(CALL_STATUSES)}")
        now = _now()
        self._calls[sid] = TwilioCall(
            sid=sid,
            account_sid=self.account_sid,
            from_=from_,
            to=to,
            status=status,
            date_created=now,
            date_updated=now,
            start_time=now if status != "queued" else None,
        )
        return sid

    # -- inspection

    def messages(self, to: str | None = None) -> list[TwilioMessage]:
        """The messages created (to `to`, if given), in order."""
        return [m for m in self._messages.values() if to is None or m.to == to]

    def message(self, sid: str) -> TwilioMessage | None:
        return self._messages.get(sid)

    def call(self, sid: str) -> TwilioCall | None:
        return self._calls.get(sid)

    def call_updates(self, call_sid: str) -> list[dict[str, str]]:
        """The parameters of each accepted update of `call_sid`, in order."""
        call = self._calls.get(call_sid)
        return list(call.updates) if call is not None else []

    def _summary(self, last: int = 8) -> str:
        lines = [
            f"{r.method} {r.path} -> {r.status}"
            + (f" {r.body.get('code')}" if r.status >= 400 else "")
            for r in self.requests[-last:]
        ]
        lines += [
            f"callback {c.params.get('MessageStatus')} -> {c.status}" for c in self.callbacks[-3:]
        ]
        return ", ".join(lines) or "none"

    # -- lifecycle

    def _add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/{tail:.*}", self._handle)

    async def start(self) -> None:
        """Serve, and open the client session that status callbacks are posted with."""
        await super().start()
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=_CALLBACK_TIMEOUT)
        )

    async def _stopping(self) -> None:
        # Pending callbacks are cancelled first: they post with the session closed next.
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    # -- HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        record = ApiRequest(
            method=request.method,
            path=request.path,
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
        )
        self.requests.append(record)
        headers = {"Twilio-Request-Id": new_sid("RQ")}
        try:
            if not self._authenticated(request):
                headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
                raise TwilioError(401, 20003, "Authenticate")
            record.params = await _form(request)
            operation, match = _route(request.method, request.path)
            record.operation = operation.operation_id
            if match["AccountSid"] != self.account_sid:
                raise _not_found(request.path)
            failures = self._failures.get(operation.kind)
            if failures:
                raise failures.popleft()
            validate_params(operation, record.params)
            params = {name: values[-1] for name, values in record.params.items()}
            if operation.operation_id == "CreateMessage":
                record.body = self._create_message(record.params, params)
            elif operation.operation_id == "FetchMessage":
                record.body = self._existing_message(match["Sid"], request.path).as_json()
            elif operation.operation_id == "UpdateCall":
                record.body = self._update_call(match["Sid"], request.path, params)
            else:
                record.body = self._existing_call(match["Sid"], request.path).as_json()
            record.status = operation.status
            record.accepted = True
        except TwilioError as error:
            record.status = error.status
            record.body = error.body()
        finally:
            self._changed.set()
        return web.json_response(record.body, status=record.status, headers=headers)

    def _authenticated(self, request: web.Request) -> bool:
        # Decoded by hand: aiohttp 3.14 deprecates BasicAuth.
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return False
        login, colon, password = decoded.partition(":")
        return (
            scheme.lower() == "basic"
            and bool(colon)
            and secrets.compare_digest(login.encode(), self.account_sid.encode())
            and secrets.compare_digest(password.encode(), self.auth_token.encode())
        )

    def _create_message(self, raw: dict[str, list[str]], params: dict[str, str]) -> JSON:
        _check_message(params)
        media = [url for url in raw.get("MediaUrl", []) if url]
        service = params.get("MessagingServiceSid") or None
        if params.get("ScheduleType"):
            status = "scheduled"
        elif service is not None:
            status = "accepted"
        else:
            status = "queued"
        body = params.get("Body", "")
        now = _now()
        message = TwilioMessage(
            sid=new_sid("MM" if media else "SM"),
            account_sid=self.account_sid,
            to=params["To"],
            from_=params.get("From") or None,
            body=body,
            messaging_service_sid=service,
            media_urls=media,
            status_callback=params.get("StatusCallback") or None,
            params={name: list(values) for name, values in raw.items()},
            status=status,
            # "When you use a Messaging Service, num_segments is always 0 in the response".
            num_segments=0 if service is not None else count_segments(body),
            date_created=now,
            date_updated=now,
            statuses=[status],
        )
        self._messages[message.sid] = message
        if self.auto_callbacks and message.status_callback is not None:
            delivery = self._scripts.get(message.to, _Delivery(self._delivery, None))
            task = asyncio.create_task(self._deliver(message.sid, delivery))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return message.as_json()

    def _existing_message(self, sid: str, path: str) -> TwilioMessage:
        message = self._messages.get(sid)
        if message is None:
            raise _not_found(path)
        return message

    def _existing_call(self, sid: str, path: str) -> TwilioCall:
        call = self._calls.get(sid)
        if call is None:
            raise _not_found(path)
        return call

    def _update_call(self, sid: str, path: str, params: dict[str, str]) -> JSON:
        call = self._existing_call(sid, path)
        if not any(params.get(name) for name in ("Url", "Twiml", "Status")):
            raise _invalid("A call update needs Url, Twiml or Status")
        if call.status not in _LIVE_CALL:
            raise _invalid("Call is not in-progress. Cannot redirect.", 21220)
        twiml = params.get("Twiml")
        if twiml:
            _check_twiml(twiml)
            call.twiml = twiml
        if params.get("Url"):
            call.url = params["Url"]
        now = _now()
        status = params.get("Status")
        # "canceled" ends only a call not yet answered; "completed" ends any live call.
        if status == "completed" or (status == "canceled" and call.status != "in-progress"):
            call.status = status
            call.end_time = now
        call.date_updated = now
        call.updates.append(dict(params))
        return call.as_json()

    # -- status callbacks

    async def _deliver(self, sid: str, delivery: _Delivery) -> None:
        for status in delivery.statuses:
            await asyncio.sleep(self.callback_interval)
            await self.send_status(
                sid, status, error_code=delivery.error_code if status in _ERROR_STATUSES else None
            )

    async def send_status(
        self, message_sid: str, status: str, error_code: int | None = None
    ) -> Callback:
        """Move the message to `status` and send its status callback, signed; return it.

        `error_code` only goes with ``failed`` and ``undelivered`` (default 30008).
        """
        message = self._messages.get(message_sid)
        if message is None:
            raise KeyError(f"FakeTwilio has no message {message_sid}")
        if message.status_callback is None:
            raise ValueError(f"message {message_sid} was sent without a StatusCallback")
        (status,) = _check_statuses([status])
        if status in _ERROR_STATUSES:
            error_code = error_code if error_code is not None else _UNKNOWN_DELIVERY_ERROR
        elif error_code is not None:
            raise ValueError("error_code goes only with failed or undelivered")
        now = _now()
        message.status = status
        message.statuses.append(status)
        message.date_updated = now
        message.error_code = error_code
        if status == "sent" and message.date_sent is None:
            message.date_sent = now
        params = {
            "MessageSid": message.sid,
            "MessageStatus": status,
            "AccountSid": message.account_sid,
            "To": message.to,
            "ApiVersion": API_VERSION,
            "SmsSid": message.sid,
            "SmsStatus": status,
        }
        if message.from_ is not None:
            params["From"] = message.from_
        if message.messaging_service_sid is not None:
            params["MessagingServiceSid"] = message.messaging_service_sid
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        return await self._post_callback(message.status_callback, params)

    async def _post_callback(self, url: str, params: dict[str, str]) -> Callback:
        if self._session is None:
            raise RuntimeError("FakeTwilio is not running")
        headers = {
            "Content-Type": _FORM,
            "User-Agent": "TwilioProxy/1.1",
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "X-Twilio-Signature": _signature(self.auth_token, url, params),
        }
        status: int | None = None
        error: str | None = None
        # Twilio calls the public URL; in a test, a router in front of the app is stood in
        # for by `route`, which sends it to the app's real address. The signature stays
        # over the public URL, as the app sees it behind a real router.
        target = url
        for public, actual in self.routes.items():
            if url.startswith(public):
                target = actual + url[len(public) :]
        try:
            async with self._session.post(
                target, data=urlencode(params), headers=headers
            ) as answer:
                await answer.read()
                status = answer.status
        except (aiohttp.ClientError, TimeoutError) as failure:
            error = repr(failure)
        callback = Callback(url=url, params=params, headers=headers, status=status, error=error)
        self.callbacks.append(callback)
        self._changed.set()
        return callback


async def _form(request: web.Request) -> dict[str, list[str]]:
    """The form parameters of a POST (a GET's query string is not read: Fetch has none)."""
    if request.method != "POST":
        return {}
    raw = await request.read()
    if not raw:
        return {}
    if request.content_type != _FORM:
        raise _invalid(f"The body must be {_FORM}, not {request.content_type}")
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        raise _invalid("The body is not valid UTF-8 form data") from None
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def _route(method: str, path: str) -> tuple[Operation, Mapping[str, str]]:
    for operation in OPERATIONS.values():
        match = operation.path_regex.fullmatch(path)
        if match is not None and operation.method == method:
            return operation, match.groupdict()
    raise _not_found(path)


# --- what Twilio sends us -----------------------------------------------------------------


def signed(url: str, params: Mapping[str, str], auth_token: str) -> dict[str, str]:
    """The headers of Twilio's webhook POST of `params` to `url`, signed with `auth_token`.

    The signature is the twilio library's ``RequestValidator.compute_signature`` over `url`
    exactly as given (scheme, host, port and query string) and the parameters. Pass the
    public URL Twilio was configured with: behind a proxy, the app must rebuild that URL,
    not use the one its own server sees.
    """
    return {"X-Twilio-Signature": _signature(auth_token, url, params), "Content-Type": _FORM}


def _country(number: str) -> str:
    try:
        parsed = phonenumbers.parse(number.removeprefix(_WHATSAPP))
    except phonenumbers.NumberParseException:
        return ""
    region = phonenumbers.region_code_for_country_code(parsed.country_code or 0)
    return "" if region == phonenumbers.UNKNOWN_REGION else region


def _geo(prefix: str, number: str) -> dict[str, str]:
    """Twilio's geographic fields; city, state and zip are empty when unknown, as here."""
    return {
        f"{prefix}Country": _country(number),
        f"{prefix}State": "",
        f"{prefix}City": "",
        f"{prefix}Zip": "",
    }


def incoming_sms(
    from_: str,
    to: str,
    body: str,
    *,
    message_sid: str | None = None,
    account_sid: str,
    num_media: int = 0,
    media: Sequence[tuple[str, str]] = (),
    whatsapp: bool = False,
    profile_name: str | None = None,
    messaging_service_sid: str | None = None,
) -> dict[str, str]:
    """The parameters of Twilio's Messaging webhook for a message from `from_` to `to`.

    Sent for SMS/MMS: ``MessageSid``, ``SmsSid``, ``SmsMessageSid`` (the same SID: ``SM``,
    ``MM`` with media), ``AccountSid``, ``MessagingServiceSid`` (only when given), ``From``,
    ``To``, ``Body``, ``NumMedia``, ``NumSegments``, ``SmsStatus`` ``received``,
    ``ApiVersion``, ``MediaUrl{N}`` and ``MediaContentType{N}``, and ``FromCountry``,
    ``FromState``, ``FromCity``, ``FromZip`` and the same for ``To`` (the country from the
    number's calling code, the rest empty as Twilio sends them when unknown).

    `media` is ``(url, content_type)`` pairs; `num_media` above ``len(media)`` adds JPEGs at
    Twilio-style media URLs. With `whatsapp`, both addresses get ``whatsapp:`` and
    ``ProfileName`` and ``WaId`` (the sender's digits) are added.

    Uncertain (from memory of Twilio's webhook pages, not machine-checked): whether the
    geographic fields are sent for WhatsApp (here they are not), and the further WhatsApp
    fields Twilio documents or adds (``MessageType``, ``ChannelMetadata``, ``Forwarded``,
    ``ButtonText``, ``Latitude``/``Longitude``, ...), which are left out. Twilio adds fields
    without notice, so an app must accept unknown ones.
    """
    if num_media < len(media):
        num_media = len(media)
    if whatsapp:
        from_ = from_ if _is_whatsapp(from_) else _WHATSAPP + from_
        to = to if _is_whatsapp(to) else _WHATSAPP + to
    elif _is_whatsapp(from_) or _is_whatsapp(to):
        raise ValueError("use whatsapp=True for whatsapp: addresses")
    sid = message_sid if message_sid is not None else new_sid("MM" if num_media else "SM")
    params: dict[str, str] = {
        "MessageSid": sid,
        "SmsSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": account_sid,
        "From": from_,
        "To": to,
        "Body": body,
        "NumMedia": str(num_media),
        "NumSegments": "1" if whatsapp else str(count_segments(body)),
        "SmsStatus": "received",
        "ApiVersion": API_VERSION,
    }
    if messaging_service_sid is not None:
        params["MessagingServiceSid"] = messaging_service_sid
    base = f"https://api.twilio.com/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}/Media"
    items = list(media) + [
        (f"{base}/{new_sid('ME')}", "image/jpeg") for _ in range(num_media - len(media))
    ]
    for index, (url, content_type) in enumerate(items):
        params[f"MediaUrl{index}"] = url
        params[f"MediaContentType{index}"] = content_type
    if whatsapp:
        params["ProfileName"] = profile_name if profile_name is not None else "Customer"
        params["WaId"] = from_.removeprefix(_WHATSAPP).removeprefix("+")
    else:
        params |= _geo("From", from_) | _geo("To", to)
    return params


def incoming_call(
    from_: str,
    to: str,
    *,
    call_sid: str | None = None,
    account_sid: str,
    forwarded_from: str | None = None,
    caller_name: str | None = None,
) -> dict[str, str]:
    """The parameters of Twilio's Voice webhook for an incoming call from `from_` to `to`.

    ``CallSid``, ``AccountSid``, ``From``, ``To``, ``CallStatus`` ``ringing``, ``Direction``
    ``inbound``, ``ApiVersion``, ``Caller`` and ``Called`` (copies of From and To), the
    geographic fields for ``From``, ``To``, ``Caller`` and ``Called`` (country from the
    calling code, the rest empty), and ``ForwardedFrom`` and ``CallerName`` when given.

    Uncertain (not machine-checked): ``CallToken`` and ``StirVerstat``, which Twilio sends
    on some inbound calls, are left out.
    """
    params: dict[str, str] = {
        "CallSid": call_sid if call_sid is not None else new_sid("CA"),
        "AccountSid": account_sid,
        "From": from_,
        "To": to,
        "Caller": from_,
        "Called": to,
        "CallStatus": "ringing",
        "Direction": "inbound",
        "ApiVersion": API_VERSION,
    }
    for prefix, number in (("From", from_), ("Caller", from_), ("To", to), ("Called", to)):
        params |= _geo(prefix, number)
    if forwarded_from is not None:
        params["ForwardedFrom"] = forwarded_from
    if caller_name is not None:
        params["CallerName"] = caller_name
    return params


def relay_session_ended(
    call_sid: str,
    *,
    handoff_data: str | None,
    account_sid: str,
    session_id: str | None = None,
    status: str = "ended",
    duration: int = 42,
    from_: str = DEFAULT_CALLER,
    to: str = DEFAULT_NUMBER,
    error_code: int | None = None,
    error_message: str | None = None,
) -> dict[str, str]:
    """The parameters Twilio POSTs to ``<Connect action>`` when a ConversationRelay session ends.

    ``AccountSid``, ``CallSid``, ``CallStatus`` ``in-progress`` (the call goes on with the
    TwiML the app answers), ``From``, ``To``, ``Caller``, ``Called``, ``Direction``,
    ``ApiVersion``, ``SessionId`` (``VX...``), ``SessionStatus``, ``SessionDuration``
    (seconds), ``HandoffData`` (the ``end`` message's ``handoffData``, only when there was
    one), and ``ErrorCode``/``ErrorMessage`` when given.

    The list follows Twilio's ``<ConversationRelay>`` documentation page
    (https://www.twilio.com/docs/voice/twiml/connect/conversationrelay) as we know it,
    matched against public integrations; it is not machine-checked, and the values of
    ``SessionStatus`` other than ``ended`` are not known to us.
    """
    params: dict[str, str] = {
        "AccountSid": account_sid,
        "CallSid": call_sid,
        "CallStatus": "in-progress",
        "From": from_,
        "To": to,
        "Caller": from_,
        "Called": to,
        "Direction": "inbound",
        "ApiVersion": API_VERSION,
        "SessionId": session_id if session_id is not None else new_sid("VX"),
        "SessionStatus": status,
        "SessionDuration": str(duration),
    }
    if handoff_data is not None:
        params["HandoffData"] = handoff_data
    if error_code is not None:
        params["ErrorCode"] = str(error_code)
    if error_message is not None:
        params["ErrorMessage"] = error_message
    return params


# --- ConversationRelay --------------------------------------------------------------------

APP_FRAME_TYPES: Final = frozenset({"text", "play", "sendDigits", "language", "end"})
"""The message types an app may send to ConversationRelay."""
_DIGITS: Final = frozenset("0123456789*#")


def check_app_frame(frame: object) -> str | None:
    """What is wrong with a frame the app sent to ConversationRelay, or None.

    Checked: a JSON object whose ``type`` is one of `APP_FRAME_TYPES`; a ``text`` frame has
    a string ``token`` and a boolean ``last``; an ``end`` frame's ``handoffData``, if any,
    is a string. Nothing else: the field names of outgoing frames other than ``type`` and
    ``handoffData`` are unverified against Twilio's page (see ``conversationrelay.md``),
    so ``play``, ``sendDigits`` and ``language`` fields and extra fields pass.
    """
    if not isinstance(frame, dict):
        return "a frame must be a JSON object"
    kind = frame.get("type")
    if kind not in APP_FRAME_TYPES:
        return f"unknown type {kind!r}; expected one of {', '.join(sorted(APP_FRAME_TYPES))}"
    if kind == "text":
        if not isinstance(frame.get("token"), str):
            return "a text frame needs a string token"
        if not isinstance(frame.get("last"), bool):
            return "a text frame needs a boolean last"
    if kind == "end" and "handoffData" in frame and not isinstance(frame["handoffData"], str):
        return "handoffData must be a string"
    return None


class RelayError(Exception):
    """The app broke the ConversationRelay protocol, or the session is over."""


class RelayClosed(RelayError):
    """The WebSocket closed before the frame awaited arrived."""


@dataclass(frozen=True)
class InvalidFrame:
    """A frame the app sent that Twilio would refuse (error 64107), and why."""

    raw: str
    reason: str


_CLOSED: Final = object()


class RelayCaller:
    """Twilio's side of a ConversationRelay WebSocket: a caller talking to the app.

    ``async with RelayCaller(ws_url, auth_token, call_sid=..., from_=..., to=...) as caller``
    connects with ``X-Twilio-Signature`` on the handshake and sends ``setup``. The
    signature is ``RequestValidator.compute_signature(signature_url, {})``: the URL from
    ``<ConversationRelay url>`` (``ws://`` or ``wss://``, default `ws_url`) with no
    parameters, which is how Twilio's page describes signing the WebSocket request. The app
    therefore validates against the ws(s):// URL, not the http:// URL its server reports.

    Every frame from the app is kept in `frames` and checked with `check_app_frame`; a bad
    one is kept in `errors`, answered with an ``error`` frame as Twilio does (its wording
    here is ours), and, with `strict` (the default), raised as `RelayError` by the next
    read. After a valid ``end`` frame the caller closes the WebSocket, as Twilio ends the
    session (`end` holds the frame).
    """

    def __init__(
        self,
        ws_url: str,
        auth_token: str,
        *,
        call_sid: str,
        from_: str,
        to: str,
        custom_parameters: Mapping[str, str] | None = None,
        account_sid: str = TEST_ACCOUNT_SID,
        session_id: str | None = None,
        signature_url: str | None = None,
        direction: str = "inbound",
        strict: bool = True,
    ) -> None:
        self.ws_url = ws_url
        self.signature_url = signature_url if signature_url is not None else ws_url
        self.auth_token = auth_token
        self.strict = strict
        self.setup: JSON = {
            "type": "setup",
            "sessionId": session_id if session_id is not None else new_sid("VX"),
            "accountSid": account_sid,
            "parentCallSid": "",
            "callSid": call_sid,
            "from": from_,
            "to": to,
            "forwardedFrom": "",
            "callType": "PSTN",
            "callerName": "",
            "direction": direction,
            "callStatus": "RINGING",
            "customParameters": dict(custom_parameters or {}),
        }
        """The setup message sent on connecting."""
        self.frames: list[Any] = []
        """Every text frame from the app, parsed (a frame that is not JSON as its text)."""
        self.errors: list[InvalidFrame] = []
        self.end: JSON | None = None
        self._queue: asyncio.Queue[object] = asyncio.Queue()
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None

    # -- lifecycle

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def connect(self) -> None:
        """Open the WebSocket (signed) and send ``setup``; a refused handshake raises
        `aiohttp.WSServerHandshakeError`."""
        if self._session is not None:
            raise RuntimeError("RelayCaller is already connected")
        session = aiohttp.ClientSession()
        signature = _signature(self.auth_token, self.signature_url, {})
        try:
            self._ws = await session.ws_connect(
                self.ws_url, headers={"X-Twilio-Signature": signature}
            )
        except BaseException:
            await session.close()
            raise
        self._session = session
        await self._ws.send_json(self.setup)
        self._reader = asyncio.create_task(self._read(self._ws))

    async def close(self) -> None:
        """Hang up: close the WebSocket (1000) and stop reading."""
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await self._reader
            self._reader = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def closed(self) -> bool:
        return self._ws is None or self._ws.closed

    @property
    def close_code(self) -> int | None:
        return self._ws.close_code if self._ws is not None else None

    # -- what the caller does

    async def say(self, text: str, lang: str = "en-US", last: bool = True) -> None:
        """Send a ``prompt``: the caller said `text` (``last=False`` for a partial one)."""
        await self._send({"type": "prompt", "voicePrompt": text, "lang": lang, "last": last})

    async def press(self, digit: str) -> None:
        """Send a ``dtmf``: the caller pressed `digit`."""
        if digit not in _DIGITS:
            raise ValueError("digit must be one of 0-9, * and #")
        await self._send({"type": "dtmf", "digit": digit})

    async def interrupt(self, utterance_until_interrupt: str, duration_ms: int) -> None:
        """Send an ``interrupt``: the caller spoke over the app after `duration_ms` of it."""
        await self._send(
            {
                "type": "interrupt",
                "utteranceUntilInterrupt": utterance_until_interrupt,
                "durationUntilInterruptMs": duration_ms,
            }
        )

    async def send_error(self, description: str) -> None:
        """Send an ``error`` frame, as Twilio reports a problem to the app."""
        await self._send({"type": "error", "description": description})

    async def _send(self, frame: JSON) -> None:
        if self._ws is None or self._ws.closed:
            raise RelayClosed(f"the WebSocket is closed (code {self.close_code})")
        await self._ws.send_json(frame)

    # -- what the app sends

    async def next_frame(self, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """The next valid frame from the app.

        Raises `RelayError` for an invalid one (with `strict`), `RelayClosed` when the
        WebSocket closes first, `TimeoutError` after `timeout` seconds.
        """
        while True:
            try:
                async with asyncio.timeout(timeout):
                    item = await self._queue.get()
            except TimeoutError:
                raise TimeoutError(
                    f"RelayCaller: no frame from the app in {timeout} s; "
                    f"received so far: {self.frames[-5:]}"
                ) from None
            if item is _CLOSED:
                self._queue.put_nowait(_CLOSED)  # every later read sees it too
                raise RelayClosed(f"the WebSocket closed (code {self.close_code})")
            if isinstance(item, InvalidFrame):
                if self.strict:
                    raise RelayError(f"invalid frame from the app: {item.reason}: {item.raw}")
                continue
            if isinstance(item, dict):
                return item

    async def tokens_until_last(self, timeout: float = 5.0) -> list[JSON]:  # noqa: ASYNC109
        """The ``text`` frames up to and including the first with ``last: true``.

        Other frame types in between are skipped (they stay in `frames`); `timeout` bounds
        the whole wait.
        """
        tokens: list[JSON] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.next_frame(max(deadline - loop.time(), 0.0))
            if frame["type"] != "text":
                continue
            tokens.append(frame)
            if frame["last"]:
                return tokens

    async def _read(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        try:
            async for message in ws:
                if message.type is WSMsgType.TEXT:
                    await self._receive(ws, str(message.data))
                elif message.type is WSMsgType.BINARY:
                    await self._reject(ws, repr(message.data), "binary frames are not accepted")
                elif message.type is WSMsgType.ERROR:
                    break
        finally:
            self._queue.put_nowait(_CLOSED)

    async def _receive(self, ws: aiohttp.ClientWebSocketResponse, data: str) -> None:
        try:
            frame = json.loads(data)
        except ValueError:
            self.frames.append(data)
            await self._reject(ws, data, "not JSON")
            return
        self.frames.append(frame)
        problem = check_app_frame(frame)
        if problem is not None:
            await self._reject(ws, data, problem)
            return
        self._queue.put_nowait(frame)
        if frame["type"] == "end":
            self.end = frame
            await ws.close()

    async def _reject(self, ws: aiohttp.ClientWebSocketResponse, raw: str, reason: str) -> None:
        invalid = InvalidFrame(raw=raw, reason=reason)
        self.errors.append(invalid)
        self._queue.put_nowait(invalid)
        if ws.closed:
            return
        # The app may have hung up meanwhile; the invalid frame is recorded all the same.
        with contextlib.suppress(aiohttp.ClientError, ConnectionError):
            await ws.send_json({"type": "error", "description": f"Invalid message: {reason}"})
