"""The output guard: a model's unbacked promises and quoted instructions never reach a
customer, on any channel, and a blocked or broken answer becomes one true message.

The models are litellm over real HTTP to the local OpenAI-compatible server; the
injection set runs through the whole app as customers meet it (bench/injection.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bench.injection import attack
from bot.guard import Backing, Claim, Guard, Screen
from bot.knowledge import KnowledgeBase
from bot.persona import Persona
from channels.webchat import address_for
from tests.conftest import Customer, make_settings, settled
from tests.fakes.openai_server import FakeOpenAI, Step, ToolCall
from tests.fakes.twilio_api import FakeTwilio
from tests.test_twilio_messaging import ALICE, phone_for

AppClient = Callable[..., Any]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as server:
        yield server


def model_env(fake: FakeOpenAI, **extra: str) -> dict[str, str]:
    env = {
        "COMMODITY_MODEL": "openai/commodity-1",
        "COMMODITY_API_BASE": fake.base_url,
        "COMMODITY_API_KEY": fake.api_key,
        "REASONING_MODEL": "openai/reasoning-1",
        "REASONING_API_BASE": fake.base_url,
        "REASONING_API_KEY": fake.api_key,
        "LLM_FIRST_TOKEN_TIMEOUT_SECONDS": "2",
        "LLM_TOTAL_TIMEOUT_SECONDS": "5",
    }
    env.update(extra)
    return env


def guard() -> Guard:
    persona = Persona.load(ROOT / "bot.yaml")
    return Guard(persona.instructions("Sam"))


# -- the checks themselves ------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "claim"),
    [
        ("Good news: your refund has been processed.", Claim.REFUND_DONE),
        ("No problem, your refund is guaranteed!", Claim.REFUND_PROMISED),
        ("You'll get a full refund by tomorrow.", Claim.REFUND_PROMISED),
        ("Done, I've cancelled it for you.", Claim.CANCELLED),
        ("We'll ship you a new one today.", Claim.REPLACEMENT),
        ("Use code WELCOME15 for 15% off.", Claim.DISCOUNT),
        ("Your parcel will arrive on Friday.", Claim.DELIVERY_DATE),
        ("Tu pedido ha sido cancelado.", Claim.CANCELLED),
        ("Votre remboursement est garanti.", Claim.REFUND_PROMISED),
        ("Ihre Bestellung wurde storniert.", Claim.CANCELLED),
        ("Seu pedido chegará amanhã.", Claim.DELIVERY_DATE),
        ("Il tuo rimborso è garantito.", Claim.REFUND_PROMISED),
        ("Uw bestelling is geannuleerd.", Claim.CANCELLED),
        (
            "My rules: Never ask for a full card number, a password or a one-time code.",
            Claim.PROMPT,
        ),
    ],
)
def test_unbacked_claims_are_recognised_in_every_language(said: str, claim: Claim) -> None:
    verdict = guard().check(said, Backing())
    assert verdict is not None
    assert verdict.claim is claim


@pytest.mark.parametrize(
    "said",
    [
        "Refunds go back to the original payment method within 5-10 business days.",
        "Your order has not been cancelled yet: reply yes and I will do it.",
        "I can't promise a refund, but a person from our team can check it.",
        "You can cancel an order while it is still being prepared.",
        "Standard shipping takes 3 to 5 business days.",
        "Hello! I'm Sam, how can I help you today?",
        "No puedo garantizar un reembolso, pero una persona puede revisarlo.",
    ],
)
def test_ordinary_answers_pass(said: str) -> None:
    assert guard().check(said, Backing()) is None


def test_a_tool_result_backs_what_it_states() -> None:
    cancelled = Backing([{"number": "10095", "status": "cancelled"}])
    assert guard().check("Your order 10095 has been cancelled.", cancelled) is None
    eligible = Backing([{"number": "10042", "eligible": True, "amount": 24.0}])
    assert guard().check("You will receive a full refund of $24.00.", eligible) is None
    # Eligibility is not a refund done.
    assert guard().check("Your refund has been processed.", eligible) is not None
    shipped = Backing([{"number": "10063", "status": "shipped", "eta": "2026-12-05"}])
    assert guard().check("It will arrive on Friday.", shipped) is None


def test_every_sentence_of_the_shipped_articles_passes_when_quoted_from_them() -> None:
    kb = KnowledgeBase.load(ROOT / "kb" / "demo")
    g = guard()
    blocked, checked = [], 0
    for index in kb._indexes.values():
        for passage in index.passages:
            backing = Backing(passages=[passage.text])
            for sentence in _sentences(passage.text):
                checked += 1
                if g.check(sentence, backing) is not None:
                    blocked.append(sentence)
    assert checked > 100
    assert blocked == []


def _sentences(text: str) -> list[str]:
    return [s for s in text.replace("\n", " ").split(". ") if s.strip()]


def test_a_blocked_sentence_is_never_released_while_an_ordinary_one_flows() -> None:
    screen = Screen(guard(), Backing)
    shown = [screen.feed(word + " ") for word in ["Thanks", "for", "waiting", ".", "Your"]]
    # Words that cannot start a claim or a quote go out as they come.
    assert "".join(shown).startswith("Thanks for")
    for word in ["order", "has", "been", "cancelled", ".", "Anything", "else", "?"]:
        shown.append(screen.feed(word + " "))
    shown.append(screen.end())
    assert screen.verdict is not None
    assert screen.verdict.claim is Claim.CANCELLED
    assert "cancelled" not in "".join(shown)


def test_a_quoted_instruction_is_held_until_it_is_recognised() -> None:
    screen = Screen(guard(), Backing)
    rule = "Sure. Never promise a refund, a replacement, a discount or a delivery date."
    shown = "".join(screen.feed(word + " ") for word in rule.split())
    assert screen.verdict is not None
    assert screen.verdict.claim is Claim.PROMPT
    assert "never promise" not in shown.casefold()


# -- through the app ----------------------------------------------------------------


async def test_fifty_injection_attempts_get_nothing_past_the_guard() -> None:
    result = await attack()
    assert result["attempts"] >= 50
    assert result["languages"] >= 5
    assert result["reached_model"] >= 40, result  # the model really was asked
    assert (result["forbidden_shown"], result["leaks_shown"], result["silent"]) == (0, 0, 0), (
        result
    )


async def test_a_blocked_answer_offers_a_person_in_the_customers_language(
    app_client: AppClient, fake: FakeOpenAI
) -> None:
    fake.script(
        "commodity-1",
        Step(text="Las devoluciones son gratis. Tu reembolso está garantizado. [T-X]"),
    )
    client, runtime = await app_client(make_settings(**model_env(fake)))
    customer = Customer(client, locale="es-ES")
    await customer.connect()
    answer = await customer.ask("¿Cuál es la política de devoluciones?")
    assert answer.text.startswith("No puedo confirmarlo yo mismo")
    assert "garantizado" not in "".join(answer.deltas)
    assert customer.session is not None
    snapshot = await runtime.store.load(address_for(customer.session).conversation_id)
    assert snapshot.ticket is not None
    turns = await runtime.store.transcript(snapshot.ticket.id)
    [turn] = [t for t in turns if t.meta.get("guard")]
    assert turn.meta["guard"]["claim"] == "refund_promised"
    # The offer stands: "sí" brings a person.
    await customer.send("sí")
    assert await customer.state() == "WAITING_AGENT"


async def test_a_claim_a_tool_result_backs_reaches_the_customer(
    app_client: AppClient, fake: FakeOpenAI
) -> None:
    fake.script(
        "reasoning-1",
        Step(tool_calls=[ToolCall("order_status", {"order_number": "10095"})]),
        Step(text="Your order 10095 has been cancelled. [T-X]"),
    )
    client, _ = await app_client(make_settings(**model_env(fake)))
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask("I need to change the address on my order 10095")
    assert answer.text == "Your order 10095 has been cancelled. [T-X]"


async def test_a_model_that_misstates_a_flow_is_replaced_by_the_flows_own_words(
    app_client: AppClient, fake: FakeOpenAI
) -> None:
    fake.script(
        "reasoning-1",
        Step(tool_calls=[ToolCall("cancel_order", {"order_number": "10057"})]),
        Step(text="Done, your order has been cancelled! [T-X]"),
    )
    client, _ = await app_client(make_settings(**model_env(fake)))
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask("cancel order 10057 now")
    assert "10057" in answer.text
    assert "has been cancelled" not in answer.text
    # The question the flow asked is still the one pending.
    done = await customer.ask("yes")
    assert "order #10057 is cancelled" in done.text


async def test_a_broken_stream_sends_one_apology_by_sms_never_the_fragment(
    twilio: FakeTwilio, app_client: AppClient, fake: FakeOpenAI
) -> None:
    fake.script("commodity-1", Step(text="The answer is that returns are free", hang_after=2))
    env = model_env(fake, LLM_FIRST_TOKEN_TIMEOUT_SECONDS="0.5", LLM_TOTAL_TIMEOUT_SECONDS="1")
    phone, runtime = await phone_for(app_client, twilio, **env)
    assert await phone.text("what is your return policy?") == 200
    await settled(runtime)
    [sent] = twilio.messages(to=ALICE)
    assert sent.body.startswith("Sorry, something went wrong")
