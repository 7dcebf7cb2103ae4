"""The handoff SLA's clock: fires the store's due timers.

A handoff arms a timer in the store (`Engine._hand_off`), not an in-memory
sleep, so a restart or a deploy between handoff and deadline loses nothing:
whichever process polls next after the deadline fires it. `Store.take_due`
hands each due timer to exactly one process. A timer that fails to fire is
armed again a little later.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.engine import SLA_QUEUE, Engine
from bot.model import now
from bot.store import Store

log = logging.getLogger(__name__)

_RETRY = timedelta(seconds=30)


class SlaWatcher:
    def __init__(self, store: Store, engine: Engine, *, interval: float = 1.0) -> None:
        self._store = store
        self._engine = engine
        self._interval = interval

    async def run(self) -> None:
        """Poll until cancelled."""
        while True:
            try:
                await self.fire_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                # The store is down: the timers are still in it, try again later.
                log.warning("handoff SLA: could not read due timers", exc_info=True)
            await asyncio.sleep(self._interval)

    async def fire_due(self) -> int:
        """Fire every timer due now; returns how many fired."""
        fired = 0
        for ticket_id in await self._store.take_due(SLA_QUEUE, now()):
            try:
                await self._engine.sla_expired(ticket_id)
                fired += 1
            except Exception:
                log.exception("handoff SLA of %s failed; trying again", ticket_id)
                await self._store.schedule(SLA_QUEUE, ticket_id, now() + _RETRY)
        return fired
