"""`switchboard eval`: run recorded cases through the real engine and score them.

Each case is a conversation of one or more customer turns. It runs through the
same engine a live channel uses (language detection, triggers, router, flows,
knowledge base, model tiers as configured), on its own in-memory store, and its
replies go to an `EvalChannel` that records them instead of sending anything:
no provider is called and no live data is touched. Expectations are checked on
the last turn; metrics with no applicable case are None (null), never 0.

Groundedness is checked offline: an answer sentence counts as supported when
most of its content words appear in the passages the turn retrieved.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.config import Settings
from bot.effects import Message
from bot.events import Entry
from bot.model import Address, Inbound, Role
from bot.orders import Order, OrdersBackend, OrdersError, OrderStatus
from bot.reply import Reply
from bot.router import Route
from bot.statemachine import State
from bot.store import MemoryStore

ROUTES = tuple(route.value for route in Route)
# Handlers whose answer should be grounded in the passages the turn retrieved.
_GROUNDED_HANDLERS = frozenset({"kb", "commodity", "reasoning"})
_HANDLER_ROUTES = {
    "handoff": "human_required",
    "kill_switch": "human_required",
    "flow:order_status": "order_status",
    "flow:cancel_order": "complex_agent",
    "flow:refund_eligibility": "complex_agent",
}


@dataclass(frozen=True)
class Expect:
    language: str | None = None
    route: str | None = None
    escalate: bool | None = None
    source: str | None = None
    answer_contains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    id: str
    turns: tuple[str, ...]
    channel: str = "eval"
    language_hint: str | None = None
    expect: Expect = field(default_factory=Expect)
    line: int = 0


@dataclass
class CaseResult:
    case: Case
    language: str
    route: str | None
    escalated: bool
    answer: str
    sources: list[str]
    passages: list[dict[str, str]]
    groundedness: float | None
    cost_usd: float
    ttft_ms: float | None
    turn_ms: float
    transcript: list[dict[str, str]]
    failures: list[str]
    offline_groundedness: float | None = None  # set when a judge model replaced it


# -- reading cases --------------------------------------------------------------


class CaseError(ValueError):
    """A line of a case file is not a case; the message names the line."""


def read_cases(path: Path) -> tuple[list[Case], list[str]]:
    """The cases of a JSONL file, and one message per line that was skipped."""
    cases: list[Case] = []
    problems: list[str] = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            cases.append(parse_case(line, number))
        except CaseError as exc:
            problems.append(f"{path.name}:{number}: {exc}")
    return cases, problems


def parse_case(line: str, number: int = 0) -> Case:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise CaseError(f"not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise CaseError("a case is a JSON object")
    case_id = data.get("id")
    if not isinstance(case_id, str) or not case_id:
        raise CaseError("'id' must be a non-empty string")
    turns = data.get("turns", [data["text"]] if "text" in data else None)
    if (
        not isinstance(turns, list)
        or not turns
        or not all(isinstance(turn, str) and turn.strip() for turn in turns)
    ):
        raise CaseError("needs 'text' or a non-empty list of 'turns' (strings)")
    hints = data.get("hints") or {}
    expect = data.get("expect") or {}
    if not isinstance(hints, dict) or not isinstance(expect, dict):
        raise CaseError("'hints' and 'expect' must be objects")
    route = expect.get("route")
    if route is not None and route not in ROUTES:
        raise CaseError(f"expect.route must be one of {', '.join(ROUTES)}")
    contains = expect.get("answer_contains") or []
    if not isinstance(contains, list) or not all(isinstance(c, str) for c in contains):
        raise CaseError("expect.answer_contains must be a list of strings")
    escalate = expect.get("escalate")
    if escalate is not None and not isinstance(escalate, bool):
        raise CaseError("expect.escalate must be true or false")
    return Case(
        id=case_id,
        turns=tuple(turns),
        channel=str(data.get("channel") or "eval"),
        language_hint=hints.get("language"),
        expect=Expect(
            language=expect.get("language"),
            route=route,
            escalate=escalate,
            source=expect.get("source"),
            answer_contains=tuple(contains),
        ),
        line=number,
    )


# -- the channel that records -----------------------------------------------------


@dataclass
class _Heard:
    role: str
    text: str
    first_piece_at: float | None


class EvalChannel:
    """A channel that keeps every reply instead of sending it, and when its first
    words were shown."""

    def __init__(self) -> None:
        self.heard: dict[str, list[_Heard]] = defaultdict(list)
        self.states: dict[str, State] = {}
        self._first: dict[str, float] = {}

    async def stream(self, address: Address, reply: Reply) -> None:
        async for _ in reply:
            self._first.setdefault(reply.id, time.perf_counter())

    async def send(self, address: Address, message: Message) -> None:
        first = self._first.pop(message.id, None)
        if message.text:
            heard = _Heard(message.role.value, message.text, first or time.perf_counter())
            self.heard[address.conversation_id].append(heard)

    async def state_changed(self, address: Address, state: State) -> None:
        self.states[address.conversation_id] = state


class DryRunOrders:
    """Reads the shop's orders; a cancellation is simulated, never sent to the shop."""

    def __init__(self, backend: OrdersBackend) -> None:
        self._backend = backend
        self._cancelled: dict[str, Order] = {}

    async def get(self, number: str) -> Order | None:
        return self._cancelled.get(number) or await self._backend.get(number)

    async def cancel(self, number: str) -> Order:
        order = await self.get(number)
        if order is None:
            raise OrdersError(f"no order {number}")
        if order.status is not OrderStatus.PROCESSING:
            raise OrdersError(f"order {number} is {order.status} and cannot be cancelled")
        cancelled = dataclasses.replace(order, status=OrderStatus.CANCELLED)
        self._cancelled[number] = cancelled
        return cancelled


