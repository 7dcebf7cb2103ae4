"""The audit log: what happened to each ticket, redacted before it is written."""

from __future__ import annotations

import logging
from typing import Any

from bot.model import now
from bot.redact import redact_value
from bot.store import Store

log = logging.getLogger(__name__)

AUDIT_LOG = "audit"


class Audit:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def record(self, event: str, ticket_id: str | None, **details: Any) -> None:
        entry = {"at": now().isoformat(), "event": event, "ticket": ticket_id}
        entry.update(redact_value(details))
        try:
            await self._store.append_log(AUDIT_LOG, entry)
        except Exception:
            # The audit trail must not take a customer's turn down with it.
            log.exception("audit write failed for ticket %s (%s)", ticket_id, event)
