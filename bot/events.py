"""What the inbox journals: every inbound event, as one typed, serializable `Entry`.

A channel turns a provider's request into one of the payloads below and submits
it; only once the inbox has it (a Redis Stream with `REDIS_URL`) does the provider
get its 2xx. A worker later runs the entry through the engine. An entry's `id` is
its dedupe key: the provider's own message id where there is one, so a provider's
retry is recognised at the door and never journaled twice.

```
Entry(id, conversation_id, payload)
  payload: Inbound        a customer wrote or spoke (bot.model)
         | AgentAction    an agent pressed claim / back to bot / resolve
         | AgentReply     an agent wrote in the ticket's thread
         | SlaDue         a handoff waited longer than HANDOFF_SLA_SECONDS
         | DeliveryFailed a provider could not deliver a reply to the customer
```
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.handoff import Agent
from bot.model import Address, Inbound
from bot.statemachine import Event


@dataclass(frozen=True, slots=True)
class AgentAction:
    ticket_id: str
    action: Event
    agent: Agent
    override: bool = False  # operators may act on a ticket another agent owns


@dataclass(frozen=True, slots=True)
class AgentReply:
    ticket_id: str
    agent: Agent
    text: str
    note: bool = False  # marked internal: never reaches the customer


@dataclass(frozen=True, slots=True)
class SlaDue:
    ticket_id: str


@dataclass(frozen=True, slots=True)
class DeliveryFailed:
    address: Address
    detail: str


Payload = Inbound | AgentAction | AgentReply | SlaDue | DeliveryFailed


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    conversation_id: str
    payload: Payload

    @classmethod
    def message(cls, event: Inbound) -> Entry:
        """A customer message; keyed by the provider's message id when it has one."""
        key = f"{event.address.channel}:{event.message_id}" if event.message_id else _fresh()
        return cls(key, event.address.conversation_id, event)

    @classmethod
    def about(cls, conversation_id: str, payload: Payload, key: str | None = None) -> Entry:
        """Anything else; `key` names it for dedupe (a Slack event id), else it is new."""
        return cls(key or _fresh(), conversation_id, payload)

    def to_json(self) -> str:
        return json.dumps(
            {"id": self.id, "conversation": self.conversation_id, **_encode(self.payload)}
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Entry:
        data = json.loads(raw)
        return cls(data["id"], data["conversation"], _decode(data))


def _fresh() -> str:
    return "x:" + secrets.token_hex(12)


def _agent(data: Mapping[str, Any]) -> Agent:
    return Agent(data["id"], data.get("name"))


def _encode(payload: Payload) -> dict[str, Any]:
    match payload:
        case Inbound():
            return {
                "kind": "message",
                "channel": payload.address.channel,
                "customer": payload.address.id,
                "text": payload.text,
                "message_id": payload.message_id,
                "locale": payload.locale,
                "received_at": payload.received_at.isoformat(),
                "media": list(payload.media),
                "command": payload.command,
                "too_long": payload.too_long,
            }
        case AgentAction():
            return {
                "kind": "agent_action",
                "ticket": payload.ticket_id,
                "action": payload.action.value,
                "agent": {"id": payload.agent.id, "name": payload.agent.name},
                "override": payload.override,
            }
        case AgentReply():
            return {
                "kind": "agent_reply",
                "ticket": payload.ticket_id,
                "agent": {"id": payload.agent.id, "name": payload.agent.name},
                "text": payload.text,
                "note": payload.note,
            }
        case SlaDue():
            return {"kind": "sla_due", "ticket": payload.ticket_id}
        case DeliveryFailed():
            return {
                "kind": "delivery_failed",
                "channel": payload.address.channel,
                "customer": payload.address.id,
                "detail": payload.detail,
            }


def _decode(data: Mapping[str, Any]) -> Payload:
    kind = data["kind"]
    if kind == "message":
        return Inbound(
            address=Address(data["channel"], data["customer"]),
            text=data["text"],
            message_id=data.get("message_id"),
            locale=data.get("locale"),
            received_at=datetime.fromisoformat(data["received_at"]),
            media=tuple(data.get("media") or ()),
            command=data.get("command"),
            too_long=data.get("too_long"),
        )
    if kind == "agent_action":
        return AgentAction(
            data["ticket"], Event(data["action"]), _agent(data["agent"]), bool(data["override"])
        )
    if kind == "agent_reply":
        return AgentReply(data["ticket"], _agent(data["agent"]), data["text"], bool(data["note"]))
    if kind == "sla_due":
        return SlaDue(data["ticket"])
    if kind == "delivery_failed":
        return DeliveryFailed(Address(data["channel"], data["customer"]), data["detail"])
    raise ValueError(f"unknown entry kind {kind!r}")
