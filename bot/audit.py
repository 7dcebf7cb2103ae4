"""The audit log: what happened to each ticket, redacted before it is written; and who
exported or erased a customer's data (`privacy`)."""

from __future__ import annotations

import hashlib
import logging
from typing import Any, Literal

from bot.model import now
from bot.redact import redact_value
from bot.store import Store
from bot.store.base import CustomerRecord

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

    async def privacy(
        self, action: Literal["export", "erase"], record: CustomerRecord, who: str
    ) -> dict[str, Any]:
        """Record that `who` ("cli", or the admin token's label) exported or erased a
        customer's data, and how much of it there was; returns the record.

        The customer and their conversations appear only as `fingerprint`s: the log never
        names them again, and erasing the same customer later does not find (and delete)
        this record, while whoever holds the id can recompute the hash and find it. Unlike
        `record`, a failed write raises: an erasure nobody can account for is worse than
        one the operator has to run again (erasing is idempotent).
        """
        entry: dict[str, Any] = {
            "at": now().isoformat(),
            "event": f"privacy_{action}",
            "ticket": None,
            "who": who,
            "customer": fingerprint(record.customer),
            "conversations": [fingerprint(cid) for cid in record.conversation_ids],
            "counts": record.counts(),
        }
        # Not through `redact_value`: it would read a hash's leading digits as a phone number.
        await self._store.append_log(AUDIT_LOG, entry)
        return entry


def fingerprint(value: str) -> str:
    """`sha256:<hex>` of `value`. Not anonymous for a phone number, whose few possible
    values can all be hashed; it keeps the id out of sight, not out of reach."""
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()
