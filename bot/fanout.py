"""Frames for customers' live connections, wherever the connection is held.

A web-chat socket or a voice relay lives in the web process that accepted it, but
the worker that answers may run anywhere. A channel `attach`es a sink for each
conversation it holds a connection of, and `publish`es frames for a conversation
without knowing where its connections are:

- `LocalFanout` (embedded): one process, the sink is called directly;
- `RedisFanout` (`REDIS_URL`, in `bot.redis_fanout`): Redis pub/sub, one channel per
  conversation; each process subscribes to the conversations it holds and forwards
  their frames, in the order they were published.

Pub/sub keeps nothing: a frame published while no connection is attached is gone.
That is by design, because everything that matters is in the transcript, which a
connecting widget reads first; a frame is only the live view of it.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

log = logging.getLogger(__name__)

Frame = dict[str, Any]
Sink = Callable[[Frame], Awaitable[None]]


class Fanout(ABC):
    def __init__(self) -> None:
        self._sinks: dict[str, Sink] = {}

    async def attach(self, conversation_id: str, sink: Sink) -> None:
        """Frames of this conversation go to `sink` from now on (one sink per conversation
        and process: a channel fans out to its own connections)."""
        self._sinks[conversation_id] = sink

    async def detach(self, conversation_id: str) -> None:
        self._sinks.pop(conversation_id, None)

    @abstractmethod
    async def publish(self, conversation_id: str, frame: Frame) -> None:
        """Send a frame to the conversation's connections, in whichever process."""

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def _hand(self, conversation_id: str, frame: Frame) -> None:
        sink = self._sinks.get(conversation_id)
        if sink is None:
            return
        try:
            await sink(frame)
        except Exception:
            log.exception("a live frame for %s could not be handed on", conversation_id)


class LocalFanout(Fanout):
    async def publish(self, conversation_id: str, frame: Frame) -> None:
        await self._hand(conversation_id, frame)
