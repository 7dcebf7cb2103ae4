"""The conversation engine: one customer turn, start to finish.

For each inbound event: drop it if the provider delivered it before; take the
conversation's lock, then load its state (lock before load); settle the
language; let the state machine say who answers; if the bot does, pick the
cheapest layer that can (escalation triggers, deterministic flows, knowledge
base); stream the reply to the channel; persist the turn.

Every turn has one error boundary: whatever fails, the customer gets a
localized fallback and the ticket goes to a person. Nothing here knows a
provider; channels see only `Reply` streams through the `Outbox`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from bot.audit import Audit
from bot.config import Settings
from bot.flow import Flow, FlowContext
from bot.handoff import AgentDesk, handoff_now
from bot.i18n import Catalog, fold
from bot.knowledge import KnowledgeBase
from bot.language import LanguageDetector
from bot.model import Address, Conversation, Inbound, Role, Ticket, Turn, new_ticket_id, now
from bot.orders import OrdersBackend
from bot.reply import Outbox, Reply, paced
from bot.slots import extract
from bot.statemachine import Effect, Event, Rejected, State, Transition, transition
from bot.store import Store

log = logging.getLogger(__name__)

AWAITING_HANDOFF_OFFER = "handoff_offer"
AWAITING_ORDER_NUMBER = "order_number"

# Effects that belong to pieces not built yet (the SLA timer arrives with the
# Slack agent console); the engine acknowledges them without acting.
_NOT_BUILT = frozenset({Effect.START_SLA_TIMER, Effect.STOP_SLA_TIMER, Effect.TELL_SLA_MISSED})

_CUSTOMER_TEXTS = {
    Effect.TELL_AGENT_JOINED: "agent-joined",
    Effect.TELL_BACK_TO_BOT: "back-to-bot",
    Effect.TELL_RESOLVED: "ticket-resolved",
}


@dataclass(slots=True)
class Plan:
    """What the bot decided to do with one customer message."""

    text: str | None = None
    stream: bool = False
    source: str | None = None
    handoff_reason: str | None = None
    remember: dict[str, str] = field(default_factory=dict)
    awaiting: str | None = None
    answered: bool = True
    intent: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def _handoff_plan(reason: str) -> Plan:
    return Plan(handoff_reason=reason, intent="human_required", meta={"route": "handoff"})


@dataclass(slots=True)
class _Turn:
    """The working state of one turn, written back in one save at the end."""

    conversation: Conversation
    ticket: Ticket
    turns: list[Turn] = field(default_factory=list)


class Engine:
    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        catalog: Catalog,
        detector: LanguageDetector,
        knowledge: KnowledgeBase,
        flows: Mapping[str, Flow],
        orders: OrdersBackend,
        desk: AgentDesk,
        outbox: Outbox,
        audit: Audit,
    ) -> None:
        self._settings = settings
        self._store = store
        self._catalog = catalog
        self._detector = detector
        self._kb = knowledge
        self._flows = dict(flows)
        self._orders = orders
        self._desk = desk
        self._outbox = outbox
        self._audit = audit

    # -- customer turns -------------------------------------------------------

    async def handle(self, event: Inbound) -> None:
        """Process one customer event. Never raises."""
        cid = event.address.conversation_id
        try:
            if event.message_id is not None:
                key = f"{event.address.channel}:{event.message_id}"
                if not await self._store.claim(key, self._settings.dedupe_ttl_seconds):
                    log.info("dropped re-delivered message %s in %s", event.message_id, cid)
                    return
            async with self._store.lock(cid):
                await self._turn(event)
        except Exception:
            # The store itself failed (or the lock stayed taken): there is no
            # ticket to hand over, but the customer must still hear from us.
            log.exception("turn could not run in conversation %s", cid)
            language = self._detector.from_hint(event.locale) or self._settings.default_language
            apology = self._catalog.text(language, "fallback-unavailable")
            await self._send(event.address, Reply.whole(apology, role=Role.SYSTEM))

    async def _turn(self, event: Inbound) -> None:
        snapshot = await self._store.load(event.address.conversation_id)
        conversation = snapshot.conversation or Conversation(address=event.address)
        language = self._detector.detect(
            event.text, current=conversation.language, hint=event.locale
        )
        conversation = replace(conversation, language=language, updated_at=now())
        ticket = snapshot.ticket
        if ticket is not None and self._idle(ticket, event):
            ticket = await self._close_idle(conversation, ticket)
        state = ticket.status if ticket is not None else State.RESOLVED
        step = transition(state, Event.CUSTOMER_MESSAGE)
        assert isinstance(step, Transition)  # the table accepts a message in every state
        if ticket is None or Effect.OPEN_TICKET in step.effects:
            ticket = self._open_ticket(conversation, language)
            await self._audit.record("ticket_opened", ticket.id, channel=event.address.channel)
        conversation = replace(conversation, ticket_id=ticket.id)
        ticket = replace(ticket, language=language, status=step.state, updated_at=now())
        customer_turn = Turn(
            Role.CUSTOMER,
            event.text,
            at=event.received_at,
            meta={"message_id": event.message_id} if event.message_id else {},
        )
        work = _Turn(conversation, ticket, [customer_turn])
        try:
            if Effect.RELAY_TO_AGENT in step.effects:
                await self._store.save(work.conversation, work.ticket, work.turns)
                await self._desk.relay(work.ticket, customer_turn)
                return
            await self._bot_answers(work, event)
        except Exception:
            log.exception("turn failed on ticket %s", work.ticket.id)
            await self._recover(work)

    def _idle(self, ticket: Ticket, event: Inbound) -> bool:
        limit = timedelta(minutes=self._settings.ticket_idle_minutes)
        return ticket.status is State.BOT and event.received_at - ticket.updated_at > limit

    async def _close_idle(self, conversation: Conversation, ticket: Ticket) -> Ticket:
        step = transition(ticket.status, Event.IDLE_TIMEOUT)
        if isinstance(step, Rejected):
            log.info("ticket %s: %s", ticket.id, step.reason)
            return ticket
        closed = replace(ticket, status=step.state, updated_at=now())
        await self._store.save(conversation, closed)
        await self._audit.record("ticket_closed", ticket.id, reason="idle")
        return closed

    def _open_ticket(self, conversation: Conversation, language: str) -> Ticket:
        return Ticket(
            id=new_ticket_id(),
            conversation_id=conversation.id,
            address=conversation.address,
            language=language,
        )

    async def _bot_answers(self, work: _Turn, event: Inbound) -> None:
        plan = await self._plan(work.ticket, event.text)
        ticket = work.ticket
        unresolved = 0 if plan.answered else ticket.unresolved_turns + 1
        work.ticket = replace(
            ticket,
            fields={**ticket.fields, **plan.remember},
            awaiting=plan.awaiting,
            intent=plan.intent or ticket.intent,
            unresolved_turns=unresolved,
        )
        if plan.handoff_reason is None and unresolved >= self._settings.unresolved_turns_limit:
            plan.handoff_reason = f"the bot could not answer {unresolved} turns in a row"
            plan.text = None
        if plan.text:
            await self._say(
                work, plan.text, stream=plan.stream, source=plan.source, meta=plan.meta
            )
        if plan.handoff_reason is not None:
            await self._hand_off(work, plan.handoff_reason)
        await self._store.save(work.conversation, work.ticket, work.turns)

    async def _plan(self, ticket: Ticket, text: str) -> Plan:
        """Choose the cheapest layer that can answer: triggers, flows, knowledge base."""
        lang, cat = ticket.language, self._catalog
        remember = extract(text)
        if ticket.awaiting == AWAITING_HANDOFF_OFFER:
            if cat.is_only(lang, "match-yes", text):
                return _handoff_plan("the customer accepted the offer of a person")
            if cat.is_only(lang, "match-no", text):
                return Plan(text=cat.text(lang, "handoff-declined"), meta={"route": "canned"})
        if cat.matches(lang, "match-human", text):
            return _handoff_plan("the customer asked for a person")
        if cat.is_only(lang, "match-greeting", text):
            greeting = cat.text(lang, "greeting", bot_name=self._settings.bot_name)
            return Plan(text=greeting, meta={"route": "canned"})
        if cat.is_only(lang, "match-thanks", text):
            return Plan(text=cat.text(lang, "welcome-back"), meta={"route": "canned"})
        if self._about_order(ticket, text, remember):
            return await self._run_flow("order_status", ticket, text, remember)
        return self._from_knowledge(ticket, text, remember)

    def _about_order(self, ticket: Ticket, text: str, remember: Mapping[str, str]) -> bool:
        if self._catalog.matches(ticket.language, "match-order-status", text):
            return True
        number = remember.get("order_number")
        if number is None:
            return False
        if ticket.awaiting == AWAITING_ORDER_NUMBER:
            return True
        # "10042", "my order is #10042": the number is the message.
        return len(fold(text.replace(number, " ")).split()) <= 4

    async def _run_flow(
        self, intent: str, ticket: Ticket, text: str, remember: dict[str, str]
    ) -> Plan:
        flow = self._flows[intent]
        result = await flow(
            FlowContext(
                text=text,
                language=ticket.language,
                fields={**ticket.fields, **remember},
                awaiting=ticket.awaiting,
                catalog=self._catalog,
                orders=self._orders,
            )
        )
        return Plan(
            text=result.text,
            remember={**remember, **result.remember},
            awaiting=result.awaiting,
            handoff_reason=result.handoff_reason,
            answered=result.answered,
            intent=intent,
            meta={"route": f"flow:{intent}"},
        )

    def _from_knowledge(self, ticket: Ticket, text: str, remember: dict[str, str]) -> Plan:
        hits = self._kb.search(text, ticket.language)
        if hits and hits[0].coverage >= self._settings.kb_min_score:
            best = hits[0]
            return Plan(
                text=best.passage.text,
                stream=True,
                source=best.passage.article.title,
                remember=remember,
                intent="faq_policy",
                meta={
                    "route": "kb",
                    "article": best.passage.article.id,
                    "coverage": round(best.coverage, 3),
                    "score": round(best.score, 3),
                },
            )
        return Plan(
            text=self._catalog.text(ticket.language, "kb-not-sure"),
            remember=remember,
            awaiting=AWAITING_HANDOFF_OFFER,
            answered=False,
            meta={
                "route": "kb_unsure",
                "coverage": round(hits[0].coverage, 3) if hits else 0.0,
            },
        )

    # -- handoff and agent actions -------------------------------------------

    async def _hand_off(self, work: _Turn, reason: str) -> None:
        step = transition(work.ticket.status, Event.HANDOFF)
        if isinstance(step, Rejected):
            log.warning("ticket %s: %s", work.ticket.id, step.reason)
            return
        work.ticket = replace(
            work.ticket, status=step.state, handoff_reason=reason, awaiting=None, updated_at=now()
        )
        await self._audit.record("handoff", work.ticket.id, reason=reason)
        for effect in step.effects:
            if effect is Effect.TELL_HANDOFF:
                text = self._catalog.text(
                    work.ticket.language, "handoff-waiting", ticket=work.ticket.id
                )
                await self._say(work, text, role=Role.SYSTEM, meta={"route": "handoff"})
            elif effect is Effect.NOTIFY_AGENTS:
                # Persist before the desk sees it, so an agent who opens it reads it all.
                await self._store.save(work.conversation, work.ticket, work.turns)
                work.turns = []
                transcript = await self._store.transcript(work.ticket.id)
                await self._desk.open(handoff_now(work.ticket, reason, transcript))
        await self._outbox.state_changed(work.ticket.address, work.ticket.status)

    async def agent_event(self, ticket_id: str, event: Event, agent: str) -> Transition | Rejected:
        """An agent claimed, released ("back to bot") or resolved a ticket."""
        ticket = await self._store.get_ticket(ticket_id)
        if ticket is None:
            raise KeyError(ticket_id)
        async with self._store.lock(ticket.conversation_id):
            snapshot = await self._store.load(ticket.conversation_id)
            current = (
                snapshot.ticket if snapshot.ticket and snapshot.ticket.id == ticket_id else None
            )
            ticket = current or ticket
            step = transition(ticket.status, event)
            if isinstance(step, Rejected):
                log.info("ticket %s: agent %s: %s", ticket.id, agent, step.reason)
                return step
            conversation = snapshot.conversation or Conversation(address=ticket.address)
            work = _Turn(conversation, replace(ticket, status=step.state, updated_at=now()))
            if step.state is State.BOT:
                work.ticket = replace(work.ticket, unresolved_turns=0, awaiting=None)
            for effect in step.effects:
                key = _CUSTOMER_TEXTS.get(effect)
                if key is not None:
                    text = self._catalog.text(ticket.language, key, ticket=ticket.id)
                    await self._say(work, text, role=Role.SYSTEM)
                elif effect in _NOT_BUILT:
                    log.debug("ticket %s: %s is not built yet", ticket.id, effect)
            await self._store.save(work.conversation, work.ticket, work.turns)
            await self._audit.record(str(event), ticket.id, agent=agent, state=step.state.value)
            await self._outbox.state_changed(ticket.address, step.state)
            return step

    # -- delivery and failure -------------------------------------------------

    async def _say(
        self,
        work: _Turn,
        text: str,
        *,
        stream: bool = False,
        role: Role = Role.BOT,
        source: str | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        if stream:
            reply = Reply(
                paced(text, self._settings.stream_chunk_delay_ms), role=role, source=source
            )
        else:
            reply = Reply.whole(text, role=role, source=source)
        await self._send(work.ticket.address, reply)
        work.turns.append(
            Turn(role, await reply.text(), id=reply.id, source=source, meta=dict(meta or {}))
        )

    async def _send(self, address: Address, reply: Reply) -> None:
        try:
            await self._outbox.deliver(address, reply)
        except Exception:
            # The customer may be unreachable right now; the reply stays in the
            # transcript and is shown when they come back.
            log.exception("delivery failed to %s", address.conversation_id)

    async def _recover(self, work: _Turn) -> None:
        """The turn failed after the ticket was loaded: apologise and get a person."""
        ticket = work.ticket
        text = self._catalog.text(ticket.language, "fallback-error", ticket=ticket.id)
        try:
            await self._say(work, text, role=Role.SYSTEM, meta={"route": "fallback"})
            if ticket.status is State.BOT:
                await self._hand_off(work, "the bot failed while answering")
            await self._store.save(work.conversation, work.ticket, work.turns)
        except Exception:
            log.exception("could not record the failure of ticket %s", ticket.id)
