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
from bot.brain import HISTORY_TURNS, Brain, Plan
from bot.config import Settings
from bot.handoff import AgentDesk, handoff_now
from bot.i18n import Catalog
from bot.language import LanguageDetector
from bot.model import Address, Conversation, Inbound, Role, Ticket, Turn, new_ticket_id, now
from bot.reply import Outbox, Reply
from bot.statemachine import Effect, Event, Rejected, State, Transition, transition
from bot.store import Store

log = logging.getLogger(__name__)

# Effects that belong to pieces not built yet (the SLA timer arrives with the
# Slack agent console); the engine acknowledges them without acting.
_NOT_BUILT = frozenset({Effect.START_SLA_TIMER, Effect.STOP_SLA_TIMER, Effect.TELL_SLA_MISSED})

_CUSTOMER_TEXTS = {
    Effect.TELL_AGENT_JOINED: "agent-joined",
    Effect.TELL_BACK_TO_BOT: "back-to-bot",
    Effect.TELL_RESOLVED: "ticket-resolved",
}


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
        brain: Brain,
        desk: AgentDesk,
        outbox: Outbox,
        audit: Audit,
    ) -> None:
        self._settings = settings
        self._store = store
        self._catalog = catalog
        self._detector = detector
        self._brain = brain
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
        ticket = work.ticket
        # Only a model reads earlier turns: skip the store round trip offline.
        history = (
            await self._store.transcript(ticket.id, limit=HISTORY_TURNS)
            if self._brain.uses_history
            else []
        )
        plan = await self._brain.plan(ticket, event.text, history)
        if plan.text is not None or plan.pieces is not None:
            await self._say_plan(work, plan)
        work.turns[0] = _with_record(work.turns[0], plan)
        unresolved = 0 if plan.answered else ticket.unresolved_turns + 1
        fields = {**ticket.fields, **plan.remember}
        work.ticket = replace(
            work.ticket,
            fields={key: value for key, value in fields.items() if value},
            awaiting=plan.awaiting,
            intent=plan.intent or ticket.intent,
            unresolved_turns=unresolved,
            cost_usd=ticket.cost_usd + sum(u.cost_usd for u in plan.usages),
            prompt_tokens=ticket.prompt_tokens + sum(u.prompt_tokens for u in plan.usages),
            completion_tokens=ticket.completion_tokens
            + sum(u.completion_tokens for u in plan.usages),
        )
        if plan.failure is not None:
            await self._recover(work, f"the model failed: {plan.failure}")
            return
        if plan.handoff_reason is None and unresolved >= self._settings.unresolved_turns_limit:
            plan.handoff_reason = f"the bot could not answer {unresolved} turns in a row"
        if plan.handoff_reason is not None:
            await self._hand_off(work, plan.handoff_reason)
        await self._store.save(work.conversation, work.ticket, work.turns)

    async def _say_plan(self, work: _Turn, plan: Plan) -> None:
        if plan.pieces is not None:
            reply = Reply(plan.pieces, source=plan.source)
        else:
            reply = Reply.whole(plan.text or "", source=plan.source)
        await self._send(work.ticket.address, reply)
        text = await reply.text()
        meta = {key: value for key, value in plan.meta.items() if key != "router"}
        if plan.failure is not None:
            meta["failure"] = str(plan.failure)
        if text:
            work.turns.append(Turn(Role.BOT, text, id=reply.id, source=plan.source, meta=meta))

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
                await self._say(work, text, role=Role.SYSTEM, meta={"handler": "handoff"})
            elif effect is Effect.NOTIFY_AGENTS:
                # Persist before the desk sees it, so an agent who opens it reads it all.
                await self._store.save(work.conversation, work.ticket, work.turns)
                work.turns = []
                transcript = await self._store.transcript(work.ticket.id)
                await self._desk.open(handoff_now(work.ticket, reason, transcript))
            elif effect in _NOT_BUILT:
                log.debug("ticket %s: %s is not built yet", work.ticket.id, effect)
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
        role: Role = Role.BOT,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        reply = Reply.whole(text, role=role)
        await self._send(work.ticket.address, reply)
        work.turns.append(Turn(role, text, id=reply.id, meta=dict(meta or {})))

    async def _send(self, address: Address, reply: Reply) -> None:
        try:
            await self._outbox.deliver(address, reply)
        except Exception:
            # The customer may be unreachable right now; the reply stays in the
            # transcript and is shown when they come back.
            log.exception("delivery failed to %s", address.conversation_id)

    async def _recover(self, work: _Turn, reason: str = "the bot failed while answering") -> None:
        """The turn failed after the ticket was loaded: apologise and get a person."""
        ticket = work.ticket
        text = self._catalog.text(ticket.language, "fallback-error", ticket=ticket.id)
        try:
            await self._say(work, text, role=Role.SYSTEM, meta={"handler": "fallback"})
            if work.ticket.status is State.BOT:
                await self._hand_off(work, reason)
            await self._store.save(work.conversation, work.ticket, work.turns)
        except Exception:
            log.exception("could not record the failure of ticket %s", ticket.id)


def _with_record(turn: Turn, plan: Plan) -> Turn:
    """The customer's turn with how it was handled: route, handler, models and cost."""
    record: dict[str, Any] = dict(turn.meta)
    record["router"] = plan.meta.get("router")
    record["handler"] = plan.meta.get("handler")
    record["kill_switch"] = bool(plan.meta.get("kill_switch"))
    record["llm"] = [usage.to_json() for usage in plan.usages]
    record["cost_usd"] = sum(usage.cost_usd for usage in plan.usages)
    return replace(turn, meta=record)
