"""Translation between a customer and an agent who do not share a language.

Only with a commodity model configured and the kill switch off; otherwise, or
when the model fails, `translate` returns None and the caller passes the
original on unchanged (a message in the wrong language beats a message lost).
The caller keeps the original in the transcript either way.
"""

from __future__ import annotations

import logging

from bot.killswitch import KillSwitch
from bot.llm import LLM, Tier

log = logging.getLogger(__name__)

_PROMPT = (
    "Translate the user's message from the language with code {source} into the language "
    "with code {target}. Keep names, numbers, order numbers, links and formatting exactly. "
    "Answer with the translation only."
)


class Translator:
    def __init__(self, llm: LLM, killswitch: KillSwitch) -> None:
        self._llm = llm
        self._killswitch = killswitch

    @property
    def available(self) -> bool:
        return self._llm.has(Tier.COMMODITY)

    async def translate(self, text: str, source: str, target: str) -> str | None:
        if source == target or not self.available or not text.strip():
            return None
        if await self._killswitch.engaged():
            return None
        messages = [
            {"role": "system", "content": _PROMPT.format(source=source, target=target)},
            {"role": "user", "content": text},
        ]
        try:
            stream = self._llm.stream(Tier.COMMODITY, messages)
            translated = "".join([piece async for piece in stream]).strip()
        except Exception as exc:
            log.warning("translation %s→%s failed: %s", source, target, exc)
            return None
        return translated or None
