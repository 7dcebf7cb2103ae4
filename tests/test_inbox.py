"""Both inboxes: order per conversation, re-deliveries recognised, back-pressure, drain.

The Redis Streams inbox also shows what only it promises: an entry a worker read and
did not finish is taken over by another worker, and one that fails every attempt
ends in the dead letters, from where it can be sent through again.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.errors import InboxFull, InboxUnavailable
from bot.events import Entry
from bot.inbox import Inbox, Superseded
from bot.inbox.memory import MemoryInbox
from bot.inbox.streams import StreamInbox
from bot.model import Address, Inbound


def entry(who: str, text: str, message_id: str | None = None) -> Entry:
    return Entry.message(Inbound(Address("webchat", who), text, message_id=message_id))


class Recorder:
    """A handler that records what it processed, in order, and fails where told."""

    def __init__(
        self, *, slow: str | None = None, failing: str | None = None, yields: bool = False
    ) -> None:
        self.started: list[str] = []
        self.seen: list[str] = []
        self.batches: list[list[str]] = []
        self.abandoned: list[str] = []
        self.release = asyncio.Event()
        self._changed = asyncio.Event()
        self._slow = slow
        self._failing = failing
        self._yields = yields  # gives way to a newer message, as the engine's answers do

    async def process(self, items: Sequence[Entry], newer: asyncio.Event | None = None) -> object:
        texts = [item.payload.text for item in items if isinstance(item.payload, Inbound)]
        for text in texts:
            self._note(self.started, text)
        if self._slow in texts:
            if self._yields and newer is not None:
                await newer.wait()
                self._yields = False  # once: the second answer goes through
                self.release.set()
                raise Superseded("a newer message")
            await self.release.wait()
        if self._failing in texts:
            raise RuntimeError("a bug")
        self.batches.append(texts)
        for text in texts:
            self._note(self.seen, text)
        return None

    def _note(self, where: list[str], text: str) -> None:
        where.append(text)
        self._changed.set()

    async def until(self, condition: Callable[[], bool], seconds: float = 5.0) -> None:
        async with asyncio.timeout(seconds):
            while not condition():
                self._changed.clear()
                await self._changed.wait()

    async def abandon(self, item: Entry) -> None:
        assert isinstance(item.payload, Inbound)
        self.abandoned.append(item.payload.text)


@pytest.fixture
async def stream_inboxes(
    redis_url: str, redis_prefix: str
) -> AsyncIterator[Callable[..., StreamInbox]]:
    """Builds stream inboxes on one prefix, as separate processes would; drained after."""
    clients: list[Redis] = []
    built: list[StreamInbox] = []

    def build(**options: Any) -> StreamInbox:
        client = Redis.from_url(redis_url, decode_responses=True)
        clients.append(client)
        defaults: dict[str, Any] = {"prefix": redis_prefix, "partitions": 4}
        inbox = StreamInbox(client, **{**defaults, **options})
        built.append(inbox)
        return inbox

    yield build
    for inbox in built:
        await inbox.drain(grace=1)
    for client in clients:
        await client.aclose()


@pytest.fixture(params=["memory", "redis"])
def make_inbox(
    request: pytest.FixtureRequest,
) -> Callable[..., Inbox]:
    if request.param == "memory":
        return lambda **options: MemoryInbox(
            max_pending=options.get("max_pending", 100), concurrency=10
        )
    build: Callable[..., StreamInbox] = request.getfixturevalue("stream_inboxes")
    return lambda **options: build(partitions=1, **options)


async def test_one_conversation_in_arrival_order(make_inbox: Callable[..., Inbox]) -> None:
    handler = Recorder(slow="1")
    inbox = make_inbox()
    inbox.start(handler)
    for text in "123":
        assert await inbox.submit(entry("alice", text))
    await inbox.submit(entry("bob", "b"))
    await handler.until(lambda: handler.seen == ["b"])  # bob does not wait for alice
    handler.release.set()
    await inbox.join()
    assert handler.seen == ["b", "1", "2", "3"]


async def test_messages_that_wait_together_are_one_batch(
    make_inbox: Callable[..., Inbox],
) -> None:
    handler = Recorder(slow="1")
    inbox = make_inbox()
    inbox.start(handler)
    await inbox.submit(entry("alice", "1"))
    await handler.until(lambda: handler.started == ["1"])
    await inbox.submit(entry("alice", "2"))
    await inbox.submit(entry("alice", "3"))
    handler.release.set()
    await inbox.join()
    assert handler.batches == [["1"], ["2", "3"]]


async def test_an_answer_superseded_by_a_newer_message_is_given_again_with_it(
    make_inbox: Callable[..., Inbox],
) -> None:
    handler = Recorder(slow="1", yields=True)
    inbox = make_inbox()
    inbox.start(handler)
    await inbox.submit(entry("alice", "1"))
    await handler.until(lambda: handler.started == ["1"])
    await inbox.submit(entry("alice", "2"))
    await inbox.join()
    # The first answer gave way; the two messages were answered as one turn, once.
    assert handler.batches == [["1", "2"]]


async def test_a_redelivered_entry_is_taken_once(make_inbox: Callable[..., Inbox]) -> None:
    handler = Recorder()
    inbox = make_inbox()
    inbox.start(handler)
    assert await inbox.submit(entry("alice", "hello", message_id="m1"))
    assert not await inbox.submit(entry("alice", "hello", message_id="m1"))
    await inbox.join()
    assert handler.seen == ["hello"]


async def test_a_full_inbox_refuses_instead_of_growing(make_inbox: Callable[..., Inbox]) -> None:
    inbox = make_inbox(max_pending=2)  # no worker yet: nothing leaves
    await inbox.submit(entry("alice", "1"))
    await inbox.submit(entry("alice", "2"))
    with pytest.raises(InboxFull):
        await inbox.submit(entry("alice", "3"))
    handler = Recorder()
    inbox.start(handler)
    await inbox.join()
    assert handler.seen == ["1", "2"]


async def test_drain_finishes_what_is_in_hand_then_refuses_more(
    make_inbox: Callable[..., Inbox],
) -> None:
    handler = Recorder()
    inbox = make_inbox()
    inbox.start(handler)
    for who in ("a", "b", "c"):
        await inbox.submit(entry(who, who))
    await inbox.join()
    await inbox.drain(grace=5)
    assert sorted(handler.seen) == ["a", "b", "c"]
    with pytest.raises(InboxUnavailable):
        await inbox.submit(entry("d", "d"))


async def test_the_memory_inbox_gives_up_on_a_failure_and_goes_on() -> None:
    handler = Recorder(failing="boom")
    inbox = MemoryInbox(max_pending=10, concurrency=2)
    inbox.start(handler)
    await inbox.submit(entry("alice", "boom"))
    await inbox.join()
    await inbox.submit(entry("alice", "after"))
    await inbox.join()
    assert (handler.seen, handler.abandoned) == (["after"], ["boom"])


async def test_entries_a_dead_worker_read_are_taken_over(
    stream_inboxes: Callable[..., StreamInbox],
) -> None:
    first = stream_inboxes(lease_seconds=2)
    stuck = Recorder(slow="1")
    first.start(stuck)
    for text in "123":
        await first.submit(entry("alice", text))
    await stuck.until(lambda: "1" in stuck.started)  # read, and stuck answering
    # The worker dies: its tasks stop, nothing is acknowledged, its lease runs out.
    for task in first._tasks + list(first._workers.values()):
        task.cancel()

    second = stream_inboxes(lease_seconds=2)
    handler = Recorder()
    second.start(handler)
    await handler.until(lambda: handler.seen == ["1", "2", "3"], seconds=10)
    await second.join()


async def test_an_entry_failing_every_attempt_goes_to_the_dead_letters(
    stream_inboxes: Callable[..., StreamInbox],
) -> None:
    inbox = stream_inboxes(max_attempts=2, retry_seconds=0.01)
    handler = Recorder(failing="boom")
    inbox.start(handler)
    await inbox.submit(entry("alice", "boom"))
    await inbox.join()
    await inbox.submit(entry("alice", "after"))
    await inbox.join()
    assert (handler.seen, handler.abandoned) == (["after"], ["boom"])
    [dead] = await inbox.dead_letters()
    assert (dead.attempts, dead.reason) == (2, "failed on every attempt")
    assert Entry.from_json(dead.entry).conversation_id == "webchat:alice"

    fixed = Recorder()
    await inbox.drain(grace=1)
    again = stream_inboxes()
    again.start(fixed)
    assert await again.retry(dead.id)
    await again.join()
    assert fixed.seen == ["boom"]
    assert await again.dead_letters() == []
