"""Orders from the shop's own HTTP API (`ORDERS_URL`, optional bearer `ORDERS_API_KEY`).

`GET {url}/orders/{number}` answers 200 with an order object (the fields of the
file backend) or 404; `POST {url}/orders/{number}/cancel` answers 200 with the
cancelled order or 409 when the shop refuses. Anything else is an `OrdersError`,
which the engine turns into a fallback and a handoff.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp

from bot.config import Secret
from bot.orders import Order, OrdersError


class HttpOrdersBackend:
    def __init__(self, base_url: str, api_key: Secret | None = None, timeout: float = 10) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"Accept": "application/json"}
        if api_key is not None:
            self._headers["Authorization"] = f"Bearer {api_key.reveal()}"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(headers=self._headers, timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def get(self, number: str) -> Order | None:
        data = await self._call("GET", f"/orders/{quote(number, safe='')}", missing_ok=True)
        return None if data is None else Order.from_json(data)

    async def cancel(self, number: str) -> Order:
        data = await self._call("POST", f"/orders/{quote(number, safe='')}/cancel")
        assert data is not None
        return Order.from_json(data)

    async def _call(self, method: str, path: str, *, missing_ok: bool = False) -> Any:
        try:
            async with self._client().request(method, self._base + path) as response:
                if response.status == 404 and missing_ok:
                    return None
                if response.status == 409:
                    raise OrdersError(f"the shop refused: {await response.text()}")
                if response.status != 200:
                    raise OrdersError(f"{method} {path}: HTTP {response.status}")
                return await response.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise OrdersError(f"{method} {path}: {type(exc).__name__}") from exc
