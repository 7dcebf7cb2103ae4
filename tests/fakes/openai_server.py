"""A local fake of the OpenAI Chat Completions API, served over real HTTP.

OpenAI is a provider our tests cannot reach, so `FakeOpenAI` stands in for
``https://api.openai.com/v1`` on 127.0.0.1 (an ephemeral port). Clients reach it exactly
as they reach OpenAI (litellm with ``api_base=fake.base_url``, or ``AsyncOpenAI(base_url=...)``),
so the whole HTTP path -- headers, JSON, server-sent events, status codes -- is exercised.

Endpoints (the ones our code calls):

- ``POST /v1/chat/completions``: a ``chat.completion`` object, or with ``"stream": true``
  ``text/event-stream`` lines ``data: <chat.completion.chunk>`` ending with ``data: [DONE]``.
  The stream is shaped like OpenAI's: the first chunk's delta is
  ``{"role": "assistant", "content": ""}`` (``"content": null`` plus the first tool-call
  header when the answer is only tool calls); then content pieces; then tool-call deltas
  (``index``, ``id``, ``type`` and ``function.name`` with empty ``arguments`` first, then
  ``arguments`` pieces); then an empty delta with ``finish_reason``; with
  ``stream_options.include_usage`` every chunk carries ``"usage": null`` and one more chunk
  with ``"choices": []`` and the ``usage`` follows before ``[DONE]``.
- ``GET /v1/models``: ``{"object": "list", "data": [{"id", "object": "model", ...}]}``.
- Any other URL: 404 ``Invalid URL (METHOD /path)``.

What it checks, as OpenAI does; a failure answers with OpenAI's status and error body
``{"error": {"message", "type", "param", "code"}}``:

- ``Authorization: Bearer <fake.api_key>`` (401 when missing or wrong);
- the body is a JSON object holding only documented parameters, ``model`` is a string and
  ``messages`` a non-empty array (400, ``invalid_request_error``);
- each message has a role among system, user, assistant, tool, developer; system, developer,
  user and tool messages have content (a string or an array of content parts); an assistant
  message may have null or no content only when it has ``tool_calls``; a tool message has a
  ``tool_call_id`` answering a preceding assistant ``tool_calls`` entry, and every tool call
  is answered before the conversation moves on;
- ``tools``, when present, is a non-empty array of
  ``{"type": "function", "function": {"name", "parameters"}}`` with a name of
  ``[a-zA-Z0-9_-]{1,64}`` and an object JSON schema; ``tool_choice`` only with ``tools``;
- ``stream`` is a boolean and ``stream_options`` is sent only when streaming.

What it answers is scripted per model name with `Step`s (`fake.script(model, *steps)`),
consumed in order; a model without steps left gets `fake.responder(body)` when one is set
(a model whose answer depends on what it is asked), else `fake.default` (text "OK"). A step can
answer text and tool calls at a chosen pace, fail with an HTTP status, or hang. Every
request is recorded in `fake.requests`; `fake.calls(model)` counts the requests that passed
authentication and validation and so consumed a step.

Hanging or slow answers end quietly when the client gives up (the handler is cancelled on
disconnect) and at `__aexit__`, which stops the server without leaving tasks behind.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import secrets
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Final, Self

from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

JSON = dict[str, Any]

TEST_API_KEY: Final = "sk-switchboard-test-0123456789abcdef"
"""The key `FakeOpenAI` accepts unless another is given."""

ROLES: Final = ("system", "user", "assistant", "tool", "developer")

# The request parameters of POST /v1/chat/completions (openai-python's
# CompletionCreateParams); OpenAI rejects anything else as an unrecognized argument.
_PARAMETERS: Final = frozenset(
    {
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "max_tokens",
        "messages",
        "metadata",
        "modalities",
        "model",
        "moderation",
        "n",
        "parallel_tool_calls",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "prompt_cache_options",
        "prompt_cache_retention",
        "reasoning_effort",
        "response_format",
        "safety_identifier",
        "seed",
        "service_tier",
        "stop",
        "store",
        "stream",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "user",
        "verbosity",
        "web_search_options",
    }
)
# Which content-part types each role may send in an array `content`.
_PART_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "system": ("text",),
    "developer": ("text",),
    "user": ("text", "image_url", "input_audio", "file"),
    "assistant": ("text", "refusal"),
    "tool": ("text",),
}
_FUNCTION_NAME: Final = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_WORD: Final = re.compile(r"\s*\S+|\s+")
_JSON_TOKEN: Final = re.compile(r"[A-Za-z0-9_.]+|\s+|[^A-Za-z0-9_.\s]+")
_WORDS_PER_PIECE: Final = (2, 1, 3)
_SHUTDOWN_TIMEOUT: Final = 2.0


@dataclass(frozen=True)
class ToolCall:
    """A function call the fake model makes.

    `arguments` given as a dict is sent as its JSON text; given as a str it is sent verbatim,
    so a test can send malformed JSON arguments.
    """

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)

    @property
    def arguments_json(self) -> str:
        """The ``function.arguments`` string sent on the wire."""
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Step:
    """One scripted answer to one chat-completion request.

    - `text`: the assistant's content, streamed in pieces of one to three words.
    - `tool_calls`: function calls, after the text; `finish_reason` is then "tool_calls".
    - `first_token_delay`: seconds between the response headers and the first chunk (without
      streaming: before the whole response).
    - `token_interval`: seconds between chunks (without streaming, added per piece before the
      response).
    - `status`: anything but 200 answers that status with OpenAI's error body for it.
    - `hang`: send the response headers, then nothing until the client gives up.
    - `hang_after`: send this many content or tool-call chunks after the first (role) chunk,
      then stall (without streaming: like `hang`).
    - `usage`: ``(prompt_tokens, completion_tokens)``; by default rough counts from the text.
    - `finish_reason`: by default "tool_calls" when there are tool calls, else "stop".
    """

    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    first_token_delay: float = 0.0
    token_interval: float = 0.0
    status: int = 200
    hang: bool = False
    hang_after: int | None = None
    usage: tuple[int, int] | None = None
    finish_reason: str | None = None

    def __post_init__(self) -> None:
        if self.status != 200 and not 400 <= self.status <= 599:
            raise ValueError(f"status must be 200 or an error status, not {self.status}")
        if self.first_token_delay < 0 or self.token_interval < 0:
            raise ValueError("delays cannot be negative")
        if self.hang_after is not None and self.hang_after < 0:
            raise ValueError("hang_after cannot be negative")


@dataclass
class RecordedRequest:
    """One HTTP request the fake received, and how it answered."""

    method: str
    path: str
    headers: CIMultiDictProxy[str]
    body: Any = None
    """The parsed JSON body; None when there was none or it was not JSON."""
    raw: bytes = b""
    status: int = 0
    """The HTTP status answered (200 for a stream that started)."""
    accepted: bool = False
    """Passed authentication and validation, and so consumed a step."""

    @property
    def model(self) -> str | None:
        if isinstance(self.body, dict) and isinstance(self.body.get("model"), str):
            model: str = self.body["model"]
            return model
        return None


class ApiError(Exception):
    """An error answer, in OpenAI's shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code

    def body(self) -> JSON:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


