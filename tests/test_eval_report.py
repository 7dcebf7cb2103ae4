"""`bot.eval_report.render`: the HTML page of `switchboard eval --report`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.eval_report import CaseResultLike, render
from bot.evaluation import Case, Expect

ANSWER = "Orders ship in 3-5 business days."


@dataclass
class FakeResult:
    case: Case
    answer: str = ANSWER
    route: str | None = "faq_policy"
    language: str = "en"
    escalated: bool = False
    sources: list[str] = field(default_factory=lambda: ["shipping-times"])
    passages: list[dict[str, str]] = field(
        default_factory=lambda: [
            {"article": "shipping-times", "title": "Shipping times", "text": "3-5 business days."}
        ]
    )
    groundedness: float | None = 1.0
    cost_usd: float = 0.00042
    ttft_ms: float | None = 180.0
    turn_ms: float = 420.0
    transcript: list[dict[str, str]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


def result(case_id: str, text: str, expected: str, **kwargs: Any) -> FakeResult:
    answer = kwargs.get("answer", ANSWER)
    turns = [{"role": "customer", "text": text}, {"role": "bot", "text": answer}]
    case = Case(case_id, (text,), expect=Expect(language="en", route=expected, escalate=False))
    return FakeResult(case=case, transcript=turns, **kwargs)


def sample() -> list[FakeResult]:
    return [
        result("ship", "How long does shipping take?", "faq_policy"),
        result(
            "xss",
            "<img src=x onerror=alert(1)>",
            "faq_policy",
            answer="<script>alert('pwned')</script> & more",
            route="out_of_scope",
            groundedness=0.25,
            turn_ms=2350.0,
            failures=["route: expected faq_policy, got out_of_scope", "groundedness 0.25 < 0.5"],
        ),
        result("where", "Where is my order 1234?", "order_status", route="order_status"),
        result(
            "slow",
            "I want to cancel",
            "complex_agent",
            route=None,
            groundedness=None,
            passages=[],
            ttft_ms=None,
            turn_ms=5100.0,
            failures=["route: expected complex_agent, got none"],
        ),
    ] + [
        result(f"bulk-{i}", "Do you ship abroad?", "faq_policy", turn_ms=300.0 + 97 * i)
        for i in range(30)
    ]


SUMMARY: dict[str, Any] = {
    "n": 34,
    "language_accuracy": 1.0,
    "route_accuracy": 0.9118,
    "route": {
        "order_status": {"precision": 1.0, "recall": 1.0, "f1": 1.0},
        "faq_policy": {"precision": 1.0, "recall": 0.9688, "f1": 0.9841},
        "complex_agent": {"precision": None, "recall": 0.0, "f1": None},
        "human_required": {"precision": None, "recall": None, "f1": None},
        "out_of_scope": {"precision": 0.0, "recall": None, "f1": None},
    },
    "escalation_precision": None,
    "escalation_recall": None,
    "deflection_rate": 1.0,
    "retrieval_hit_at_1": 0.875,
    "retrieval_hit_at_5": 0.96875,
    "groundedness": 0.6512,
    "cost_total_usd": 0.01428,
    "cost_per_resolved_usd": 0.00042,
    "ttft_ms": {"p50": 180.0, "p95": 180.0},
    "turn_ms": {"p50": 1755.0, "p95": 5100.0},
}
CONFUSION = {
    "faq_policy": {"faq_policy": 31, "out_of_scope": 1},
    "order_status": {"order_status": 1},
    "complex_agent": {"none": 1},
}
GATE = [
    ("route_accuracy", True, "route_accuracy = 0.912 >= 0.9"),
    ("groundedness", False, "groundedness = 0.651, needs >= 0.85"),
    (
        "escalation_recall",
        False,
        "escalation_recall: no value (no applicable case), needs >= 0.95",
    ),
]


def page(**kwargs: Any) -> str:
    results: list[CaseResultLike] = list(sample())
    options: dict[str, Any] = {"confusion": CONFUSION, "gate": GATE} | kwargs
    return render(SUMMARY, results, title="Golden <set> eval", **options)


def test_page_is_self_contained() -> None:
    html = page()
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html.lower()
    assert not re.search(r"(src|href)=['\"]?(https?:)?//", html)
    assert "<title>Golden &lt;set&gt; eval</title>" in html


def test_summary_metrics_are_formatted() -> None:
    html = page()
    for shown in (
        "91.2%",
        "87.5%",
        "96.9%",
        "65.1%",
        "$0.014",
        "$0.00042",
        "1,755 ms",
        "5,100 ms",
    ):
        assert shown in html, shown
    assert "98.4%" in html  # faq_policy F1 in the per-route table


def test_null_metrics_show_a_dash() -> None:
    html = page()
    card = re.search(r"Escalation precision</dt><dd class='value'>(.*?)</dd>", html)
    assert card is not None
    assert card.group(1) == "—"
    assert "None" not in html


def test_confusion_matrix_shows_counts_and_labels() -> None:
    html = page()
    svg = html[html.index("Route confusion matrix") :]
    assert ">31</text>" in svg
    assert "expected faq_policy, got out_of_scope: 1" in svg
    assert "expected complex_agent, got none: 1" in svg
    assert "Expected route" in svg
    assert "Got (bot" in svg


def test_latency_histogram_is_drawn() -> None:
    html = page()
    assert "Histogram of turn times" in html
    assert "Turn time (ms)" in html
    assert html.count("class='bar'") >= 5


def test_worst_case_comes_first_with_its_failures() -> None:
    html = page()
    worst = html.index("<section aria-labelledby='worst-h'>")
    first = html.index("<article", worst)
    assert html.index("xss", first) < html.index("slow", first)
    assert "route: expected faq_policy, got out_of_scope" in html
    assert "Worst 20 cases" in html
    assert html.count("<article") == 20


def test_customer_text_is_escaped() -> None:
    html = page()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt; &amp; more" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_gate_lines_say_pass_or_fail_in_words() -> None:
    html = page()
    assert "Gate FAILED" in html
    assert "groundedness = 0.651, needs &gt;= 0.85" in html
    assert "✘ FAIL" in html
    assert "✔ pass" in html


def test_without_gate_and_without_results() -> None:
    html = render({"n": 0}, [], title="empty", confusion={})
    assert "Gate" not in html
    assert "No turn timings." in html
    assert "No case expects a route." in html


def test_real_case_result_fits_the_protocol() -> None:
    from bot.evaluation import Case, CaseResult, Expect

    case = Case(id="real", turns=("hi",), expect=Expect(route="faq_policy"))
    real = CaseResult(
        case, "en", "faq_policy", False, "hello", [], [], None, 0.0, None, 12.5, [], []
    )
    results: list[CaseResultLike] = [real]
    assert "real" in render({"n": 1}, results, title="t", confusion={})
