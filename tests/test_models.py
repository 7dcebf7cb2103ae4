"""The model tiers, end to end: litellm over real HTTP to a local OpenAI-compatible server.

The fake server (tests/fakes/openai_server.py) checks every request as the API
would and answers with scripted streams, tool calls, errors and hangs; it
counts the calls each model received.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.llm import LLM, ModelError, Tier
from bot.router import LocalRouter
from tests.conftest import ADMIN_TOKEN, Customer, make_settings, redis_store
from tests.fakes.openai_server import FakeOpenAI, Step, ToolCall

AppClient = Callable[..., Any]
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
MODELS = ("commodity-1", "commodity-2", "reasoning-1", "reasoning-2")

# Questions the shipped local router is sure of, and one it is not (checked below).
CONFIDENT_FAQ = "what is your return policy?"
CONFIDENT_ORDER = "where is my order 10042?"
UNSURE = "I have a question about the thing I got"


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    async with FakeOpenAI() as server:
        yield server


def model_env(fake: FakeOpenAI, tmp_path: Path, **extra: str) -> dict[str, str]:
    prices = tmp_path / "prices.json"
    prices.write_text(
        json.dumps(
            {
                f"openai/{name}": {"input_per_million": 1000.0, "output_per_million": 2000.0}
                for name in MODELS
            }
        ),
        "utf-8",
    )
    env = {
        "COMMODITY_MODEL": "openai/commodity-1",
        "COMMODITY_API_BASE": fake.base_url,
        "COMMODITY_API_KEY": fake.api_key,
        "REASONING_MODEL": "openai/reasoning-1",
        "REASONING_API_BASE": fake.base_url,
        "REASONING_API_KEY": fake.api_key,
        "LLM_FIRST_TOKEN_TIMEOUT_SECONDS": "1",
        "LLM_TOTAL_TIMEOUT_SECONDS": "5",
        "MODEL_PRICES_FILE": str(prices),
    }
    env.update(extra)
    return env


def total_calls(fake: FakeOpenAI) -> int:
    return sum(fake.calls(model) for model in MODELS)


def test_the_example_questions_sit_on_both_sides_of_the_threshold() -> None:
    router = LocalRouter.load()
    assert router.classify(CONFIDENT_FAQ).confidence >= 0.70
    assert router.classify(CONFIDENT_ORDER).confidence >= 0.70
    assert router.classify(UNSURE).confidence < 0.70


async def test_confident_turns_never_reach_a_model_for_routing(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    client, _ = await app_client(make_settings(**model_env(fake, tmp_path)))
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask(CONFIDENT_ORDER)
    assert "UPS" in answer.text  # the deterministic flow answered
    assert total_calls(fake) == 0


async def test_a_low_confidence_turn_is_routed_by_the_model(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.script(
        "commodity-1",
        Step(text='{"route": "faq_policy", "confidence": 0.9}'),
        Step(text="You can return unused items within 30 days. [T-X]"),
    )
    client, runtime = await app_client(
        make_settings(**model_env(fake, tmp_path, REASONING_MODEL=""))
    )
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask(UNSURE)
    assert answer.text == "You can return unused items within 30 days. [T-X]"
    first = fake.chat_requests("commodity-1")[0]
    assert "Answer with JSON only" in first["messages"][0]["content"]

    turn = _last_customer_turn(await _ticket(runtime, customer))
    assert turn["meta"]["router"]["decided_by"] == "model"
    assert turn["meta"]["router"]["local"]["confidence"] < 0.70
    assert turn["meta"]["handler"] == "commodity"


async def test_invalid_routing_json_counts_as_low_confidence(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.script("commodity-1", Step(text="I think it is about returns"))
    fake.script("reasoning-1", Step(text="Could you tell me more about the item? [T-X]"))
    client, runtime = await app_client(make_settings(**model_env(fake, tmp_path)))
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask(UNSURE)
    assert answer.text == "Could you tell me more about the item? [T-X]"
    turn = _last_customer_turn(await _ticket(runtime, customer))
    assert turn["meta"]["router"]["decided_by"] == "local"
    assert turn["meta"]["handler"] == "reasoning"


async def test_kb_answers_are_grounded_on_the_passages(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.script("commodity-1", Step(text="Within 30 days of delivery. [T-X]"))
    client, _ = await app_client(make_settings(**model_env(fake, tmp_path)))
    customer = Customer(client, locale="es-ES")
    await customer.connect()
    answer = await customer.ask("¿Cuál es la política de devoluciones?")
    assert answer.text == "Within 30 days of delivery. [T-X]"
    assert answer.source == "¿Cuál es la política de devoluciones?"
    system = fake.chat_requests("commodity-1")[0]["messages"][0]["content"]
    assert "30 días" in system  # the passage is in the prompt
    assert "Always reply in Spanish" in system
    assert "Bramble & Co." in system  # the operator file


async def test_a_tool_call_runs_the_flow_and_the_answer_uses_it(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.script(
        "reasoning-1",
        Step(tool_calls=[ToolCall("order_status", {"order_number": "10063"})]),
        Step(text="Your order 10063 is packed and ships with USPS. [T-X]"),
    )
    client, runtime = await app_client(make_settings(**model_env(fake, tmp_path)))
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask("I need to change the address on my order 10063")
    assert answer.text == "Your order 10063 is packed and ships with USPS. [T-X]"

    second = fake.chat_requests("reasoning-1")[1]["messages"]
    tool_message = next(m for m in second if m["role"] == "tool")
    result = json.loads(tool_message["content"])
    assert result["status"] == "packed"
    assert result["carrier"] == "USPS"
    reply = (await _ticket(runtime, customer))["transcript"][-1]
    assert reply["meta"]["tools_called"] == ["order_status"]


async def test_a_model_cannot_cancel_without_the_customers_yes(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.script(
        "reasoning-1",
        Step(tool_calls=[ToolCall("cancel_order", {"order_number": "10057", "confirmed": True})]),
        Step(text="Done, I cancelled it! [T-X]"),
    )
    client, _ = await app_client(make_settings(**model_env(fake, tmp_path)))
    customer = Customer(client)
    await customer.connect()
    await customer.ask("cancel order 10057 now")
    result = json.loads(
        next(m for m in fake.chat_requests("reasoning-1")[1]["messages"] if m["role"] == "tool")[
            "content"
        ]
    )
    assert result["waiting_for"] == "customer confirmation"
    calls = total_calls(fake)

    # The customer's own yes, after the question, is what cancels; no model is asked.
    done = await customer.ask("yes")
    assert "order #10057 is cancelled" in done.text
    assert total_calls(fake) == calls


async def test_a_refund_above_the_limit_goes_to_a_person_whatever_the_model_says(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.script(
        "reasoning-1",
        Step(tool_calls=[ToolCall("refund_eligibility", {"order_number": "10088"})]),
        Step(text="Good news, your refund is approved! [T-X]"),
    )
    client, _ = await app_client(make_settings(**model_env(fake, tmp_path)))
    customer = Customer(client)
    await customer.connect()
    await customer.ask("I want my money back for order 10088")
    handoff = await customer.next_answer()
    assert handoff.role == "system"
    assert await customer.state() == "WAITING_AGENT"


async def test_the_fallback_model_answers_when_the_first_fails(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.script("commodity-1", Step(status=500))
    fake.script("commodity-2", Step(text="Returns are accepted for 30 days. [T-X]"))
    env = model_env(fake, tmp_path, COMMODITY_FALLBACKS="openai/commodity-2")
    client, runtime = await app_client(make_settings(**env))
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask(CONFIDENT_FAQ)
    assert answer.text == "Returns are accepted for 30 days. [T-X]"
    assert (fake.calls("commodity-1"), fake.calls("commodity-2")) == (1, 1)
    turn = _last_customer_turn(await _ticket(runtime, customer))
    assert [u["model"] for u in turn["meta"]["llm"]] == ["openai/commodity-2"]


async def test_a_silent_model_is_abandoned_at_the_first_token_timeout(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.script("commodity-1", Step(hang=True))
    fake.script("commodity-2", Step(text="Returns are accepted for 30 days. [T-X]"))
    env = model_env(
        fake,
        tmp_path,
        COMMODITY_FALLBACKS="openai/commodity-2",
        LLM_FIRST_TOKEN_TIMEOUT_SECONDS="0.5",
    )
    client, _ = await app_client(make_settings(**env))
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask(CONFIDENT_FAQ)
    assert answer.text == "Returns are accepted for 30 days. [T-X]"


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param([Step(status=500), Step(status=503)], id="errors"),
        pytest.param([Step(text="")], id="empty-answer"),
        pytest.param(
            [Step(text="Returns are accepted for thirty", hang_after=2)],
            id="stalls-after-first-tokens",
        ),
    ],
)
async def test_a_model_failure_gets_an_apology_and_a_person(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path, steps: list[Step]
) -> None:
    fake.script("commodity-1", *steps)
    fake.script("commodity-2", *steps[1:] or steps)
    env = model_env(
        fake,
        tmp_path,
        COMMODITY_FALLBACKS="openai/commodity-2",
        LLM_FIRST_TOKEN_TIMEOUT_SECONDS="0.5",
        LLM_TOTAL_TIMEOUT_SECONDS="1",
    )
    client, _ = await app_client(make_settings(**env))
    customer = Customer(client, locale="es-ES")
    await customer.connect()
    await customer.send("¿Cuál es la política de devoluciones?")
    answers = [await customer.next_answer()]
    while answers[-1].role != "system":
        answers.append(await customer.next_answer())
    assert answers[-1].text.startswith("Lo siento, algo falló")
    assert await customer.state() == "WAITING_AGENT"


async def test_a_malformed_tool_call_gets_an_apology_and_a_person(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.script("reasoning-1", Step(tool_calls=[ToolCall("order_status", '{"order_number": ')]))
    client, _ = await app_client(make_settings(**model_env(fake, tmp_path)))
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask("I need to change the address on my order 10063")
    assert answer.role == "system"
    assert "something went wrong" in answer.text
    assert await customer.state() == "WAITING_AGENT"


async def test_the_kill_switch_stops_every_model_call(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    client, runtime = await app_client(make_settings(**model_env(fake, tmp_path)))
    switched = await client.put("/admin/killswitch", json={"engaged": True}, headers=ADMIN)
    assert await switched.json() == {"engaged": True}
    customer = Customer(client)
    await customer.connect()
    answer = await customer.ask(UNSURE)
    assert "assistant is paused" in answer.text
    assert await customer.state() == "WAITING_AGENT"
    assert total_calls(fake) == 0
    turn = _last_customer_turn(await _ticket(runtime, customer))
    assert turn["meta"]["kill_switch"] is True
    assert turn["meta"]["llm"] == []


async def test_agent_mode_disabled_starts_with_the_switch_on(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    client, _ = await app_client(make_settings(**model_env(fake, tmp_path, AGENT_MODE="disabled")))
    state = await client.get("/admin/killswitch", headers=ADMIN)
    assert await state.json() == {"engaged": True}
    customer = Customer(client)
    await customer.connect()
    await customer.ask(CONFIDENT_FAQ)
    assert total_calls(fake) == 0


async def test_the_kill_switch_reaches_another_process_within_a_second(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    env = model_env(fake, tmp_path, REDIS_URL=redis_url, REDIS_PREFIX=redis_prefix)
    first, _ = await app_client(make_settings(**env), store=redis_store(redis_url, redis_prefix))
    second, _ = await app_client(make_settings(**env), store=redis_store(redis_url, redis_prefix))
    customer = Customer(second)
    await customer.connect()
    fake.script("commodity-1", Step(text="Within 30 days. [T-X]"))
    assert (await customer.ask(CONFIDENT_FAQ)).text == "Within 30 days. [T-X]"
    calls_before = total_calls(fake)

    await first.put("/admin/killswitch", json={"engaged": True}, headers=ADMIN)
    await asyncio.sleep(1.0)
    answer = await customer.ask(CONFIDENT_FAQ)
    assert "assistant is paused" in answer.text
    assert total_calls(fake) == calls_before

    result = await asyncio.to_thread(
        CliRunner().invoke,
        main,
        ["killswitch", "status"],
        env={"REDIS_URL": redis_url, "REDIS_PREFIX": redis_prefix},
    )
    assert "kill switch ON" in result.output


async def test_cost_is_recorded_per_turn_and_summed_per_ticket(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    fake.script(
        "commodity-1",
        Step(text="Within 30 days. [T-X]", usage=(100, 20)),
        Step(text="Standard shipping is $5.95. [T-X]", usage=(300, 40)),
    )
    env = model_env(fake, tmp_path, REDIS_URL=redis_url, REDIS_PREFIX=redis_prefix)
    client, runtime = await app_client(
        make_settings(**env), store=redis_store(redis_url, redis_prefix)
    )
    customer = Customer(client)
    await customer.connect()
    await customer.ask(CONFIDENT_FAQ)
    await customer.ask("how much does shipping cost?")

    data = await _ticket(runtime, customer)
    # 1000 $/M in, 2000 $/M out: (100*1000 + 20*2000)/1e6 and (300*1000 + 40*2000)/1e6.
    costs = [t["meta"]["cost_usd"] for t in data["transcript"] if t["role"] == "customer"]
    assert costs == pytest.approx([0.14, 0.38])
    assert data["ticket"]["cost_usd"] == pytest.approx(0.52)
    assert (data["ticket"]["prompt_tokens"], data["ticket"]["completion_tokens"]) == (400, 60)

    shown = await asyncio.to_thread(
        CliRunner().invoke,
        main,
        ["tickets", "show", data["ticket"]["id"]],
        env={"REDIS_URL": redis_url, "REDIS_PREFIX": redis_prefix},
    )
    assert shown.exit_code == 0, shown.output
    assert "cost $0.520000" in shown.output
    assert "commodity:openai/commodity-1 300+40 tok $0.380000" in shown.output
    assert "route=faq_policy" in shown.output


async def _ticket(runtime: Any, customer: Customer) -> dict[str, Any]:
    from channels.webchat import address_for

    assert customer.session is not None
    snapshot = await runtime.store.load(address_for(customer.session).conversation_id)
    ticket = snapshot.ticket
    turns = await runtime.store.transcript(ticket.id)
    return {"ticket": ticket.to_json(), "transcript": [t.to_json() for t in turns]}


def _last_customer_turn(data: dict[str, Any]) -> dict[str, Any]:
    turns: list[dict[str, Any]] = data["transcript"]
    return next(t for t in reversed(turns) if t["role"] == "customer")


async def test_a_message_during_a_models_answer_makes_it_give_way(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    # The first answer streams slowly; the customer adds to the question meanwhile.
    slow = Step(text="Returns are accepted for thirty days after delivery.", token_interval=0.2)
    fake.script("commodity-1", slow, Step(text="Yes: 30 days, also for sale items. [T-X]"))
    # Generous timeouts: the first call also imports litellm, which takes seconds.
    env = model_env(
        fake, tmp_path, LLM_FIRST_TOKEN_TIMEOUT_SECONDS="20", LLM_TOTAL_TIMEOUT_SECONDS="30"
    )
    client, runtime = await app_client(make_settings(**env))
    customer = Customer(client)
    await customer.connect()
    await customer.send(CONFIDENT_FAQ)
    while (await customer.receive())["type"] != "delta":
        pass  # the model is answering
    await customer.send("and for items bought on sale?")

    answer = await customer.next_answer()
    assert answer.text == "Yes: 30 days, also for sale items. [T-X]"
    assert await customer.quiet() == []  # one answer for both messages, nothing after it
    # The second request had both messages; the stale first answer was not kept.
    asked = fake.chat_requests("commodity-1")[-1]["messages"][-1]["content"]
    assert CONFIDENT_FAQ in asked
    assert "bought on sale" in asked
    turns = (await _ticket(runtime, customer))["transcript"]
    assert [t["role"] for t in turns] == ["customer", "customer", "bot"]
    assert turns[-1]["text"] == answer.text


async def test_hanging_models_cost_one_first_token_budget_not_one_each(
    app_client: AppClient, fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.script("commodity-1", Step(hang=True))
    fake.script("commodity-2", Step(hang=True))
    env = model_env(
        fake,
        tmp_path,
        COMMODITY_FALLBACKS="openai/commodity-2",
        LLM_FIRST_TOKEN_TIMEOUT_SECONDS="1",
    )
    client, _ = await app_client(make_settings(**env))
    customer = Customer(client)
    await customer.connect()
    loop = asyncio.get_running_loop()
    started = loop.time()
    answer = await customer.ask(CONFIDENT_FAQ)
    waited = loop.time() - started
    assert answer.role == "system"
    assert (fake.calls("commodity-1"), fake.calls("commodity-2")) == (1, 1)
    # Both models were tried within the one budget (not 1 s each); the bound is loose
    # because it states behaviour, not speed.
    assert waited < 1.8


class Clock:
    """The LLM's clock, moved by the test: deadlines without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


