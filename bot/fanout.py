"""Frames for customers' live connections, wherever the connection is held.

A web-chat socket or a voice relay lives in the web process that accepted it, but
the worker that answers may run anywhere. A channel `attach`es a sink for each
conversation it holds a connection of, and `publish`es frames for a conversation
without knowing where its connections are:

- `LocalFanout` (embedded): one process, the sink is called directly;
- `RedisFanout` (`REDIS_URL`): Redis pub/sub, one channel per conversation; each
  process subscribes to the conversations it holds and forwards their frames, in
  the order they were published.

Pub/sub keeps nothing: a frame published while no connection is attached is gone.
That is by design, because everything that matters is in the transcript, which a
connecting widget reads first; a frame is only the live view of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

if TYPE_CHECKING:
    from bot.store.redis_store import Client

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


class RedisFanout(Fanout):
    def __init__(self, client: Client, prefix: str) -> None:
        super().__init__()
        self._redis = client
        self._prefix = f"{prefix}live:"
        self._pubsub = client.pubsub(ignore_subscribe_messages=True)
        self._reader: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()
        self._later: set[str] = set()
        self._stop = asyncio.Event()

    def _channel(self, conversation_id: str) -> str:
        return self._prefix + conversation_id

    async def attach(self, conversation_id: str, sink: Sink) -> None:
        fresh = conversation_id not in self._sinks
        await super().attach(conversation_id, sink)
        if fresh:
            await self._subscribe(conversation_id)

    async def _subscribe(self, conversation_id: str) -> None:
        try:
            await self._pubsub.subscribe(self._channel(conversation_id))
        except RedisError as exc:
            # Redis is away: the reader subscribes once it is back.
            log.warning("live frames: cannot subscribe for %s yet: %s", conversation_id, exc)
            self._later.add(conversation_id)
        else:
            self._later.discard(conversation_id)
            self._subscribed.set()

    async def detach(self, conversation_id: str) -> None:
        if conversation_id in self._sinks:
            await super().detach(conversation_id)
            self._later.discard(conversation_id)
            try:
                await self._pubsub.unsubscribe(self._channel(conversation_id))
            except RedisError as exc:
                log.warning("live frames: cannot unsubscribe %s: %s", conversation_id, exc)

    async def publish(self, conversation_id: str, frame: Frame) -> None:
        await self._redis.publish(self._channel(conversation_id), json.dumps(frame))

    async def start(self) -> None:
        self._reader = asyncio.create_task(self._read(), name="fanout")

    async def close(self) -> None:
        self._stop.set()
        if self._reader is not None:
            # The reader ends at its next turn (it waits a second at most); cancelling is
            # the fallback, since redis-py may swallow a cancel inside a command.
            _, left = await asyncio.wait([self._reader], timeout=3.0)
            for task in left:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        with contextlib.suppress(RedisError):
            await self._pubsub.aclose()  # type: ignore[no-untyped-call]

    async def _read(self) -> None:
        while not self._stop.is_set():
            for conversation_id in list(self._later):
                await self._subscribe(conversation_id)
            if not self._subscribed.is_set():
                # redis-py refuses to read a pub/sub connection before its first
                # subscription; wake at once when one comes, or retry the pending ones.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(0.5):
                        await self._subscribed.wait()
                continue
            try:
                message = await self._pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("live frames: the Redis subscription failed; reconnecting")
                await asyncio.sleep(0.5)
                continue
            if message is None or message.get("type") != "message":
                continue
            conversation_id = str(message["channel"])[len(self._prefix) :]
            try:
                frame = json.loads(message["data"])
            except ValueError:
                continue
            await self._hand(conversation_id, frame)
