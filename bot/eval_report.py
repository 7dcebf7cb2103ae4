"""The HTML report of `switchboard eval --report`: one self-contained page for a support lead.

Inline CSS and inline SVG only: no script, no font, no image, nothing fetched, so the file can be
mailed or attached to a ticket. Every string that comes from the data (ids, answers, transcripts,
passages, route names, gate messages) goes through `_e` (`html.escape`): it is customer text.

`results` is typed with `CaseResultLike`, a read-only Protocol with the attributes of
`bot.evaluation.CaseResult`, so this module never imports `bot.evaluation`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

WORST_CASES = 20
_ROUTE_ORDER = ("order_status", "faq_policy", "complex_agent", "human_required", "out_of_scope")
_ROLES = ("customer", "bot", "agent", "system")


class ExpectLike(Protocol):
    @property
    def language(self) -> str | None: ...
    @property
    def route(self) -> str | None: ...
    @property
    def escalate(self) -> bool | None: ...
    @property
    def source(self) -> str | None: ...
    @property
    def answer_contains(self) -> Sequence[str]: ...


class CaseLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def turns(self) -> Sequence[str]: ...
    @property
    def expect(self) -> ExpectLike: ...


class CaseResultLike(Protocol):
    """What the report reads of a `CaseResult`; properties, so frozen dataclasses fit too."""

    @property
    def case(self) -> CaseLike: ...
    @property
    def language(self) -> str: ...
    @property
    def route(self) -> str | None: ...
    @property
    def escalated(self) -> bool: ...
    @property
    def answer(self) -> str: ...
    @property
    def sources(self) -> Sequence[str]: ...
    @property
    def passages(self) -> Sequence[Mapping[str, object]]: ...
    @property
    def groundedness(self) -> float | None: ...
    @property
    def cost_usd(self) -> float: ...
    @property
    def ttft_ms(self) -> float | None: ...
    @property
    def turn_ms(self) -> float: ...
    @property
    def transcript(self) -> Sequence[Mapping[str, object]]: ...
    @property
    def failures(self) -> Sequence[str]: ...


def render(
    summary: dict[str, Any],
    results: Sequence[CaseResultLike],
    *,
    title: str,
    confusion: Mapping[str, Mapping[str, int]],
    gate: Sequence[tuple[str, bool, str]] | None = None,
) -> str:
    """The whole report page as one HTML string."""
    now = datetime.now().astimezone()
    stamp = f"<time datetime='{now.isoformat(timespec='seconds')}'>{now:%Y-%m-%d %H:%M %Z}</time>"
    sections = (
        f"<header><h1>{_e(title)}</h1>"
        f"<p class='muted'>Generated {stamp} · {_plural(len(results), 'case')}</p></header>",
        _gate_section(gate) if gate is not None else "",
        _summary_section(summary, gate or ()),
        _routes_section(summary.get("route"), confusion),
        _latency_section(results, summary.get("turn_ms")),
        _worst_section(results),
    )
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body><main>\n"
        + "\n".join(sections)
        + "\n</main></body></html>\n"
    )


# -- formatting --------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _number(value: object) -> float | None:
    """`value` as a float when it is a finite number (not a bool), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _percent(value: object) -> str:
    share = _number(value)
    return "—" if share is None else f"{share * 100:.1f}%"


def _usd(value: object) -> str:
    """Dollars with two significant digits even for a fraction of a cent ($0.00042)."""
    amount = _number(value)
    if amount is None:
        return "—"
    small = 0 < abs(amount) < 1
    decimals = min(8, 1 - math.floor(math.log10(abs(amount)))) if small else 2
    return f"${amount:,.{max(2, decimals)}f}"


def _ms(value: object) -> str:
    millis = _number(value)
    return "—" if millis is None else f"{millis:,.{0 if abs(millis) >= 10 else 1}f} ms"


def _pick(mapping: object, key: str) -> object:
    return mapping.get(key) if isinstance(mapping, Mapping) else None