class _Stop(Exception):
    """The fake is shutting down: end the answer now."""


def scripted_error(status: int, model: str) -> ApiError:
    """The error OpenAI answers with for `status`."""
    if status == 400:
        return ApiError(400, "Invalid request (scripted by the test).")
    if status == 401:
        return ApiError(
            401,
            "Incorrect API key provided. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            code="invalid_api_key",
        )
    if status == 403:
        return ApiError(
            403,
            "Country, region, or territory not supported",
            type="request_forbidden",
            code="unsupported_country_region_territory",
        )
    if status == 404:
        return ApiError(
            404,
            f"The model `{model}` does not exist or you do not have access to it.",
            code="model_not_found",
        )
    if status == 429:
        return ApiError(
            429,
            f"Rate limit reached for {model} on requests per min (RPM): Limit 3, Used 3, "
            "Requested 1. Please try again in 20s.",
            type="requests",
            code="rate_limit_exceeded",
        )
    if status == 503:
        return ApiError(503, "The server is overloaded or not ready yet.", type="server_error")
    if status >= 500:
        return ApiError(
            status,
            "The server had an error while processing your request. Sorry about that!",
            type="server_error",
        )
    return ApiError(status, f"Request failed with status {status}.")


# --- request validation -----------------------------------------------------------------


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "decimal"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _wrong_type(param: str, expected: str, value: Any) -> ApiError:
    return ApiError(
        400,
        f"Invalid type for '{param}': expected {expected}, but got {_json_type(value)} instead.",
        param=param,
        code="invalid_type",
    )


