"""The briefing an agent reads first on a handoff card: gist, mood, suggested reply.

Offline it is built from what the turns already recorded: the router's intent
and confidence, the customer's own words, the catalogue's frustration and
legal phrases for the mood, and the best knowledge-base passage as a reply the
agent may send. The offline briefing is what the agents' card shows at once.
With a commodity model configured (and the kill switch off), the model then
writes the summary and the suggested reply (one call, JSON, bounded by its own
timeout) in the background, and the card is updated when it arrives; when it
fails, the card keeps the offline briefing. So a handoff never waits on a model.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bot.handoff import Briefing
from bot.i18n import Catalog
from bot.killswitch import KillSwitch
from bot.knowledge import KnowledgeBase
from bot.llm import LLM, Tier
from bot.model import Role, Ticket, Turn

log = logging.getLogger(__name__)

_QUOTE_CHARS = 160
# The model writes in the background, so this bounds work, not anyone's wait: long
# enough for a slow model's whole answer, short enough not to pile up behind a dead one.
BRIEFING_TIMEOUT_SECONDS = 30.0
_SHOUTING = re.compile(r"\b[A-Z]{4,}\b")

_PROMPT = (
    "You brief a human support agent who is taking over a customer conversation from a bot. "
    "Write in {agent_language}. Answer with JSON only: "
    '{{"summary": "<at most two sentences: what the customer wants and what is known>", '
    '"suggested_reply": "<a reply the agent could send, in the customer\'s language '
    '({customer_language}), using only facts from the conversation>"}}'
)


class Briefer:
    def __init__(
        self,
        *,
        catalog: Catalog,
        knowledge: KnowledgeBase,
        llm: LLM,
        killswitch: KillSwitch,
        agent_language: str,
        kb_min_score: float,
        timeout: float = BRIEFING_TIMEOUT_SECONDS,
    ) -> None:
        self._catalog = catalog
        self._kb = knowledge
        self._llm = llm
        self._killswitch = killswitch
        self._agent_language = agent_language
        self._kb_min_score = kb_min_score
        self._timeout = timeout

    async def brief(self, ticket: Ticket, transcript: Sequence[Turn]) -> Briefing:
        """The offline briefing, without waiting on any model.

        When a model may write a better one, it comes as `Briefing.later`: awaiting it asks
        the model (within the briefing timeout) and gives its briefing, or None when the
        model failed (logged); `Desks` does that after the card is up.
        """
        customer = [turn for turn in transcript if turn.role is Role.CUSTOMER]
        intent, confidence = _routing(customer)
        offline = Briefing(
            summary=_summary(ticket, customer, intent),
            sentiment=self.sentiment(ticket.language, [turn.text for turn in customer]),
            suggested_reply=self._passage(ticket, customer),
            intent=intent or ticket.intent,
            confidence=confidence,
        )
        if not self._llm.has(Tier.COMMODITY) or not customer:
            return offline
        if await self._killswitch.engaged():
            return offline
        turns = list(transcript)

        async def later() -> Briefing | None:
            return await self._written(ticket, turns, offline)

        return replace(offline, later=later)

    async def _written(
        self, ticket: Ticket, transcript: Sequence[Turn], offline: Briefing
    ) -> Briefing | None:
        try:
            async with asyncio.timeout(self._timeout):
                written = await self._by_model(ticket, transcript)
        except Exception as exc:
            log.warning(
                "ticket %s: the model could not brief the agents (the card keeps the offline "
                "briefing): %s",
                ticket.id,
                "timed out" if isinstance(exc, TimeoutError) else exc,
            )
            return None
        return Briefing(
            summary=written.get("summary") or offline.summary,
            sentiment=offline.sentiment,
            suggested_reply=written.get("suggested_reply") or offline.suggested_reply,
            intent=offline.intent,
            confidence=offline.confidence,
            by_model=True,
        )

    def sentiment(self, language: str, texts: Sequence[str]) -> str:
        """A coarse mood from the customer's words; it only orders the agent's attention."""
        negative = positive = 0
        for text in texts:
            if self._catalog.matches(language, "match-frustration", text) or (
                self._catalog.matches(language, "match-legal", text)
            ):
                negative += 2
            if text.count("!") >= 3 or len(_SHOUTING.findall(text)) >= 2:
                negative += 1
            if self._catalog.matches(language, "match-thanks", text):
                positive += 1
        if negative > positive:
            return "negative"
        return "positive" if positive > 0 else "neutral"

    def _passage(self, ticket: Ticket, customer: Sequence[Turn]) -> str | None:
        for turn in reversed(customer):
            hits = self._kb.search(turn.text, ticket.language, k=1)
            if hits and hits[0].coverage >= self._kb_min_score:
                return hits[0].passage.text
        return None

    async def _by_model(self, ticket: Ticket, transcript: Sequence[Turn]) -> dict[str, str]:
        lines = [f"{turn.role.value}: {turn.text}" for turn in transcript[-20:]]
        facts = ", ".join(f"{key}={value}" for key, value in ticket.fields.items())
        system = _PROMPT.format(
            agent_language=self._agent_language, customer_language=ticket.language
        )
        user = "\n".join(lines) + (f"\n\nKnown facts: {facts}" if facts else "")
        stream = self._llm.stream(
            Tier.COMMODITY,
            [{"role": "system", "content": system}, {"role": "user", "content": user}],
        )
        text = "".join([piece async for piece in stream])
        found = re.search(r"\{.*\}", text, re.DOTALL)
        data: Any = json.loads(found.group(0)) if found else None
        if not isinstance(data, dict):
            raise ValueError("the briefing was not a JSON object")
        return {key: str(value).strip() for key, value in data.items() if isinstance(value, str)}


def _routing(customer: Sequence[Turn]) -> tuple[str | None, float | None]:
    for turn in reversed(customer):
        router = turn.meta.get("router")
        if isinstance(router, dict) and router.get("intent"):
            return str(router["intent"]), float(router.get("confidence", 0.0))
    return None, None


def _summary(ticket: Ticket, customer: Sequence[Turn], intent: str | None) -> str:
    if not customer:
        return "The customer has not written yet."
    first, last = customer[0].text, customer[-1].text
    parts = [f"{len(customer)} customer message{'s' if len(customer) != 1 else ''}"]
    if intent:
        parts.append(f"about {intent.replace('_', ' ')}")
    summary = " ".join(parts) + f'. First: "{_quote(first)}"'
    if last != first:
        summary += f'. Latest: "{_quote(last)}"'
    return summary + "."


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE_CHARS else text[: _QUOTE_CHARS - 1] + "…"
