"""The channel seam.

A channel knows its provider and nothing else: it turns the provider's requests
into entries for the inbox, acknowledges in the form the provider expects once
the inbox has them, shows a `Reply` while it is produced where the provider can
(`stream`), and delivers the whole `Message` once it is decided (`send`).
`Channels` is the engine's and the outbox's `Delivery`: it routes to the channel
the customer wrote on.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import ClassVar

from aiohttp import web

from bot.effects import Message
from bot.model import Address
from bot.reply import Reply
from bot.statemachine import State

log = logging.getLogger(__name__)


class Channel(ABC):
    name: ClassVar[str]

    @abstractmethod
    def setup(self, app: web.Application) -> None:
        """Add the channel's routes and lifecycle hooks to the app."""

    async def stream(self, address: Address, reply: Reply) -> None:
        """Show the reply growing, where the provider can. Most cannot: read it to the end."""
        await reply.text()

    @abstractmethod
    async def send(self, address: Address, message: Message) -> None:
        """Deliver the whole message (or finish what `stream` showed); raise
        `DeliveryError` when the provider refuses it for good."""

    async def state_changed(self, address: Address, state: State) -> None:
        """Most providers have nothing to show for a change of owner."""
        return None


class Channels:
    """Routes each reply to the customer's own channel."""

    def __init__(self, channels: Iterable[Channel] = ()) -> None:
        self._by_name: dict[str, Channel] = {}
        for channel in channels:
            self.add(channel)

    def add(self, channel: Channel) -> None:
        if channel.name in self._by_name:
            raise ValueError(f"channel {channel.name!r} is registered twice")
        self._by_name[channel.name] = channel

    def all(self) -> list[Channel]:
        return list(self._by_name.values())

    async def stream(self, address: Address, reply: Reply) -> None:
        channel = self._by_name.get(address.channel)
        if channel is None:
            await reply.text()
            return
        await channel.stream(address, reply)

    async def send(self, address: Address, message: Message) -> None:
        channel = self._by_name.get(address.channel)
        if channel is None:
            log.error("no channel %r to deliver to %s", address.channel, address.conversation_id)
            return
        await channel.send(address, message)

    async def state_changed(self, address: Address, state: State) -> None:
        channel = self._by_name.get(address.channel)
        if channel is not None:
            await channel.state_changed(address, state)
