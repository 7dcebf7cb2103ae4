"""Order status: asks for the order number when it is missing, remembers it, looks it up."""

from __future__ import annotations

from typing import Any

from bot.flow import FlowContext, FlowResult, Tool
from bot.orders import Order, OrderStatus
from flows import register
from flows.lookup import ORDER_PARAMETERS, find_order

TOOL = Tool(
    description="Look up an order's status, carrier, tracking number and expected delivery.",
    parameters=ORDER_PARAMETERS,
)


@register("order_status", tool=TOOL)
async def order_status(ctx: FlowContext) -> FlowResult | None:
    found = await find_order(ctx, "order_status")
    if not isinstance(found, Order):
        return found
    return FlowResult(
        describe(ctx, found), remember={"order_number": found.number}, data=found.facts()
    )


def describe(ctx: FlowContext, order: Order) -> str:
    key = "order-" + order.status.value.replace("_", "-")
    args: dict[str, Any] = {"order": order.number}
    if order.status in (OrderStatus.PROCESSING, OrderStatus.PACKED, OrderStatus.SHIPPED):
        args["eta"] = order.eta
    if order.status in (OrderStatus.SHIPPED, OrderStatus.OUT_FOR_DELIVERY):
        args["carrier"] = order.carrier or "—"
        args["tracking"] = order.tracking or "—"
    if order.status is OrderStatus.DELIVERED:
        args["delivered"] = order.delivered_on
    return ctx.say(key, **args)
