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
from bot.store.base import Change

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


# -- privacy: export and erase one customer ------------------------------------------

PHONE = "+15551234567"


async def a_customer_everywhere(store: Store, phone: str, sid: str) -> list[Ticket]:
    """One customer on SMS (an old ticket and an open one), WhatsApp and voice, with the
    refs, timer, flag and log entries the channels and the engine leave behind."""
    tickets = []
    for channel, customer in (("twilio", phone), ("twilio", f"whatsapp:{phone}")):
        address = Address(channel, customer)
        for _ in range(2 if customer == phone else 1):
            ticket = Ticket(new_ticket_id(), address.conversation_id, address, "en")
            tickets.append(ticket)
            reply = Turn(Role.BOT, f"Hello {customer}")
            turns = [Turn(Role.CUSTOMER, f"my number is {phone}"), reply]
            change = Change(
                Conversation(address, "en", ticket.id),
                [ticket],
                {ticket.id: turns},
                entries=[f"{channel}:{ticket.id}"],
                effects="[]",
            )
            await store.commit(change, None)
            await store.put_ref("twilio-part", f"{reply.id}:0", f"{sid}-{ticket.id}")
    voice = Address("voice", phone)
    await store.save(Conversation(voice, "en"))
    cid = f"twilio:{phone}"
    await store.put_ref("twilio-medium", cid, "sms")
    await store.put_ref("twilio-message", sid, cid)
    await store.put_ref("twilio-status", sid, "delivered")
    await store.put_ref("slack-thread", f"C1:{sid}", tickets[1].id)
    await store.put_ref("slack-card", tickets[1].id, '{"ts": "1700000000.0001"}')
    await store.schedule("sla", tickets[1].id, datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    await store.set_flag(f"optout:{phone}", "1")
    await store.append_log("handoffs", {"ticket": tickets[1].id, "conversation": cid})
    await store.append_log("twilio-status", {"message": sid, "conversation": cid})
    await store.append_log("audit", {"event": "ticket_opened", "ticket": tickets[0].id})
    return tickets


async def test_an_unknown_customer_exports_empty(store_factory: StoreFactory) -> None:
    record = await store_factory().export_customer("telegram:404")
    assert record.conversation_ids == ()
    assert record.counts() == dict.fromkeys(record.counts(), 0)
    assert record.to_json()["tickets"] == []


async def test_export_finds_everything_about_a_customer(store_factory: StoreFactory) -> None:
    store = store_factory()
    mine = await a_customer_everywhere(store, PHONE, "SM1")
    theirs = await a_customer_everywhere(store, "+15551234568", "SM2")
    await store.set_flag("agent_mode", "enabled")

    record = await store.export_customer(PHONE)

    assert record.conversation_ids == (
        f"twilio:{PHONE}",
        f"twilio:whatsapp:{PHONE}",
        f"voice:{PHONE}",
    )
    assert {c.id for c in record.conversations} == set(record.conversation_ids)
    assert {t.id for t in record.tickets} == {t.id for t in mine}
    assert all(len(turns) == 2 for turns in record.transcripts.values())
    assert {(r.kind, r.key) for r in record.refs} == {
        ("twilio-medium", f"twilio:{PHONE}"),
        ("twilio-message", "SM1"),
        ("twilio-status", "SM1"),  # keyed by the SID a ref pointing at the customer holds
        ("slack-thread", "C1:SM1"),
        ("slack-card", mine[1].id),
    } | {("twilio-part", f"{turns[1].id}:0") for turns in record.transcripts.values()}
    assert [(t.queue, t.key) for t in record.timers] == [("sla", mine[1].id)]
    assert record.flags == {f"optout:{PHONE}": "1"}
    assert sorted(e.log for e in record.logs) == ["audit", "handoffs", "twilio-status"]
    document = record.to_json()
    assert document["customer"] == PHONE
    assert {t["id"] for t in document["tickets"]} == {t.id for t in mine}
    assert document["tickets"][0]["transcript"][0]["text"] == f"my number is {PHONE}"
    assert not {t.id for t in theirs} & {t["id"] for t in document["tickets"]}


async def test_a_conversation_or_ticket_id_names_one_conversation(
    store_factory: StoreFactory,
) -> None:
    store = store_factory()
    tickets = await a_customer_everywhere(store, PHONE, "SM1")
    await store.save(Conversation(Address("telegram", "12")))
    await store.save(Conversation(Address("telegram", "1")))

    by_id = await store.export_customer(f"twilio:{PHONE}")
    assert by_id.conversation_ids == (f"twilio:{PHONE}",)
    assert {t.id for t in by_id.tickets} == {t.id for t in tickets[:2]}
    by_ticket = await store.export_customer(f" {tickets[2].id} ")
    assert by_ticket.conversation_ids == (f"twilio:whatsapp:{PHONE}",)
    assert (await store.export_customer("telegram:1")).conversation_ids == ("telegram:1",)
    # Read literally, never as a pattern.
    for pattern in ("*", "telegram:?", "telegram:[12]", "\\*"):
        assert (await store.export_customer(pattern)).conversation_ids == ()
    for unusable in ("", "   ", "x" * 257, "{tag}", "a\nb"):
        with pytest.raises(ValueError, match="customer id"):
            await store.export_customer(unusable)


async def test_erase_deletes_everything_once_and_spares_others(
    store_factory: StoreFactory,
) -> None:
    store = store_factory()
    mine = await a_customer_everywhere(store, PHONE, "SM1")
    theirs = await a_customer_everywhere(store, "+15551234568", "SM2")
    exported = await store.export_customer(PHONE)

    erased = await store.erase_customer(PHONE)

    assert erased.counts() == exported.counts()
    assert erased.counts()["turns"] == 6
    again = await store.export_customer(PHONE)
    assert again.counts() == dict.fromkeys(again.counts(), 0)
    for ticket in mine:
        assert await store.get_ticket(ticket.id) is None
        assert await store.transcript(ticket.id, conversation_id=ticket.conversation_id) == []
        assert not await store.is_done(ticket.conversation_id, f"twilio:{ticket.id}")
        assert await store.pending_effects(ticket.conversation_id, f"twilio:{ticket.id}") is None
    assert (await store.load(f"twilio:{PHONE}")).conversation is None
    for ref in exported.refs:
        assert await store.get_ref(ref.kind, ref.key) is None
    assert await store.get_flag(f"optout:{PHONE}") is None
    logs = ("audit", "handoffs", "twilio-status")
    assert [len(await store.read_log(name)) for name in logs] == [1, 1, 1]  # the other's
    assert await store.take_due("sla", datetime(2027, 1, 1, tzinfo=UTC)) == [theirs[1].id]
    # The other customer keeps everything.
    assert (await store.export_customer("+15551234568")).counts()["refs"] == 8

    twice = await store.erase_customer(PHONE)
    assert twice.conversation_ids == ()
    # A new message starts afresh.
    conversation, ticket = a_conversation(PHONE)
    await store.save(conversation, ticket, [Turn(Role.CUSTOMER, "hello again")])
    fresh = await store.export_customer(PHONE)
    assert [t.id for t in fresh.tickets] == [ticket.id]
    assert [t.text for turns in fresh.transcripts.values() for t in turns] == ["hello again"]


async def test_erase_waits_for_a_turn_in_progress(store_factory: StoreFactory) -> None:
    store = store_factory()
    conversation, ticket = a_conversation()
    await store.save(conversation, ticket, [Turn(Role.CUSTOMER, "first")])
    async with store.lock(conversation.id) as lease:
        erasing = asyncio.create_task(store.erase_customer(conversation.id))
        await asyncio.sleep(0.2)
        assert not erasing.done()
        # The turn commits what it decided; the erase that waited for it deletes that too.
        await store.commit(
            Change(conversation, [ticket], {ticket.id: [Turn(Role.BOT, "answer")]}), lease
        )
    erased = await erasing
    assert erased.counts()["turns"] == 2
    assert await store.transcript(ticket.id) == []
