"""Routing a turn: the local classifier first, the commodity model when it is unsure.

The local router answers in well under a millisecond with no network. Only when
its confidence is below `ROUTER_THRESHOLD` and a commodity model is configured
does the model decide, answering JSON that is validated; invalid output counts
as low confidence. Every decision says who made it, for the turn's record.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from bot.llm import LLM, ModelError, Tier, Usage
from bot.router import INTENT_ROUTES, LocalRouter, Route

log = logging.getLogger(__name__)

_ROUTES = ", ".join(route.value for route in Route)
_CLASSIFY = (
    "You route customer-support messages of an online shop. Classify the customer's last "
    f"message into exactly one route: {_ROUTES}.\n"
    "order_status: a lookup of an order, delivery, invoice or refund status.\n"
    "faq_policy: a question the shop's help articles answer (policies, how-tos).\n"
    "complex_agent: needs actions or several steps (cancel or change an order, get a refund, "
    "fix a payment, change an account).\n"
    "human_required: asks for a person, complains, or threatens legal action.\n"
    "out_of_scope: not about this shop.\n"
    'Answer with JSON only: {"route": "<route>", "confidence": <number from 0 to 1>}'
)


@dataclass(frozen=True, slots=True)
class Decision:
    route: Route
    intent: str
    confidence: float
    decided_by: str  # "local", "model", or "rule" (the engine overrode the route)
    local_route: Route
    local_confidence: float

    def to_json(self) -> dict[str, Any]:
        return {
            "route": self.route.value,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "decided_by": self.decided_by,
            "local": {
                "route": self.local_route.value,
                "confidence": round(self.local_confidence, 3),
            },
        }


class Router:
    def __init__(self, local: LocalRouter, llm: LLM, threshold: float) -> None:
        self.local = local
        self._llm = llm
        self.threshold = threshold

    async def decide(self, text: str, usages: list[Usage]) -> Decision:
        guess = self.local.classify(text)
        local = Decision(
            guess.route, guess.intent, guess.confidence, "local", guess.route, guess.confidence
        )
        if guess.confidence >= self.threshold or not self._llm.has(Tier.COMMODITY):
            return local
        stream = self._llm.stream(
            Tier.COMMODITY,
            [{"role": "system", "content": _CLASSIFY}, {"role": "user", "content": text}],
        )
        try:
            async for _ in stream:
                pass
        except ModelError as exc:
            log.warning("router: the commodity model failed (%s); keeping the local guess", exc)
            return local
        finally:
            if stream.usage is not None:
                usages.append(stream.usage)
        parsed = _parse(stream.text)
        if parsed is None:
            log.info(
                "router: the model's answer was not valid JSON routing: %r", stream.text[:200]
            )
            return local
        route, confidence = parsed
        intent = guess.intent if INTENT_ROUTES.get(guess.intent) is route else route.value
        return Decision(route, intent, confidence, "model", guess.route, guess.confidence)


def _parse(text: str) -> tuple[Route, float] | None:
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(body)
        route = Route(data["route"])
        confidence = float(data["confidence"])
    except (ValueError, KeyError, TypeError):
        return None
    if not 0.0 <= confidence <= 1.0:
        return None
    return route, confidence
