"""The kill switch: stop every model call at once, in every process, without a restart.

The switch is a flag in the store, so a `switchboard killswitch on` (or the
admin endpoint) reaches every process sharing the Redis. Each process re-reads
it at most every `REFRESH_SECONDS`, so a flip takes effect within a second
without a store round trip on every turn.
"""

from __future__ import annotations

import time

from bot.store import Store

FLAG = "agent_mode"
REFRESH_SECONDS = 0.5


class KillSwitch:
    def __init__(self, store: Store, refresh: float = REFRESH_SECONDS) -> None:
        self._store = store
        self._refresh = refresh
        self._engaged = False
        self._read_at = float("-inf")

    async def engaged(self) -> bool:
        if time.monotonic() - self._read_at >= self._refresh:
            self._engaged = await self._store.get_flag(FLAG) == "disabled"
            self._read_at = time.monotonic()
        return self._engaged

    async def set(self, engaged: bool) -> None:
        await self._store.set_flag(FLAG, "disabled" if engaged else "enabled")
        self._engaged = engaged
        self._read_at = time.monotonic()