# -- running ------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    results: list[CaseResult]
    seconds: float  # running the cases, after start-up


async def run(
    cases: Sequence[Case],
    settings: Settings,
    *,
    concurrency: int = 8,
    progress: Callable[[int], None] | None = None,
) -> Run:
    """Run every case through a fresh runtime on its own in-memory store."""
    from bot.app import assemble

    eval_settings = settings.with_overrides(redis_url=None, stream_chunk_delay_ms=0)
    channel = EvalChannel()
    runtime = assemble(eval_settings, MemoryStore(), channel, orders=DryRunOrders)
    await runtime.start()
    await asyncio.to_thread(runtime.detector.warm)
    gate = asyncio.Semaphore(concurrency)
    results: list[CaseResult | None] = [None] * len(cases)

    async def one(index: int, case: Case) -> None:
        async with gate:
            results[index] = await _run_case(runtime, channel, case, index)
        if progress is not None:
            progress(1)

    judge = Judge(settings) if settings.eval_judge_model else None
    started = time.perf_counter()
    try:
        await asyncio.gather(*(one(i, case) for i, case in enumerate(cases)))
        done = [result for result in results if result is not None]
        seconds = time.perf_counter() - started
        if judge is not None:
            await judge.judge_all(done, concurrency)
    finally:
        await runtime.close()
        if judge is not None:
            await judge.close()
    return Run(done, seconds)


async def _run_case(runtime: Any, channel: EvalChannel, case: Case, index: int) -> CaseResult:
    # The index keeps two cases with one id apart; the id keeps transcripts readable.
    address = Address(case.channel, f"{case.id}#{index}")
    cid = address.conversation_id
    started = time.perf_counter()
    heard_before = 0
    for number, text in enumerate(case.turns):
        heard_before = len(channel.heard[cid])
        started = time.perf_counter()
        message = Inbound(address, text, message_id=f"{cid}:{number}", locale=case.language_hint)
        await runtime.engine.process([Entry.message(message)])
    turn_ms = (time.perf_counter() - started) * 1000
    last = channel.heard[cid][heard_before:]
    firsts = [h.first_piece_at for h in last if h.first_piece_at is not None]
    ttft_ms = (min(firsts) - started) * 1000 if firsts else None
    answer = "\n\n".join(h.text for h in last)

    snapshot = await runtime.store.load(cid)
    ticket = snapshot.ticket
    language = snapshot.conversation.language if snapshot.conversation else ""
    turns = await runtime.store.transcript(ticket.id) if ticket else []
    customer_meta: Mapping[str, Any] = next(
        (t.meta for t in reversed(turns) if t.role is Role.CUSTOMER), {}
    )
    router = customer_meta.get("router") or {}
    route = router.get("route") or _HANDLER_ROUTES.get(str(customer_meta.get("handler")))
    escalated = ticket is not None and ticket.status in (State.WAITING_AGENT, State.WITH_AGENT)
    reply_meta = _last_bot(turns)
    sources = list(reply_meta.get("retrieved", []))
    answered_from_sources = reply_meta.get("handler") in _GROUNDED_HANDLERS
    passages = _passages(runtime, case.turns[-1], language, sources)
    result = CaseResult(
        case=case,
        language=language or "",
        route=route,
        escalated=escalated,
        answer=answer,
        sources=sources,
        passages=passages,
        groundedness=groundedness(answer, passages) if answered_from_sources else None,
        cost_usd=ticket.cost_usd if ticket else 0.0,
        ttft_ms=ttft_ms,
        turn_ms=turn_ms,
        transcript=[{"role": t.role.value, "text": t.text} for t in turns],
        failures=[],
    )
    result.failures = check(result)
    return result


