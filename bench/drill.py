"""The crash drill: kill processes under load; every acknowledged SMS is answered once.

Starts web processes (`python -m bot serve --no-worker`) and worker processes
(`python -m bot worker`) on one Redis, with a local Twilio (`tests/fakes/twilio_api.py`)
that records every message the workers send. Then it posts signed SMS webhooks from
distinct numbers, a few at a time, spread over the web processes like a load
balancer (a refused connection is tried on the next one, as Twilio retries). Midway
it SIGKILLs one worker and starts it again, and later SIGKILLs one web process for
good. At the end every number whose webhook got a 2xx must have exactly one reply.

    python -m bench.drill [--messages 1000] [--concurrency 50] [--web 2] [--workers 2]
        [--redis redis://localhost:6379/12] [--no-kill]
    python -m bench.drill --serve --messages 3000 --no-kill   # one `serve`, both roles

Prints one JSON object; `lost` and `duplicates` must be 0, and so must `http_5xx`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from redis.asyncio import Redis

from tests.fakes.twilio_api import FakeTwilio, incoming_sms, signed

ROOT = Path(__file__).resolve().parent.parent
OURS = "+15550100200"
QUESTION = "How long does shipping take?"


@dataclass
class Result:
    messages: int
    accepted: int = 0
    refused_503: int = 0
    http_5xx: int = 0
    answered: int = 0
    lost: int = 0
    duplicates: int = 0
    kills: list[str] = field(default_factory=list)
    seconds_to_send: float = 0.0
    seconds_to_answer: float = 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """Web and worker processes of one deployment, started and killed on demand."""

    def __init__(self, env: dict[str, str], web: int, workers: int, serve: bool = False) -> None:
        self.env = env
        # What each web process is started with: `serve` alone also works on entries.
        self.web_roles: list[tuple[str, ...]] = [() if serve else ("--no-worker",)] * web
        self.ports = [_free_port() for _ in range(web)]
        self.web: list[subprocess.Popen[bytes] | None] = [None] * web
        self.workers: list[subprocess.Popen[bytes] | None] = [None] * workers

    def _start(
        self, *args: str, port: int | None = None, extra: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        env = {**self.env, **(extra or {})}
        if port is not None:
            env["PORT"] = str(port)
        return subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get("DRILL_LOGS") else subprocess.DEVNULL,
        )

    def start_web(self, index: int) -> None:
        port = self.ports[index]
        roles = self.web_roles[index]
        self.web[index] = self._start("serve", *roles, "--host", "127.0.0.1", port=port)

    def start_worker(self, index: int, **extra: str) -> None:
        self.workers[index] = self._start("worker", extra=extra)

    async def start(self, workers: bool = True) -> None:
        for index in range(len(self.web)):
            self.start_web(index)
        if workers:
            for index in range(len(self.workers)):
                self.start_worker(index)
        async with aiohttp.ClientSession() as session:
            for port in self.ports:
                await _ready(session, port)

    def url(self, index: int = 0) -> str:
        return f"http://127.0.0.1:{self.ports[index]}"

    def kill(self, process: subprocess.Popen[bytes] | None) -> None:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()

    def stop(self) -> None:
        for process in [*self.web, *self.workers]:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*self.web, *self.workers]:
            if process is not None:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()


async def _ready(session: aiohttp.ClientSession, port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError(f"web process on port {port} did not get ready")


def deployment_env(redis_url: str, prefix: str, twilio: FakeTwilio) -> dict[str, str]:
    """The environment of every process of a drill: one Redis, the local Twilio, and
    short leases, so that a dead process is taken over within seconds."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("REDIS_", "TWILIO_", "SLACK_", "TELEGRAM_", "SWITCHBOARD_"))
    }
    return {
        **inherited,
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": prefix,
        "TWILIO_ACCOUNT_SID": twilio.account_sid,
        "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_API_URL": twilio.base_url,
        "TWILIO_SMS_FROM": OURS,
        "LOG_LEVEL": "warning",
        "INBOX_LEASE_SECONDS": "3",
        "LOCK_LEASE_SECONDS": "4",
        "SHUTDOWN_GRACE_SECONDS": "5",
    }


