"""Does one customer's long message stall everyone else? `/healthz` while they arrive.

Starts `switchboard serve` as its own process, as in production, with web chat
and SMS (the local Twilio, in this process, stands in) and, while
`/healthz` is polled every 20 ms, sends the texts that used to block the event
loop: one "word" of 300,000 characters by SMS (signed as Twilio signs; the app
reads at most MAX_MESSAGE_CHARS of it), and web-chat messages at the limit made
of a single word, of address-like fragments without an "@", and of ordinary
prose. Prints the `/healthz` latencies (p50, p99, max) and how many of the
messages were answered.

    python -m bench.stall [--sms 20] [--webchat 100]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import socket
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientError, ClientSession

from tests.fakes.twilio_api import FakeTwilio, incoming_sms, signed

PUBLIC = "https://support.example.com"
OURS = "+15550100200"
MAX_CHARS = 4000
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _ready(session: ClientSession, base: str) -> None:
    async with asyncio.timeout(60):
        while True:
            try:
                async with session.get(f"{base}/readyz") as response:
                    if response.status == 200:
                        return
            except ClientError:
                pass
            await asyncio.sleep(0.05)  # a process starting: nothing to wait on but its answer


def _texts(limit: int) -> list[str]:
    return [
        "a" * (limit - 1),
        ("first.last-name_" * limit)[: limit - 1],
        ("Where is my order? " * limit)[: limit - 1],
        ("x." * limit)[: limit - 1],
    ]


async def _webchat(session: ClientSession, base: str, text: str) -> bool:
    async with session.ws_connect(f"{base}/webchat/ws") as ws:
        await ws.send_json({"type": "hello", "session": None, "locale": "en-US"})
        await ws.receive_json(timeout=30)
        await ws.send_json({"type": "message", "id": "m1", "text": text})
        while True:
            frame = await ws.receive_json(timeout=60)
            if frame.get("type") == "done":
                return True
            if frame.get("type") == "error":
                return False


async def stall(sms: int, webchat: int) -> dict[str, Any]:
    async with FakeTwilio() as twilio:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "LOG_LEVEL": "error",
            "PUBLIC_URL": PUBLIC,
            "STREAM_CHUNK_DELAY_MS": "0",
            "RATE_LIMIT_MESSAGES": "0",
            "MAX_MESSAGE_CHARS": str(MAX_CHARS),
            "TWILIO_ACCOUNT_SID": twilio.account_sid,
            "TWILIO_AUTH_TOKEN": twilio.auth_token,
            "TWILIO_API_URL": twilio.base_url,
            "TWILIO_SMS_FROM": OURS,
        }
        server = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot", "serve", "--port", str(port)),
            cwd=ROOT,
            env=env,
            stderr=asyncio.subprocess.DEVNULL,
        )
        twilio.routes[PUBLIC] = base
        latencies: list[float] = []
        done = asyncio.Event()
        try:
            async with ClientSession() as session:
                await _ready(session, base)

                async def poll() -> None:
                    while not done.is_set():
                        started = time.perf_counter()
                        async with session.get(f"{base}/healthz") as response:
                            await response.read()
                        latencies.append((time.perf_counter() - started) * 1000)
                        await asyncio.sleep(0.02)

                # Built before the clock starts: encoding 300 kB bodies would stall
                # this process's own loop and show up as the server's latency.
                requests = []
                for n in range(sms):
                    params = incoming_sms(
                        f"+1415555{n:04d}", OURS, "w" * 300_000, account_sid=twilio.account_sid
                    )
                    headers = signed(f"{PUBLIC}/twilio/messages", params, twilio.auth_token)
                    requests.append((urlencode(params).encode(), headers))

                async def text_message(n: int) -> int:
                    body, headers = requests[n]
                    url = f"{base}/twilio/messages"
                    async with session.post(url, data=io.BytesIO(body), headers=headers) as r:
                        return r.status

                # One ordinary turn first, so what is measured is not the start-up.
                await _webchat(session, base, "hello")

                poller = asyncio.create_task(poll())
                texts = _texts(MAX_CHARS)
                started = time.perf_counter()
                statuses, answered = await asyncio.gather(
                    asyncio.gather(*(text_message(n) for n in range(sms))),
                    asyncio.gather(
                        *(_webchat(session, base, texts[n % len(texts)]) for n in range(webchat))
                    ),
                )
                seconds = time.perf_counter() - started
                done.set()
                await poller
        finally:
            server.terminate()
            await asyncio.wait_for(server.wait(), 30)
    ordered = sorted(latencies)
    return {
        "sms_300k_accepted": sum(1 for status in statuses if status == 200),
        "sms": sms,
        "webchat_answered": sum(answered),
        "webchat": webchat,
        "seconds": round(seconds, 1),
        "healthz_samples": len(ordered),
        "healthz_ms_p50": round(statistics.median(ordered), 1),
        "healthz_ms_p99": round(ordered[int(len(ordered) * 0.99) - 1], 1),
        "healthz_ms_max": round(ordered[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sms", type=int, default=20)
    parser.add_argument("--webchat", type=int, default=100)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(stall(args.sms, args.webchat)), indent=2))


if __name__ == "__main__":
    main()
