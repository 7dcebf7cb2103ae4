"""The conversation engine: one customer turn, start to finish.

For each inbound event: drop it if the provider delivered it before; take the
conversation's lock, then load its state (lock before load); settle the
language; let the state machine say who answers; if the bot does, pick the
cheapest layer that can (escalation triggers, deterministic flows, knowledge
base); stream the reply to the channel; persist the turn.

Every turn has one error boundary: whatever fails, the customer gets a
localized fallback and the ticket goes to a person. Nothing here knows a
provider; channels see only `Reply` streams through the `Outbox`, and agent
desks only the `AgentDesk` seam.

What agents do comes in here too (`agent_event`, `agent_message`), under the
same conversation lock as customer turns, so a claim, a customer message and
an agent reply are never interleaved halfway. The handoff SLA is a durable
timer in the store (`sla_expired` is called by `bot.sla.SlaWatcher`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any

from bot.audit import Audit
from bot.brain import HISTORY_TURNS, Brain, Plan
from bot.briefing import Briefer
from bot.config import Settings
from bot.handoff import RATED, Agent, AgentDesk, handoff_now
from bot.i18n import Catalog
from bot.language import LanguageDetector
from bot.model import Address, Conversation, Inbound, Role, Ticket, Turn, new_ticket_id, now
from bot.rating import Rating, read_rating
from bot.reply import Outbox, Reply
from bot.statemachine import Effect, Event, Rejected, State, Transition, transition
from bot.store import Snapshot, Store
from bot.translate import Translator

log = logging.getLogger(__name__)

SLA_QUEUE = "sla"
AWAITING_RATING = "rating"

_CUSTOMER_TEXTS = {
    Effect.TELL_AGENT_JOINED: "agent-joined",
    Effect.TELL_BACK_TO_BOT: "back-to-bot",
    Effect.TELL_RESOLVED: "ticket-resolved",
}


class AgentOutcome(StrEnum):
    """What became of an agent's message."""

    SENT = "sent"  # the customer has it
    NOTE = "note"  # the agent marked it internal
    NOT_CLAIMED = "not_claimed"  # nobody owns the ticket yet: claim it first
    NOT_OWNER = "not_owner"  # another agent owns the ticket
    CLOSED = "closed"  # the ticket is back with the bot, or resolved
    UNDELIVERED = "undelivered"  # the customer's channel refused it


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
        briefer: Briefer,
        translator: Translator,
    ) -> None:
        self._settings = settings
        self._store = store
        self._catalog = catalog
        self._detector = detector
        self._brain = brain
        self._desk = desk
        self._outbox = outbox
        self._audit = audit
        self._briefer = briefer
        self._translator = translator

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
        if event.text:
            language = self._detector.detect(
                event.text, current=conversation.language, hint=event.locale
            )
        else:
            language = (
                conversation.language
                or self._detector.from_hint(event.locale)
                or self._settings.default_language
            )
        conversation = replace(conversation, language=language, updated_at=now())
        customer_turn = _customer_turn(event)
        ticket = snapshot.ticket
        if ticket is not None and ticket.awaiting == AWAITING_RATING:
            rating = self._rating(ticket, event, language)
            if rating is not None:
                await self._rated(conversation, ticket, customer_turn, rating)
                return
            # Not a rating: a new question, answered as one. The old ticket stops waiting.
            ticket = replace(ticket, awaiting=None)
            await self._store.save(conversation, ticket)
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
        work = _Turn(conversation, ticket, [customer_turn])
        try:
            if Effect.RELAY_TO_AGENT in step.effects:
                work.turns[0] = await self._for_agent(work.ticket, customer_turn)
                await self._store.save(work.conversation, work.ticket, work.turns)
                await self._desk.relay(work.ticket, work.turns[0])
                return
            if event.media and not event.text:
                text = self._catalog.text(ticket.language, "text-only")
                await self._say(work, text, role=Role.SYSTEM, meta={"handler": "text_only"})
                await self._store.save(work.conversation, work.ticket, work.turns)
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
        if event.command == "human":
            plan = Plan(
                handoff_reason="the customer asked for a person (/human)",
                intent="human_required",
                meta={"handler": "handoff", "command": event.command},
            )
        else:
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
        if reply.spoken is not None:
            # The caller talked over the bot: the transcript keeps what they heard.
            meta["interrupted"] = True
            text = reply.spoken
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
                briefing = await self._briefer.brief(work.ticket, transcript)
                ref = await self._desk.open(handoff_now(work.ticket, reason, transcript, briefing))
                if ref is not None:
                    work.ticket = replace(work.ticket, desk_ref=ref)
            elif effect is Effect.START_SLA_TIMER:
                due = now() + timedelta(seconds=self._settings.handoff_sla_seconds)
                await self._store.schedule(SLA_QUEUE, work.ticket.id, due)
        await self._outbox.state_changed(work.ticket.address, work.ticket.status)

    async def agent_event(
        self, ticket_id: str, event: Event, agent: Agent, *, override: bool = False
    ) -> Transition | Rejected:
        """An agent claimed, released ("back to bot") or resolved a ticket.

        While a person owns the ticket only they can release or resolve it;
        `override` is for operators (the admin API).
        """
        ticket = await self._store.get_ticket(ticket_id)
        if ticket is None:
            raise KeyError(ticket_id)
        async with self._store.lock(ticket.conversation_id):
            snapshot = await self._store.load(ticket.conversation_id)
            ticket = await self._reread(ticket, snapshot)
            if (
                ticket.status is State.WITH_AGENT
                and event in (Event.AGENT_RELEASE, Event.AGENT_RESOLVE)
                and ticket.agent != agent.id
                and not override
            ):
                owner = ticket.agent_name or ticket.agent
                return Rejected(ticket.status, event, f"{owner} owns this ticket")
            step = transition(ticket.status, event)
            if isinstance(step, Rejected):
                log.info("ticket %s: agent %s: %s", ticket.id, agent.id, step.reason)
                return step
            conversation = snapshot.conversation or Conversation(address=ticket.address)
            work = _Turn(conversation, replace(ticket, status=step.state, updated_at=now()))
            if event is Event.AGENT_CLAIM:
                work.ticket = replace(work.ticket, agent=agent.id, agent_name=agent.name)
            if step.state is State.BOT:
                work.ticket = replace(
                    work.ticket, unresolved_turns=0, awaiting=None, agent=None, agent_name=None
                )
            for effect in step.effects:
                key = _CUSTOMER_TEXTS.get(effect)
                if key is not None:
                    text = self._catalog.text(ticket.language, key, ticket=ticket.id)
                    await self._say(work, text, role=Role.SYSTEM)
                elif effect is Effect.STOP_SLA_TIMER:
                    await self._store.cancel(SLA_QUEUE, ticket.id)
                elif effect is Effect.CLOSE_TICKET:
                    # Asked once, right after the resolution; the answer is read by `_rating`.
                    ask = self._catalog.text(ticket.language, "rating-ask")
                    await self._say(work, ask, role=Role.SYSTEM, meta={"handler": "rating"})
                    work.ticket = replace(work.ticket, awaiting=AWAITING_RATING)
            await self._store.save(work.conversation, work.ticket, work.turns)
            await self._audit.record(str(event), ticket.id, agent=agent.id, state=step.state.value)
            await self._outbox.state_changed(ticket.address, step.state)
            await self._desk.changed(work.ticket, str(event), agent)
            return step

    async def agent_message(
        self, ticket_id: str, agent: Agent, text: str, *, note: bool = False
    ) -> AgentOutcome:
        """An agent wrote in the ticket's thread. Only the owner's messages reach the
        customer; everything else stays with the agents."""
        ticket = await self._store.get_ticket(ticket_id)
        if ticket is None:
            raise KeyError(ticket_id)
        async with self._store.lock(ticket.conversation_id):
            snapshot = await self._store.load(ticket.conversation_id)
            ticket = await self._reread(ticket, snapshot)
            outcome = _internal(ticket, agent, note)
            if outcome is not None:
                await self._audit.record("agent_note", ticket.id, agent=agent.id, why=outcome)
                return outcome
            written_in = self._detector.detect(text, current=self._settings.agent_language)
            translated = await self._translator.translate(text, written_in, ticket.language)
            shown = translated or text
            author = self._catalog.text(ticket.language, "agent-label", name=agent.label)
            meta: dict[str, Any] = {"agent": agent.id, "agent_name": agent.name, "author": author}
            if translated is not None:
                meta["original"] = {"language": written_in, "text": text}
            reply = Reply.whole(shown, role=Role.AGENT, author=author)
            delivered = await self._send(ticket.address, reply)
            conversation = snapshot.conversation or Conversation(address=ticket.address)
            turn = Turn(Role.AGENT, shown, id=reply.id, meta=meta)
            await self._store.save(conversation, replace(ticket, updated_at=now()), [turn])
            await self._audit.record("agent_reply", ticket.id, agent=agent.id)
            return AgentOutcome.SENT if delivered else AgentOutcome.UNDELIVERED

    async def _reread(self, ticket: Ticket, snapshot: Snapshot) -> Ticket:
        """The ticket as it is now that the lock is held (it was read before taking it).

        The conversation's current ticket came with the snapshot; an older one is read again.
        """
        if snapshot.ticket is not None and snapshot.ticket.id == ticket.id:
            return snapshot.ticket
        return await self._store.get_ticket(ticket.id) or ticket

    async def sla_expired(self, ticket_id: str) -> None:
        """Nobody claimed the ticket in time: tell the customer and ask the agents again."""
        ticket = await self._store.get_ticket(ticket_id)
        if ticket is None:
            return
        async with self._store.lock(ticket.conversation_id):
            snapshot = await self._store.load(ticket.conversation_id)
            ticket = await self._reread(ticket, snapshot)
            step = transition(ticket.status, Event.SLA_EXPIRED)
            if isinstance(step, Rejected):
                log.info("ticket %s: %s", ticket.id, step.reason)
                return
            conversation = snapshot.conversation or Conversation(address=ticket.address)
            work = _Turn(conversation, replace(ticket, status=step.state))
            for effect in step.effects:
                if effect is Effect.TELL_SLA_MISSED:
                    text = self._catalog.text(
                        ticket.language, "handoff-sla-missed", ticket=ticket.id
                    )
                    await self._say(work, text, role=Role.SYSTEM, meta={"handler": "sla"})
                elif effect is Effect.NOTIFY_AGENTS:
                    await self._store.save(work.conversation, work.ticket, work.turns)
                    work.turns = []
                    await self._desk.remind(work.ticket)
            await self._store.save(work.conversation, work.ticket, work.turns)
            await self._audit.record("sla_missed", ticket.id)

    async def delivery_problem(self, address: Address, detail: str) -> None:
        """The customer's channel could not deliver a reply, after its retries: flag the
        ticket (and tell the person who owns it, if anyone does)."""
        cid = address.conversation_id
        async with self._store.lock(cid):
            snapshot = await self._store.load(cid)
            if snapshot.conversation is None or snapshot.ticket is None:
                log.warning("undeliverable reply to %s, who has no ticket: %s", cid, detail)
                return
            fields = {**snapshot.ticket.fields, "delivery_problem": detail}
            ticket = replace(snapshot.ticket, fields=fields, updated_at=now())
            await self._store.save(snapshot.conversation, ticket)
            await self._audit.record("delivery_failed", ticket.id, detail=detail)
            if ticket.status in (State.WAITING_AGENT, State.WITH_AGENT):
                notice = Turn(Role.SYSTEM, f"Not delivered to the customer: {detail}")
                await self._desk.relay(ticket, notice)

    # -- ratings ----------------------------------------------------------------

    def _rating(self, ticket: Ticket, event: Inbound, language: str) -> Rating | None:
        if ticket.status is not State.RESOLVED or not event.text:
            return None
        # A rating comes soon after the question; days later, "5" means something else.
        if event.received_at - ticket.updated_at > timedelta(
            minutes=self._settings.ticket_idle_minutes
        ):
            return None
        return read_rating(event.text, self._catalog.phrases(language, "match-rating-words"))

    async def _rated(
        self, conversation: Conversation, ticket: Ticket, turn: Turn, rating: Rating
    ) -> None:
        fields = dict(ticket.fields)
        if rating.comment:
            fields["rating_comment"] = rating.comment
        rated = replace(
            ticket, rating=rating.score, awaiting=None, fields=fields, updated_at=now()
        )
        work = _Turn(
            conversation, rated, [replace(turn, meta={**turn.meta, "rating": rating.score})]
        )
        await self._say(
            work, self._catalog.text(rated.language, "rating-thanks"), role=Role.SYSTEM
        )
        await self._store.save(work.conversation, work.ticket, work.turns)
        await self._audit.record("rated", ticket.id, score=rating.score)
        await self._desk.changed(work.ticket, RATED, None)

    # -- agents see the customer ------------------------------------------------

    async def _for_agent(self, ticket: Ticket, turn: Turn) -> Turn:
        """The customer's turn with a translation for the agents, when they need one."""
        target = self._settings.agent_language
        if ticket.language == target or not turn.text or "media" in turn.meta:
            return turn
        translated = await self._translator.translate(turn.text, ticket.language, target)
        if translated is None:
            return turn
        return replace(
            turn, meta={**turn.meta, "translation": {"language": target, "text": translated}}
        )

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

    async def _send(self, address: Address, reply: Reply) -> bool:
        try:
            await self._outbox.deliver(address, reply)
        except Exception:
            # The customer may be unreachable right now; the reply stays in the
            # transcript and is shown when they come back.
            log.exception("delivery failed to %s", address.conversation_id)
            return False
        return True

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


