"""What the engine sends: a `Reply` is an async stream of text pieces.

Channels deliver it natively (socket deltas, message drafts, speech tokens,
whole SMS). The reply remembers what was produced, so the engine can write the
full text to the transcript even when a channel stopped reading early (a
closed socket, an interrupted call).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterable, AsyncIterator
from typing import Protocol

from bot.model import Address, Role, new_id
from bot.statemachine import State


class Reply:
    def __init__(
        self,
        pieces: AsyncIterable[str],
        *,
        role: Role = Role.BOT,
        source: str | None = None,
        author: str | None = None,
    ) -> None:
        self.id = new_id()
        self.role = role
        self.source = source
        # Who wrote it, when a person did: channels show the customer it is not the bot.
        self.author = author
        # What the customer actually heard, when a voice channel was cut off mid-reply.
        self.spoken: str | None = None
        self._pieces = aiter(pieces)
        self._parts: list[str] = []
        self._finished = False

    def __aiter__(self) -> AsyncIterator[str]:
        return self._stream()

    async def _stream(self) -> AsyncIterator[str]:
        async for piece in self._pieces:
            if piece:
                self._parts.append(piece)
                yield piece
        self._finished = True

    async def text(self) -> str:
        """The whole reply; reads whatever the channel left unread."""
        if not self._finished:
            async for _ in self._stream():
                pass
        return "".join(self._parts)

    @classmethod
    def whole(
        cls,
        text: str,
        *,
        role: Role = Role.BOT,
        source: str | None = None,
        author: str | None = None,
    ) -> Reply:
        """A reply known in full up front (canned texts, agent messages)."""
        return cls(_once(text), role=role, source=source, author=author)


async def _once(text: str) -> AsyncIterator[str]:
    yield text


_WORDS = re.compile(r"\S+\s*")


async def paced(text: str, delay_ms: int, words_per_piece: int = 3) -> AsyncIterator[str]:
    """A known text in pieces of a few words, `delay_ms` apart.

    Offline answers have no model producing tokens; pacing them lets every
    channel use the one streaming path and lets the customer start reading at once.
    """
    words = _WORDS.findall(text)
    for start in range(0, len(words), words_per_piece):
        if start and delay_ms:
            await asyncio.sleep(delay_ms / 1000)
        yield "".join(words[start : start + words_per_piece])


class Outbox(Protocol):
    """Where the engine hands replies; the app factory wires it to the channels."""

    async def deliver(self, address: Address, reply: Reply) -> None:
        """Send the reply on the customer's channel; return once it is sent or undeliverable."""

    async def state_changed(self, address: Address, state: State) -> None:
        """Tell a channel who owns the conversation now (the widget shows it)."""


def split_text(text: str, limit: int) -> list[str]:
    """`text` in parts of at most `limit` characters, cut between paragraphs where
    possible, else between sentences, else between words (for channels with a
    per-message limit: Telegram, SMS)."""
    text = text.strip()
    if len(text) <= limit:
        return [text] if text else []
    parts: list[str] = []
    current = ""
    for unit in _units(text, limit):
        joined = f"{current}{unit}" if current else unit.lstrip()
        if len(joined.rstrip()) <= limit:
            current = joined
        else:
            if current.strip():
                parts.append(current.strip())
            current = unit.lstrip()
    if current.strip():
        parts.append(current.strip())
    return parts


def _units(text: str, limit: int) -> list[str]:
    """Sentences with their trailing space; a sentence over `limit` is cut at words."""
    units: list[str] = []
    for paragraph in re.split(r"(\n\s*\n)", text):
        for sentence in re.split(r"(?<=[.!?…。])(\s+)", paragraph):
            if len(sentence) <= limit:
                units.append(sentence)
                continue
            words = re.findall(r"\S+\s*", sentence)
            for word in words:
                while len(word) > limit:
                    units.append(word[:limit])
                    word = word[limit:]
                units.append(word)
    return [unit for unit in units if unit]
