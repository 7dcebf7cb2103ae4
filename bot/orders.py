"""The orders seam: how flows look up a shop's orders, whatever the shop runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol


class OrderStatus(StrEnum):
    PROCESSING = "processing"
    PACKED = "packed"
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Order:
    number: str
    status: OrderStatus
    email: str | None = None
    eta: date | None = None
    delivered_on: date | None = None
    carrier: str | None = None
    tracking: str | None = None
    total: float | None = None


class OrdersBackend(Protocol):
    async def get(self, number: str) -> Order | None:
        """The order with this number, or None when the shop has none."""
