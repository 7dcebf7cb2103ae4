"""The conversation engine: decides what each inbox entry means, then commits it.

For each entry of a conversation, under the conversation's lock (lock before load):
skip it if a commit already decided it (then only finish its effects); otherwise
decide. A customer message settles the language, lets the state machine say who
answers, and if the bot does, picks the cheapest layer that can (escalation
triggers, deterministic flows, knowledge base, models). An agent's action, an
agent's reply, a missed SLA and an undeliverable reply are decided the same way.

Deciding changes nothing outside: it yields the new conversation and tickets, the
transcript turns, and the effects (`bot.effects`) that must follow. One `commit`
writes them all with the entry marked done; then `bot.outbox.Outbox` carries the
effects out, each once. Only a streamed reply is shown while it is produced
(`Delivery.stream`), because a customer should not wait for the commit to see the
first words; the outbox then sends it whole, which is what counts.

Every customer turn has one error boundary: whatever fails while deciding, the
customer gets a localized fallback and the ticket goes to a person. A store that
fails is not such a case: the error reaches the inbox, which keeps the entry and
tries again later.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any

from bot.brain import HISTORY_TURNS, Brain, Plan
from bot.config import Settings
from bot.crash import crash_point
from bot.effects import (
    Arm,
    Audit,
    DeskChanged,
    Disarm,
    Effect,
    Message,
    OpenHandoff,
    Relay,
    Remind,
    Say,
    ShowState,
    TellAgent,
)
from bot.events import AgentAction, AgentReply, DeliveryFailed, Entry, SlaDue
from bot.handoff import RATED, Agent
from bot.i18n import Catalog
from bot.inbox import Superseded, joinable
from bot.language import LanguageDetector
from bot.model import Conversation, Inbound, Role, Ticket, Turn, new_ticket_id, now
from bot.outbox import Outbox
from bot.rating import Rating, read_rating
from bot.reply import Delivery, Reply
from bot.statemachine import Effect as Step
from bot.statemachine import Event, Pending, Rejected, State, Transition, transition
from bot.store import Snapshot, Store
from bot.store.base import Change
from bot.translate import Translator

log = logging.getLogger(__name__)

SLA_QUEUE = "sla"
_MODELS = frozenset({"commodity", "reasoning"})  # plans whose pieces a model generates

_CUSTOMER_TEXTS = {
    Step.TELL_AGENT_JOINED: "agent-joined",
    Step.TELL_BACK_TO_BOT: "back-to-bot",
    Step.TELL_RESOLVED: "ticket-resolved",
}


class AgentOutcome(StrEnum):
    """What became of an agent's message."""

    SENT = "sent"  # on its way to the customer
    NOTE = "note"  # the agent marked it internal
    NOT_CLAIMED = "not_claimed"  # nobody owns the ticket yet: claim it first
    NOT_OWNER = "not_owner"  # another agent owns the ticket
    CLOSED = "closed"  # the ticket is back with the bot, or resolved
    UNDELIVERED = "undelivered"  # the customer's channel refused it


Result = Transition | Rejected | AgentOutcome | None


