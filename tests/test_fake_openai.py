"""The fake OpenAI server answers like the API, driven over real HTTP by litellm and openai.

Every test starts `FakeOpenAI` on 127.0.0.1 and calls it the way production code calls
OpenAI: `litellm.acompletion(model="openai/<name>", api_base=..., api_key=...)`, or the
openai SDK's `AsyncOpenAI`. Retries are off (`num_retries=0`, `max_retries=0`) so each
call is one request.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import time
from collections.abc import AsyncIterator
from typing import Any

os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # no cost-map download at import

import aiohttp
import litellm
import pytest
from litellm.exceptions import (
    AuthenticationError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    ServiceUnavailableError,
)
from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER
from litellm.litellm_core_utils.streaming_handler import CustomStreamWrapper
from litellm.llms.custom_httpx.async_client_cleanup import close_litellm_async_clients
from litellm.types.utils import (
    ChatCompletionDeltaToolCall,
    ChatCompletionMessageToolCall,
    ModelResponse,
    ModelResponseStream,
)
from openai import AsyncOpenAI

from tests.fakes.openai_server import FakeOpenAI, Step, ToolCall

# The warnings litellm 1.106 causes under `filterwarnings = error` are filtered,
# narrowly, in pyproject.toml.

MODEL = "gpt-test"
HELLO = "Hello! I can help you track your order, change it, or start a return."
TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "lookup_order",
            "description": "Find an order by its number.",
            "parameters": {
                "type": "object",
                "properties": {"order_id": {"type": "string"}},
                "required": ["order_id"],
            },
        },
    }
]
USER = [{"role": "user", "content": "Where is my order?"}]


async def _settle_litellm() -> None:
    """Finish what litellm leaves running after a call, on this test's event loop.

    litellm fires logging tasks (asyncio.create_task) when a call or a stream ends, starts
    a global LoggingWorker task on the loop, and caches one HTTP client per event loop.
    Let the fire-and-forget tasks finish, stop the worker, and close the cached clients, so
    the loop closes with nothing pending and no unclosed session is garbage-collected later.
    """
    current = asyncio.current_task()
    worker = GLOBAL_LOGGING_WORKER._worker_task
    pending = [task for task in asyncio.all_tasks() if task not in (current, worker)]
    if pending:
        await asyncio.wait(pending, timeout=2)
    await GLOBAL_LOGGING_WORKER.flush()
    await GLOBAL_LOGGING_WORKER.stop()
    await close_litellm_async_clients()  # type: ignore[no-untyped-call]
    litellm.in_memory_llm_clients_cache.flush_cache()  # type: ignore[no-untyped-call]


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeOpenAI]:
    # Without it litellm prints a "Give Feedback / Get Help" banner on every exception.
    monkeypatch.setattr(litellm, "suppress_debug_info", True)
    async with FakeOpenAI() as server:
        yield server
    await _settle_litellm()


def _via(fake: FakeOpenAI, **extra: Any) -> dict[str, Any]:
    """The keyword arguments that send a litellm call to the fake, with retries off."""
    return {
        "model": f"openai/{MODEL}",
        "api_base": fake.base_url,
        "api_key": fake.api_key,
        "num_retries": 0,
        "max_retries": 0,
        "messages": USER,
        **extra,
    }


async def _stream(fake: FakeOpenAI, **extra: Any) -> list[ModelResponseStream]:
    response = await litellm.acompletion(
        **_via(fake, stream=True, stream_options={"include_usage": True}, **extra)
    )
    assert isinstance(response, CustomStreamWrapper)
    return [chunk async for chunk in response]


async def _complete(fake: FakeOpenAI, **extra: Any) -> ModelResponse:
    response = await litellm.acompletion(**_via(fake, **extra))
    assert isinstance(response, ModelResponse)
    return response


async def _call(fake: FakeOpenAI, **extra: Any) -> None:
    """Make a call and read a streamed answer to its end."""
    response = await litellm.acompletion(**_via(fake, **extra))
    if isinstance(response, CustomStreamWrapper):
        async for _ in response:
            pass


async def _read_within(seconds: float, fake: FakeOpenAI, into: list[str]) -> None:
    """Stream an answer into `into`, giving up after `seconds` (raising TimeoutError)."""
    async with asyncio.timeout(seconds):
        response = await litellm.acompletion(**_via(fake, stream=True))
        assert isinstance(response, CustomStreamWrapper)
        async for chunk in response:
            if chunk.choices and chunk.choices[0].delta.content:
                into.append(chunk.choices[0].delta.content)


def _contents(chunks: list[ModelResponseStream]) -> list[str]:
    return [
        chunk.choices[0].delta.content
        for chunk in chunks
        if chunk.choices and chunk.choices[0].delta.content
    ]


def _finish_reasons(chunks: list[ModelResponseStream]) -> list[str]:
    return [
        chunk.choices[0].finish_reason
        for chunk in chunks
        if chunk.choices and chunk.choices[0].finish_reason
    ]


def _tool_calls(chunks: list[ModelResponseStream]) -> list[dict[str, str]]:
    """Reassemble streamed tool calls by index: id and name come first, arguments in pieces."""
    calls: dict[int, dict[str, str]] = {}
    for chunk in chunks:
        if not chunk.choices or not chunk.choices[0].delta.tool_calls:
            continue
        for delta in chunk.choices[0].delta.tool_calls:
            assert isinstance(delta, ChatCompletionDeltaToolCall)
            call = calls.setdefault(delta.index, {"id": "", "name": "", "arguments": ""})
            if delta.id:
                call["id"] = delta.id
            if delta.function.name:
                call["name"] = delta.function.name
            call["arguments"] += delta.function.arguments or ""
    return [calls[index] for index in sorted(calls)]


async def _post(fake: FakeOpenAI, body: object, **headers: str) -> tuple[int, Any]:
    """POST a chat completion over plain HTTP, to see the exact status and error body."""
    auth = {"Authorization": f"Bearer {fake.api_key}"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{fake.base_url}/chat/completions",
            data=body if isinstance(body, bytes) else json.dumps(body),
            headers={**auth, "Content-Type": "application/json", **headers},
        ) as response,
    ):
        return response.status, await response.json()


# --- streaming ----------------------------------------------------------------------------


async def test_streamed_text_arrives_in_pieces_and_joins_to_the_script(
    fake: FakeOpenAI,
) -> None:
    fake.script(MODEL, Step(text=HELLO, usage=(21, 17)))

    chunks = await _stream(fake)

    pieces = _contents(chunks)
    assert len(pieces) >= 4
    assert all(1 <= len(piece.split()) <= 3 for piece in pieces)
    assert "".join(pieces) == HELLO
    assert chunks[0].choices[0].delta.role == "assistant"
    assert _finish_reasons(chunks) == ["stop"]
    assert {chunk.id for chunk in chunks} == {chunks[0].id}
    assert chunks[0].id.startswith("chatcmpl-")


async def test_usage_arrives_on_the_last_chunk(fake: FakeOpenAI) -> None:
    fake.script(MODEL, Step(text=HELLO, usage=(21, 17)))

    chunks = await _stream(fake)

    # Up to litellm 1.106 the usage chunk came out with one empty choice invented by
    # litellm; since 1.110 it is passed on as OpenAI sends it: `choices` empty, `usage`
    # set, and only on that last chunk. Readers must not assume a chunk has a choice.
    usage = getattr(chunks[-1], "usage", None)
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (21, 17, 38)
    assert chunks[-1].choices == []
    assert [chunk for chunk in chunks[:-1] if getattr(chunk, "usage", None)] == []


async def test_usage_defaults_to_rough_counts(fake: FakeOpenAI) -> None:
    fake.script(MODEL, Step(text=HELLO))

    usage = getattr((await _stream(fake))[-1], "usage", None)

    assert usage is not None
    assert usage.prompt_tokens > 0
    assert usage.completion_tokens == math.ceil(len(HELLO) / 4)


async def test_pacing_first_token_delay_and_interval(fake: FakeOpenAI) -> None:
    script = Step(text="one two three four five six", first_token_delay=0.3, token_interval=0.1)
    fake.script(MODEL, script)
    started = time.monotonic()
    response = await litellm.acompletion(**_via(fake, stream=True))
    assert isinstance(response, CustomStreamWrapper)
    arrivals: list[float] = []
    async for chunk in response:
        if chunk.choices and chunk.choices[0].delta.content:
            arrivals.append(time.monotonic() - started)

    assert len(arrivals) == 3  # "one two", " three", " four five six"
    assert arrivals[0] >= 0.3
    assert arrivals[-1] - arrivals[0] >= 0.2 - 0.01  # two intervals between three pieces


async def test_steps_are_used_in_order_then_the_default(fake: FakeOpenAI) -> None:
    fake.script(MODEL, Step(text="first"), Step(text="second"))

    answers = [(await _complete(fake)).choices[0].message.content for _ in range(3)]

    assert answers == ["first", "second", "OK"]
    assert fake.calls(MODEL) == 3
    assert fake.remaining(MODEL) == 0


# --- tool calls ---------------------------------------------------------------------------


async def test_tool_call_without_streaming(fake: FakeOpenAI) -> None:
    fake.script(MODEL, Step(tool_calls=[ToolCall("lookup_order", {"order_id": "A-17"})]))

    # litellm 1.106 imports its MCP gateway whenever `tools` is passed, which needs the
    # `mcp` package (litellm[mcp]); without it the call fails with APIConnectionError
    # "No module named 'mcp'". `_skip_mcp_handler=True` skips that import.
    response = await _complete(fake, tools=TOOLS, _skip_mcp_handler=True)

    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    assert choice.message.tool_calls is not None
    [call] = choice.message.tool_calls
    assert isinstance(call, ChatCompletionMessageToolCall)
    assert call.function.name == "lookup_order"
    assert json.loads(call.function.arguments) == {"order_id": "A-17"}
    assert call.id.startswith("call_")
    assert fake.requests[-1].body["tools"] == TOOLS


async def test_streamed_tool_calls_reassemble(fake: FakeOpenAI) -> None:
    fake.script(
        MODEL,
        Step(
            text="Let me look that up.",
            tool_calls=[
                ToolCall("lookup_order", {"order_id": "A-17", "verbose": True}),
                ToolCall("lookup_order", '{"order_id": "B-'),  # malformed on purpose
            ],
        ),
    )

    chunks = await _stream(fake, tools=TOOLS, _skip_mcp_handler=True)

    assert "".join(_contents(chunks)) == "Let me look that up."
    calls = _tool_calls(chunks)
    assert [call["name"] for call in calls] == ["lookup_order", "lookup_order"]
    assert json.loads(calls[0]["arguments"]) == {"order_id": "A-17", "verbose": True}
    assert calls[1]["arguments"] == '{"order_id": "B-'
    assert all(call["id"].startswith("call_") for call in calls)
    assert calls[0]["id"] != calls[1]["id"]
    argument_chunks = [
        chunk for chunk in chunks if chunk.choices and chunk.choices[0].delta.tool_calls
    ]
    assert len(argument_chunks) > 4  # headers first, then the arguments in pieces
    assert _finish_reasons(chunks) == ["tool_calls"]


async def test_tool_only_answer_streams_the_first_call_with_the_role(fake: FakeOpenAI) -> None:
    fake.script(MODEL, Step(tool_calls=[ToolCall("lookup_order", {"order_id": "C-3"})]))

    chunks = await _stream(fake, tools=TOOLS, _skip_mcp_handler=True)

    assert _contents(chunks) == []
    first = chunks[0].choices[0].delta
    assert first.role == "assistant"
    assert first.tool_calls is not None
    assert first.tool_calls[0].id is not None
    [call] = _tool_calls(chunks)
    assert (call["name"], json.loads(call["arguments"])) == ("lookup_order", {"order_id": "C-3"})


async def test_tool_results_are_checked_against_the_calls(fake: FakeOpenAI) -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "lookup_order", "arguments": '{"order_id":"A-17"}'},
    }
    turn = [*USER, {"role": "assistant", "content": None, "tool_calls": [call]}]
    answered = [*turn, {"role": "tool", "tool_call_id": "call_1", "content": "shipped"}]

    response = await _complete(fake, messages=answered, tools=TOOLS, _skip_mcp_handler=True)
    assert response.choices[0].message.content == "OK"

    with pytest.raises(BadRequestError, match="did not have response messages: call_1"):
        await _complete(fake, messages=turn, tools=TOOLS, _skip_mcp_handler=True)
    assert fake.calls(MODEL) == 1


# --- failures -----------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True], ids=["json", "stream"])
@pytest.mark.parametrize(
    ("status", "error"),
    [
        (500, InternalServerError),
        (503, ServiceUnavailableError),
        (429, RateLimitError),
    ],
)
async def test_error_status_raises_litellms_error(
    fake: FakeOpenAI, status: int, error: type[Exception], stream: bool
) -> None:
    fake.script(MODEL, Step(status=status))

    with pytest.raises(error) as raised:
        await _call(fake, stream=stream)

    assert getattr(raised.value, "status_code", None) == status
    assert fake.calls(MODEL) == 1  # no retry
    assert fake.requests[-1].status == status


async def test_error_body_has_openais_shape(fake: FakeOpenAI) -> None:
    fake.script(MODEL, Step(status=500))

    status, body = await _post(fake, {"model": MODEL, "messages": USER})

    assert status == 500
    assert body == {
        "error": {
            "message": "The server had an error while processing your request. Sorry about that!",
            "type": "server_error",
            "param": None,
            "code": None,
        }
    }


async def test_hang_times_out_on_the_client(fake: FakeOpenAI) -> None:
    fake.script(MODEL, Step(hang=True))
    started = time.monotonic()

    with pytest.raises(TimeoutError):
        await _read_within(0.3, fake, [])

    assert 0.3 <= time.monotonic() - started < 2
    assert fake.calls(MODEL) == 1


async def test_hang_without_streaming_times_out_on_the_client(fake: FakeOpenAI) -> None:
    fake.script(MODEL, Step(hang=True))

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await litellm.acompletion(**_via(fake))


async def test_hang_after_sends_some_chunks_then_stalls(fake: FakeOpenAI) -> None:
    fake.script(MODEL, Step(text="one two three four five six seven", hang_after=2))
    received: list[str] = []

    with pytest.raises(TimeoutError):
        await _read_within(0.3, fake, received)

    assert received == ["one two", " three"]


def _open_stream(session: aiohttp.ClientSession, server: FakeOpenAI) -> Any:
    return session.post(
        f"{server.base_url}/chat/completions",
        json={"model": MODEL, "messages": USER, "stream": True},
        headers={"Authorization": f"Bearer {server.api_key}"},
    )


async def test_a_hanging_answer_ends_when_the_client_leaves_or_the_server_stops() -> None:
    def others() -> set[asyncio.Task[Any]]:
        return asyncio.all_tasks() - {asyncio.current_task()}

    async with FakeOpenAI() as server:
        server.script(MODEL, Step(hang=True), Step(hang=True))
        async with aiohttp.ClientSession() as session, _open_stream(session, server) as response:
            assert response.status == 200  # the headers come; the body never does
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.2):
                    await response.read()
        await asyncio.sleep(0.05)
        assert others() == set()  # the client left: its handler was cancelled, quietly

        session = aiohttp.ClientSession()
        response = await _open_stream(session, server)
        reading = asyncio.create_task(response.read())
        await asyncio.sleep(0.05)
        assert not reading.done()
    started = time.monotonic()
    assert await reading == b""  # the server's shutdown ended the hanging answer
    assert time.monotonic() - started < 0.5
    response.close()
    await session.close()
    assert others() == set()


async def test_wrong_key_is_rejected_with_401(fake: FakeOpenAI) -> None:
    with pytest.raises(AuthenticationError, match="Incorrect API key provided") as raised:
        await litellm.acompletion(**{**_via(fake), "api_key": "sk-not-the-right-key"})

    assert raised.value.status_code == 401
    assert fake.calls(MODEL) == 0
    assert fake.requests[-1].status == 401


async def test_missing_key_is_rejected_with_openais_body(fake: FakeOpenAI) -> None:
    status, body = await _post(fake, {"model": MODEL, "messages": USER}, Authorization="")

    assert status == 401
    assert body["error"]["type"] == "invalid_request_error"
    assert body["error"]["message"].startswith("You didn't provide an API key.")
    assert set(body["error"]) == {"message", "type", "param", "code"}


async def test_invalid_role_is_a_400_and_not_a_call(fake: FakeOpenAI) -> None:
    fake.script(MODEL, Step(text="never sent"))

    with pytest.raises(BadRequestError, match="Invalid value: 'robot'") as raised:
        await _complete(fake, messages=[{"role": "robot", "content": "beep"}])

    assert raised.value.status_code == 400
    assert fake.calls(MODEL) == 0
    assert fake.remaining(MODEL) == 1
    record = fake.requests[-1]
    assert (record.status, record.accepted) == (400, False)


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ({"messages": USER}, None, None),
        ({"model": MODEL}, "messages", "missing_required_parameter"),
        ({"model": MODEL, "messages": []}, "messages", "empty_array"),
        ({"model": 7, "messages": USER}, "model", "invalid_type"),
        (
            {"model": MODEL, "messages": [{"content": "hi"}]},
            "messages[0].role",
            "missing_required_parameter",
        ),
        (
            {"model": MODEL, "messages": [{"role": "user"}]},
            "messages[0].content",
            "missing_required_parameter",
        ),
        (
            {"model": MODEL, "messages": [*USER, {"role": "assistant", "content": None}]},
            "messages.[1].content",
            None,
        ),
        (
            {"model": MODEL, "messages": [*USER, {"role": "tool", "content": "x"}]},
            "messages[1].tool_call_id",
            "missing_required_parameter",
        ),
        (
            {
                "model": MODEL,
                "messages": [*USER, {"role": "tool", "content": "x", "tool_call_id": "c"}],
            },
            "messages.[1].role",
            None,
        ),
        (
            {"model": MODEL, "messages": USER, "tools": [{"type": "function"}]},
            "tools[0].function",
            "missing_required_parameter",
        ),
        (
            {
                "model": MODEL,
                "messages": USER,
                "tools": [
                    {"type": "function", "function": {"name": "f", "parameters": {"type": "x"}}}
                ],
            },
            "tools[0].function.parameters",
            "invalid_function_parameters",
        ),
        (
            {
                "model": MODEL,
                "messages": USER,
                "tools": [{"type": "function", "function": {"name": "look up"}}],
            },
            "tools[0].function.name",
            "invalid_value",
        ),
        ({"model": MODEL, "messages": USER, "tool_choice": "auto"}, "tool_choice", None),
        (
            {"model": MODEL, "messages": USER, "stream_options": {"include_usage": True}},
            "stream_options",
            None,
        ),
        ({"model": MODEL, "messages": USER, "temprature": 0.2}, None, None),
        (b"{not json", None, None),
    ],
    ids=[
        "no-model",
        "no-messages",
        "empty-messages",
        "model-not-string",
        "no-role",
        "no-content",
        "assistant-null-content",
        "tool-without-id",
        "tool-without-call",
        "tool-without-function",
        "parameters-not-object",
        "bad-function-name",
        "tool-choice-without-tools",
        "stream-options-without-stream",
        "unknown-parameter",
        "not-json",
    ],
)
async def test_invalid_requests_get_openais_400(
    fake: FakeOpenAI, body: object, param: str | None, code: str | None
) -> None:
    status, answer = await _post(fake, body)

    assert status == 400
    error = answer["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error"
    assert (error["param"], error["code"]) == (param, code)
    assert fake.calls(MODEL) == 0
    assert fake.requests[-1].accepted is False


async def test_requests_are_recorded(fake: FakeOpenAI) -> None:
    await _stream(fake, temperature=0.2, seed=7)

    [record] = fake.requests
    assert (record.method, record.path, record.status) == ("POST", "/v1/chat/completions", 200)
    assert record.headers["Authorization"] == f"Bearer {fake.api_key}"
    assert record.headers["Content-Type"] == "application/json"
    assert record.body == {
        "model": MODEL,
        "messages": USER,
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0.2,
        "seed": 7,
    }
    assert fake.chat_requests(MODEL) == [record.body]


async def test_reset_forgets_everything(fake: FakeOpenAI) -> None:
    fake.script(MODEL, Step(text="scripted"))
    fake.default = Step(text="changed default")
    await _complete(fake)

    fake.reset()

    assert (fake.requests, fake.calls(MODEL), fake.remaining(MODEL)) == ([], 0, 0)
    assert fake.default == Step(text="OK")


# --- the openai SDK -----------------------------------------------------------------------


async def test_openai_sdk_streams_with_usage(fake: FakeOpenAI) -> None:
    fake.script(MODEL, Step(text=HELLO, usage=(9, 16)))

    async with AsyncOpenAI(base_url=fake.base_url, api_key=fake.api_key, max_retries=0) as sdk:
        stream = await sdk.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": "hi"}],
            stream=True,
            stream_options={"include_usage": True},
        )
        chunks = [chunk async for chunk in stream]

    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[0].choices[0].delta.content == ""
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == HELLO
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert all(chunk.usage is None for chunk in chunks[:-1])
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens) == (9, 16)


async def test_openai_sdk_lists_models(fake: FakeOpenAI) -> None:
    fake.script("gpt-other", Step(text="x"))

    async with AsyncOpenAI(base_url=fake.base_url, api_key=fake.api_key, max_retries=0) as sdk:
        models = [model.id async for model in sdk.models.list()]

    assert models == ["gpt-4o-mini", "gpt-other"]
