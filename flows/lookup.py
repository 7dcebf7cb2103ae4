"""The first step of every order flow: which order, and does it exist."""

from __future__ import annotations

from typing import Any

from bot.flow import FlowContext, FlowResult
from bot.orders import Order
from bot.slots import extract

# The arguments of every tool that acts on one order.
ORDER_PARAMETERS: dict[str, Any] = {
    "type": "object",
    "properties": {"order_number": {"type": "string", "description": "5 digits"}},
    "required": ["order_number"],
}


def order_number(ctx: FlowContext) -> str | None:
    """From the model's arguments, this message, or the ticket's memory, in that order."""
    given = ctx.args.get("order_number")
    if given:
        return str(given).lstrip("#").strip()
    return extract(ctx.text).get("order_number") or ctx.fields.get("order_number")


async def find_order(ctx: FlowContext, intent: str) -> Order | FlowResult | None:
    """The order, or what to say instead (ask for the number, not found).

    None when this flow was waiting for a number and the message has none: the
    customer moved on, so the message is routed as usual.
    """
    number = order_number(ctx)
    if number is None:
        if ctx.asked_by == intent and not ctx.from_model:
            return None
        return FlowResult(ctx.say("order-ask-number"), asks=True, data={"needs": "order_number"})
    order = await ctx.orders.get(number)
    if order is None:
        return FlowResult(
            ctx.say("order-not-found", order=number),
            asks=True,
            answered=False,
            data={"found": False, "order_number": number},
        )
    return order