def _missing(param: str) -> ApiError:
    return ApiError(
        400,
        f"Missing required parameter: '{param}'.",
        param=param,
        code="missing_required_parameter",
    )


def _empty_array(param: str) -> ApiError:
    return ApiError(
        400,
        f"Invalid '{param}': empty array. Expected an array with minimum length 1, "
        "but got an empty array instead.",
        param=param,
        code="empty_array",
    )


def _bad_value(param: str, value: Any, supported: Iterable[str]) -> ApiError:
    names = [f"'{name}'" for name in supported]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f", and {names[-1]}"
    return ApiError(
        400,
        f"Invalid value: '{value}'. Supported values are: {listed}.",
        param=param,
        code="invalid_value",
    )


def validate_chat_request(body: Any) -> None:
    """Raise the `ApiError` OpenAI would answer for this request body, if any."""
    if not isinstance(body, dict):
        raise _wrong_type("body", "an object", body)
    for name in body:
        if name not in _PARAMETERS:
            raise ApiError(400, f"Unrecognized request argument supplied: {name}")
    if "model" not in body:
        raise ApiError(400, "you must provide a model parameter")
    if not isinstance(body["model"], str):
        raise _wrong_type("model", "a string", body["model"])
    if "messages" not in body:
        raise _missing("messages")
    messages = body["messages"]
    if not isinstance(messages, list):
        raise _wrong_type("messages", "an array", messages)
    if not messages:
        raise _empty_array("messages")
    _validate_messages(messages)
    _validate_tools(body)
    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        raise _wrong_type("stream", "a boolean", stream)
    options = body.get("stream_options")
    if options is not None:
        if not stream:
            raise ApiError(
                400,
                "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                param="stream_options",
            )
        if not isinstance(options, dict):
            raise _wrong_type("stream_options", "an object", options)
        include_usage = options.get("include_usage")
        if include_usage is not None and not isinstance(include_usage, bool):
            raise _wrong_type("stream_options.include_usage", "a boolean", include_usage)


def _validate_messages(messages: list[Any]) -> None:
    unanswered: dict[str, int] = {}  # tool_call id -> index of the assistant message
    for index, message in enumerate(messages):
        where = f"messages[{index}]"
        if not isinstance(message, dict):
            raise _wrong_type(where, "an object", message)
        if "role" not in message:
            raise _missing(f"{where}.role")
        role = message["role"]
        if role not in ROLES:
            raise _bad_value(f"{where}.role", role, ROLES)
        if role != "tool" and unanswered:
            raise _unanswered(unanswered)
        name = message.get("name")
        if name is not None and not isinstance(name, str):
            raise _wrong_type(f"{where}.name", "a string", name)
        if role == "assistant":
            calls = _validate_assistant(message, index)
            unanswered = {call_id: index for call_id in calls}
            continue
        if "content" not in message:
            raise _missing(f"{where}.content")
        _validate_content(message["content"], role, where)
        if role == "tool":
            call_id = message.get("tool_call_id")
            if call_id is None:
                raise _missing(f"{where}.tool_call_id")
            if not isinstance(call_id, str):
                raise _wrong_type(f"{where}.tool_call_id", "a string", call_id)
            if unanswered.pop(call_id, None) is None:
                raise ApiError(
                    400,
                    # OpenAI's wording, spelling included.
                    "Invalid parameter: messages with role 'tool' must be a response to a "
                    "preceeding message with 'tool_calls'.",
                    param=f"messages.[{index}].role",
                )
    if unanswered:
        raise _unanswered(unanswered)


def _unanswered(unanswered: dict[str, int]) -> ApiError:
    index = min(unanswered.values())
    return ApiError(
        400,
        "An assistant message with 'tool_calls' must be followed by tool messages responding "
        "to each 'tool_call_id'. The following tool_call_ids did not have response messages: "
        + ", ".join(unanswered),
        param=f"messages.[{index}].role",
    )