def _svg(name: str, width: float, height: float, title: str, desc: str, body: str) -> str:
    return (
        f"<svg class='chart' role='img' viewBox='0 0 {width} {height}' width='{width}' "
        f"height='{height}' aria-labelledby='{name}-t {name}-d'><title id='{name}-t'>"
        f"{_e(title)}</title><desc id='{name}-d'>{_e(desc)}</desc>{body}</svg>"
    )


# -- gate and summary ------------------------------------------------------------------------


def _gate_section(gate: Sequence[tuple[str, bool, str]]) -> str:
    verdict = "pass" if all(ok for _, ok, _ in gate) else "fail"
    rows = "".join(
        f"<tr class='{'pass' if ok else 'fail'}'><th scope='row'>{_e(metric)}</th><td>"
        f"<span class='badge'>{'✔ pass' if ok else '✘ FAIL'}</span></td><td>{_e(msg)}</td></tr>"
        for metric, ok, msg in gate
    )
    return (
        f"<section class='gate {verdict}' aria-labelledby='gate-h'><h2 id='gate-h'>"
        f"{'✔ Gate passed' if verdict == 'pass' else '✘ Gate FAILED'}</h2><table><thead><tr>"
        "<th scope='col'>Metric</th><th scope='col'>Result</th><th scope='col'>Detail</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></section>"
    )


_Card = tuple[str, str, Callable[[object], str], str]  # label, summary key, format, hint
_CARD_GROUPS: tuple[tuple[str, tuple[_Card, ...]], ...] = (
    ("Quality", (
        ("Language accuracy", "language_accuracy", _percent, ""),
        ("Route accuracy", "route_accuracy", _percent, ""),
        ("Escalation precision", "escalation_precision", _percent, ""),
        ("Escalation recall", "escalation_recall", _percent, ""),
        ("Deflection rate", "deflection_rate", _percent, "not handed to a person"),
    )),
    ("Answers", (
        ("Retrieval hit@1", "retrieval_hit_at_1", _percent, ""),
        ("Retrieval hit@5", "retrieval_hit_at_5", _percent, ""),
        ("Groundedness", "groundedness", _percent, "answer sentences backed by passages"),
    )),
    ("Cost and latency", (
        ("Total cost", "cost_total_usd", _usd, ""),
        ("Cost per resolved case", "cost_per_resolved_usd", _usd, ""),
        ("First token p50", "ttft_ms.p50", _ms, ""),
        ("First token p95", "ttft_ms.p95", _ms, ""),
        ("Turn p50", "turn_ms.p50", _ms, ""),
        ("Turn p95", "turn_ms.p95", _ms, ""),
    )),
)  # fmt: skip


def _summary_section(summary: Mapping[str, Any], gate: Sequence[tuple[str, bool, str]]) -> str:
    gated = {metric: ok for metric, ok, _ in gate}
    groups = []
    for heading, cards in _CARD_GROUPS:
        items = []
        for label, key, fmt, hint in cards:
            top, _, sub = key.partition(".")
            value = _pick(summary.get(top), sub) if sub else summary.get(key)
            mark, note = "", hint
            if key in gated:
                mark = " pass" if gated[key] else " fail"
                note = "✔ meets the gate" if gated[key] else "✘ below the gate"
            items.append(
                f"<div class='card{mark}'><dt>{_e(label)}</dt><dd class='value'>{_e(fmt(value))}"
                f"</dd><dd class='note'>{_e(note)}</dd></div>"
            )
        groups.append(f"<h3>{_e(heading)}</h3><dl class='cards'>{''.join(items)}</dl>")
    return (
        "<section aria-labelledby='sum-h'><h2 id='sum-h'>Summary</h2><p class='muted'>"
        f"{_e(summary.get('n', '—'))} cases; “—” means no case applied to the metric.</p>"
        f"{''.join(groups)}</section>"
    )


# -- routing -----------------------------------------------------------------------------------


def _ordered_routes(names: Iterable[str]) -> list[str]:
    """The router's routes in their usual order, then unknown ones, then "none"."""
    present = set(names)
    extra = sorted(present - set(_ROUTE_ORDER) - {"none"})
    return [r for r in _ROUTE_ORDER if r in present] + extra + ["none"] * ("none" in present)


