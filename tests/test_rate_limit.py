"""Per-customer rate limits: a flood gets one polite reply, costs no model call, loses
nothing, and is counted in the store, so two processes count together."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.model import Role
from channels.webchat import address_for
from tests.conftest import Customer, make_settings, redis_store, settled
from tests.fakes.openai_server import FakeOpenAI, Step

AppClient = Callable[..., Any]
QUESTION = "what is your return policy?"
FRENCH = (
    "Quelle est votre politique de retour ?",
    "Combien coûte la livraison ?",
    "Comment changer mon adresse e-mail ?",
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as server:
        yield server


async def test_a_flood_gets_one_polite_reply_and_no_model_call(
    app_client: AppClient, fake: FakeOpenAI
) -> None:
    fake.default = Step(text="Returns are free within 30 days. [T-X]")
    settings = make_settings(
        RATE_LIMIT_MESSAGES="3",
        UNRESOLVED_TURNS_LIMIT="10",  # unsure answers must not bring a person first
        COMMODITY_MODEL="openai/commodity-1",
        COMMODITY_API_BASE=fake.base_url,
        COMMODITY_API_KEY=fake.api_key,
    )
    client, runtime = await app_client(settings)
    customer = Customer(client, locale="fr-FR")
    await customer.connect()
    for question in FRENCH:
        answer = await customer.ask(question)
        assert answer.role == "bot"
    calls = fake.calls("commodity-1")
    assert calls >= 1  # the model answered while the customer was within the limit

    over = await customer.ask("Et pour un échange ?")
    assert over.role == "system"
    assert over.text.startswith("Vous envoyez des messages plus vite")
    await customer.send("Et la livraison ?")
    await settled(runtime)
    assert [f for f in await customer.quiet(0.2) if f["type"] == "done"] == []
    assert fake.calls("commodity-1") == calls

    assert customer.session is not None
    snapshot = await runtime.store.load(address_for(customer.session).conversation_id)
    assert snapshot.ticket is not None
    turns = await runtime.store.transcript(snapshot.ticket.id)
    # Nothing the customer wrote is dropped: the agents read all five.
    assert [t.text for t in turns if t.role is Role.CUSTOMER][-1] == "Et la livraison ?"
    assert sum(1 for t in turns if t.role is Role.CUSTOMER) == 5
    audit = [e for e in await runtime.store.read_log("audit") if e["event"] == "rate_limited"]
    assert len(audit) == 1


async def test_two_processes_count_one_customer_together(
    app_client: AppClient, redis_url: str, redis_prefix: str
) -> None:
    settings = make_settings(RATE_LIMIT_MESSAGES="3", STREAM_CHUNK_DELAY_MS="0")
    first, _ = await app_client(settings, store=redis_store(redis_url, redis_prefix))
    second, _ = await app_client(settings, store=redis_store(redis_url, redis_prefix))
    customer = Customer(first)
    await customer.connect()
    for _ in range(2):
        assert (await customer.ask(QUESTION)).role == "bot"
    await customer.close()

    again = Customer(second, session=customer.session)
    await again.connect()
    assert (await again.ask(QUESTION)).role == "bot"
    over = await again.ask(QUESTION)
    assert over.role == "system"
    assert over.text.startswith("You're sending messages faster")
