"""The memory inbox: per-conversation order, back-pressure, and a drain on shutdown."""

from __future__ import annotations

import asyncio

import pytest

from bot.errors import InboxFull
from bot.inbox import MemoryInbox
from bot.model import Address, Inbound


def event(who: str, text: str) -> Inbound:
    return Inbound(Address("webchat", who), text)


async def test_one_conversation_in_arrival_order() -> None:
    seen: list[str] = []

    async def handle(e: Inbound) -> None:
        await asyncio.sleep(0.01 if e.text == "1" else 0)
        seen.append(e.text)

    inbox = MemoryInbox(handle, max_pending=100, concurrency=10)
    for text in "123":
        inbox.submit(event("alice", text))
    await inbox.drain(grace=5)
    assert seen == ["1", "2", "3"]


async def test_full_inbox_refuses_instead_of_growing() -> None:
    release = asyncio.Event()

    async def handle(e: Inbound) -> None:
        await release.wait()

    inbox = MemoryInbox(handle, max_pending=2, concurrency=1)
    inbox.submit(event("alice", "1"))
    inbox.submit(event("bob", "1"))
    with pytest.raises(InboxFull):
        inbox.submit(event("carol", "1"))
    release.set()
    await inbox.drain(grace=5)
    assert inbox.pending == 0


async def test_drain_finishes_queued_work_then_refuses_more() -> None:
    done: list[str] = []

    async def handle(e: Inbound) -> None:
        await asyncio.sleep(0.01)
        done.append(e.text)

    inbox = MemoryInbox(handle, max_pending=10, concurrency=2)
    for who in ("a", "b", "c"):
        inbox.submit(event(who, who))
    await inbox.drain(grace=5)
    assert sorted(done) == ["a", "b", "c"]
    with pytest.raises(InboxFull):
        inbox.submit(event("d", "d"))


async def test_a_failing_handler_does_not_stop_the_conversation() -> None:
    done: list[str] = []

    async def handle(e: Inbound) -> None:
        if e.text == "boom":
            raise RuntimeError("bug")
        done.append(e.text)

    inbox = MemoryInbox(handle, max_pending=10, concurrency=2)
    inbox.submit(event("alice", "boom"))
    inbox.submit(event("alice", "after"))
    await inbox.drain(grace=5)
    assert done == ["after"]
