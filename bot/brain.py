"""What the bot says to one customer message, from the cheapest layer that can say it well.

In order: the kill switch (nothing automatic while it is on); what the bot was
waiting for (a yes to "shall I get a person?", an order number, a
confirmation); escalation triggers (a request for a person, legal words);
small talk; then the router, whose route picks the handler:

| route          | offline (no model)              | with models                        |
|----------------|---------------------------------|------------------------------------|
| human_required | handoff                         | handoff                            |
| order_status   | order-status flow, else the KB  | same                               |
| faq_policy     | best KB passage and its title   | commodity model on the KB passages |
| complex_agent  | the intent's flow, else the KB  | reasoning model, flows as tools    |
| out_of_scope   | "I can only help with the shop" | same                               |

A turn the router is unsure of (confidence below `ROUTER_THRESHOLD`, even after
the commodity model's opinion) goes to the reasoning tier when one is set.
The result is a `Plan`; model answers stream into it, and what a tool decided
(remember this, hand over) is written into it as the stream runs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from typing import Any, overload

from bot.config import Settings
from bot.flow import FlowContext, FlowResult, Policy, Registered
from bot.guard import Backing, Guard, Screen, Verdict
from bot.i18n import Catalog, fold
from bot.killswitch import KillSwitch
from bot.knowledge import Hit, KnowledgeBase
from bot.llm import LLM, Message, ModelError, ModelStream, Tier, Usage
from bot.model import Role, Ticket, Turn
from bot.orders import OrdersBackend
from bot.persona import Persona
from bot.reply import paced
from bot.router import Route
from bot.routing import Decision, Router
from bot.slots import extract
from bot.statemachine import Pending

log = logging.getLogger(__name__)


# Which deterministic flow serves a fine intent when no reasoning model is set.
FLOW_FOR_INTENT = {
    "track_order": "order_status",
    "cancel_order": "cancel_order",
    "get_refund": "refund_eligibility",
}
HISTORY_TURNS = 8  # earlier turns a model sees
_PASSAGES_FOR_MODEL = 4


@dataclass(slots=True)
class Plan:
    """What to do with one customer message; model streams fill it in as they run."""

    text: str | None = None  # known in full
    pieces: AsyncIterator[str] | None = None  # produced while it is sent
    source: str | None = None
    handoff_reason: str | None = None
    remember: dict[str, str] = field(default_factory=dict)
    # What the answer leaves the conversation waiting for (the state machine's
    # sub-state), and which flow asked when it is an answer to a question.
    waits_for: Pending = Pending.NOTHING
    asked_by: str | None = None
    answered: bool = True
    intent: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    usages: list[Usage] = field(default_factory=list)
    failure: ModelError | None = None
    # What the tools returned this turn: the only facts a model's claims may rest on.
    tool_results: list[Mapping[str, Any]] = field(default_factory=list)
    blocked: Verdict | None = None  # the output guard stopped the model's answer
    tool_said: str | None = None  # the last flow's own words, when a model called one

    def absorb(self, intent: str, result: FlowResult) -> None:
        self.remember.update(result.remember)
        self.waits_for = Pending.ANSWER if result.asks else Pending.NOTHING
        self.asked_by = intent if result.asks else None
        self.answered = result.answered
        self.handoff_reason = self.handoff_reason or result.handoff_reason


def _handoff(reason: str, **meta: Any) -> Plan:
    return Plan(
        handoff_reason=reason, intent="human_required", meta={"handler": "handoff", **meta}
    )


class Brain:
    def __init__(
        self,
        *,
        settings: Settings,
        catalog: Catalog,
        knowledge: KnowledgeBase,
        flows: Mapping[str, Registered],
        orders: OrdersBackend,
        router: Router,
        llm: LLM,
        persona: Persona,
        killswitch: KillSwitch,
    ) -> None:
        self._settings = settings
        self._catalog = catalog
        self._kb = knowledge
        self._flows = dict(flows)
        self._orders = orders
        self._router = router
        self._llm = llm
        self._persona = persona
        self.killswitch = killswitch
        self._policy = Policy(settings.refund_human_limit, settings.refund_window_days)
        self._tools = [s for i, r in self._flows.items() if (s := r.schema(i)) is not None]
        self._guard = Guard(persona.instructions(settings.bot_name))

    @property
    def uses_history(self) -> bool:
        """Whether earlier turns matter to an answer (only the model tiers read them)."""
        return self._llm.has(Tier.COMMODITY) or self._llm.has(Tier.REASONING)

    async def plan(self, ticket: Ticket, text: str, history: Sequence[Turn]) -> Plan:
        lang, cat = ticket.language, self._catalog
        if await self.killswitch.engaged():
            plan = _handoff("the kill switch is on", kill_switch=True)
            plan.text = cat.text(lang, "kill-switch", ticket=ticket.id)
            plan.meta["handler"] = "kill_switch"
            return plan
        remember = extract(text)
        if ticket.pending is Pending.PERSON_OFFER:
            if cat.is_only(lang, "match-yes", text):
                return _handoff("the customer accepted the offer of a person")
            if cat.is_only(lang, "match-no", text):
                return Plan(text=cat.text(lang, "handoff-declined"), meta={"handler": "canned"})
        waiting_flow = ticket.pending_flow if ticket.pending is Pending.ANSWER else None
        if waiting_flow in self._flows:
            answer = await self._flow(waiting_flow, ticket, text, remember)
            if answer is not None:
                return answer
        if cat.matches(lang, "match-human", text):
            return _handoff("the customer asked for a person")
        if cat.matches(lang, "match-legal", text):
            return _handoff("the customer mentioned legal action")
        if cat.matches(lang, "match-frustration", text):
            return _handoff("the customer is upset")
        if cat.is_only(lang, "match-greeting", text):
            greeting = cat.text(lang, "greeting", bot_name=self._settings.bot_name)
            return Plan(text=greeting, meta={"handler": "canned"})
        if cat.is_only(lang, "match-thanks", text):
            return Plan(text=cat.text(lang, "welcome-back"), meta={"handler": "canned"})
        if self._just_an_order_number(text, remember):
            answer = await self._flow("order_status", ticket, text, remember)
            if answer is not None:
                return answer

        usages: list[Usage] = []
        decision = await self._router.decide(text, usages)
        if decision.route is Route.OUT_OF_SCOPE and remember.get("order_number"):
            # A message that names one of our orders is about the shop, whatever
            # the router (which knows few languages well) made of its words.
            decision = replace(
                decision, route=Route.ORDER_STATUS, intent="track_order", decided_by="rule"
            )
        plan = await self._route(decision, ticket, text, remember, history)
        plan.usages[:0] = usages
        plan.meta["router"] = decision.to_json()
        plan.intent = plan.intent or decision.intent
        plan.remember = {**remember, **plan.remember}
        return plan

    def _just_an_order_number(self, text: str, remember: Mapping[str, str]) -> bool:
        """ "10042", "my order is #10042": the number is the message, unless the words
        around it clearly ask for something else ("cancel my order 10042")."""
        number = remember.get("order_number")
        if not number or "order_status" not in self._flows:
            return False
        if len(fold(text.replace(number, " ")).split()) > 4:
            return False
        guess = self._router.local.classify(text)
        if FLOW_FOR_INTENT.get(guess.intent, "order_status") != "order_status":
            return False  # "refund for order 10088": about the order, for another flow
        return guess.route is Route.ORDER_STATUS or guess.confidence < self._router.threshold

    async def _route(
        self,
        decision: Decision,
        ticket: Ticket,
        text: str,
        remember: dict[str, str],
        history: Sequence[Turn],
    ) -> Plan:
        route, intent = decision.route, decision.intent
        if route is Route.HUMAN_REQUIRED:
            return _handoff(f"the router judged that a person is needed ({intent})")
        unsure = decision.confidence < self._router.threshold
        if self._llm.has(Tier.REASONING) and (unsure or route is Route.COMPLEX_AGENT):
            return self._reasoning(ticket, text, history, remember)
        if route is Route.OUT_OF_SCOPE:
            # The router knows support in general, not this shop's own words
            # ("Bramblepoints"): an article that covers the question wins; and
            # when the router is unsure, "not sure, shall I get a person?" is
            # kinder than a refusal.
            plan = self._knowledge(ticket, text, history, require_confident=not unsure)
            if plan is not None:
                return plan
            return Plan(
                text=self._catalog.text(ticket.language, "out-of-scope"),
                answered=False,
                meta={"handler": "canned"},
            )
        flow = FLOW_FOR_INTENT.get(intent)
        if flow is None and route is Route.ORDER_STATUS and _knows_order(ticket, remember):
            flow = "order_status"
        if flow is not None and flow in self._flows:
            answer = await self._flow(flow, ticket, text, remember)
            if answer is not None:
                return answer
        return self._knowledge(ticket, text, history)

    # -- deterministic flows --------------------------------------------------

    async def _flow(
        self, intent: str, ticket: Ticket, text: str, remember: Mapping[str, str]
    ) -> Plan | None:
        result = await self._flows[intent].flow(self._context(ticket, text, remember))
        if result is None:
            return None
        plan = Plan(text=result.text, intent=intent, meta={"handler": f"flow:{intent}"})
        plan.absorb(intent, result)
        return plan

    def _context(
        self,
        ticket: Ticket,
        text: str,
        remember: Mapping[str, str],
        args: Mapping[str, Any] | None = None,
    ) -> FlowContext:
        return FlowContext(
            text=text,
            language=ticket.language,
            fields={**ticket.fields, **remember},
            asked_by=ticket.pending_flow if ticket.pending is Pending.ANSWER else None,
            catalog=self._catalog,
            orders=self._orders,
            policy=self._policy,
            args=args or {},
        )

    # -- knowledge base -------------------------------------------------------

    @overload
    def _knowledge(
        self, ticket: Ticket, text: str, history: Sequence[Turn], *, require_confident: bool
    ) -> Plan | None: ...

    @overload
    def _knowledge(self, ticket: Ticket, text: str, history: Sequence[Turn]) -> Plan: ...

    def _knowledge(
        self,
        ticket: Ticket,
        text: str,
        history: Sequence[Turn],
        *,
        require_confident: bool = False,
    ) -> Plan | None:
        """The best passage (or a model's answer from the best passages); when nothing
        covers the question, "not sure" and an offer of a person, or None if
        `require_confident`."""
        hits = self._kb.search(text, ticket.language)
        best = hits[0] if hits else None
        confident = best is not None and best.coverage >= self._settings.kb_min_score
        if self._llm.has(Tier.COMMODITY) and hits and (confident or not require_confident):
            return self._grounded(ticket, text, history, hits)
        note = ""
        if not confident:
            # No article in the customer's language answers it; one in another
            # language may (names, brands, numbers match across languages).
            found = self._in_other_language(text, ticket.language)
            if found is not None:
                best, confident = found, True
                note = self._catalog.text(
                    ticket.language,
                    "kb-other-language",
                    article_language=best.passage.article.lang,
                )
        if not confident:
            if require_confident:
                return None
            return Plan(
                text=self._catalog.text(ticket.language, "kb-not-sure"),
                waits_for=Pending.PERSON_OFFER,
                answered=False,
                meta={
                    "handler": "kb_unsure",
                    "coverage": round(best.coverage, 3) if best else 0,
                    "retrieved": _ids(hits),
                },
            )
        assert best is not None
        answer = f"{note}\n\n{best.passage.text}" if note else best.passage.text
        return Plan(
            pieces=paced(answer, self._settings.stream_chunk_delay_ms),
            source=best.passage.article.title,
            meta={
                "handler": "kb",
                "article": best.passage.article.id,
                "coverage": round(best.coverage, 3),
                "retrieved": _ids([best, *(h for h in hits if h is not best)]),
            },
        )

    def _in_other_language(self, text: str, language: str) -> Hit | None:
        others = sorted(
            (lang for lang in self._kb.languages if lang != language),
            key=lambda lang: lang != self._settings.default_language,
        )
        for other in others:
            hits = self._kb.search(text, other, asked_in=language)
            if hits and hits[0].coverage >= self._settings.kb_min_score:
                return hits[0]
        return None

    # -- model tiers ------------------------------------------------------------

    def _grounded(
        self, ticket: Ticket, text: str, history: Sequence[Turn], hits: Sequence[Hit]
    ) -> Plan:
        passages = hits[:_PASSAGES_FOR_MODEL]
        messages = self._messages(ticket, text, history, passages)
        plan = Plan(
            source=passages[0].passage.article.title,
            meta={
                "handler": "commodity",
                "retrieved": _ids(passages),
            },
        )
        stream = self._llm.stream(Tier.COMMODITY, messages)
        texts = [hit.passage.text for hit in passages]
        plan.pieces = self._guarded(plan, self._screened(plan, self._metered(plan, stream), texts))
        return plan

    def _reasoning(
        self,
        ticket: Ticket,
        text: str,
        history: Sequence[Turn],
        remember: dict[str, str],
    ) -> Plan:
        passages = self._kb.search(text, ticket.language)[:3]
        messages = self._messages(ticket, text, history, passages)
        plan = Plan(meta={"handler": "reasoning", "tools_called": []})
        if passages:
            plan.meta["retrieved"] = _ids(passages)
        answer = self._with_tools(plan, ticket, text, remember, messages)
        texts = [hit.passage.text for hit in passages]
        plan.pieces = self._guarded(plan, self._screened(plan, answer, texts))
        return plan

    async def _screened(
        self, plan: Plan, pieces: AsyncGenerator[str, None], passages: Sequence[str]
    ) -> AsyncIterator[str]:
        """The model's words as the output guard lets them through; a blocked answer
        ends at once (the model's stream is closed) and is recorded on the plan."""
        # Read when a sentence is judged: tools of this turn run inside the stream.
        screen = Screen(self._guard, lambda: Backing(plan.tool_results, passages))
        async with aclosing(pieces):
            async for piece in pieces:
                shown = screen.feed(piece)
                if shown:
                    yield shown
                if screen.verdict is not None:
                    break
            else:
                rest = screen.end()
                if rest:
                    yield rest
        if screen.verdict is not None:
            plan.blocked = screen.verdict
            log.warning(
                "output guard blocked a %s answer: %s (%r)",
                plan.meta.get("handler"),
                screen.verdict.reason,
                screen.verdict.evidence[:80],
            )

    async def _guarded(self, plan: Plan, pieces: AsyncIterator[str]) -> AsyncIterator[str]:
        # A failing model must not break the channel's delivery mid-stream: the
        # failure is kept on the plan and the engine apologises and hands over.
        try:
            async for piece in pieces:
                yield piece
        except ModelError as exc:
            log.warning("model answer failed: %s", exc)
            plan.failure = exc

    async def _metered(self, plan: Plan, stream: ModelStream) -> AsyncGenerator[str, None]:
        """The stream's pieces; its usage (tokens, cost) is added to the plan at the end."""
        try:
            async for piece in stream:
                yield piece
        finally:
            if stream.usage is not None:
                plan.usages.append(stream.usage)

    async def _with_tools(
        self,
        plan: Plan,
        ticket: Ticket,
        text: str,
        remember: dict[str, str],
        messages: list[Message],
    ) -> AsyncGenerator[str, None]:
        rounds = self._settings.llm_max_tool_rounds
        # Until the customer reads a word, the rounds of the tool loop share one
        # first-token budget: they are one wait, however many calls it takes.
        deadline: float | None = self._llm.deadline()
        for round_number in range(rounds + 1):
            tools = self._tools if round_number < rounds else []
            stream = self._llm.stream(Tier.REASONING, messages, tools=tools, deadline=deadline)
            async for piece in self._metered(plan, stream):
                deadline = None
                yield piece
            if not stream.tool_calls:
                return
            messages.append(
                {
                    "role": "assistant",
                    "content": stream.text or None,
                    "tool_calls": [
                        {
                            "id": call.id,
                            "type": "function",
                            "function": {"name": call.name, "arguments": call.arguments},
                        }
                        for call in stream.tool_calls
                    ],
                }
            )
            for call in stream.tool_calls:
                result = await self._call_tool(
                    plan, ticket, text, remember, call.name, call.arguments
                )
                messages.append(
                    {"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)}
                )
        raise ModelError(Tier.REASONING, f"still calling tools after {rounds} rounds")

    async def _call_tool(
        self,
        plan: Plan,
        ticket: Ticket,
        text: str,
        remember: dict[str, str],
        name: str,
        raw_arguments: str,
    ) -> dict[str, Any]:
        registered = self._flows.get(name)
        if registered is None or registered.tool is None:
            raise ModelError(Tier.REASONING, f"malformed tool call: no tool {name!r}")
        try:
            arguments = json.loads(raw_arguments or "{}")
        except ValueError:
            raise ModelError(Tier.REASONING, f"malformed tool call: {name} arguments") from None
        if not isinstance(arguments, dict):
            raise ModelError(Tier.REASONING, f"malformed tool call: {name} arguments")
        context = self._context(ticket, text, {**remember, **plan.remember}, arguments)
        result = await registered.flow(context)
        plan.meta["tools_called"].append(name)
        if result is None:
            return {"result": "nothing to do"}
        plan.absorb(name, result)
        plan.tool_results.append(result.data)
        plan.tool_said = result.text
        plan.intent = name
        # The flow's own words go to the model too, so it can relay exact facts.
        return {"message_for_customer": result.text, **result.data}

    def _messages(
        self, ticket: Ticket, text: str, history: Sequence[Turn], passages: Sequence[Hit]
    ) -> list[Message]:
        system = self._persona.system_prompt(
            bot_name=self._settings.bot_name,
            language=ticket.language,
            ticket_id=ticket.id,
            facts={k: v for k, v in ticket.fields.items() if v},
        )
        if passages:
            sources = "\n\n".join(
                f"[{n}] {hit.passage.article.title}\n{hit.passage.text}"
                for n, hit in enumerate(passages, start=1)
            )
            system += f"\n\nKnowledge-base passages:\n\n{sources}"
        messages: list[Message] = [{"role": "system", "content": system}]
        for turn in history[-HISTORY_TURNS:]:
            role = "user" if turn.role is Role.CUSTOMER else "assistant"
            messages.append({"role": role, "content": turn.text})
        messages.append({"role": "user", "content": text})
        return messages


def _knows_order(ticket: Ticket, remember: Mapping[str, str]) -> bool:
    return bool(remember.get("order_number") or ticket.fields.get("order_number"))


def _ids(hits: Iterable[Hit]) -> list[str]:
    """Article ids of the hits, best first, each once: what the turn retrieved."""
    return list(dict.fromkeys(hit.passage.article.id for hit in hits))[:5]
