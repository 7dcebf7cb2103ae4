"""The inbox seam: channels journal entries here, and only then acknowledge the provider.

A channel never calls the engine. It `submit`s an `Entry` and answers the provider
2xx only once `submit` returned; `InboxUnavailable` (or its `InboxFull`) means the
entry was not taken, and the channel answers 503 so the provider retries. Workers
take entries out in order per conversation and hand them to a `Handler` (the
engine); an entry leaves the inbox only once the handler is done with it.

Customers often send a thought in several messages. Messages of one conversation
that wait together are handed over as one batch (`batch`), which the engine
answers as one turn; and while a batch is being answered, `newer` is set as soon
as another message of the conversation arrives, so an answer not yet committed
can give way (`Superseded`) and be decided again with the new message.

Two implementations: `MemoryInbox` (embedded: in this process, gone on exit) and
`StreamInbox` (`REDIS_URL`: Redis Streams, any number of web and worker processes,
nothing acknowledged is lost when one dies).
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Protocol

from bot.events import Entry
from bot.model import Inbound


class Superseded(Exception):
    """A newer message arrived before the answer was committed: decide again with it."""


class Handler(Protocol):
    async def process(
        self, entries: Sequence[Entry], newer: asyncio.Event | None = None
    ) -> object:
        """Decide and carry out a batch of one conversation's entries (several customer
        messages in a row are one turn); raises when it should be tried again, and
        `Superseded` when `newer` was set before the answer was committed."""

    async def abandon(self, entry: Entry) -> None:
        """The entry failed every try: tell the customer, as far as possible."""


def joinable(entry: Entry) -> bool:
    """A plain text message, which may be answered together with its neighbours."""
    payload = entry.payload
    return (
        isinstance(payload, Inbound)
        and bool(payload.text)
        and not payload.media
        and payload.command is None
        and payload.too_long is None
    )


def batch(waiting: Sequence[Entry]) -> int:
    """How many entries at the head of a conversation's queue go into one turn."""
    count = 1
    if joinable(waiting[0]):
        while count < len(waiting) and joinable(waiting[count]):
            count += 1
    return count


class Inbox(ABC):
    @abstractmethod
    async def submit(self, entry: Entry) -> bool:
        """Journal an entry: True when taken now, False when an entry with its id was
        taken before (a provider's retry; acknowledge it, nothing more to do).

        Raises `InboxUnavailable` (or `InboxFull`) when the entry was not taken.
        """

    @abstractmethod
    def start(self, handler: Handler) -> None:
        """Begin handing entries to `handler` (the worker role)."""

    @abstractmethod
    async def drain(self, grace: float) -> None:
        """Stop taking and handing out entries; give the ones in hand `grace` seconds to
        finish. A durable inbox keeps what did not finish for another worker."""

    @property
    @abstractmethod
    def pending(self) -> int:
        """Entries taken by this process and not yet finished."""

    @abstractmethod
    async def join(self) -> None:
        """Return once every entry taken so far is finished (at once when none is)."""


__all__ = ["Handler", "Inbox", "Superseded", "batch", "joinable"]
