"""The handoff seam: where a conversation goes when a person must take over.

`AgentDesk` is what the engine calls: `open` when a ticket starts waiting for a
person (with everything an agent needs to read it at a glance), `rebrief` when
the model's briefing of that handoff arrives later, `relay` for each turn while
a person owns it, `remind` when nobody claimed it in time, and `changed` after
an agent (or the customer's rating) moved it on. Desks never change state
themselves: what an agent does comes back through `Engine.agent_event` and
`Engine.agent_message`, so the state machine stays the one place that decides.

`RecordingDesk` keeps every handoff in the store for `GET /admin/handoffs`; the
Slack console (`channels/slack`) is the desk agents work in. `Desks` fans out
to all configured desks, and asks the model for its briefing in the background
once they show the handoff (a dead model must not keep the agents waiting).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.model import Ticket, Turn, now
from bot.redact import mask_address, redact
from bot.store import Store

log = logging.getLogger(__name__)

HANDOFF_LOG = "handoffs"
BRIEFING_REF = "handoff-briefing"  # ticket id -> the model's briefing of its last handoff
RATED = "rated"  # what `AgentDesk.changed` is told after the customer rated the help


@dataclass(frozen=True, slots=True)
class Briefing:
    """What an agent reads first: the gist, the mood, and what the bot would say."""

    summary: str
    sentiment: str  # "negative", "neutral" or "positive"
    suggested_reply: str | None = None
    intent: str | None = None
    confidence: float | None = None
    by_model: bool = False
    # The model's briefing, still to be written (see `Briefer.brief`): awaited after the
    # desks show this one, None when the model failed. Not data: never stored or shown.
    later: Callable[[], Awaitable[Briefing | None]] | None = field(
        default=None, compare=False, repr=False
    )

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "sentiment": self.sentiment,
            "suggested_reply": self.suggested_reply,
            "intent": self.intent,
            "confidence": self.confidence,
            "by_model": self.by_model,
        }


@dataclass(frozen=True, slots=True)
class Handoff:
    ticket: Ticket
    reason: str
    transcript: Sequence[Turn]
    at: datetime
    briefing: Briefing


@dataclass(frozen=True, slots=True)
class Agent:
    """A person on the support team, as the desk knows them (a Slack user)."""

    id: str
    name: str | None = None

    @property
    def label(self) -> str:
        return self.name or self.id


class AgentDesk(Protocol):
    async def open(self, handoff: Handoff) -> str | None:
        """A ticket now waits for a person: show it with its context.

        Returns where the agents discuss it (kept on the ticket as `desk_ref`), if anywhere.
        Opening the same ticket again shows it again, in the same place where there is one.
        """

    async def rebrief(self, handoff: Handoff, briefing: Briefing) -> None:
        """The model's briefing of `handoff` arrived after it was opened: show it instead.

        Keyed by the handoff (`Handoff.at`): a later handoff of the ticket is left alone,
        and showing the same briefing twice changes nothing.
        """

    async def relay(self, ticket: Ticket, turn: Turn) -> None:
        """Something was said while a person owns the ticket (the customer, or a notice)."""

    async def remind(self, ticket: Ticket) -> None:
        """Nobody claimed the ticket within the SLA: ask again, louder."""

    async def changed(self, ticket: Ticket, what: str, agent: Agent | None) -> None:
        """The ticket moved on: `what` is an agent `Event` (claim, release, resolve) or `RATED`."""

    async def tell(self, ticket: Ticket, agent: Agent, outcome: str, detail: str) -> None:
        """What an agent did was not carried out (see `bot.effects.TellAgent`): say why."""


class RecordingDesk:
    """Keeps handoffs in the store, for `/admin/handoffs`; with `masked` (AGENT_PII=masked)
    the ticket's fields and the last turns are kept with emails, cards, IBANs and phone
    numbers redacted, as every agent-facing view shows them."""

    def __init__(self, store: Store, *, masked: bool = True) -> None:
        self._store = store
        self._shown: Callable[[str], str] = redact if masked else str

    async def open(self, handoff: Handoff) -> str | None:
        ticket = handoff.ticket
        await self._store.append_log(
            HANDOFF_LOG,
            {
                "ticket": ticket.id,
                "conversation": ticket.conversation_id,
                "channel": ticket.address.channel,
                "customer": mask_address(ticket.address.id),
                "language": ticket.language,
                "reason": handoff.reason,
                "fields": {name: self._shown(value) for name, value in ticket.fields.items()},
                "briefing": {
                    **handoff.briefing.to_json(),
                    "summary": self._shown(handoff.briefing.summary),
                },
                "at": handoff.at.isoformat(),
                "last_turns": [
                    {"role": t.role.value, "text": self._shown(t.text), "at": t.at.isoformat()}
                    for t in handoff.transcript[-10:]
                ],
            },
        )
        return None

    async def rebrief(self, handoff: Handoff, briefing: Briefing) -> None:
        # The log is append-only: `list` shows this instead of the logged briefing.
        await self._store.put_ref(
            BRIEFING_REF,
            handoff.ticket.id,
            json.dumps(
                {
                    "at": handoff.at.isoformat(),
                    "briefing": {**briefing.to_json(), "summary": self._shown(briefing.summary)},
                }
            ),
        )

    async def relay(self, ticket: Ticket, turn: Turn) -> None:
        # The turn is in the ticket's transcript, which the admin API shows.
        return None

    async def remind(self, ticket: Ticket) -> None:
        return None

    async def changed(self, ticket: Ticket, what: str, agent: Agent | None) -> None:
        return None

    async def tell(self, ticket: Ticket, agent: Agent, outcome: str, detail: str) -> None:
        # The admin API answers its caller directly; there is nobody else to tell.
        return None

    async def list(self, limit: int = 50) -> list[dict[str, Any]]:
        entries = await self._store.read_log(HANDOFF_LOG, limit)
        for entry in entries:
            current = await self._store.get_ticket(entry["ticket"])
            entry["status"] = current.status.value if current else "expired"
            if current is not None:
                entry["agent"] = current.agent
                entry["rating"] = current.rating
            written = await self._store.get_ref(BRIEFING_REF, entry["ticket"])
            if written is not None:
                later = json.loads(written)
                if later["at"] == entry["at"]:
                    entry["briefing"] = later["briefing"]
        return entries


class Desks:
    """Every configured desk, told the same things. One desk failing never stops the others,
    nor the turn: the ticket's state is already saved and the admin API shows it.

    A handoff whose briefing has a model's version to come (`Briefing.later`) is opened
    with the offline briefing at once; the model's is awaited in a background task, kept
    here until it ends, and shown with `rebrief` when it arrives. `close` (at shutdown)
    gives the tasks still running a moment, then stops them.
    """

    def __init__(self, desks: Iterable[AgentDesk]) -> None:
        self._desks = list(desks)
        self._briefing: set[asyncio.Task[None]] = set()

    def add(self, desk: AgentDesk) -> None:
        self._desks.append(desk)

    async def open(self, handoff: Handoff) -> str | None:
        ref = None
        for desk in self._desks:
            try:
                ref = await desk.open(handoff) or ref
            except Exception:
                log.exception("desk %s could not open ticket %s", _name(desk), handoff.ticket.id)
        later = handoff.briefing.later
        if later is not None:
            task = asyncio.create_task(
                self._rebrief(handoff, later), name=f"briefing {handoff.ticket.id}"
            )
            self._briefing.add(task)
            task.add_done_callback(self._briefing.discard)
        return ref

    async def rebrief(self, handoff: Handoff, briefing: Briefing) -> None:
        for desk in self._desks:
            try:
                await desk.rebrief(handoff, briefing)
            except Exception:
                log.exception(
                    "desk %s could not show the briefing of %s", _name(desk), handoff.ticket.id
                )

    async def close(self, grace: float = 5.0) -> None:
        """Let the model briefings being written finish for up to `grace` seconds, then
        stop the rest: the desks keep showing the offline briefings."""
        late = set(self._briefing)
        if late and grace > 0:
            _, late = await asyncio.wait(late, timeout=grace)
        for task in late:
            log.info("%s: not written before shutdown, the offline one stays", task.get_name())
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    async def _rebrief(
        self, handoff: Handoff, later: Callable[[], Awaitable[Briefing | None]]
    ) -> None:
        try:
            briefing = await later()
        except Exception:
            log.exception("ticket %s: the model's briefing failed", handoff.ticket.id)
            return
        if briefing is not None:
            await self.rebrief(handoff, briefing)

    async def relay(self, ticket: Ticket, turn: Turn) -> None:
        for desk in self._desks:
            try:
                await desk.relay(ticket, turn)
            except Exception:
                log.exception("desk %s could not relay to ticket %s", _name(desk), ticket.id)

    async def remind(self, ticket: Ticket) -> None:
        for desk in self._desks:
            try:
                await desk.remind(ticket)
            except Exception:
                log.exception("desk %s could not remind about %s", _name(desk), ticket.id)

    async def changed(self, ticket: Ticket, what: str, agent: Agent | None) -> None:
        for desk in self._desks:
            try:
                await desk.changed(ticket, what, agent)
            except Exception:
                log.exception("desk %s could not show %s on %s", _name(desk), what, ticket.id)

    async def tell(self, ticket: Ticket, agent: Agent, outcome: str, detail: str) -> None:
        for desk in self._desks:
            try:
                await desk.tell(ticket, agent, outcome, detail)
            except Exception:
                log.exception("desk %s could not tell %s on %s", _name(desk), agent.id, ticket.id)


def _name(desk: AgentDesk) -> str:
    return type(desk).__name__


def handoff_now(
    ticket: Ticket, reason: str, transcript: Sequence[Turn], briefing: Briefing
) -> Handoff:
    return Handoff(
        ticket=ticket, reason=reason, transcript=list(transcript), at=now(), briefing=briefing
    )
