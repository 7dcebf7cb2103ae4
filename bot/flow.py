"""The flow seam: deterministic handlers for intents, no model involved.

A flow is a plain async function registered by intent in `flows/`. It reads the
customer's message, the ticket's memory and (when the reasoning model calls it
as a tool) the model's arguments, and returns what to say, what to remember and
whether a person must take over. It never sends anything itself, and it
enforces its own policy whoever calls it: a tool call cannot cancel an order
the customer did not confirm, nor refund past the limit.

A flow returns None when the message is not for it (the customer asked
something else while it waited for an answer); the engine then routes the
message as usual.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.i18n import Catalog
from bot.orders import OrdersBackend


@dataclass(frozen=True, slots=True)
class Policy:
    refund_human_limit: float
    refund_window_days: int
    today: Callable[[], date] = date.today


@dataclass(frozen=True, slots=True)
class FlowContext:
    text: str
    language: str
    fields: Mapping[str, str]
    asked_by: str | None  # the flow whose question the customer is answering, if any
    catalog: Catalog
    orders: OrdersBackend
    policy: Policy
    args: Mapping[str, Any] = field(default_factory=dict)  # from a model's tool call

    @property
    def from_model(self) -> bool:
        return bool(self.args)

    def say(self, key: str, **args: Any) -> str:
        return self.catalog.text(self.language, key, **args)


@dataclass(frozen=True, slots=True)
class FlowResult:
    text: str
    remember: Mapping[str, str] = field(default_factory=dict)
    asks: bool = False  # the flow asked the customer something: the next message is for it
    handoff_reason: str | None = None  # set when a person must take over
    answered: bool = True  # False when the flow could not help (counts as unresolved)
    data: Mapping[str, Any] = field(default_factory=dict)  # facts for a model's tool result


Flow = Callable[[FlowContext], Awaitable[FlowResult | None]]


@dataclass(frozen=True, slots=True)
class Tool:
    """How the reasoning model may call a flow: a description and a JSON schema."""

    description: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Registered:
    flow: Flow
    tool: Tool | None = None

    def schema(self, intent: str) -> dict[str, Any] | None:
        if self.tool is None:
            return None
        return {
            "type": "function",
            "function": {
                "name": intent,
                "description": self.tool.description,
                "parameters": dict(self.tool.parameters),
            },
        }
