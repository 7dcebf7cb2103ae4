"""On a Redis Cluster: the inbox, the state and the live frames of a whole conversation.

The store's contract runs on the cluster too (`tests/test_store_contract.py`); this is
the rest, end to end: a web-chat customer's messages go through the inbox's streams, the
engine commits with its Lua script in the conversation's slot, and an operator's claim
reaches the customer's socket through cluster pub/sub.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.store.redis_store import RedisStore
from channels.webchat import address_for
from tests.conftest import ADMIN_TOKEN, Customer, _drop_prefix, make_settings


@pytest.fixture
async def cluster_store(redis_cluster_url: str) -> AsyncIterator[RedisStore]:
    prefix = f"sbtest:{uuid.uuid4().hex[:12]}:"
    store = RedisStore.from_url(redis_cluster_url, prefix=prefix, cluster=True)
    yield store
    await _drop_prefix(redis_cluster_url, prefix, cluster=True)


async def test_a_conversation_and_its_handoff_on_a_cluster(
    app_client: Callable[..., Any], cluster_store: RedisStore
) -> None:
    client, _ = await app_client(make_settings(REDIS_CLUSTER="on"), store=cluster_store)
    customer = Customer(client)
    await customer.connect()

    answer = await customer.ask("How long does shipping take?")
    assert "business days" in answer.text
    handoff = await customer.ask("I want to talk to a human please")
    ticket = handoff.text.split("reference is ")[1].split(".")[0]
    assert await customer.state() == "WAITING_AGENT"

    claimed = await client.post(
        f"/admin/tickets/{ticket}/claim", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )
    assert claimed.status == 200
    notice = await customer.next_answer()
    assert notice.role == "system"
    assert "has joined" in notice.text
    assert await customer.state() == "WITH_AGENT"

    assert customer.session is not None
    snapshot = await cluster_store.load(address_for(customer.session).conversation_id)
    assert snapshot.ticket is not None
    assert snapshot.ticket.id == ticket
    turns = await cluster_store.transcript(ticket)
    assert [t.role.value for t in turns][:2] == ["customer", "bot"]
    await customer.close()
