"""What a decision asks the world to do, as values the outbox stores and carries out.

The engine never sends: handling an entry yields the new state and a list of these;
the store commits both in one transaction, and `bot.outbox.Outbox` then carries
each effect out once (keyed by the entry and the effect's place in the list), even
when a worker dies halfway and another one picks the entry up again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.handoff import Agent
from bot.model import Address, Role, Turn
from bot.statemachine import State


@dataclass(frozen=True, slots=True)
class Message:
    """A whole reply for the customer, as the transcript keeps it."""

    id: str
    text: str
    role: Role = Role.BOT
    source: str | None = None
    author: str | None = None  # who wrote it, when a person did


@dataclass(frozen=True, slots=True)
class Say:
    """Send a message on the customer's own channel."""

    address: Address
    message: Message


@dataclass(frozen=True, slots=True)
class ShowState:
    """Tell the customer's channel who owns the conversation now."""

    address: Address
    state: State


@dataclass(frozen=True, slots=True)
class OpenHandoff:
    """Put the ticket in front of the agents, briefed, and keep where they discuss it."""

    ticket_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Relay:
    """Mirror a turn to the agents while a person owns the ticket."""

    ticket_id: str
    turn: Turn


@dataclass(frozen=True, slots=True)
class Remind:
    """Nobody claimed the ticket in time: ask the agents again."""

    ticket_id: str


@dataclass(frozen=True, slots=True)
class DeskChanged:
    """The ticket moved on (an agent event or the customer's rating): redraw the card."""

    ticket_id: str
    what: str
    agent: Agent | None


@dataclass(frozen=True, slots=True)
class TellAgent:
    """An agent's action or message did not go through; say why, to the agents only.

    `outcome` is an `AgentOutcome` value, or "rejected" with the state machine's
    reason in `detail`.
    """

    ticket_id: str
    agent: Agent
    outcome: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Arm:
    """Arm (or re-arm) a durable timer."""

    queue: str
    key: str
    due: datetime


@dataclass(frozen=True, slots=True)
class Disarm:
    queue: str
    key: str


@dataclass(frozen=True, slots=True)
class Audit:
    event: str
    ticket_id: str | None
    details: Mapping[str, Any]


Effect = (
    Say | ShowState | OpenHandoff | Relay | Remind | DeskChanged | TellAgent | Arm | Disarm | Audit
)


def dump(effects: Sequence[Effect]) -> str:
    return json.dumps([_encode(effect) for effect in effects])


def load(raw: str) -> list[Effect]:
    return [_decode(item) for item in json.loads(raw)]


def _address(address: Address) -> dict[str, str]:
    return {"channel": address.channel, "id": address.id}


def _agent(agent: Agent | None) -> dict[str, Any] | None:
    return None if agent is None else {"id": agent.id, "name": agent.name}


def _encode(effect: Effect) -> dict[str, Any]:
    match effect:
        case Say(address, message):
            return {
                "kind": "say",
                "address": _address(address),
                "message": {
                    "id": message.id,
                    "text": message.text,
                    "role": message.role.value,
                    "source": message.source,
                    "author": message.author,
                },
            }
        case ShowState(address, state):
            return {"kind": "state", "address": _address(address), "state": state.value}
        case OpenHandoff(ticket_id, reason):
            return {"kind": "open_handoff", "ticket": ticket_id, "reason": reason}
        case Relay(ticket_id, turn):
            return {"kind": "relay", "ticket": ticket_id, "turn": turn.to_json()}
        case Remind(ticket_id):
            return {"kind": "remind", "ticket": ticket_id}
        case DeskChanged(ticket_id, what, agent):
            return {
                "kind": "desk_changed",
                "ticket": ticket_id,
                "what": what,
                "agent": _agent(agent),
            }
        case TellAgent(ticket_id, agent, outcome, detail):
            return {
                "kind": "tell_agent",
                "ticket": ticket_id,
                "agent": _agent(agent),
                "outcome": outcome,
                "detail": detail,
            }
        case Arm(queue, key, due):
            return {"kind": "arm", "queue": queue, "key": key, "due": due.isoformat()}
        case Disarm(queue, key):
            return {"kind": "disarm", "queue": queue, "key": key}
        case Audit(event, ticket_id, details):
            return {"kind": "audit", "event": event, "ticket": ticket_id, "details": dict(details)}


def _decode(data: Mapping[str, Any]) -> Effect:
    kind = data["kind"]
    if kind == "say":
        raw = data["message"]
        message = Message(raw["id"], raw["text"], Role(raw["role"]), raw["source"], raw["author"])
        return Say(Address(**data["address"]), message)
    if kind == "state":
        return ShowState(Address(**data["address"]), State(data["state"]))
    if kind == "open_handoff":
        return OpenHandoff(data["ticket"], data["reason"])
    if kind == "relay":
        return Relay(data["ticket"], Turn.from_json(data["turn"]))
    if kind == "remind":
        return Remind(data["ticket"])
    if kind == "desk_changed":
        agent = data["agent"]
        return DeskChanged(data["ticket"], data["what"], Agent(**agent) if agent else None)
    if kind == "tell_agent":
        return TellAgent(data["ticket"], Agent(**data["agent"]), data["outcome"], data["detail"])
    if kind == "arm":
        return Arm(data["queue"], data["key"], datetime.fromisoformat(data["due"]))
    if kind == "disarm":
        return Disarm(data["queue"], data["key"])
    if kind == "audit":
        return Audit(data["event"], data["ticket"], data["details"])
    raise ValueError(f"unknown effect {kind!r}")