def _last_bot(turns: Sequence[Any]) -> Mapping[str, Any]:
    """Meta of the bot's reply to the last customer turn ({} when it did not reply)."""
    for turn in reversed(turns):
        if turn.role is Role.CUSTOMER:
            return {}
        if turn.role is Role.BOT:
            meta: Mapping[str, Any] = turn.meta
            return meta
    return {}


def _passages(runtime: Any, text: str, language: str, ids: Sequence[str]) -> list[dict[str, str]]:
    """The passages of the retrieved articles that this question finds, best first."""
    if not ids:
        return []
    wanted = set(ids)
    found: list[dict[str, str]] = []
    for lang in dict.fromkeys([language, *runtime.knowledge.languages]):
        for hit in runtime.knowledge.search(text, lang, k=10, asked_in=language):
            article = hit.passage.article
            if article.id in wanted:
                found.append(
                    {"article": article.id, "title": article.title, "text": hit.passage.text}
                )
        if found:
            break
    return found


def check(result: CaseResult) -> list[str]:
    expect, failures = result.case.expect, []
    if expect.language is not None and result.language != expect.language:
        failures.append(f"language: expected {expect.language}, got {result.language}")
    if expect.route is not None and result.route != expect.route:
        failures.append(f"route: expected {expect.route}, got {result.route or 'none'}")
    if expect.escalate is not None and result.escalated != expect.escalate:
        failures.append(f"escalate: expected {expect.escalate}, got {result.escalated}")
    if expect.source is not None and not _source_hit(result, expect.source, 5):
        failures.append(f"source: {expect.source} not among {result.sources or 'nothing'}")
    for fragment in expect.answer_contains:
        if fragment.casefold() not in result.answer.casefold():
            failures.append(f"answer lacks {fragment!r}")
    return failures


def _source_hit(result: CaseResult, source: str, k: int) -> bool:
    wanted = source.casefold()
    titles = {p["article"]: p["title"].casefold() for p in result.passages}
    return any(s.casefold() == wanted or titles.get(s) == wanted for s in result.sources[:k])


# -- groundedness -----------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"\w{3,}", re.UNICODE)


def groundedness(answer: str, passages: Sequence[Mapping[str, str]]) -> float | None:
    """Share of the answer's sentences whose content words mostly appear in the passages."""
    sentences = [s for s in _SENTENCE.split(answer.strip()) if _WORD.search(s)]
    if not sentences or not passages:
        return None
    vocabulary = {w.casefold() for p in passages for w in _WORD.findall(p["text"])}
    supported = 0
    for sentence in sentences:
        words = [w.casefold() for w in _WORD.findall(sentence)]
        if sum(w in vocabulary for w in words) >= 0.6 * len(words):
            supported += 1
    return supported / len(sentences)


_JUDGE_PROMPT = (
    "You check whether a support answer is grounded in its sources. For each sentence of "
    "the ANSWER, decide whether the PASSAGES support it (a greeting or an offer of help "
    "needs no support). Reply with JSON only: "
    '{"supported": <sentences supported>, "total": <sentences judged>}'
)


class Judge:
    """Groundedness judged by a model (`EVAL_JUDGE_MODEL`), replacing the offline figure."""

    def __init__(self, settings: Settings) -> None:
        from bot.llm import LLM

        self._llm = LLM(
            settings.with_overrides(
                commodity_model=settings.eval_judge_model,
                commodity_fallbacks=(),
                commodity_api_base=settings.eval_judge_api_base,
                commodity_api_key=settings.eval_judge_api_key,
                reasoning_model=None,
            )
        )

    async def judge_all(self, results: Sequence[CaseResult], concurrency: int) -> None:
        gate = asyncio.Semaphore(concurrency)

        async def one(result: CaseResult) -> None:
            if result.groundedness is None:
                return
            async with gate:
                judged = await self.judge(result.answer, result.passages)
            if judged is not None:
                result.offline_groundedness = result.groundedness
                result.groundedness = judged

        await asyncio.gather(*(one(result) for result in results))

    async def judge(self, answer: str, passages: Sequence[Mapping[str, str]]) -> float | None:
        from bot.llm import ModelError, Tier

        sources = "\n\n".join(f"[{p['title']}]\n{p['text']}" for p in passages)
        stream = self._llm.stream(
            Tier.COMMODITY,
            [
                {"role": "system", "content": _JUDGE_PROMPT},
                {"role": "user", "content": f"PASSAGES:\n{sources}\n\nANSWER:\n{answer}"},
            ],
        )
        try:
            async for _ in stream:
                pass
            verdict = json.loads(stream.text.strip().strip("`").removeprefix("json"))
            supported, total = int(verdict["supported"]), int(verdict["total"])
        except (ModelError, ValueError, KeyError, TypeError):
            return None  # no verdict: the offline figure stands
        if total <= 0 or not 0 <= supported <= total:
            return None
        return supported / total

    async def close(self) -> None:
        await self._llm.close()


