"""The inbox seam: channels journal entries here, and only then acknowledge the provider.

A channel never calls the engine. It `submit`s an `Entry` and answers the provider
2xx only once `submit` returned; `InboxUnavailable` (or its `InboxFull`) means the
entry was not taken, and the channel answers 503 so the provider retries. Workers
take entries out in order per conversation and hand each to a `Handler` (the
engine); an entry leaves the inbox only once the handler is done with it.

Two implementations: `MemoryInbox` (embedded: in this process, gone on exit) and
`StreamInbox` (`REDIS_URL`: Redis Streams, any number of web and worker processes,
nothing acknowledged is lost when one dies).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Protocol

from bot.events import Entry


class Handler(Protocol):
    async def process(self, entry: Entry) -> object:
        """Decide and carry out one entry; raises when it should be tried again."""

    async def abandon(self, entry: Entry) -> None:
        """The entry failed every try: tell the customer, as far as possible."""


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


__all__ = ["Handler", "Inbox"]