def _validate_assistant(message: JSON, index: int) -> list[str]:
    """Check an assistant message; return the ids of its tool calls."""
    where = f"messages[{index}]"
    calls = message.get("tool_calls")
    ids: list[str] = []
    if calls is not None:
        if not isinstance(calls, list):
            raise _wrong_type(f"{where}.tool_calls", "an array", calls)
        if not calls:
            raise _empty_array(f"{where}.tool_calls")
        for number, call in enumerate(calls):
            ids.append(_validate_tool_call(call, f"{where}.tool_calls[{number}]"))
    content = message.get("content")
    if content is None:
        if not ids and message.get("function_call") is None:
            raise ApiError(
                400,
                "Invalid value for 'content': expected a string, got null.",
                param=f"messages.[{index}].content",
            )
    else:
        _validate_content(content, "assistant", where)
    return ids


def _validate_tool_call(call: Any, where: str) -> str:
    if not isinstance(call, dict):
        raise _wrong_type(where, "an object", call)
    for key in ("id", "type", "function"):
        if key not in call:
            raise _missing(f"{where}.{key}")
    if not isinstance(call["id"], str):
        raise _wrong_type(f"{where}.id", "a string", call["id"])
    if call["type"] != "function":
        raise _bad_value(f"{where}.type", call["type"], ("function",))
    function = call["function"]
    if not isinstance(function, dict):
        raise _wrong_type(f"{where}.function", "an object", function)
    for key in ("name", "arguments"):
        if key not in function:
            raise _missing(f"{where}.function.{key}")
        if not isinstance(function[key], str):
            raise _wrong_type(f"{where}.function.{key}", "a string", function[key])
    call_id: str = call["id"]
    return call_id


def _validate_content(content: Any, role: str, where: str) -> None:
    param = f"{where}.content"
    if isinstance(content, str):
        return
    if not isinstance(content, list):
        raise _wrong_type(param, "one of a string or array of objects", content)
    allowed = _PART_TYPES[role]
    for number, part in enumerate(content):
        at = f"{param}[{number}]"
        if not isinstance(part, dict):
            raise _wrong_type(at, "an object", part)
        if "type" not in part:
            raise _missing(f"{at}.type")
        if part["type"] not in allowed:
            raise _bad_value(f"{at}.type", part["type"], allowed)
        if part["type"] in ("text", "refusal"):
            key = part["type"]
            if key not in part:
                raise _missing(f"{at}.{key}")
            if not isinstance(part[key], str):
                raise _wrong_type(f"{at}.{key}", "a string", part[key])


def _validate_tools(body: JSON) -> None:
    tools = body.get("tools")
    if tools is None:
        if body.get("tool_choice") is not None:
            raise ApiError(
                400,
                "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' "
                "are specified.",
                param="tool_choice",
            )
        return
    if not isinstance(tools, list):
        raise _wrong_type("tools", "an array", tools)
    if not tools:
        raise _empty_array("tools")
    for number, tool in enumerate(tools):
        where = f"tools[{number}]"
        if not isinstance(tool, dict):
            raise _wrong_type(where, "an object", tool)
        if "type" not in tool:
            raise _missing(f"{where}.type")
        if tool["type"] != "function":
            raise _bad_value(f"{where}.type", tool["type"], ("function",))
        if "function" not in tool:
            raise _missing(f"{where}.function")
        function = tool["function"]
        if not isinstance(function, dict):
            raise _wrong_type(f"{where}.function", "an object", function)
        if "name" not in function:
            raise _missing(f"{where}.function.name")
        name = function["name"]
        if not isinstance(name, str):
            raise _wrong_type(f"{where}.function.name", "a string", name)
        if not _FUNCTION_NAME.fullmatch(name):
            raise ApiError(
                400,
                f"Invalid '{where}.function.name': string does not match pattern. Expected a "
                "string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.",
                param=f"{where}.function.name",
                code="invalid_value",
            )
        _validate_schema(function.get("parameters"), name, f"{where}.function.parameters")
    choice = body.get("tool_choice")
    if not isinstance(choice, dict | None) and choice not in ("none", "auto", "required"):
        raise _bad_value("tool_choice", choice, ("none", "auto", "required"))