# -- metrics ----------------------------------------------------------------------


def summarize(results: Sequence[CaseResult]) -> dict[str, Any]:
    """The metrics, with exactly the keys `--json` promises."""
    lang = [r for r in results if r.case.expect.language is not None]
    routed = [r for r in results if r.case.expect.route is not None]
    judged = [r for r in results if r.case.expect.escalate is not None]
    sourced = [r for r in results if r.case.expect.source is not None]
    grounded = [r.groundedness for r in results if r.groundedness is not None]
    resolved = [r for r in results if not r.escalated]
    cost_total = sum(r.cost_usd for r in results)
    return {
        "n": len(results),
        "language_accuracy": _share(r.language == r.case.expect.language for r in lang),
        "route_accuracy": _share(r.route == r.case.expect.route for r in routed),
        "route": _per_class(routed),
        "escalation_precision": _precision(judged),
        "escalation_recall": _recall(judged),
        "deflection_rate": _share(not r.escalated for r in results),
        "retrieval_hit_at_1": _share(
            _source_hit(r, r.case.expect.source or "", 1) for r in sourced
        ),
        "retrieval_hit_at_5": _share(
            _source_hit(r, r.case.expect.source or "", 5) for r in sourced
        ),
        "groundedness": statistics.fmean(grounded) if grounded else None,
        "cost_total_usd": cost_total,
        "cost_per_resolved_usd": cost_total / len(resolved) if resolved else None,
        "ttft_ms": _percentiles([r.ttft_ms for r in results if r.ttft_ms is not None]),
        "turn_ms": _percentiles([r.turn_ms for r in results]),
    }


def confusion(results: Iterable[CaseResult]) -> dict[str, dict[str, int]]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for r in results:
        if r.case.expect.route is not None:
            table[r.case.expect.route][r.route or "none"] += 1
    return {expected: dict(got) for expected, got in table.items()}


def _share(flags: Iterable[bool]) -> float | None:
    values = list(flags)
    return sum(values) / len(values) if values else None


def _per_class(results: Sequence[CaseResult]) -> dict[str, dict[str, float | None]] | None:
    if not results:
        return None
    out: dict[str, dict[str, float | None]] = {}
    for route in ROUTES:
        tp = sum(r.route == route and r.case.expect.route == route for r in results)
        predicted = sum(r.route == route for r in results)
        actual = sum(r.case.expect.route == route for r in results)
        precision = tp / predicted if predicted else None
        recall = tp / actual if actual else None
        f1 = (
            2 * precision * recall / (precision + recall)
            if precision is not None and recall is not None and precision + recall
            else None
        )
        out[route] = {"precision": precision, "recall": recall, "f1": f1}
    return out


def _precision(results: Sequence[CaseResult]) -> float | None:
    flagged = [r for r in results if r.escalated]
    return _share(bool(r.case.expect.escalate) for r in flagged)


def _recall(results: Sequence[CaseResult]) -> float | None:
    wanted = [r for r in results if r.case.expect.escalate]
    return _share(r.escalated for r in wanted)


def _percentiles(values: Sequence[float]) -> dict[str, float] | None:
    if not values:
        return None
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {"p50": at(0.50), "p95": at(0.95)}


# -- the gate -----------------------------------------------------------------------

DEFAULT_GATE = {"groundedness": 0.85, "route_accuracy": 0.90, "escalation_recall": 0.95}


def load_gate(path: Path | None) -> dict[str, float]:
    if path is None:
        return dict(DEFAULT_GATE)
    data = yaml.safe_load(path.read_text("utf-8")) or {}
    thresholds = data.get("thresholds", data) if isinstance(data, dict) else None
    if not isinstance(thresholds, dict) or not all(
        isinstance(v, int | float) for v in thresholds.values()
    ):
        raise ValueError(f"{path}: expected 'thresholds: {{metric: minimum}}'")
    return {str(k): float(v) for k, v in thresholds.items()}


def apply_gate(
    summary: Mapping[str, Any], thresholds: Mapping[str, float]
) -> list[tuple[str, bool, str]]:
    """One line per threshold: (metric, passed, message)."""
    lines = []
    for metric, minimum in thresholds.items():
        value = summary.get(metric)
        if not isinstance(value, int | float):
            lines.append(
                (metric, False, f"{metric}: no value (no applicable case), needs >= {minimum:g}")
            )
        elif value < minimum:
            lines.append((metric, False, f"{metric} = {value:.3f}, needs >= {minimum:g}"))
        else:
            lines.append((metric, True, f"{metric} = {value:.3f} >= {minimum:g}"))
    return lines
