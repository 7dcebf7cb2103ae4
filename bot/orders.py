"""The orders seam: how flows look up and change a shop's orders, whatever the shop runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, Protocol


class OrderStatus(StrEnum):
    PROCESSING = "processing"
    PACKED = "packed"
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class OrdersError(Exception):
    """The shop's orders system failed or refused."""


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

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Order:
        def day(raw: Any) -> date | None:
            return date.fromisoformat(raw) if raw else None

        return cls(
            number=str(row["number"]),
            status=OrderStatus(row["status"]),
            email=row.get("email"),
            eta=day(row.get("eta")),
            delivered_on=day(row.get("delivered_on")),
            carrier=row.get("carrier"),
            tracking=row.get("tracking"),
            total=float(row["total"]) if row.get("total") is not None else None,
        )

    def facts(self) -> dict[str, Any]:
        """What a model may be told about the order (no email)."""
        return {
            "number": self.number,
            "status": self.status.value,
            "eta": self.eta.isoformat() if self.eta else None,
            "delivered_on": self.delivered_on.isoformat() if self.delivered_on else None,
            "carrier": self.carrier,
            "tracking": self.tracking,
            "total": self.total,
        }


class OrdersBackend(Protocol):
    async def get(self, number: str) -> Order | None:
        """The order with this number, or None when the shop has none."""

    async def cancel(self, number: str) -> Order:
        """Cancel the order; the shop decides whether it still can (raises `OrdersError`)."""
