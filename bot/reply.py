"""What the engine says: a `Reply` is an async stream of text pieces.

While a reply is produced, channels that can show it growing do so
(`Delivery.stream`: socket deltas, message drafts, speech tokens); once the
decision is committed, the outbox sends the whole `Message` (`Delivery.send`),
which is what a channel without streaming (SMS) delivers and what a streaming
channel uses to finish the reply. The reply remembers what was produced, so the
engine can write the full text to the transcript even when a channel stopped
reading early (a closed socket, an interrupted call).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterable, AsyncIterator
from typing import Protocol

from bot.effects import Message
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
        id: str | None = None,
    ) -> None:
        # A retried entry produces its replies again under the same ids, so a channel
        # that showed part of the first attempt replaces it instead of adding a copy.
        self.id = id or new_id()
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
        id: str | None = None,
    ) -> Reply:
        """A reply known in full up front (canned texts, agent messages)."""
        return cls(_once(text), role=role, source=source, author=author, id=id)

    async def message(self) -> Message:
        """The whole reply as the outbox sends it (reads whatever is left unread)."""
        return Message(self.id, await self.text(), self.role, self.source, self.author)


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


class Delivery(Protocol):
    """The customer's channels as the engine and the outbox see them (`channels.Channels`)."""

    async def stream(self, address: Address, reply: Reply) -> None:
        """Show the reply while it is produced, where the channel can; reads it to the end.

        Nothing here is final: the outbox `send`s the whole message after the commit.
        """

    async def send(self, address: Address, message: Message) -> None:
        """Deliver a whole message on the customer's channel (or finish its stream).

        Raises `DeliveryError` when the provider refused it for good.
        """

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
