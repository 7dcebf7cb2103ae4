"""Orders from a JSON file: the demo shop, and a quick start for a small one."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from bot.orders import Order, OrderStatus


def _day(raw: Any) -> date | None:
    return date.fromisoformat(raw) if raw else None


class FileOrdersBackend:
    """`{"orders": [{"number": "10042", "status": "shipped", "eta": "2026-11-28", ...}]}`."""

    def __init__(self, path: Path) -> None:
        data = json.loads(path.read_text("utf-8"))
        self._orders = {
            str(row["number"]): Order(
                number=str(row["number"]),
                status=OrderStatus(row["status"]),
                email=row.get("email"),
                eta=_day(row.get("eta")),
                delivered_on=_day(row.get("delivered_on")),
                carrier=row.get("carrier"),
                tracking=row.get("tracking"),
                total=row.get("total"),
            )
            for row in data["orders"]
        }

    async def get(self, number: str) -> Order | None:
        return self._orders.get(number)
