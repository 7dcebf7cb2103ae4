"""Orders from a JSON or CSV file: the demo shop, and a quick start for a small one.

JSON: `{"orders": [{"number": "10042", "status": "shipped", "eta": "2026-12-03", ...}]}`.
CSV: a header row with `number,status,email,eta,delivered_on,carrier,tracking,total`.
Cancellations change the loaded copy only; the file is never written.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from pathlib import Path
from typing import Any

from bot.orders import Order, OrdersError, OrderStatus

CANCELLABLE = frozenset({OrderStatus.PROCESSING})


class FileOrdersBackend:
    def __init__(self, path: Path) -> None:
        rows = _read(path)
        try:
            self._orders = {order.number: order for order in map(Order.from_json, rows)}
        except (KeyError, ValueError) as exc:
            raise ValueError(f"{path}: an order row is not valid: {exc}") from None

    async def get(self, number: str) -> Order | None:
        return self._orders.get(number)

    async def cancel(self, number: str) -> Order:
        order = self._orders.get(number)
        if order is None:
            raise OrdersError(f"no order {number}")
        if order.status not in CANCELLABLE:
            raise OrdersError(f"order {number} is {order.status} and cannot be cancelled")
        cancelled = dataclasses.replace(order, status=OrderStatus.CANCELLED)
        self._orders[number] = cancelled
        return cancelled


def _read(path: Path) -> list[dict[str, Any]]:
    text = path.read_text("utf-8")
    if path.suffix.lower() == ".csv":
        return [
            {k: v for k, v in row.items() if v != ""} for row in csv.DictReader(text.splitlines())
        ]
    data = json.loads(text)
    orders = data["orders"] if isinstance(data, dict) else data
    if not isinstance(orders, list):
        raise ValueError(f"{path}: expected a list of orders")
    return orders
