"""The flow seam: deterministic handlers for intents, no model involved.

A flow is a plain async function registered by intent in `flows/`. It reads the
customer's message and the ticket's memory and returns what to say, what to
remember and whether a person must take over. It never sends anything itself.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from bot.i18n import Catalog
from bot.orders import OrdersBackend


@dataclass(frozen=True, slots=True)
class FlowContext:
    text: str
    language: str
    fields: Mapping[str, str]
    awaiting: str | None
    catalog: Catalog
    orders: OrdersBackend


@dataclass(frozen=True, slots=True)
class FlowResult:
    text: str
    remember: Mapping[str, str] = field(default_factory=dict)
    awaiting: str | None = None  # what the flow asked for and expects next
    handoff_reason: str | None = None  # set when a person must take over
    answered: bool = True  # False when the flow could not help (counts as unresolved)


Flow = Callable[[FlowContext], Awaitable[FlowResult]]