def _validate_schema(schema: Any, name: str, param: str) -> None:
    if schema is None or schema == {}:
        return  # no parameters: a function without arguments
    if not isinstance(schema, dict):
        raise _wrong_type(param, "an object", schema)
    if schema.get("type") != "object":
        raise ApiError(
            400,
            f"Invalid schema for function '{name}': schema must be a JSON Schema of "
            f"'type: \"object\"', got 'type: \"{schema.get('type')}\"'.",
            param=param,
            code="invalid_function_parameters",
        )


# --- answers ------------------------------------------------------------------------------


def text_pieces(text: str) -> list[str]:
    """Split `text` into pieces of one to three words that join back to it exactly."""
    words = _WORD.findall(text)
    pieces: list[str] = []
    at = 0
    while at < len(words):
        size = _WORDS_PER_PIECE[len(pieces) % len(_WORDS_PER_PIECE)]
        pieces.append("".join(words[at : at + size]))
        at += size
    return pieces


def argument_pieces(arguments: str) -> list[str]:
    """Split JSON text like the model's tokens (``{"``, ``city``, ``":"``, ...)."""
    return _JSON_TOKEN.findall(arguments)


def _estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def estimate_usage(body: JSON, step: Step) -> JSON:
    """The ``usage`` object: the step's counts, or rough ones (about four characters a token)."""
    if step.usage is not None:
        prompt, completion = step.usage
    else:
        prompt = 3 + sum(
            4 + _estimate_tokens(_content_text(message.get("content")))
            for message in body["messages"]
        )
        completion = _estimate_tokens(step.text) + sum(
            _estimate_tokens(call.name + call.arguments_json) for call in step.tool_calls
        )
        completion = max(completion, 1)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def _finish_reason(step: Step) -> str:
    if step.finish_reason is not None:
        return step.finish_reason
    return "tool_calls" if step.tool_calls else "stop"


def _call_id() -> str:
    return "call_" + secrets.token_urlsafe(18).replace("-", "x").replace("_", "y")[:24]


class _Answer:
    """The chunks (or the completion) for one step, sharing one id and timestamp."""

    def __init__(self, body: JSON, step: Step) -> None:
        self.body = body
        self.step = step
        self.id = "chatcmpl-" + secrets.token_hex(14)
        self.created = int(time.time())
        self.model: str = body["model"]
        self.call_ids = [_call_id() for _ in step.tool_calls]
        options = body.get("stream_options") or {}
        self.include_usage = bool(options.get("include_usage"))

    def completion(self) -> JSON:
        message: JSON = {
            "role": "assistant",
            "content": self.step.text or None,
            "refusal": None,
            "annotations": [],
        }
        if self.step.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments_json},
                }
                for call_id, call in zip(self.call_ids, self.step.tool_calls, strict=True)
            ]
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": _finish_reason(self.step),
                }
            ],
            "usage": estimate_usage(self.body, self.step),
            "service_tier": "default",
            "system_fingerprint": "fp_fake0penai",
        }

    def chunk(self, delta: JSON, finish_reason: str | None = None) -> JSON:
        chunk: JSON = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "service_tier": "default",
            "system_fingerprint": "fp_fake0penai",
            "choices": [
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            ],
        }
        if self.include_usage:
            chunk["usage"] = None
        return chunk

    def first_and_pieces(self) -> tuple[JSON, list[JSON]]:
        """The role chunk, and the content and tool-call chunks that follow it."""
        step = self.step
        headers = [
            {
                "index": number,
                "id": call_id,
                "type": "function",
                "function": {"name": call.name, "arguments": ""},
            }
            for number, (call_id, call) in enumerate(
                zip(self.call_ids, step.tool_calls, strict=True)
            )
        ]
        pieces = [self.chunk({"content": piece}) for piece in text_pieces(step.text)]
        first: JSON = {"role": "assistant", "content": "", "refusal": None}
        for number, call in enumerate(step.tool_calls):
            if number == 0 and not step.text:
                # Only tool calls: OpenAI puts the first call's header in the role chunk.
                first = {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [headers[0]],
                    "refusal": None,
                }
            else:
                pieces.append(self.chunk({"tool_calls": [headers[number]]}))
            pieces.extend(
                self.chunk({"tool_calls": [{"index": number, "function": {"arguments": part}}]})
                for part in argument_pieces(call.arguments_json)
            )
        return self.chunk(first), pieces

    def last(self) -> list[JSON]:
        """The finish chunk and, when asked for, the usage chunk."""
        chunks = [self.chunk({}, _finish_reason(self.step))]
        if self.include_usage:
            usage = self.chunk({})
            usage["choices"] = []
            usage["usage"] = estimate_usage(self.body, self.step)
            chunks.append(usage)
        return chunks