@dataclass(slots=True)
class _Work:
    """What one decision changes, written by one commit at the end."""

    entry: Entry
    conversation: Conversation
    ticket: Ticket | None = None
    tickets: dict[str, Ticket] = field(default_factory=dict)
    turns: dict[str, list[Turn]] = field(default_factory=dict)
    effects: list[Effect] = field(default_factory=list)
    replies: int = 0

    def keep(self, ticket: Ticket) -> Ticket:
        """The ticket as it now is; written by the commit (the last kept is current)."""
        self.tickets.pop(ticket.id, None)
        self.tickets[ticket.id] = ticket
        self.ticket = ticket
        return ticket

    @property
    def current(self) -> Ticket:
        """The ticket this decision is about; deciding starts by keeping or finding one."""
        if self.ticket is None:
            raise RuntimeError(f"entry {self.entry.id}: no ticket kept yet")
        return self.ticket

    def add(self, turn: Turn) -> None:
        self.turns.setdefault(self.current.id, []).append(turn)

    def reply_id(self) -> str:
        """The same ids on every attempt at this entry, so a channel that showed part of
        an attempt that died replaces it instead of showing a second copy."""
        self.replies += 1
        digest = hashlib.sha256(self.entry.id.encode()).hexdigest()[:14]
        return f"{digest}{self.replies:02x}"

    def say(
        self, text: str, *, role: Role = Role.BOT, meta: Mapping[str, Any] | None = None
    ) -> None:
        message = Message(self.reply_id(), text, role)
        self.add(Turn(role, text, id=message.id, meta=dict(meta or {})))
        self.effects.append(Say(self.current.address, message))

    def change(self, entries: Sequence[str]) -> Change:
        return Change(
            self.conversation,
            list(self.tickets.values()),
            {tid: turns for tid, turns in self.turns.items() if turns},
            entries,
            Outbox.serialize(self.effects),
        )


