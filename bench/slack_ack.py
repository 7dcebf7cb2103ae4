"""How fast Slack is acknowledged, and how fast a Slack customer gets the whole answer.

Slack retries any event not acknowledged within 3 seconds, so the ack must not
wait for the answer. This starts the app (memory store, offline answers) with
a local Slack (`tests/fakes/slack_api.py`), sends signed direct-message events
from many customers at once, and prints the ack latency and the time until
each answer's stream was stopped.

    python -m bench.slack_ack [--customers 200] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.app import create_app
from bot.config import Settings
from tests.fakes.slack_api import (
    TEST_BOT_TOKEN,
    TEST_SIGNING_SECRET,
    FakeSlack,
    event_callback,
    message_event,
    signed_headers,
)

QUESTIONS = (
    "what is your return policy?",
    "How long does shipping take?",
    "do you ship to Canada?",
    "can I pay with PayPal?",
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(customers: int, concurrency: int) -> None:
    async with FakeSlack() as slack:
        settings = Settings.from_env(
            {
                "SLACK_BOT_TOKEN": TEST_BOT_TOKEN,
                "SLACK_SIGNING_SECRET": TEST_SIGNING_SECRET,
                "SLACK_AGENTS_CHANNEL": "C0AGENTS01",
                "SLACK_API_URL": slack.base_url,
                "STREAM_CHUNK_DELAY_MS": "25",
                "LOG_LEVEL": "warning",
                "INBOX_MAX_PENDING": str(max(customers, 100)),
            }
        )
        server = TestServer(create_app(settings), host="127.0.0.1")
        await server.start_server()
        acks: list[float] = []
        sent_at: dict[str, float] = {}
        slots = asyncio.Semaphore(concurrency)
        try:
            async with ClientSession() as http:

                async def one(n: int) -> None:
                    event = message_event(
                        f"D0BENCH{n:05}", f"U0BENCH{n:05}", QUESTIONS[n % 4], channel_type="im"
                    )
                    body = json.dumps(event_callback(event))
                    async with slots:
                        started = time.perf_counter()
                        sent_at[f"D0BENCH{n:05}"] = started
                        async with http.post(
                            server.make_url("/slack/events"),
                            data=body,
                            headers=signed_headers(body, TEST_SIGNING_SECRET),
                        ) as response:
                            assert response.status == 200, await response.text()
                        acks.append((time.perf_counter() - started) * 1000)

                began = time.perf_counter()
                await asyncio.gather(*(one(n) for n in range(customers)))
                await slack.wait_for(
                    lambda s: len(s.calls("chat.stopStream")) >= customers, timeout=300
                )
                elapsed = time.perf_counter() - began
        finally:
            await server.close()
        done: list[float] = []
        for request in slack.requests:
            if request.method == "chat.stopStream" and request.accepted:
                channel = str(request.args["channel"])
                done.append((request.at - sent_at[channel]) * 1000)
        print(f"customers {customers}, {concurrency} at a time, {elapsed:.2f} s in all")
        print(
            f"ack        p50 {statistics.median(acks):7.1f} ms   "
            f"p95 {_percentile(acks, 0.95):7.1f} ms   max {max(acks):7.1f} ms"
        )
        print(
            f"answered   p50 {statistics.median(done):7.1f} ms   "
            f"p95 {_percentile(done, 0.95):7.1f} ms   max {max(done):7.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(run(args.customers, args.concurrency))


if __name__ == "__main__":
    main()