def _event(data: JSON | str) -> bytes:
    text = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    return f"data: {text}\n\n".encode()


def _mask(key: str) -> str:
    if len(key) <= 8:
        return "*" * len(key)
    return key[:3] + "*" * (len(key) - 7) + key[-4:]


# --- the server ---------------------------------------------------------------------------


class FakeOpenAI:
    """The fake API server: ``async with FakeOpenAI() as fake: ...``."""

    def __init__(
        self, *, api_key: str = TEST_API_KEY, models: Iterable[str] = ("gpt-4o-mini",)
    ) -> None:
        self.api_key = api_key
        self.default = Step(text="OK")
        self.responder: Callable[[JSON], Step] | None = None
        self.requests: list[RecordedRequest] = []
        self._models: dict[str, None] = dict.fromkeys(models)
        self._scripts: dict[str, deque[Step]] = {}
        self._calls: Counter[str] = Counter()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._closing = asyncio.Event()

    # -- scripting and inspection

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``, for ``api_base``/``base_url``."""
        if self._port is None:
            raise RuntimeError("FakeOpenAI is not running; use `async with FakeOpenAI()`")
        return f"http://127.0.0.1:{self._port}/v1"

    def script(self, model: str, *steps: Step) -> None:
        """Queue answers for `model`, used one per request in order."""
        self._scripts.setdefault(model, deque()).extend(steps)
        self._models.setdefault(model, None)

    def remaining(self, model: str) -> int:
        """How many scripted steps for `model` are still unused."""
        return len(self._scripts.get(model, ()))

    def calls(self, model: str) -> int:
        """Requests for `model` that passed authentication and validation."""
        return self._calls[model]

    def chat_requests(self, model: str | None = None) -> list[JSON]:
        """The accepted chat-completion bodies, optionally for one model."""
        return [
            record.body
            for record in self.requests
            if record.accepted and (model is None or record.model == model)
        ]

    def reset(self) -> None:
        """Forget scripts, recorded requests and counts; restore the default step."""
        self.default = Step(text="OK")
        self.responder = None
        self.requests.clear()
        self._scripts.clear()
        self._calls.clear()

    # -- lifecycle

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        if self._runner is not None:
            raise RuntimeError("FakeOpenAI is already running")
        self._closing = asyncio.Event()
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat_completions)
        app.router.add_get("/v1/models", self._list_models)
        app.router.add_route("*", "/{tail:.*}", self._invalid_url)
        runner = web.AppRunner(
            app,
            handle_signals=False,
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=_SHUTDOWN_TIMEOUT,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            self._port = int(runner.addresses[0][1])
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner

    async def close(self) -> None:
        """Stop serving: end stalled answers, close connections, wait for handlers."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing.set()
        await runner.cleanup()
        self._port = None

    # -- handlers

    async def _record(self, request: web.Request) -> RecordedRequest:
        record = RecordedRequest(
            method=request.method,
            path=request.path,
            headers=CIMultiDictProxy(CIMultiDict(request.headers)),
        )
        self.requests.append(record)
        record.raw = await request.read()
        if record.raw:
            try:
                record.body = json.loads(record.raw)
            except ValueError:
                record.body = None
        return record

    def _authorize(self, request: web.Request) -> None:
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            raise ApiError(
                401,
                "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), "
                "or as the password field (with blank username) if you're accessing the API "
                "from your browser and are prompted for a username and password. You can "
                "obtain an API key from https://platform.openai.com/account/api-keys.",
            )
        if not secrets.compare_digest(key, self.api_key):
            raise ApiError(
                401,
                f"Incorrect API key provided: {_mask(key)}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                code="invalid_api_key",
            )

    @staticmethod
    def _headers() -> dict[str, str]:
        return {"x-request-id": "req_" + secrets.token_hex(16), "openai-version": "2020-10-01"}

    def _reject(self, record: RecordedRequest, error: ApiError) -> web.Response:
        record.status = error.status
        return web.json_response(error.body(), status=error.status, headers=self._headers())

    async def _invalid_url(self, request: web.Request) -> web.StreamResponse:
        record = await self._record(request)
        return self._reject(
            record, ApiError(404, f"Invalid URL ({request.method} {request.path})")
        )

    async def _list_models(self, request: web.Request) -> web.StreamResponse:
        record = await self._record(request)
        try:
            self._authorize(request)
        except ApiError as error:
            return self._reject(record, error)
        record.status = 200
        data = [
            {"id": model, "object": "model", "created": 1_700_000_000, "owned_by": "openai"}
            for model in self._models
        ]
        return web.json_response({"object": "list", "data": data}, headers=self._headers())

    async def _chat_completions(self, request: web.Request) -> web.StreamResponse:
        record = await self._record(request)
        try:
            self._authorize(request)
            if record.body is None:
                raise ApiError(
                    400,
                    "We could not parse the JSON body of your request. (HINT: This likely means "
                    "you aren't using your HTTP library correctly. The OpenAI API expects a JSON "
                    "payload, but what was sent was not valid JSON. If you have trouble figuring "
                    "out how to fix this, please contact us through our help center at "
                    "help.openai.com.)",
                )
            validate_chat_request(record.body)
        except ApiError as error:
            return self._reject(record, error)
        body: JSON = record.body
        model: str = body["model"]
        record.accepted = True
        self._calls[model] += 1
        self._models.setdefault(model, None)
        script = self._scripts.get(model)
        if script:
            step = script.popleft()
        elif self.responder is not None:
            step = self.responder(body)
        else:
            step = self.default
        if step.status != 200:
            return self._reject(record, scripted_error(step.status, model))
        record.status = 200
        answer = _Answer(body, step)
        if body.get("stream"):
            return await self._stream(request, answer)
        return await self._complete(request, answer)

    async def _complete(self, request: web.Request, answer: _Answer) -> web.StreamResponse:
        step = answer.step
        if step.hang or step.hang_after is not None:
            # The body only ever goes out whole, so stalling mid-answer is stalling after
            # the headers.
            response = web.StreamResponse(
                headers={**self._headers(), "Content-Type": "application/json"}
            )
            try:
                await response.prepare(request)
                await self._stall()
            except (_Stop, ConnectionResetError):
                pass
            return response
        pieces = len(text_pieces(step.text))
        try:
            await self._pause(step.first_token_delay + step.token_interval * max(pieces - 1, 0))
        except _Stop:
            return web.json_response(
                scripted_error(503, answer.model).body(), status=503, headers=self._headers()
            )
        return web.json_response(answer.completion(), headers=self._headers())

    async def _stream(self, request: web.Request, answer: _Answer) -> web.StreamResponse:
        step = answer.step
        response = web.StreamResponse(
            headers={
                **self._headers(),
                "Content-Type": "text/event-stream; charset=utf-8",
                "Cache-Control": "no-cache",
            }
        )
        try:
            await response.prepare(request)
            if step.hang:
                await self._stall()
            first, pieces = answer.first_and_pieces()
            await self._pause(step.first_token_delay)
            await response.write(_event(first))
            for sent, piece in enumerate(pieces):
                if sent == step.hang_after:
                    await self._stall()
                if sent:
                    await self._pause(step.token_interval)
                await response.write(_event(piece))
            if step.hang_after is not None:
                await self._stall()
            await self._pause(step.token_interval)
            for chunk in answer.last():
                await response.write(_event(chunk))
            await response.write(_event("[DONE]"))
            await response.write_eof()
        except (_Stop, ConnectionResetError):
            pass  # shutting down, or the client went away: nothing to tell anyone
        return response

    async def _pause(self, seconds: float) -> None:
        """Sleep, unless the fake shuts down meanwhile (then raise `_Stop`)."""
        if seconds <= 0:
            return
        try:
            async with asyncio.timeout(seconds):
                await self._closing.wait()
        except TimeoutError:
            return
        raise _Stop

    async def _stall(self) -> None:
        """Send nothing more until the client disconnects or the fake shuts down."""
        await self._closing.wait()
        raise _Stop
