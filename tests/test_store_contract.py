"""One contract, two backends: every test here runs against MemoryStore and RedisStore."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import LockTimeout
from bot.model import Address, Conversation, Role, Ticket, Turn, new_ticket_id
from bot.statemachine import State
from bot.store import Store

StoreFactory = Callable[..., Store]


def a_conversation(name: str = "alice") -> tuple[Conversation, Ticket]:
    address = Address("webchat", name)
    ticket = Ticket(
        id=new_ticket_id(),
        conversation_id=address.conversation_id,
        address=address,
        language="es",
        fields={"order_number": "10042"},
    )
    return Conversation(address, language="es", ticket_id=ticket.id), ticket


async def test_unknown_conversation_loads_empty(store_factory: StoreFactory) -> None:
    store = store_factory()
    snapshot = await store.load("webchat:nobody")
    assert snapshot.conversation is None
    assert snapshot.ticket is None
    assert await store.get_ticket("T-NOPE") is None


async def test_conversation_and_ticket_round_trip(store_factory: StoreFactory) -> None:
    store = store_factory()
    conversation, ticket = a_conversation()
    ticket = replace(ticket, status=State.WAITING_AGENT, handoff_reason="asked for a person")
    await store.save(conversation, ticket)

    snapshot = await store.load(conversation.id)
    assert snapshot.conversation == conversation
    assert snapshot.ticket == ticket
    assert await store.get_ticket(ticket.id) == ticket


async def test_transcript_keeps_order_and_is_bounded(store_factory: StoreFactory) -> None:
    store = store_factory(max_turns=10)
    conversation, ticket = a_conversation()
    for batch in range(5):
        turns = [Turn(Role.CUSTOMER, f"message {batch * 3 + i}") for i in range(3)]
        await store.save(conversation, ticket, turns)

    kept = await store.transcript(ticket.id)
    assert [t.text for t in kept] == [f"message {i}" for i in range(5, 15)]
    assert [t.text for t in await store.transcript(ticket.id, limit=2)] == [
        "message 13",
        "message 14",
    ]
    assert await store.transcript(ticket.id, limit=0) == []
    assert await store.transcript("T-OTHER") == []


async def test_turn_metadata_survives(store_factory: StoreFactory) -> None:
    store = store_factory()
    conversation, ticket = a_conversation()
    turn = Turn(
        Role.BOT,
        "Standard shipping takes 3-5 business days.",
        source="Shipping",
        meta={"route": "kb", "coverage": 0.9},
    )
    await store.save(conversation, ticket, [turn])
    assert await store.transcript(ticket.id) == [turn]


async def test_claim_is_true_once_until_it_expires(store_factory: StoreFactory) -> None:
    store = store_factory()
    assert await store.claim("webchat:msg-1", ttl_seconds=1)
    assert not await store.claim("webchat:msg-1", ttl_seconds=1)
    assert await store.claim("webchat:msg-2", ttl_seconds=1)
    await asyncio.sleep(1.1)
    assert await store.claim("webchat:msg-1", ttl_seconds=1)


async def test_lock_serializes_one_conversation(store_factory: StoreFactory) -> None:
    store = store_factory()
    events: list[str] = []

    async def turn(name: str) -> None:
        async with store.lock("webchat:alice"):
            events.append(f"{name} in")
            await asyncio.sleep(0.05)
            events.append(f"{name} out")

    await asyncio.gather(turn("a"), turn("b"), turn("c"))
    # Each holder leaves before the next one enters.
    assert all(
        events[i].endswith("in") and events[i + 1].endswith("out")
        for i in range(0, len(events), 2)
    )
    assert [e.split()[0] for e in events[::2]] == [e.split()[0] for e in events[1::2]]


async def test_lock_lets_other_conversations_run(store_factory: StoreFactory) -> None:
    store = store_factory()
    inside = asyncio.Event()
    release = asyncio.Event()

    async def slow() -> None:
        async with store.lock("webchat:alice"):
            inside.set()
            await release.wait()

    holder = asyncio.create_task(slow())
    await inside.wait()
    # Bob's conversation is not blocked by Alice's lock.
    async with store.lock("webchat:bob"):
        pass
    release.set()
    await holder


async def test_lock_held_too_long_times_out(store_factory: StoreFactory) -> None:
    store = store_factory(lock_timeout=0.3)
    async with store.lock("webchat:alice"):
        with pytest.raises(LockTimeout):
            async with store.lock("webchat:alice"):
                pass


async def test_logs_are_newest_first_and_limited(store_factory: StoreFactory) -> None:
    store = store_factory()
    for i in range(5):
        await store.append_log("handoffs", {"n": i})
    assert await store.read_log("handoffs", limit=3) == [{"n": 4}, {"n": 3}, {"n": 2}]
    assert await store.read_log("audit") == []


async def test_flags_are_set_read_and_cleared(store_factory: StoreFactory) -> None:
    store = store_factory()
    assert await store.get_flag("agent_mode") is None
    await store.set_flag("agent_mode", "disabled")
    assert await store.get_flag("agent_mode") == "disabled"
    await store.set_flag("agent_mode", None)
    assert await store.get_flag("agent_mode") is None


async def test_ping_answers(store_factory: StoreFactory) -> None:
    await store_factory().ping()


async def test_refs_are_remembered_per_kind(store_factory: StoreFactory) -> None:
    store = store_factory()
    await store.put_ref("slack-thread", "C1:1700000000.000100", "T-AAAA")
    assert await store.get_ref("slack-thread", "C1:1700000000.000100") == "T-AAAA"
    assert await store.get_ref("telegram", "C1:1700000000.000100") is None


async def test_due_timers_go_out_once_earliest_first(store_factory: StoreFactory) -> None:
    store = store_factory()
    start = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    await store.schedule("sla", "T-LATE", start + timedelta(seconds=30))
    await store.schedule("sla", "T-SOON", start + timedelta(seconds=10))
    await store.schedule("sla", "T-FIRST", start + timedelta(seconds=5))
    await store.schedule("sla", "T-GONE", start + timedelta(seconds=1))
    await store.cancel("sla", "T-GONE")
    await store.cancel("sla", "T-NEVER-ARMED")

    assert await store.take_due("sla", start) == []
    assert await store.take_due("sla", start + timedelta(seconds=20)) == ["T-FIRST", "T-SOON"]
    assert await store.take_due("sla", start + timedelta(seconds=20)) == []
    # Re-arming moves a timer instead of adding a second one.
    await store.schedule("sla", "T-LATE", start + timedelta(seconds=15))
    assert await store.take_due("sla", start + timedelta(minutes=5)) == ["T-LATE"]


async def test_a_due_timer_goes_to_one_of_many_pollers(store_factory: StoreFactory) -> None:
    store = store_factory()
    start = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    for n in range(20):
        await store.schedule("sla", f"T-{n:04}", start)
    results = await asyncio.gather(*(store.take_due("sla", start, limit=50) for _ in range(5)))
    taken = [key for result in results for key in result]
    assert sorted(taken) == [f"T-{n:04}" for n in range(20)]