def _routes_section(per_route: object, confusion: Mapping[str, Mapping[str, int]]) -> str:
    table = "<p class='muted'>No case expects a route.</p>"
    if isinstance(per_route, Mapping) and per_route:
        rows = "".join(
            f"<tr><th scope='row'>{_e(route)}</th><td>{sum(confusion.get(route, {}).values())}"
            + "".join(
                f"</td><td>{_percent(_pick(scores, k))}" for k in ("precision", "recall", "f1")
            )
            + "</td></tr>"
            for route, scores in per_route.items()
        )
        table = (
            "<table class='numeric'><thead><tr><th scope='col'>Route</th><th scope='col'>"
            "Cases expected</th><th scope='col'>Precision</th><th scope='col'>Recall</th>"
            f"<th scope='col'>F1</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    return (
        "<section aria-labelledby='route-h'><h2 id='route-h'>Routing</h2><h3>Per route</h3>"
        f"{table}<h3>Confusion matrix</h3>{_confusion_svg(confusion)}</section>"
    )


def _heat(share: float, *, correct: bool) -> tuple[str, str]:
    """Cell fill (green correct, red mistaken, darker with more cases) and its text's class."""
    lo, hi = ((220, 242, 226), (26, 127, 55)) if correct else ((253, 226, 221), (180, 35, 24))
    t = 0.15 + 0.85 * share
    rgb = [round(a + (z - a) * t) for a, z in zip(lo, hi, strict=True)]
    linear = [c / 3294.6 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    # Below 0.18, white text contrasts more than dark text (WCAG relative luminance).
    return "#{:02x}{:02x}{:02x}".format(*rgb), "hi" if luminance < 0.18 else ""


def _confusion_svg(confusion: Mapping[str, Mapping[str, int]]) -> str:
    rows = _ordered_routes(confusion)
    cols = _ordered_routes(set(rows) | {got for row in confusion.values() for got in row})
    if not rows:
        return ""
    cell, left, top = 72, 150, 130
    width, height = left + cell * len(cols) + 90, top + cell * len(rows) + 10
    peak = max((n for row in confusion.values() for n in row.values()), default=0) or 1
    parts = [
        f"<text x='{left + cell * len(cols) / 2}' y='16' class='axis'>Got (bot's route)</text>",
        f"<text transform='translate(16 {top + cell * len(rows) / 2}) rotate(-90)' "
        "class='axis'>Expected route</text>",
    ]
    for j, got in enumerate(cols):
        x = left + cell * j + cell / 2
        parts.append(f"<text transform='translate({x} {top - 8}) rotate(-40)'>{_e(got)}</text>")
    for i, expected in enumerate(rows):
        y = top + cell * i
        parts.append(
            f"<text x='{left - 8}' y='{y + cell / 2 + 4}' class='end'>{_e(expected)}</text>"
        )
        for j, got in enumerate(cols):
            x, count = left + cell * j, confusion.get(expected, {}).get(got, 0)
            fill, ink = (
                _heat(count / peak, correct=expected == got) if count else ("#f3f4f6", "zero")
            )
            parts.append(
                f"<rect x='{x}' y='{y}' width='{cell - 2}' height='{cell - 2}' fill='{fill}'>"
                f"<title>expected {_e(expected)}, got {_e(got)}: {count}</title></rect>"
                f"<text x='{x + cell / 2 - 1}' y='{y + cell / 2 + 5}' class='cnt {ink}'>"
                f"{count}</text>"
            )
    desc = (
        "Rows are the expected routes, columns the routes the bot took; each cell counts cases. "
        "Green cells (the diagonal) are correct, red ones are mistakes."
    )
    return _svg("cm", width, height, "Route confusion matrix", desc, "".join(parts))


# -- latency -----------------------------------------------------------------------------------


def _nice_step(span: float, bins: int = 12) -> float:
    """A bin width of 1, 2, 2.5 or 5 times a power of ten giving about `bins` bins."""
    raw = max(span, 1e-9) / bins
    magnitude = 10.0 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)


