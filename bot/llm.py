"""Model tiers through litellm. This is the only module that imports litellm, lazily.

Two tiers, each a primary model and fallbacks (any litellm model string, so a
self-hosted vLLM or Ollama endpoint works as well as a vendor's API):

- commodity: helps the router and answers knowledge-base questions;
- reasoning: complex or uncertain turns, with the flows as tools.

Every call streams. A model that errors, ends without a word, or sends nothing
within its share of the first-token budget is abandoned for the next one. The
budget bounds the whole call, fallbacks included (it is how long the customer
waits for a first word, or for the apology): each model not yet tried may use
an equal share of what is left, so one that fails fast leaves its time to the
others. Once a token has reached the customer there is no retry (they would
read the answer twice) and a failure raises `ModelError`, which the engine turns
into a localized fallback and a handoff. Usage and cost are taken from the
stream's final usage chunk.

litellm costs ~2.5 s and ~150 MB to import and fetches a price map from the
network unless told not to: it is imported on the first model call, never at
start-up, with the bundled price map and its logging callbacks off.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.config import Secret, Settings
from bot.errors import SwitchboardError

log = logging.getLogger(__name__)

Message = dict[str, Any]


class Tier(StrEnum):
    COMMODITY = "commodity"
    REASONING = "reasoning"


class ModelError(SwitchboardError):
    """A tier could not produce an answer: every model failed, or the stream broke."""

    def __init__(self, tier: Tier, reason: str, *, after_first_token: bool = False) -> None:
        super().__init__(f"{tier} tier: {reason}")
        self.tier = tier
        self.after_first_token = after_first_token


@dataclass(frozen=True, slots=True)
class TierConfig:
    models: tuple[str, ...]
    api_base: str | None = None
    api_key: Secret | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class Usage:
    tier: Tier
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    ttft_ms: float

    def to_json(self) -> dict[str, Any]:
        return {
            "tier": self.tier.value,
            "model": self.model,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "cost_usd": self.cost_usd,
            "ttft_ms": round(self.ttft_ms, 1),
        }


@dataclass(frozen=True, slots=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # raw JSON text, as the model wrote it


@dataclass(frozen=True, slots=True)
class Prices:
    """Per-token prices for models litellm's table does not know (self-hosted ones)."""

    table: Mapping[str, tuple[float, float]]

    @classmethod
    def load(cls, path: Path | None) -> Prices:
        if path is None:
            return cls({})
        raw = json.loads(path.read_text("utf-8"))
        return cls(
            {
                model: (
                    float(row["input_per_million"]) / 1e6,
                    float(row["output_per_million"]) / 1e6,
                )
                for model, row in raw.items()
            }
        )


_configured = False


def _litellm() -> Any:
    global _configured
    # Must be set before the first import: otherwise litellm downloads its
    # price map from the internet at import time.
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    import litellm

    if _configured:
        return litellm

    litellm.suppress_debug_info = True
    litellm.turn_off_message_logging = True
    litellm.telemetry = False
    # Per-chunk logging and cost callbacks are litellm's main CPU cost on the
    # streaming path; cost is computed once per call from the usage chunk.
    litellm.callbacks = []
    litellm.success_callback = []
    litellm.failure_callback = []
    litellm.drop_params = True
    _configured = True
    return litellm