class Engine:
    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        catalog: Catalog,
        detector: LanguageDetector,
        brain: Brain,
        delivery: Delivery,
        outbox: Outbox,
        translator: Translator,
    ) -> None:
        self._settings = settings
        self._store = store
        self._catalog = catalog
        self._detector = detector
        self._brain = brain
        self._delivery = delivery
        self._outbox = outbox
        self._translator = translator

    # -- the entry point ----------------------------------------------------------

    async def process(
        self, entries: Sequence[Entry], newer: asyncio.Event | None = None
    ) -> Result:
        """Decide a batch of one conversation's entries under its lock, commit, carry
        out the effects. Several customer messages in a row are one turn.

        Raises when the store fails (`StoreError`, a Redis error): the inbox keeps the
        entries and tries again. An entry a commit already decided is never decided
        again, only finished (`Outbox.resume`). Raises `Superseded` when `newer` is set
        before the answer is committed: the inbox then hands over a larger batch.
        """
        cid = entries[0].conversation_id
        async with self._store.lock(cid) as lease:
            todo: list[Entry] = []
            for entry in entries:
                if await self._store.is_done(cid, entry.id):
                    log.info("entry %s of %s was decided before; finishing it", entry.id, cid)
                    await self._outbox.resume(lease, entry.id)
                else:
                    todo.append(entry)
            if not todo:
                return None
            if len(todo) > 1 and not all(joinable(entry) for entry in todo):
                raise ValueError("only text messages make one turn together")
            first = todo[0]
            snapshot = await self._store.load(cid)
            conversation = snapshot.conversation
            match first.payload:
                case Inbound():
                    conversation = conversation or Conversation(address=first.payload.address)
                    work = _Work(first, conversation)
                    events = [e.payload for e in todo if isinstance(e.payload, Inbound)]
                    await self._customer(work, snapshot, events, newer)
                    result: Result = None
                case _:
                    decided = await self._about_ticket(first, snapshot)
                    if decided is None:
                        return None
                    work, result = decided
            await self._store.commit(work.change([entry.id for entry in todo]), lease)
            crash_point("decided")
            await self._outbox.carry_out(lease, first.id, work.effects)
            return result

    async def abandon(self, entry: Entry) -> None:
        """The entry could not be processed, after every retry: the customer hears so."""
        if not isinstance(entry.payload, Inbound):
            return
        event = entry.payload
        language = self._detector.from_hint(event.locale) or self._settings.default_language
        apology = self._catalog.text(language, "fallback-unavailable")
        message = Message(f"abandoned-{entry.id[-24:]}", apology, Role.SYSTEM)
        try:
            await self._delivery.send(event.address, message)
        except Exception:
            log.exception("could not even apologise to %s", entry.conversation_id)

    # -- customer turns -------------------------------------------------------

    async def _customer(
        self,
        work: _Work,
        snapshot: Snapshot,
        events: Sequence[Inbound],
        newer: asyncio.Event | None,
    ) -> None:
        conversation = work.conversation
        # Messages sent in a row are one thought: read together, answered once.
        event = events[0]
        if len(events) > 1:
            event = replace(event, text="\n".join(e.text for e in events))
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
        work.conversation = replace(conversation, language=language, updated_at=now())
        limited = self._count(work, events)
        customer_turn = _customer_turn(event)
        ticket = snapshot.ticket
        if ticket is not None and ticket.pending is Pending.RATING and len(events) == 1:
            rating = self._rating(ticket, event, language)
            if rating is not None:
                self._rated(work, ticket, customer_turn, rating)
                return
            # Not a rating: a new question, answered as one on a new ticket.
        if ticket is not None and self._idle(ticket, event):
            ticket = self._close_idle(work, ticket)
        state = ticket.status if ticket is not None else State.RESOLVED
        step = transition(state, Event.CUSTOMER_MESSAGE)
        if isinstance(step, Rejected):  # the table accepts a message in every state
            raise RuntimeError(step.reason)
        if ticket is None or Step.OPEN_TICKET in step.effects:
            ticket = self._open_ticket(work.conversation, language)
            work.effects.append(
                Audit("ticket_opened", ticket.id, {"channel": event.address.channel})
            )
        work.conversation = replace(work.conversation, ticket_id=ticket.id)
        work.keep(replace(_moved(ticket, step), language=language, updated_at=now()))
        for each in events:
            work.add(_customer_turn(each))
        try:
            if Step.RELAY_TO_AGENT in step.effects:
                current = work.current
                shown = await self._for_agent(current, customer_turn)
                work.turns[current.id][-1] = shown
                work.effects.append(Relay(current.id, shown))
                return
            if limited is not None:
                if limited:
                    text = self._catalog.text(language, "rate-limited")
                    work.say(text, role=Role.SYSTEM, meta={"handler": "rate_limited"})
                    details = {"messages": work.conversation.rate_count}
                    work.effects.append(Audit("rate_limited", work.current.id, details))
                return
            if event.media and not event.text:
                text = self._catalog.text(language, "text-only")
                work.say(text, role=Role.SYSTEM, meta={"handler": "text_only"})
                return
            if event.too_long is not None:
                limit = self._settings.max_message_chars
                text = self._catalog.text(language, "message-too-long", limit=limit)
                work.say(text, role=Role.SYSTEM, meta={"handler": "too_long"})
                return
            await self._bot_answers(work, event, newer)
        except Superseded:
            raise  # nothing was committed: the turn is decided again, with more
        except Exception:
            log.exception("turn failed on ticket %s", ticket.id)
            self._recover(work)

    def _count(self, work: _Work, events: Sequence[Inbound]) -> bool | None:
        """Counts the messages against the customer's rate limit: None while within it;
        over it, True for the message that crossed it (it gets the polite reply) and
        False for the ones after (kept, not answered)."""
        limit = self._settings.rate_limit_messages
        conversation = work.conversation
        at = events[0].received_at
        window = timedelta(seconds=self._settings.rate_limit_window_seconds)
        if conversation.rate_since is None or at - conversation.rate_since >= window:
            conversation = replace(conversation, rate_since=at, rate_count=0)
        before = conversation.rate_count
        count = before + len(events)
        work.conversation = replace(conversation, rate_count=count)
        if not limit or count <= limit:
            return None
        return before <= limit

    def _idle(self, ticket: Ticket, event: Inbound) -> bool:
        limit = timedelta(minutes=self._settings.ticket_idle_minutes)
        return ticket.status is State.BOT and event.received_at - ticket.updated_at > limit

    def _close_idle(self, work: _Work, ticket: Ticket) -> Ticket:
        step = transition(ticket.status, Event.IDLE_TIMEOUT)
        if isinstance(step, Rejected):
            log.info("ticket %s: %s", ticket.id, step.reason)
            return ticket
        work.effects.append(Audit("ticket_closed", ticket.id, {"reason": "idle"}))
        return work.keep(replace(_moved(ticket, step), updated_at=now()))

    def _open_ticket(self, conversation: Conversation, language: str) -> Ticket:
        return Ticket(
            id=new_ticket_id(),
            conversation_id=conversation.id,
            address=conversation.address,
            language=language,
        )

    async def _bot_answers(
        self, work: _Work, event: Inbound, newer: asyncio.Event | None = None
    ) -> None:
        ticket = work.current
        if newer is not None and newer.is_set():
            raise Superseded(ticket.conversation_id)
        # Only a model reads earlier turns: skip the store round trip offline.
        history = (
            await self._store.transcript(
                ticket.id, limit=HISTORY_TURNS, conversation_id=ticket.conversation_id
            )
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
        customer = work.turns[ticket.id]
        position = len(customer) - 1
        if plan.pieces is not None and newer is not None and plan.meta.get("handler") in _MODELS:
            # A model's answer takes seconds and may be made stale by the next message;
            # an offline answer is instant and stays right for the question it answers.
            plan.pieces = _until_newer(plan, plan.pieces, newer)
        if plan.text is not None or plan.pieces is not None:
            await self._say_plan(work, plan)
        customer[position] = _with_record(customer[position], plan)
        unresolved = 0 if plan.answered else ticket.unresolved_turns + 1
        fields = {**ticket.fields, **plan.remember}
        waits = _ASKING.get(plan.waits_for, Event.BOT_ANSWERED)
        step = transition(ticket.status, waits, ticket.pending)
        if isinstance(step, Transition):
            ticket = _moved(ticket, step)
        work.keep(
            replace(
                ticket,
                pending_flow=plan.asked_by if ticket.pending is Pending.ANSWER else None,
                fields={key: value for key, value in fields.items() if value},
                intent=plan.intent or ticket.intent,
                unresolved_turns=unresolved,
                cost_usd=ticket.cost_usd + sum(u.cost_usd for u in plan.usages),
                prompt_tokens=ticket.prompt_tokens + sum(u.prompt_tokens for u in plan.usages),
                completion_tokens=ticket.completion_tokens
                + sum(u.completion_tokens for u in plan.usages),
            )
        )
        if plan.failure is not None:
            # The apology was said in the failed answer's place (`_say_plan`).
            if work.current.status is State.BOT:
                self._hand_off(work, f"the model failed: {plan.failure}", told=True)
            return
        if plan.handoff_reason is None and unresolved >= self._settings.unresolved_turns_limit:
            plan.handoff_reason = f"the bot could not answer {unresolved} turns in a row"
        if plan.handoff_reason is not None:
            self._hand_off(work, plan.handoff_reason)

    async def _say_plan(self, work: _Work, plan: Plan) -> None:
        address = work.current.address
        reply_id = work.reply_id()
        if plan.pieces is not None:
            reply = Reply(plan.pieces, source=plan.source, id=reply_id)
        else:
            reply = Reply.whole(plan.text or "", source=plan.source, id=reply_id)
        await self._delivery.stream(address, reply)
        text = await reply.text()
        meta = {key: value for key, value in plan.meta.items() if key != "router"}
        role, source = Role.BOT, plan.source
        language, ticket_id = work.current.language, work.current.id
        if plan.failure is not None:
            # One apology in place of whatever part of the answer was produced: a
            # channel that showed the part replaces it, one that did not (SMS)
            # never sends a fragment.
            meta["failure"] = str(plan.failure)
            text = self._catalog.text(language, "fallback-error", ticket=ticket_id)
            role, source, meta["handler"] = Role.SYSTEM, None, "fallback"
        elif plan.blocked is not None:
            verdict = plan.blocked
            meta["guard"] = {"claim": verdict.claim.value, "reason": verdict.reason}
            source = None
            if plan.tool_said is not None:
                # A flow ran: its own words are true and keep what it asked pending
                # ("shall I cancel order 10057?"), which the model may have misstated.
                text = plan.tool_said
            else:
                text = self._catalog.text(language, "guard-blocked")
                plan.waits_for, plan.asked_by, plan.answered = Pending.PERSON_OFFER, None, False
            work.effects.append(Audit("guard_blocked", ticket_id, dict(meta["guard"])))
        elif reply.spoken is not None:
            # The caller talked over the bot: the transcript keeps what they heard.
            meta["interrupted"] = True
            text = reply.spoken
        if text or reply.spoken is not None:
            work.add(Turn(role, text, id=reply.id, source=source, meta=meta))
            work.effects.append(Say(address, Message(reply.id, text, role, source)))

    # -- handoff --------------------------------------------------------------

    def _hand_off(self, work: _Work, reason: str, *, told: bool = False) -> None:
        """`told`: the customer already heard that a person takes over (the apology
        for a failure says so), so the usual notice would be a second message."""
        ticket = work.current
        step = transition(ticket.status, Event.HANDOFF)
        if isinstance(step, Rejected):
            log.warning("ticket %s: %s", ticket.id, step.reason)
            return
        ticket = work.keep(replace(_moved(ticket, step), handoff_reason=reason, updated_at=now()))
        work.effects.append(Audit("handoff", ticket.id, {"reason": reason}))
        for effect in step.effects:
            if effect is Step.TELL_HANDOFF:
                if told:
                    continue
                text = self._catalog.text(ticket.language, "handoff-waiting", ticket=ticket.id)
                work.say(text, role=Role.SYSTEM, meta={"handler": "handoff"})
            elif effect is Step.NOTIFY_AGENTS:
                # Carried out after the commit, so an agent who opens it reads it all.
                work.effects.append(OpenHandoff(ticket.id, reason))
            elif effect is Step.START_SLA_TIMER:
                due = now() + timedelta(seconds=self._settings.handoff_sla_seconds)
                work.effects.append(Arm(SLA_QUEUE, ticket.id, due))
        work.effects.append(ShowState(ticket.address, ticket.status))

    # -- what happens to a ticket from outside a customer turn -----------------------

    async def _about_ticket(self, entry: Entry, snapshot: Snapshot) -> tuple[_Work, Result] | None:
        payload = entry.payload
        if isinstance(payload, DeliveryFailed):
            if snapshot.conversation is None or snapshot.ticket is None:
                log.warning("undeliverable reply to %s, who has no ticket", entry.conversation_id)
                return None
            work = _Work(entry, snapshot.conversation)
            self._delivery_failed(work, snapshot.ticket, payload.detail)
            return work, None
        if not isinstance(payload, AgentAction | AgentReply | SlaDue):
            raise TypeError(f"entry {entry.id}: nothing decides a {type(payload).__name__}")
        ticket = await self._current(payload.ticket_id, snapshot)
        if ticket is None:
            log.info("entry %s: ticket %s has expired", entry.id, payload.ticket_id)
            return None
        work = _Work(entry, snapshot.conversation or Conversation(address=ticket.address))
        work.ticket = ticket
        match payload:
            case AgentAction():
                return work, self._agent_action(work, ticket, payload)
            case AgentReply():
                return work, await self._agent_reply(work, ticket, payload)
            case SlaDue():
                self._sla_missed(work, ticket)
                return work, None

    async def _current(self, ticket_id: str, snapshot: Snapshot) -> Ticket | None:
        """The ticket as it is now that the lock is held; the conversation's current one
        came with the snapshot, an older one is read again."""
        if snapshot.ticket is not None and snapshot.ticket.id == ticket_id:
            return snapshot.ticket
        return await self._store.get_ticket(ticket_id)

    def _agent_action(self, work: _Work, ticket: Ticket, action: AgentAction) -> Result:
        """An agent claimed, released ("back to bot") or resolved a ticket.

        While a person owns the ticket only they can release or resolve it;
        `override` is for operators (the admin API).
        """
        event, agent = action.action, action.agent
        if (
            ticket.status is State.WITH_AGENT
            and event in (Event.AGENT_RELEASE, Event.AGENT_RESOLVE)
            and ticket.agent != agent.id
            and not action.override
        ):
            owner = ticket.agent_name or ticket.agent
            return self._refused(work, ticket, action, f"{owner} owns this ticket")
        step = transition(ticket.status, event)
        if isinstance(step, Rejected):
            log.info("ticket %s: agent %s: %s", ticket.id, agent.id, step.reason)
            return self._refused(work, ticket, action, step.reason, step)
        ticket = replace(_moved(ticket, step), updated_at=now())
        if event is Event.AGENT_CLAIM:
            ticket = replace(ticket, agent=agent.id, agent_name=agent.name)
        if step.state is State.BOT:
            ticket = replace(ticket, unresolved_turns=0, agent=None, agent_name=None)
        work.keep(ticket)
        for effect in step.effects:
            key = _CUSTOMER_TEXTS.get(effect)
            if key is not None:
                work.say(
                    self._catalog.text(ticket.language, key, ticket=ticket.id), role=Role.SYSTEM
                )
            elif effect is Step.STOP_SLA_TIMER:
                work.effects.append(Disarm(SLA_QUEUE, ticket.id))
            elif effect is Step.ASK_RATING:
                # Asked once, right after the resolution; the answer is read by `_rating`.
                ask = self._catalog.text(ticket.language, "rating-ask")
                work.say(ask, role=Role.SYSTEM, meta={"handler": "rating"})
        work.effects += [
            Audit(str(event), ticket.id, {"agent": agent.id, "state": step.state.value}),
            ShowState(ticket.address, step.state),
            DeskChanged(ticket.id, str(event), agent),
        ]
        return step

    def _refused(
        self,
        work: _Work,
        ticket: Ticket,
        action: AgentAction,
        reason: str,
        step: Rejected | None = None,
    ) -> Rejected:
        if not action.override:
            # An operator hears it from the admin API; an agent in the desk's thread.
            work.effects.append(TellAgent(ticket.id, action.agent, "rejected", reason))
        return step or Rejected(ticket.status, action.action, reason)

    async def _agent_reply(self, work: _Work, ticket: Ticket, reply: AgentReply) -> Result:
        """An agent wrote in the ticket's thread. Only the owner's messages reach the
        customer; everything else stays with the agents."""
        agent = reply.agent
        outcome = _internal(ticket, agent, reply.note)
        if outcome is not None:
            work.effects.append(
                Audit("agent_note", ticket.id, {"agent": agent.id, "why": outcome})
            )
            if outcome is not AgentOutcome.NOTE:
                work.effects.append(TellAgent(ticket.id, agent, outcome.value))
            return outcome
        written_in = self._detector.detect(reply.text, current=self._settings.agent_language)
        translated = await self._translator.translate(reply.text, written_in, ticket.language)
        shown = translated or reply.text
        author = self._catalog.text(ticket.language, "agent-label", name=agent.label)
        meta: dict[str, Any] = {"agent": agent.id, "agent_name": agent.name, "author": author}
        if translated is not None:
            meta["original"] = {"language": written_in, "text": reply.text}
        work.keep(replace(ticket, updated_at=now()))
        message = Message(work.reply_id(), shown, Role.AGENT, None, author)
        work.add(Turn(Role.AGENT, shown, id=message.id, meta=meta))
        work.effects += [
            Say(ticket.address, message),
            Audit("agent_reply", ticket.id, {"agent": agent.id}),
        ]
        return AgentOutcome.SENT

    def _sla_missed(self, work: _Work, ticket: Ticket) -> None:
        """Nobody claimed the ticket in time: tell the customer and ask the agents again."""
        step = transition(ticket.status, Event.SLA_EXPIRED)
        if isinstance(step, Rejected):
            log.info("ticket %s: %s", ticket.id, step.reason)
            return
        work.keep(_moved(ticket, step))
        for effect in step.effects:
            if effect is Step.TELL_SLA_MISSED:
                text = self._catalog.text(ticket.language, "handoff-sla-missed", ticket=ticket.id)
                work.say(text, role=Role.SYSTEM, meta={"handler": "sla"})
            elif effect is Step.NOTIFY_AGENTS:
                work.effects.append(Remind(ticket.id))
        work.effects.append(Audit("sla_missed", ticket.id, {}))

    def _delivery_failed(self, work: _Work, ticket: Ticket, detail: str) -> None:
        """The customer's channel could not deliver a reply, after its retries: flag the
        ticket, and tell the person who owns it, if anyone does."""
        fields = {**ticket.fields, "delivery_problem": detail}
        work.keep(replace(ticket, fields=fields, updated_at=now()))
        work.effects.append(Audit("delivery_failed", ticket.id, {"detail": detail}))
        if ticket.status in (State.WAITING_AGENT, State.WITH_AGENT):
            agent = Agent(ticket.agent or "", ticket.agent_name)
            work.effects.append(
                TellAgent(ticket.id, agent, AgentOutcome.UNDELIVERED.value, detail)
            )

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

    def _rated(self, work: _Work, ticket: Ticket, turn: Turn, rating: Rating) -> None:
        step = transition(ticket.status, Event.RATED, ticket.pending)
        if isinstance(step, Rejected):
            log.info("ticket %s: %s", ticket.id, step.reason)
            return
        fields = dict(ticket.fields)
        if rating.comment:
            fields["rating_comment"] = rating.comment
        rated = work.keep(
            replace(_moved(ticket, step), rating=rating.score, fields=fields, updated_at=now())
        )
        work.conversation = replace(work.conversation, ticket_id=rated.id)
        work.add(replace(turn, meta={**turn.meta, "rating": rating.score}))
        if Step.THANK_FOR_RATING in step.effects:
            work.say(self._catalog.text(rated.language, "rating-thanks"), role=Role.SYSTEM)
        work.effects += [
            Audit("rated", ticket.id, {"score": rating.score}),
            DeskChanged(rated.id, RATED, None),
        ]

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

    # -- failure ----------------------------------------------------------------

    def _recover(self, work: _Work, reason: str = "the bot failed while answering") -> None:
        """The turn failed after the ticket was loaded: apologise and get a person."""
        ticket = work.current
        text = self._catalog.text(ticket.language, "fallback-error", ticket=ticket.id)
        work.say(text, role=Role.SYSTEM, meta={"handler": "fallback"})
        if ticket.status is State.BOT:
            self._hand_off(work, reason, told=True)


async def _until_newer(
    plan: Plan, pieces: AsyncIterator[str], newer: asyncio.Event
) -> AsyncIterator[str]:
    """The answer's pieces until a newer message arrives: then the answer gives way,
    unless it has acted already (a tool ran), since deciding again would act twice."""
    try:
        async for piece in pieces:
            if newer.is_set() and not plan.meta.get("tools_called"):
                raise Superseded("a newer message arrived while answering")
            yield piece
    finally:
        if isinstance(pieces, AsyncGenerator):
            # Ends the model's stream now, not whenever the generator is collected.
            await pieces.aclose()


# The event that records what an answer leaves the conversation waiting for.
_ASKING = {Pending.ANSWER: Event.BOT_ASKED, Pending.PERSON_OFFER: Event.BOT_OFFERED_PERSON}


def _moved(ticket: Ticket, step: Transition) -> Ticket:
    """The ticket in the state and sub-state `step` leads to."""
    if step.pending is None:
        return replace(ticket, status=step.state)
    flow = ticket.pending_flow if step.pending is Pending.ANSWER else None
    return replace(ticket, status=step.state, pending=step.pending, pending_flow=flow)


def _customer_turn(event: Inbound) -> Turn:
    meta: dict[str, Any] = {"message_id": event.message_id} if event.message_id else {}
    if event.too_long is not None:
        meta["too_long"] = event.too_long
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
