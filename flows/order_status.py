"""Order status: asks for the order number when it is missing, then looks it up."""

from __future__ import annotations

from bot.flow import FlowContext, FlowResult
from bot.orders import Order, OrderStatus
from flows import register

AWAITING_ORDER_NUMBER = "order_number"


@register("order_status")
async def order_status(ctx: FlowContext) -> FlowResult:
    number = ctx.fields.get("order_number")
    if number is None:
        return FlowResult(
            ctx.catalog.text(ctx.language, "order-ask-number"), awaiting=AWAITING_ORDER_NUMBER
        )
    order = await ctx.orders.get(number)
    if order is None:
        return FlowResult(
            ctx.catalog.text(ctx.language, "order-not-found", order=number),
            awaiting=AWAITING_ORDER_NUMBER,
            answered=False,
        )
    return FlowResult(describe(ctx, order))


def describe(ctx: FlowContext, order: Order) -> str:
    key = "order-" + order.status.value.replace("_", "-")
    args: dict[str, object] = {"order": order.number}
    if order.status in (OrderStatus.PROCESSING, OrderStatus.PACKED, OrderStatus.SHIPPED):
        args["eta"] = order.eta
    if order.status in (OrderStatus.SHIPPED, OrderStatus.OUT_FOR_DELIVERY):
        args["carrier"] = order.carrier or "—"
        args["tracking"] = order.tracking or "-"
    if order.status is OrderStatus.DELIVERED:
        args["delivered"] = order.delivered_on
    return ctx.catalog.text(ctx.language, key, **args)