class LLM:
    def __init__(self, settings: Settings, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._tiers = {
            Tier.COMMODITY: _tier(
                settings.commodity_model,
                settings.commodity_fallbacks,
                settings.commodity_api_base,
                settings.commodity_api_key,
            ),
            Tier.REASONING: _tier(
                settings.reasoning_model,
                settings.reasoning_fallbacks,
                settings.reasoning_api_base,
                settings.reasoning_api_key,
            ),
        }
        self.first_token_timeout = settings.llm_first_token_timeout_seconds
        self.total_timeout = settings.llm_total_timeout_seconds
        self.clock = clock  # what first-token deadlines are times on (seconds)
        self._prices = Prices.load(settings.model_prices_file)
        self._unpriced: set[str] = set()

    def warm(self) -> None:
        """Import litellm ahead of the first call (in a thread: the import takes seconds)."""
        if any(config is not None for config in self._tiers.values()):
            _litellm()

    async def close(self) -> None:
        """Flush litellm's background logging worker and close its cached HTTP clients.

        litellm keeps both for the life of the process; a clean shutdown (and a
        test that starts and stops the app) must release them. Nothing to do
        when no model was ever called.
        """
        if not _configured:
            return
        from litellm.litellm_core_utils.logging_worker import GLOBAL_LOGGING_WORKER
        from litellm.llms.custom_httpx.async_client_cleanup import close_litellm_async_clients

        litellm = _litellm()
        try:
            await GLOBAL_LOGGING_WORKER.flush()
            await GLOBAL_LOGGING_WORKER.stop()
            await close_litellm_async_clients()  # type: ignore[no-untyped-call]
            litellm.in_memory_llm_clients_cache.flush_cache()
        except Exception:
            log.exception("closing litellm's clients failed")

    def has(self, tier: Tier) -> bool:
        return self._tiers[tier] is not None

    def deadline(self) -> float:
        """The first-token deadline of a call starting now, as a time on `clock`."""
        return self.clock() + self.first_token_timeout

    def stream(
        self,
        tier: Tier,
        messages: Sequence[Message],
        *,
        tools: Sequence[Message] = (),
        deadline: float | None = None,
    ) -> ModelStream:
        """One answer from `tier`: its first model, then the fallbacks.

        The first token, or the `ModelError` that lets the engine apologise, comes by
        `deadline` (a time on `clock`); by default that is one first-token budget after
        the stream is first iterated. Several calls the customer waits on in turn (the
        rounds of a tool loop before any text) share one budget by passing one deadline.
        """
        config = self._tiers[tier]
        if config is None:
            raise ModelError(tier, "no model configured")
        return ModelStream(self, tier, config, list(messages), list(tools), deadline)

    def cost(self, model: str, prompt_tokens: int, completion_tokens: int) -> float:
        override = self._prices.table.get(model)
        if override is not None:
            return prompt_tokens * override[0] + completion_tokens * override[1]
        try:
            prompt_cost, completion_cost = _litellm().cost_per_token(
                model=model, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
            )
        except Exception:
            if model not in self._unpriced:
                self._unpriced.add(model)
                log.warning("no price known for %s: add it to MODEL_PRICES_FILE", model)
            return 0.0
        return float(prompt_cost) + float(completion_cost)


def _tier(
    model: str | None, fallbacks: Iterable[str], base: str | None, key: Secret | None
) -> TierConfig | None:
    if model is None:
        return None
    return TierConfig((model, *fallbacks), base, key)


class ModelStream:
    """One streamed answer. Iterate for text pieces; afterwards read `tool_calls` and `usage`."""

    def __init__(
        self,
        llm: LLM,
        tier: Tier,
        config: TierConfig,
        messages: list[Message],
        tools: list[Message],
        deadline: float | None = None,
    ) -> None:
        self._llm = llm
        self._tier = tier
        self._config = config
        self._messages = messages
        self._tools = tools
        # The first-token deadline (on the LLM's clock): given, else set when iterated.
        self.deadline = deadline
        self.tool_calls: list[ToolCall] = []
        self.usage: Usage | None = None
        self.text = ""

    def __aiter__(self) -> AsyncIterator[str]:
        return self._run()

    async def _run(self) -> AsyncIterator[str]:
        failures: list[str] = []
        # litellm's first import takes seconds (when nothing warmed it): time no model had.
        _litellm()
        if self.deadline is None:
            self.deadline = self._llm.deadline()
        deadline, clock = self.deadline, self._llm.clock
        # One first-token budget for the whole call: the customer hears something (an
        # answer or the apology) within it, however many fallbacks there are. Each model
        # may use its share of what is left, so one that hangs still leaves time for
        # the next; one that fails fast leaves the rest to the others.
        models = self._config.models
        for index, model in enumerate(models):
            started = time.perf_counter()
            budget = (deadline - clock()) / (len(models) - index)
            if budget <= 0:
                failures.append(f"{model}: not tried, the first-token budget was spent")
                break
            try:
                chunks, opened = await self._open(model, budget)
            except Exception as exc:
                failures.append(f"{model}: {_describe(exc)}")
                log.warning(
                    "%s tier: %s failed before its first token: %s",
                    self._tier,
                    model,
                    _describe(exc),
                )
                continue
            ttft_ms = (time.perf_counter() - started) * 1000
            async for piece in self._follow(model, chunks, opened, started, ttft_ms):
                yield piece
            return
        raise ModelError(self._tier, "; ".join(failures) or "no model answered")

    async def _open(self, model: str, budget: float) -> tuple[AsyncIterator[Any], list[Any]]:
        """Start the call and read up to its first meaningful chunk, within `budget`
        seconds. Raises on any failure, so the caller can fall back to the next model."""
        litellm = _litellm()
        request: dict[str, Any] = {
            "model": model,
            "messages": self._messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "timeout": self._llm.total_timeout,
            "num_retries": 0,
        }
        if self._tools:
            request["tools"] = self._tools
            # With `tools`, litellm imports its MCP gateway (and the optional `mcp`
            # package) to check whether they are MCP tools; ours never are.
            request["_skip_mcp_handler"] = True
        if self._config.api_base:
            request["api_base"] = self._config.api_base
        if self._config.api_key is not None:
            request["api_key"] = self._config.api_key.reveal()
        opened: list[Any] = []
        async with asyncio.timeout(budget):
            response = await litellm.acompletion(**request)
            chunks = aiter(response)
            async for chunk in chunks:
                opened.append(chunk)
                if _has_content(chunk):
                    return chunks, opened
        raise ValueError("the model ended its answer without a word")

    async def _follow(
        self,
        model: str,
        chunks: AsyncIterator[Any],
        opened: list[Any],
        started: float,
        ttft_ms: float,
    ) -> AsyncIterator[str]:
        calls: dict[int, dict[str, str]] = {}
        usage: Any = None
        parts: list[str] = []
        remaining = max(self._llm.total_timeout - (time.perf_counter() - started), 0.001)
        try:
            async with asyncio.timeout(remaining):
                async for chunk in _achain(opened, chunks):
                    usage = getattr(chunk, "usage", None) or usage
                    for piece in _absorb(chunk, calls):
                        parts.append(piece)
                        yield piece
        except Exception as exc:
            self.text = "".join(parts)
            raise ModelError(
                self._tier, f"{model}: {_describe(exc)}", after_first_token=True
            ) from exc
        self.text = "".join(parts)
        self.tool_calls = [
            ToolCall(
                call.get("id") or f"call_{index}", call.get("name", ""), call.get("arguments", "")
            )
            for index, call in sorted(calls.items())
        ]
        prompt_tokens = int(getattr(usage, "prompt_tokens", 0) or 0)
        completion_tokens = int(getattr(usage, "completion_tokens", 0) or 0)
        self.usage = Usage(
            tier=self._tier,
            model=model,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost_usd=self._llm.cost(model, prompt_tokens, completion_tokens),
            ttft_ms=ttft_ms,
        )


async def _achain(first: list[Any], rest: AsyncIterator[Any]) -> AsyncIterator[Any]:
    for chunk in first:
        yield chunk
    async for chunk in rest:
        yield chunk


def _has_content(chunk: Any) -> bool:
    for choice in getattr(chunk, "choices", None) or ():
        delta = getattr(choice, "delta", None)
        if delta is None:
            continue
        if getattr(delta, "content", None) or getattr(delta, "tool_calls", None):
            return True
    return False


def _absorb(chunk: Any, calls: dict[int, dict[str, str]]) -> list[str]:
    """Text pieces of a chunk; tool-call fragments are merged into `calls` by index."""
    pieces: list[str] = []
    for choice in getattr(chunk, "choices", None) or ():
        delta = getattr(choice, "delta", None)
        if delta is None:
            continue
        content = getattr(delta, "content", None)
        if content:
            pieces.append(content)
        for fragment in getattr(delta, "tool_calls", None) or ():
            index = int(getattr(fragment, "index", 0) or 0)
            call = calls.setdefault(index, {})
            if getattr(fragment, "id", None):
                call["id"] = fragment.id
            function = getattr(fragment, "function", None)
            if function is not None:
                if getattr(function, "name", None):
                    call["name"] = function.name
                if getattr(function, "arguments", None):
                    call["arguments"] = call.get("arguments", "") + function.arguments
    return pieces


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:200]}" if text else type(exc).__name__
