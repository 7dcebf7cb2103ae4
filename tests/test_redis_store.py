"""What only the Redis store promises: state shared by processes and kept across restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis

from bot.model import Address, Conversation, Role, Ticket, Turn
from bot.store import Store
from channels.webchat import address_for
from tests.conftest import Customer, make_settings, redis_store, settled


async def test_two_processes_share_one_conversation_lock(
    redis_url: str, redis_prefix: str
) -> None:
    # Two store objects stand for two processes: separate connections, one Redis.
    first = redis_store(redis_url, redis_prefix)
    second = redis_store(redis_url, redis_prefix)
    order: list[str] = []
    try:
        async with first.lock("webchat:alice"):
            waiter = asyncio.create_task(_enter(second, order))
            await asyncio.sleep(0.2)
            order.append("first leaves")
        await waiter
        assert order == ["first leaves", "second enters"]
    finally:
        await first.close()
        await second.close()


async def _enter(store: Store, order: list[str]) -> None:
    async with store.lock("webchat:alice"):
        order.append("second enters")


async def test_state_survives_a_new_connection(redis_url: str, redis_prefix: str) -> None:
    address = Address("webchat", "alice")
    ticket = Ticket(
        id="T-RESTART1", conversation_id=address.conversation_id, address=address, language="en"
    )
    before = redis_store(redis_url, redis_prefix)
    await before.save(Conversation(address, "en", ticket.id), ticket, [Turn(Role.CUSTOMER, "hi")])
    await before.close()

    after = redis_store(redis_url, redis_prefix)
    snapshot = await after.load(address.conversation_id)
    assert snapshot.ticket == ticket
    assert [t.text for t in await after.transcript(ticket.id)] == ["hi"]
    await after.close()


async def test_keys_stay_under_the_prefix_and_expire(redis_url: str, redis_prefix: str) -> None:
    store = redis_store(redis_url, redis_prefix, retention_seconds=3600)
    address = Address("webchat", "alice")
    ticket = Ticket(
        id="T-PREFIX01", conversation_id=address.conversation_id, address=address, language="en"
    )
    await store.save(Conversation(address, "en", ticket.id), ticket, [Turn(Role.CUSTOMER, "hi")])
    await store.close()

    client = Redis.from_url(redis_url, decode_responses=True)
    keys = [key async for key in client.scan_iter(match=f"{redis_prefix}*")]
    # The conversation's own keys share its hash tag (one Redis Cluster slot); the
    # pointer from a ticket id to its conversation is looked up from anywhere.
    assert sorted(k.removeprefix(redis_prefix) for k in keys) == [
        "tref:T-PREFIX01",
        "{webchat:alice}:conv",
        "{webchat:alice}:ticket:T-PREFIX01",
        "{webchat:alice}:tx:T-PREFIX01",
    ]
    for key in keys:
        assert 0 < await client.ttl(key) <= 3600
    await client.aclose()


async def test_more_turns_at_once_than_connections_are_all_answered(
    app_client: Callable[..., Any], redis_url: str, redis_prefix: str
) -> None:
    # 40 customers write at the same moment through a pool of 3 connections: turns wait
    # for a free connection instead of failing, so every customer gets a real answer.
    store = redis_store(redis_url, redis_prefix, max_connections=3, pool_timeout=10)
    client, runtime = await app_client(make_settings(), store=store)
    customers = [Customer(client) for _ in range(40)]
    await asyncio.gather(*(customer.connect() for customer in customers))

    answers = await asyncio.gather(
        *(customer.ask("How long does shipping take?") for customer in customers)
    )

    assert [answer.role for answer in answers] == ["bot"] * 40
    assert all(answer.source for answer in answers)
    await settled(runtime)
    for customer in customers:
        assert customer.session is not None
        snapshot = await store.load(address_for(customer.session).conversation_id)
        assert snapshot.ticket is not None
        turns = await store.transcript(snapshot.ticket.id)
        assert [turn.text for turn in turns][-2] == "How long does shipping take?"
        await customer.close()
