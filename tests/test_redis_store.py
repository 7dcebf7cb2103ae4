"""What only the Redis store promises: state shared by processes and kept across restarts."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from bot.model import Address, Conversation, Role, Ticket, Turn
from bot.store import Store
from tests.conftest import redis_store


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
    assert sorted(k.removeprefix(redis_prefix).split(":")[0] for k in keys) == [
        "conv",
        "ticket",
        "tx",
    ]
    for key in keys:
        assert 0 < await client.ttl(key) <= 3600
    await client.aclose()
