"""Delivering a reply into a Slack thread as it is produced.

Natively with `chat.startStream` / `chat.appendStream` / `chat.stopStream`.
slack_sdk's `chat_stream` helper flushes by size only (256 characters); a
support answer is often shorter than that, so the customer would see nothing
until the end. This streamer flushes by time as well (every `interval`
seconds), which keeps Slack's rate limits and still shows the first words at
once.

Where streaming is unavailable (an older workspace, a token type or surface
that does not allow it) it posts the first words and edits the message with
`chat.update`, at most once per `update_interval`. A workspace that refuses
streaming once is not asked again by this process.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

# Errors that mean "this workspace or token cannot stream", not "this stream failed".
_NO_STREAMING = frozenset(
    {
        "unknown_method",
        "not_allowed_token_type",
        "missing_scope",
        "feature_not_enabled",
        "not_allowed",
        "method_deprecated",
        "channel_type_not_supported",
    }
)
_MAX_PIECE = 2000


@dataclass(frozen=True, slots=True)
class Target:
    channel: str
    thread_ts: str
    team: str | None
    user: str | None


class SlackStreamer:
    def __init__(
        self,
        client: AsyncWebClient,
        *,
        interval: float = 0.4,
        update_interval: float = 1.0,
    ) -> None:
        self._client = client
        self._interval = interval
        self._update_interval = update_interval
        self.native = True

    async def deliver(self, target: Target, pieces: AsyncIterator[str]) -> None:
        first = await anext(pieces, None)
        if first is None:
            return
        if self.native:
            try:
                started = await self._client.chat_startStream(
                    channel=target.channel,
                    thread_ts=target.thread_ts,
                    recipient_team_id=target.team,
                    recipient_user_id=target.user,
                    markdown_text=first,
                )
            except SlackApiError as exc:
                error = str(exc.response.get("error"))
                if error in _NO_STREAMING:
                    self.native = False
                    log.warning("slack: streaming unavailable (%s); posting and editing", error)
                else:
                    log.warning("slack: chat.startStream failed (%s); posting instead", error)
            else:
                await self._append(target, str(started["ts"]), first, pieces)
                return
        await self._post_and_update(target, first, pieces)

    async def _append(
        self, target: Target, ts: str, first: str, pieces: AsyncIterator[str]
    ) -> None:
        full, buffer, flushed = first, "", time.monotonic()
        try:
            async for piece in pieces:
                full += piece
                buffer += piece
                if time.monotonic() - flushed >= self._interval or len(buffer) >= _MAX_PIECE:
                    await self._client.chat_appendStream(
                        channel=target.channel, ts=ts, markdown_text=buffer
                    )
                    buffer, flushed = "", time.monotonic()
            if buffer:
                await self._client.chat_stopStream(
                    channel=target.channel, ts=ts, markdown_text=buffer
                )
            else:
                await self._client.chat_stopStream(channel=target.channel, ts=ts)
        except SlackApiError as exc:
            # The stream broke (it expired, or the user stopped it): the whole
            # answer still reaches the customer, as a message of its own.
            log.warning(
                "slack: stream %s broke (%s); posting the answer", ts, exc.response.get("error")
            )
            async for piece in pieces:
                full += piece
            await self._client.chat_postMessage(
                channel=target.channel, thread_ts=target.thread_ts, text=full
            )
        except Exception:
            # The answer gave way (a newer message) or failed: end the stream where it
            # stands rather than leave the customer a message that never finishes.
            with contextlib.suppress(SlackApiError):
                await self._client.chat_stopStream(channel=target.channel, ts=ts)
            raise

    async def _post_and_update(
        self, target: Target, first: str, pieces: AsyncIterator[str]
    ) -> None:
        posted = await self._client.chat_postMessage(
            channel=target.channel, thread_ts=target.thread_ts, text=first
        )
        ts = str(posted["ts"])
        full, shown, updated = first, first, time.monotonic()
        async for piece in pieces:
            full += piece
            if time.monotonic() - updated >= self._update_interval:
                await self._client.chat_update(channel=target.channel, ts=ts, text=full)
                shown, updated = full, time.monotonic()
        if full != shown:
            await self._client.chat_update(channel=target.channel, ts=ts, text=full)
