"""`switchboard eval`: cases through the real engine, metrics, the gate, the report."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer
from click.testing import CliRunner

from bot.cli import main
from bot.evaluation import groundedness

ROOT = Path(__file__).resolve().parent.parent
CASES: list[dict[str, object]] = [
    {
        "id": "ship",
        "text": "How long does shipping take?",
        "expect": {
            "route": "faq_policy",
            "escalate": False,
            "source": "shipping-times",
            "language": "en",
            "answer_contains": ["3-5 business days"],
        },
    },
    {
        "id": "returns",
        "text": "what is your return policy?",
        "expect": {"source": "What is your return policy?", "escalate": False},
    },
    {"id": "pay", "text": "can I pay with PayPal?", "expect": {"source": "payment-methods"}},
    {
        "id": "human",
        "text": "I want to talk to a human",
        "expect": {"route": "human_required", "escalate": True},
    },
    {
        "id": "order",
        "turns": ["where is my order?", "10042"],
        "expect": {"route": "order_status", "escalate": False, "answer_contains": ["UPS"]},
    },
    {
        "id": "es",
        "text": "¿Cuánto tarda el envío?",
        "expect": {"language": "es", "source": "shipping-times-es"},
        "unknown_field": 1,
    },
]


def write_cases(path: Path, rows: list[dict[str, object]], extra: str = "") -> Path:
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n" + extra, "utf-8")
    return path


def evaluate(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["eval", *args], env=env or {})
    return result.exit_code, result.stdout, result.stderr


def test_metrics_of_a_small_run(tmp_path: Path) -> None:
    cases = write_cases(tmp_path / "cases.jsonl", CASES)
    code, out, _ = evaluate(str(cases), "--json")
    assert code == 0
    summary = json.loads(out)
    assert set(summary) == {
        "n",
        "language_accuracy",
        "route_accuracy",
        "route",
        "escalation_precision",
        "escalation_recall",
        "deflection_rate",
        "retrieval_hit_at_1",
        "retrieval_hit_at_5",
        "groundedness",
        "cost_total_usd",
        "cost_per_resolved_usd",
        "ttft_ms",
        "turn_ms",
    }
    assert summary["n"] == 6
    assert summary["route_accuracy"] == 1.0
    assert summary["retrieval_hit_at_1"] == 1.0
    assert summary["escalation_recall"] == 1.0
    assert summary["deflection_rate"] == pytest.approx(5 / 6)
    assert summary["route"]["complex_agent"] == {"precision": None, "recall": None, "f1": None}
    assert summary["cost_total_usd"] == 0.0  # offline: no model called
    assert set(summary["turn_ms"]) == {"p50", "p95"}


def test_a_metric_with_no_case_is_null(tmp_path: Path) -> None:
    cases = write_cases(tmp_path / "cases.jsonl", [{"id": "x", "text": "hello"}])
    summary = json.loads(evaluate(str(cases), "--json")[1])
    for key in (
        "language_accuracy",
        "route_accuracy",
        "route",
        "escalation_precision",
        "escalation_recall",
        "retrieval_hit_at_1",
        "retrieval_hit_at_5",
        "groundedness",
    ):
        assert summary[key] is None, key


def test_a_malformed_line_is_reported_and_skipped(tmp_path: Path) -> None:
    cases = write_cases(tmp_path / "cases.jsonl", CASES[:2], extra='{"id": "no text"}\nnot json\n')
    code, out, err = evaluate(str(cases), "--json")
    assert code == 0
    assert json.loads(out)["n"] == 2
    assert "cases.jsonl:3: needs 'text' or a non-empty list of 'turns'" in err
    assert "cases.jsonl:4: not JSON" in err


def test_the_gate_names_each_failing_line(tmp_path: Path) -> None:
    cases = write_cases(tmp_path / "cases.jsonl", CASES)
    gate = tmp_path / "gate.yaml"
    gate.write_text(
        "thresholds:\n  route_accuracy: 0.9\n  deflection_rate: 0.99\n"
        "  cost_per_resolved_usd: 0\n  escalation_precision: 1.0\n",
        "utf-8",
    )
    code, _, err = evaluate(str(cases), "--gate", str(gate))
    assert code == 1
    assert "gate FAIL: deflection_rate = 0.833, needs >= 0.99" in err
    assert "gate pass: route_accuracy = 1.000 >= 0.9" in err


def test_a_broken_kb_fails_the_gate(tmp_path: Path) -> None:
    # The same articles with their bodies dealt out to the wrong titles.
    broken = tmp_path / "kb"
    shutil.copytree(ROOT / "kb" / "demo", broken)
    files = sorted(broken.glob("*.md"))
    bodies = [path.read_text("utf-8").split("\n---\n", 1) for path in files]
    shuffled = [body for _, body in bodies]
    random.Random(7).shuffle(shuffled)
    for path, (head, _), body in zip(files, bodies, shuffled, strict=True):
        path.write_text(f"{head}\n---\n{body}", "utf-8")
    cases = write_cases(tmp_path / "cases.jsonl", CASES)
    gate = tmp_path / "gate.yaml"
    gate.write_text("thresholds:\n  retrieval_hit_at_1: 0.8\n  groundedness: 0.85\n", "utf-8")

    assert evaluate(str(cases), "--gate", str(gate))[0] == 0
    code, _, err = evaluate(str(cases), "--gate", str(gate), env={"KB_DIR": str(broken)})
    assert code == 1
    assert re.search(r"gate FAIL: retrieval_hit_at_1 = 0\.\d+, needs >= 0\.8", err)


def test_groundedness_counts_supported_sentences() -> None:
    passages = [
        {"article": "a", "title": "T", "text": "Standard shipping takes 3-5 business days."}
    ]
    assert groundedness("Standard shipping takes 3-5 business days.", passages) == 1.0
    half = "Standard shipping takes business days. We also sell bicycles on the moon."
    assert groundedness(half, passages) == 0.5
    assert groundedness("", passages) is None


async def test_a_judge_model_decides_groundedness(tmp_path: Path) -> None:
    from bot.config import Settings
    from bot.evaluation import parse_case, run, summarize
    from tests.fakes.openai_server import FakeOpenAI, Step

    async with FakeOpenAI() as fake:
        fake.script("judge-1", Step(text='{"supported": 1, "total": 2}'))
        settings = Settings.from_env(
            {
                "EVAL_JUDGE_MODEL": "openai/judge-1",
                "EVAL_JUDGE_API_BASE": fake.base_url,
                "EVAL_JUDGE_API_KEY": fake.api_key,
            }
        )
        outcome = await run([parse_case(json.dumps(CASES[0]))], settings)
        assert fake.calls("judge-1") == 1
        judged = fake.chat_requests("judge-1")[0]["messages"][1]["content"]
    assert "3-5 business days" in judged  # the answer and its passages were shown
    assert outcome.results[0].offline_groundedness == 1.0
    assert summarize(outcome.results)["groundedness"] == 0.5


def test_the_golden_sets_pass_the_shipped_gate() -> None:
    golden = sorted(str(path) for path in (ROOT / "eval" / "golden").glob("*.jsonl"))
    assert len(golden) >= 4
    code, _, err = evaluate(*golden, "--gate", str(ROOT / "eval" / "gate.yaml"))
    assert code == 0, err


async def test_an_evaluation_never_changes_the_shops_orders(shop: TestServer) -> None:
    from bot.config import Settings
    from bot.evaluation import parse_case, run
    from tests.conftest import SEEN, SHOP_KEY

    settings = Settings.from_env(
        {"ORDERS_URL": str(shop.make_url("")), "ORDERS_API_KEY": SHOP_KEY}
    )
    case = parse_case(
        json.dumps(
            {
                "id": "cancel",
                "turns": ["please cancel my order 20001", "yes"],
                "expect": {"answer_contains": ["is cancelled"]},
            }
        )
    )
    outcome = await run([case], settings)
    assert outcome.results[0].failures == []  # the customer was told it is cancelled
    assert all(not call.startswith("POST") for call in shop.app[SEEN])
    assert "GET 20001" in shop.app[SEEN]
