"""Cancelling an order: only while it is being prepared, and only after the customer says yes.

The first call asks for confirmation and remembers which order; the customer's
own "yes" in the next message is what cancels it. A model calling this as a
tool can only ever get the question asked: it cannot confirm for the customer.
"""

from __future__ import annotations

from bot.flow import FlowContext, FlowResult, Tool
from bot.orders import Order, OrdersError, OrderStatus
from flows import register
from flows.lookup import ORDER_PARAMETERS, find_order

INTENT = "cancel_order"
TOOL = Tool(
    description=(
        "Start cancelling an order. It asks the customer to confirm; the order is only "
        "cancelled when the customer answers yes in their next message."
    ),
    parameters=ORDER_PARAMETERS,
)


@register(INTENT, tool=TOOL)
async def cancel_order(ctx: FlowContext) -> FlowResult | None:
    pending = ctx.fields.get("cancel_pending")
    if pending and ctx.asked_by == INTENT and not ctx.from_model:
        return await _confirm(ctx, pending)
    found = await find_order(ctx, INTENT)
    if not isinstance(found, Order):
        return found
    order = found
    if order.status is not OrderStatus.PROCESSING:
        return FlowResult(
            ctx.say("cancel-too-late", order=order.number, status=order.status.value),
            {"order_number": order.number},
            data={**order.facts(), "cancellable": False},
        )
    return FlowResult(
        ctx.say("cancel-confirm", order=order.number),
        {"order_number": order.number, "cancel_pending": order.number},
        asks=True,
        data={**order.facts(), "cancellable": True, "waiting_for": "customer confirmation"},
    )


async def _confirm(ctx: FlowContext, number: str) -> FlowResult | None:
    if ctx.catalog.is_only(ctx.language, "match-yes", ctx.text):
        try:
            await ctx.orders.cancel(number)
        except OrdersError as exc:
            return FlowResult(
                ctx.say("cancel-failed", order=number),
                {"cancel_pending": ""},
                handoff_reason=f"cancelling order {number} failed: {exc}",
            )
        return FlowResult(ctx.say("cancel-done", order=number), {"cancel_pending": ""})
    if ctx.catalog.is_only(ctx.language, "match-no", ctx.text):
        return FlowResult(ctx.say("cancel-kept", order=number), {"cancel_pending": ""})
    return None  # something else: the question lapses and the message is routed as usual
