"""The provider-neutral values that flow between channels, engine and store.

Frozen dataclasses; changes are made with `dataclasses.replace`. Each persisted
value has `to_json`/`from_json` with explicit fields, so a stored ticket reads
back the same after an upgrade that reorders or adds attributes.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from bot.statemachine import Pending, State


def now() -> datetime:
    return datetime.now(UTC)


def _time(raw: str) -> datetime:
    return datetime.fromisoformat(raw)


# Crockford's alphabet: no I, L, O, U, so a reference read over the phone is unambiguous.
_REF_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_ticket_id() -> str:
    return "T-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(8))


def new_id() -> str:
    return secrets.token_hex(8)


@dataclass(frozen=True, slots=True)
class Address:
    """Where a customer is reached: a channel and the channel's id for them."""

    channel: str
    id: str

    @property
    def conversation_id(self) -> str:
        return f"{self.channel}:{self.id}"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One customer event, parsed by a channel, on its way to the engine."""

    address: Address
    text: str
    message_id: str | None = None  # the provider's id, for dropping re-deliveries
    locale: str | None = None  # a language hint the channel knows (browser, app, phone country)
    received_at: datetime = field(default_factory=now)
    # What came instead of text (a photo, a voice note): kinds or URLs. The bot
    # reads only text, and says so; an agent sees that something was sent.
    media: tuple[str, ...] = ()
    # A channel command the customer used (Telegram's /human): an explicit ask.
    command: str | None = None
    # Set when the message was longer than MAX_MESSAGE_CHARS: its length. `text` then
    # holds only the start, and the customer is asked to write less.
    too_long: int | None = None


def clipped(text: str, limit: int) -> tuple[str, int | None]:
    """`text` cut to `limit` characters, and its length when it had to be cut.

    Every channel cuts before anything reads the text, so no pattern, detector or model
    ever sees more than `limit` characters of one message.
    """
    if len(text) <= limit:
        return text, None
    return text[:limit], len(text)


class Role(StrEnum):
    CUSTOMER = "customer"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of a transcript. `meta` holds how the bot decided (route, source, cost)."""

    role: Role
    text: str
    id: str = field(default_factory=new_id)
    at: datetime = field(default_factory=now)
    source: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "role": self.role.value,
            "text": self.text,
            "at": self.at.isoformat(),
            "source": self.source,
            "meta": dict(self.meta),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Turn:
        return cls(
            role=Role(data["role"]),
            text=data["text"],
            id=data["id"],
            at=_time(data["at"]),
            source=data.get("source"),
            meta=data.get("meta") or {},
        )


@dataclass(frozen=True, slots=True)
class Ticket:
    """One customer issue. A conversation holds many tickets over time, one open at once.

    `fields` is the ticket's memory that flows fill (order number, email ...);
    `pending` is the state machine's sub-state: what the bot asked for and expects
    next (an answer to a flow's question, `pending_flow` naming the flow; a yes to
    "shall I get a person?"; a rating), so a short answer is read in context.
    `agent` is the one person who owns the ticket while it is WITH_AGENT;
    `desk_ref` is where the agents discuss it (a Slack thread).
    """

    id: str
    conversation_id: str
    address: Address
    language: str
    status: State = State.BOT
    intent: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    pending: Pending = Pending.NOTHING
    pending_flow: str | None = None
    unresolved_turns: int = 0
    handoff_reason: str | None = None
    cost_usd: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    agent: str | None = None
    agent_name: str | None = None
    desk_ref: str | None = None
    rating: int | None = None
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "channel": self.address.channel,
            "customer": self.address.id,
            "language": self.language,
            "status": self.status.value,
            "intent": self.intent,
            "fields": dict(self.fields),
            "pending": self.pending.value,
            "pending_flow": self.pending_flow,
            "unresolved_turns": self.unresolved_turns,
            "handoff_reason": self.handoff_reason,
            "cost_usd": self.cost_usd,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "agent": self.agent,
            "agent_name": self.agent_name,
            "desk_ref": self.desk_ref,
            "rating": self.rating,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Ticket:
        return cls(
            id=data["id"],
            conversation_id=data["conversation_id"],
            address=Address(data["channel"], data["customer"]),
            language=data["language"],
            status=State(data["status"]),
            intent=data.get("intent"),
            fields=data.get("fields") or {},
            pending=Pending(data.get("pending", Pending.NOTHING)),
            pending_flow=data.get("pending_flow"),
            unresolved_turns=data.get("unresolved_turns", 0),
            handoff_reason=data.get("handoff_reason"),
            cost_usd=data.get("cost_usd", 0.0),
            prompt_tokens=data.get("prompt_tokens", 0),
            completion_tokens=data.get("completion_tokens", 0),
            agent=data.get("agent"),
            agent_name=data.get("agent_name"),
            desk_ref=data.get("desk_ref"),
            rating=data.get("rating"),
            created_at=_time(data["created_at"]),
            updated_at=_time(data["updated_at"]),
        )


@dataclass(frozen=True, slots=True)
class Conversation:
    """A customer on one channel address, across all their tickets."""

    address: Address
    language: str | None = None
    ticket_id: str | None = None
    created_at: datetime = field(default_factory=now)
    updated_at: datetime = field(default_factory=now)
    # The customer's messages in the current rate-limit window, and when it began.
    rate_since: datetime | None = None
    rate_count: int = 0

    @property
    def id(self) -> str:
        return self.address.conversation_id

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.address.channel,
            "customer": self.address.id,
            "language": self.language,
            "ticket_id": self.ticket_id,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "rate": (
                {"since": self.rate_since.isoformat(), "count": self.rate_count}
                if self.rate_since is not None
                else None
            ),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Conversation:
        rate = data.get("rate") or {}
        return cls(
            address=Address(data["channel"], data["customer"]),
            language=data.get("language"),
            ticket_id=data.get("ticket_id"),
            created_at=_time(data["created_at"]),
            updated_at=_time(data["updated_at"]),
            rate_since=_time(rate["since"]) if rate.get("since") else None,
            rate_count=int(rate.get("count", 0)),
        )
