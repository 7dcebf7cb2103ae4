"""Refund eligibility: the return window and the amount a person must review.

Policy, whoever asks: an order must be delivered and within `REFUND_WINDOW_DAYS`
of delivery; a refund above `REFUND_HUMAN_LIMIT` always goes to a person.
"""

from __future__ import annotations

from bot.flow import FlowContext, FlowResult, Tool
from bot.orders import Order, OrderStatus
from flows import register
from flows.lookup import ORDER_PARAMETERS, find_order

TOOL = Tool(
    description=(
        "Check whether an order can be refunded under the shop's policy and for how much. "
        "It never issues a refund; large refunds are passed to a person automatically."
    ),
    parameters=ORDER_PARAMETERS,
)


@register("refund_eligibility", tool=TOOL)
async def refund_eligibility(ctx: FlowContext) -> FlowResult | None:
    found = await find_order(ctx, "refund_eligibility")
    if not isinstance(found, Order):
        return found
    order, policy = found, ctx.policy
    remember = {"order_number": order.number}
    facts = order.facts()
    if order.status is OrderStatus.CANCELLED:
        return FlowResult(
            ctx.say("refund-cancelled", order=order.number),
            remember,
            data={**facts, "eligible": False, "why": "cancelled"},
        )
    if order.status is not OrderStatus.DELIVERED or order.delivered_on is None:
        return FlowResult(
            ctx.say("refund-not-delivered", order=order.number),
            remember,
            data={**facts, "eligible": False, "why": "not delivered"},
        )
    age = (policy.today() - order.delivered_on).days
    if age > policy.refund_window_days:
        text = ctx.say(
            "refund-window-passed",
            order=order.number,
            delivered=order.delivered_on,
            days=policy.refund_window_days,
        )
        return FlowResult(
            text,
            remember,
            answered=True,
            data={**facts, "eligible": False, "why": "outside the return window"},
        )
    amount = order.total or 0.0
    if amount > policy.refund_human_limit:
        return FlowResult(
            ctx.say("refund-needs-person", order=order.number, amount=amount),
            remember,
            handoff_reason=(
                f"refund of {amount:.2f} for order {order.number} is above the "
                f"{policy.refund_human_limit:.2f} limit"
            ),
            data={**facts, "eligible": True, "needs_person": True},
        )
    return FlowResult(
        ctx.say("refund-eligible", order=order.number, amount=amount),
        remember,
        data={**facts, "eligible": True, "amount": amount},
    )