def _customer_turn(event: Inbound) -> Turn:
    meta: dict[str, Any] = {"message_id": event.message_id} if event.message_id else {}
    if event.media:
        meta["media"] = list(event.media)
    if event.command is not None:
        meta["command"] = event.command
    text = event.text or (
        f"/{event.command}" if event.command else "[" + ", ".join(event.media) + "]"
    )
    return Turn(Role.CUSTOMER, text, at=event.received_at, meta=meta)


def _internal(ticket: Ticket, agent: Agent, note: bool) -> AgentOutcome | None:
    """Why an agent's message must not reach the customer, or None when it may."""
    if note:
        return AgentOutcome.NOTE
    if ticket.status is State.WAITING_AGENT:
        return AgentOutcome.NOT_CLAIMED
    if ticket.status is not State.WITH_AGENT:
        return AgentOutcome.CLOSED
    if ticket.agent != agent.id:
        return AgentOutcome.NOT_OWNER
    return None


def _with_record(turn: Turn, plan: Plan) -> Turn:
    """The customer's turn with how it was handled: route, handler, models and cost."""
    record: dict[str, Any] = dict(turn.meta)
    record["router"] = plan.meta.get("router")
    record["handler"] = plan.meta.get("handler")
    record["kill_switch"] = bool(plan.meta.get("kill_switch"))
    record["llm"] = [usage.to_json() for usage in plan.usages]
    record["cost_usd"] = sum(usage.cost_usd for usage in plan.usages)
    return replace(turn, meta=record)