HELLO = [{"role": "user", "content": "hello"}]


async def test_the_first_token_budget_bounds_the_call_with_its_fallbacks(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    fake.script("commodity-1", Step(hang=True))
    fake.script("commodity-2", Step(hang=True))
    env = model_env(
        fake,
        tmp_path,
        COMMODITY_FALLBACKS="openai/commodity-2",
        LLM_FIRST_TOKEN_TIMEOUT_SECONDS="0.3",
    )
    llm = LLM(make_settings(**env))
    await asyncio.to_thread(llm.warm)  # the import is not the models' time
    try:
        started = time.monotonic()
        with pytest.raises(ModelError) as failed:
            async for _ in llm.stream(Tier.COMMODITY, HELLO):
                pass
        waited = time.monotonic() - started
    finally:
        await llm.close()
    # Each model had its share of the 0.3 s, and both ran out of it; the bound is loose
    # because it states behaviour, not speed.
    assert "commodity-1: timed out" in str(failed.value)
    assert "commodity-2: timed out" in str(failed.value)
    assert not failed.value.after_first_token
    assert waited < 0.45


async def test_a_fallback_gets_only_what_is_left_of_the_budget(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    clock = Clock()

    def slow_failure(body: dict[str, Any]) -> Step:
        clock.now += 10  # the first model took the whole budget, then failed
        return Step(status=500)

    fake.responder = slow_failure
    env = model_env(fake, tmp_path, COMMODITY_FALLBACKS="openai/commodity-2")
    llm = LLM(make_settings(**env), clock=clock)
    try:
        with pytest.raises(ModelError) as failed:
            async for _ in llm.stream(Tier.COMMODITY, HELLO):
                pass
    finally:
        await llm.close()
    assert (fake.calls("commodity-1"), fake.calls("commodity-2")) == (1, 0)
    assert "commodity-2: not tried" in str(failed.value)


async def test_calls_that_share_a_deadline_share_one_budget(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    clock = Clock()
    fake.script("reasoning-1", Step(text="Let me look that up."), Step(text="Found it."))
    llm = LLM(make_settings(**model_env(fake, tmp_path)), clock=clock)
    try:
        deadline = llm.deadline()  # a turn starts: one budget (1 s) for what it waits on
        first = llm.stream(Tier.REASONING, HELLO, deadline=deadline)
        assert "".join([piece async for piece in first]) == "Let me look that up."
        assert first.deadline == deadline
        clock.now += 1.5  # a slow tool, say: the customer has waited the whole budget
        with pytest.raises(ModelError, match="not tried"):
            async for _ in llm.stream(Tier.REASONING, HELLO, deadline=deadline):
                pass
        assert fake.calls("reasoning-1") == 1
        # Without one, a call has a budget of its own, from its start.
        own = llm.stream(Tier.REASONING, HELLO)
        assert "".join([piece async for piece in own]) == "Found it."
        assert own.deadline == clock.now + 1.0
    finally:
        await llm.close()
