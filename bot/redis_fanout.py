"""Live frames through Redis pub/sub: a worker anywhere reaches the process holding the socket.

One channel per conversation (`{prefix}live:<conversation>`); each process subscribes to
the conversations it holds a connection of and forwards their frames to its sink, in
the order they were published. Imported only with `REDIS_URL` (see `bot.fanout`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

from redis.exceptions import RedisError

from bot.fanout import Fanout, Frame, Sink
from bot.store.redis_store import Client

log = logging.getLogger(__name__)


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