async def drill(
    *,
    messages: int,
    concurrency: int,
    web: int = 2,
    workers: int = 2,
    redis_url: str = "redis://localhost:6379/12",
    kill: bool = True,
    serve: bool = False,
    answer_timeout: float = 120.0,
) -> Result:
    result = Result(messages)
    prefix = f"sbdrill:{uuid.uuid4().hex[:8]}:"
    async with FakeTwilio(callback_interval=0) as twilio:
        env = deployment_env(redis_url, prefix, twilio)
        env["INBOX_MAX_PENDING"] = str(max(messages * 2, 1000))
        cluster = Cluster(env, web, 0 if serve else workers, serve)
        try:
            await cluster.start()
            started = time.monotonic()
            accepted = await _load(cluster, twilio, result, concurrency, kill)
            result.seconds_to_send = round(time.monotonic() - started, 2)
            await _await_answers(twilio, accepted, redis_url, prefix, answer_timeout)
            result.seconds_to_answer = round(time.monotonic() - started, 2)
            counts = Counter(m.to for m in twilio.messages())
            result.accepted = len(accepted)
            result.answered = sum(1 for number in accepted if counts[number] >= 1)
            result.lost = sum(1 for number in accepted if counts[number] == 0)
            result.duplicates = sum(1 for number in accepted if counts[number] > 1)
        finally:
            cluster.stop()
            await drop(redis_url, prefix)
    return result


async def _load(
    cluster: Cluster, twilio: FakeTwilio, result: Result, concurrency: int, kill: bool
) -> list[str]:
    numbers = [f"+1415{5550000 + n:07d}" for n in range(result.messages)]
    accepted: list[str] = []
    sent = 0
    gate = asyncio.Semaphore(concurrency)

    async def one(session: aiohttp.ClientSession, n: int, number: str) -> None:
        nonlocal sent
        params = incoming_sms(number, OURS, QUESTION, account_sid=twilio.account_sid)
        async with gate:
            for attempt in range(len(cluster.ports) * 3):
                port = cluster.ports[(n + attempt) % len(cluster.ports)]
                url = f"http://127.0.0.1:{port}/twilio/messages"
                headers = signed(url, params, twilio.auth_token)
                try:
                    async with session.post(url, data=urlencode(params), headers=headers) as r:
                        status = r.status
                except aiohttp.ClientError:
                    continue  # that web process is gone: the load balancer tries another
                if status < 300:
                    accepted.append(number)
                elif status == 503:
                    result.refused_503 += 1
                    continue
                elif status >= 500:
                    result.http_5xx += 1
                break
            sent += 1
            progress.set()

    progress = asyncio.Event()

    async def reached(share: float) -> None:
        while sent < result.messages * share:
            progress.clear()
            await progress.wait()

    async def chaos() -> None:
        if not kill:
            return
        await reached(0.3)
        cluster.kill(cluster.workers[0])
        result.kills.append(f"worker 1 SIGKILLed after {sent} messages")
        cluster.start_worker(0)
        result.kills.append(f"worker 1 started again after {sent} messages")
        await reached(0.6)
        cluster.kill(cluster.web[0])
        result.kills.append(f"web 1 SIGKILLed after {sent} messages")

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(
            chaos(), *(one(session, n, number) for n, number in enumerate(numbers))
        )
    return accepted


async def _await_answers(
    twilio: FakeTwilio, accepted: list[str], redis_url: str, prefix: str, seconds: float
) -> None:
    """Until every accepted number has a reply and the inbox is empty: an entry leaves
    the inbox only after its effects, so no reply can come after that."""
    wanted = set(accepted)
    deadline = time.monotonic() + seconds
    client = Redis.from_url(redis_url)
    try:
        while time.monotonic() < deadline:
            if wanted <= {m.to for m in twilio.messages()} and not await _backlog(client, prefix):
                return
            await asyncio.sleep(0.1)
    finally:
        await client.aclose()


async def _backlog(client: Redis, prefix: str) -> int:
    total = 0
    async for key in client.scan_iter(match=f"{prefix}{{inbox}}:s:*"):
        total += int(await client.xlen(key))
    return total


async def drop(url: str, prefix: str) -> None:
    client = Redis.from_url(url)
    keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=1000)]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--web", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--redis", default="redis://localhost:6379/12")
    parser.add_argument("--no-kill", action="store_true", help="measure without the kills")
    parser.add_argument(
        "--serve", action="store_true", help="web processes also work (`serve`), no workers"
    )
    args = parser.parse_args()
    result = asyncio.run(
        drill(
            messages=args.messages,
            concurrency=args.concurrency,
            web=args.web,
            workers=args.workers,
            redis_url=args.redis,
            kill=not args.no_kill,
            serve=args.serve,
        )
    )
    print(json.dumps(asdict(result), indent=2))


if __name__ == "__main__":
    main()