def _latency_section(results: Sequence[CaseResultLike], turn: object) -> str:
    times = [t for t in (_number(r.turn_ms) for r in results) if t is not None and t >= 0]
    chart = _histogram_svg(times, turn) if times else "<p class='muted'>No turn timings.</p>"
    return (
        "<section aria-labelledby='lat-h'><h2 id='lat-h'>Latency</h2><p class='muted'>Time of "
        f"the whole last turn of each case: p50 {_e(_ms(_pick(turn, 'p50')))}, "
        f"p95 {_e(_ms(_pick(turn, 'p95')))}.</p>{chart}</section>"
    )


def _histogram_svg(times: Sequence[float], turn: object) -> str:
    step = _nice_step(max(times))
    counts = [0] * (int(max(times) // step) + 1)
    for t in times:
        counts[int(t // step)] += 1
    width, height, left, top, plot_w, plot_h = 720, 300, 56, 40, 644, 208
    base, bar_w = top + plot_h, plot_w / len(counts)
    y_step = max(1, math.ceil(max(counts) / 5))
    y_max = y_step * (max(counts) // y_step + 1)  # above the tallest bar, with room for its label
    parts = [
        f"<text x='{left + plot_w / 2}' y='{height - 8}' class='axis'>Turn time (ms)</text>",
        f"<text transform='translate(14 {base - plot_h / 2}) rotate(-90)' class='axis'>"
        "Cases</text>",
    ]
    for tick in range(0, y_max + 1, y_step):
        y = base - plot_h * tick / y_max
        parts.append(
            f"<line x1='{left}' y1='{y}' x2='{left + plot_w}' y2='{y}' class='grid'/>"
            f"<text x='{left - 6}' y='{y + 4}' class='end'>{tick}</text>"
        )
    for i, n in enumerate(counts):
        x, h = left + bar_w * i, plot_h * n / y_max
        parts.append(
            f"<rect x='{x + 1}' y='{base - h}' width='{bar_w - 2}' height='{h}' class='bar'>"
            f"<title>{i * step:,g}–{(i + 1) * step:,g} ms: {_plural(n, 'case')}</title></rect>"
            + (f"<text x='{x + bar_w / 2}' y='{base - h - 4}' class='cnt'>{n}</text>" if n else "")
        )
    for i in range(0, len(counts) + 1, 1 if len(counts) <= 12 else 2):
        parts.append(
            f"<text x='{left + bar_w * i}' y='{base + 18}' class='tick'>{i * step:,g}</text>"
        )
    parts.append(f"<line x1='{left}' y1='{base}' x2='{left + plot_w}' y2='{base}' class='ax'/>")
    for row, name in enumerate(("p95", "p50")):  # labels on two rows: they never overlap
        value = _number(_pick(turn, name))
        if value is not None:
            x, y = left + plot_w * min(1.0, value / (len(counts) * step)), top - 22 + 14 * row
            parts.append(
                f"<line x1='{x}' y1='{y + 4}' x2='{x}' y2='{base}' class='pct'/>"
                f"<text x='{x}' y='{y}' class='pctlab'>{name}</text>"
            )
    desc = (
        f"{_plural(len(times), 'case')} in bins of {step:,g} ms; "
        "dashed lines mark the median (p50) and the 95th percentile (p95)."
    )
    return _svg("hist", width, height, "Histogram of turn times", desc, "".join(parts))


# -- worst cases -----------------------------------------------------------------------------


def _worst_first(result: CaseResultLike) -> tuple[int, float, float]:
    """Most failures, then lowest groundedness (unmeasured after measured), then slowest."""
    grounded = _number(result.groundedness)
    return (-len(result.failures), 2.0 if grounded is None else grounded, -result.turn_ms)


def _worst_section(results: Sequence[CaseResultLike]) -> str:
    worst = sorted(results, key=_worst_first)[:WORST_CASES]
    cases = "".join(_case_article(r) for r in worst) or "<p class='muted'>No case ran.</p>"
    return (
        f"<section aria-labelledby='worst-h'><h2 id='worst-h'>Worst {len(worst)} cases</h2>"
        "<p class='muted'>Most failures first, then lowest groundedness, then slowest.</p>"
        f"{cases}</section>"
    )


def _yes_no(flag: bool | None) -> str:
    return "—" if flag is None else "yes" if flag else "no"


def _case_facts(result: CaseResultLike) -> str:
    expect = result.case.expect
    facts = [
        ("Route", f"{result.route or 'none'} (expected {expect.route or '—'})"),
        ("Language", f"{result.language} (expected {expect.language or '—'})"),
        ("Escalated", f"{_yes_no(result.escalated)} (expected {_yes_no(expect.escalate)})"),
        ("Groundedness", _percent(result.groundedness)),
        ("Turn / first token", f"{_ms(result.turn_ms)} / {_ms(result.ttft_ms)}"),
        ("Cost", _usd(result.cost_usd)),
        ("Sources", f"{', '.join(result.sources) or '—'} (expected {expect.source or '—'})"),
    ]
    if expect.answer_contains:
        facts.append(("Answer must contain", " · ".join(expect.answer_contains)))
    items = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in facts)
    return f"<dl class='facts'>{items}</dl>"


def _case_article(result: CaseResultLike) -> str:
    status = "fail" if result.failures else "pass"
    failures = (
        "<ul class='failures'>" + "".join(f"<li>{_e(f)}</li>" for f in result.failures) + "</ul>"
        if result.failures
        else "<p class='ok'>✔ No failures.</p>"
    )
    answer = _e(result.answer) or "<em>(no answer)</em>"
    return (
        f"<article class='case {status}'><h3><span class='id'>{_e(result.case.id)}</span> "
        f"<span class='badge'>{_plural(len(result.failures), 'failure')}</span></h3>{failures}"
        f"{_case_facts(result)}<h4>Transcript</h4>{_transcript(result.transcript)}"
        f"<h4>Answer (last turn)</h4><blockquote class='answer'>{answer}</blockquote>"
        f"{_passages(result.passages)}</article>"
    )


def _transcript(turns: Sequence[Mapping[str, object]]) -> str:
    items = []
    for turn in turns:
        role = str(turn.get("role", ""))
        items.append(
            f"<li class='turn {role if role in _ROLES else 'other'}'><span class='role'>"
            f"{_e(role or '?')}</span>{_e(turn.get('text', ''))}</li>"
        )
    return f"<ol class='transcript'>{''.join(items)}</ol>" if items else "<p>(empty)</p>"


def _passages(passages: Sequence[Mapping[str, object]]) -> str:
    if not passages:
        return "<p class='muted'>No passage was used.</p>"
    items = "".join(
        f"<li><p><code>{_e(p.get('article', '?'))}</code> <strong>{_e(p.get('title', ''))}"
        f"</strong></p><p class='passage'>{_e(p.get('text', ''))}</p></li>"
        for p in passages
    )
    return (
        f"<details><summary>Passages used ({len(passages)})</summary>"
        f"<ol class='passages'>{items}</ol></details>"
    )


_CSS = """
:root{color-scheme:light;--ink:#1f2328;--muted:#57606a;--line:#d0d7de;--ok:#1a7f37;--bad:#b42318;
--okbg:#e9f7ee;--badbg:#fdecea;--accent:#0a58ca}
*{box-sizing:border-box}
body{margin:0;background:#f6f8fa;color:var(--ink);font:15px/1.5 system-ui,sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px 28px 48px}h1{font-size:1.6rem;margin:0 0 4px}
h2{font-size:1.3rem;margin:0 0 12px}h3{font-size:1.05rem;margin:18px 0 8px}
h4{font-size:.95rem;margin:14px 0 6px}
section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:18px 22px;
margin:18px 0}
.muted{color:var(--muted)}table{border-collapse:collapse;width:100%;margin:4px 0}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{background:#f6f8fa;font-weight:600}table.numeric{width:auto;min-width:60%}
table.numeric td{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:.85rem;font-weight:600;
white-space:nowrap;background:#eef1f4}
.gate{border-width:2px}.gate.pass{border-color:var(--ok);background:var(--okbg)}
.gate.fail{border-color:var(--bad);background:var(--badbg)}.gate.pass h2{color:var(--ok)}
.gate.fail h2{color:var(--bad)}.gate table{background:#fff}.gate thead th{background:#fff}
tr.pass .badge{background:var(--okbg);color:var(--ok)}
tr.fail .badge{background:var(--bad);color:#fff}tr.fail th,tr.fail td{font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px;margin:0}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 12px;background:#fbfcfd}
.card dt{font-size:.85rem;color:var(--muted)}.card dd{margin:0}
.card .value{font-size:1.45rem;font-weight:650;font-variant-numeric:tabular-nums}
.card .note{font-size:.8rem;color:var(--muted);min-height:1.2em}
.card.pass{border-left:5px solid var(--ok)}.card.fail{border-left:5px solid var(--bad)}
.card.pass .note{color:var(--ok);font-weight:600}.card.fail .note{color:var(--bad);font-weight:600}
svg.chart{display:block;max-width:100%;height:auto;margin:8px 0}
svg text{font:12px system-ui,sans-serif;fill:var(--ink)}
svg .axis{font-weight:600;text-anchor:middle;font-size:13px}svg .end{text-anchor:end}
svg .tick{text-anchor:middle;fill:var(--muted)}
svg .cnt{text-anchor:middle;font-weight:600;font-size:14px}svg .ax{stroke:var(--ink)}
svg .grid{stroke:#e5e8eb}svg .bar{fill:#3b6fd4}
svg .pct{stroke:var(--bad);stroke-dasharray:4 3;stroke-width:1.5}
svg .pctlab{fill:var(--bad);font-weight:600;text-anchor:middle}svg .cnt.hi{fill:#fff}
svg .cnt.zero{fill:#6e7781;font-weight:400}
.case{border:1px solid var(--line);border-left:5px solid var(--ok);border-radius:6px;
padding:10px 16px 14px;margin:14px 0;break-inside:avoid}
.case.fail{border-left-color:var(--bad)}.case h3{margin:4px 0 8px}.case .id{overflow-wrap:anywhere}
.case.fail h3 .badge{background:var(--badbg);color:var(--bad)}
.failures{margin:0 0 8px;padding-left:20px;color:var(--bad);font-weight:600}
.ok{color:var(--ok);font-weight:600;margin:0 0 8px}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:4px 16px;
margin:0;font-size:.9rem}
.facts dt{color:var(--muted);font-size:.8rem}.facts dd{margin:0;overflow-wrap:anywhere}
.transcript{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:6px}
.turn{max-width:80%;padding:6px 10px;border-radius:8px;border:1px solid var(--line);
white-space:pre-wrap;overflow-wrap:anywhere}
.turn .role{display:block;font-size:.72rem;font-weight:700;text-transform:uppercase;
letter-spacing:.04em;color:var(--muted)}
.turn.customer{align-self:flex-start;background:#eef4ff;border-color:#c8d9fb}
.turn.bot{align-self:flex-end;background:#f3f4f6}
.turn.agent{align-self:flex-end;background:#fff4d6;border-color:#e9c46a}
.turn.system,.turn.other{align-self:center;border-style:dashed;font-size:.85rem}
.answer{margin:0;padding:8px 12px;border-left:4px solid var(--accent);background:#f6f8fa;
white-space:pre-wrap;overflow-wrap:anywhere}
details{margin-top:10px}summary{cursor:pointer;font-weight:600;color:var(--accent)}
.passages{padding-left:20px}.passages p{margin:4px 0}
.passage{white-space:pre-wrap;color:#32383f;font-size:.9rem}
@media print{body{background:#fff;font-size:10.5pt}main{max-width:none;padding:0}
section{border:none;padding:0;margin:12px 0}.gate{border:2px solid;padding:8px 12px}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}summary{color:var(--ink)}
details::details-content{content-visibility:visible;display:block}}
"""
