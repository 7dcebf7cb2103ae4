"""Shared fixtures: settings, both real stores, and a web-chat client on a real socket.

Redis tests use `REDIS_TEST_URL` (default redis://localhost:6379/11) and a fresh
key prefix per test, deleted afterwards. Where Redis or Chromium is missing,
those tests skip saying why, except under `SWITCHBOARD_REQUIRE_ALL=1` (CI),
where any skip fails the run instead (`pytest_runtest_makereport` below).
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse, web
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from bot.app import RUNTIME, Runtime, create_app
from bot.config import Settings
from bot.store import MemoryStore, Store
from bot.store.redis_store import RedisStore
from tests.fakes.twilio_api import FakeTwilio

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://localhost:6379/11")
REQUIRE_ALL = os.environ.get("SWITCHBOARD_REQUIRE_ALL") == "1"
ADMIN_TOKEN = "test-admin-token-0123456789"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Under `SWITCHBOARD_REQUIRE_ALL=1` a skipped test is a failed one, whatever skipped
    it (a missing Redis or Chromium, a marker, `importorskip`): CI must run everything."""
    report = yield
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"{_skip_reason(report)} (SWITCHBOARD_REQUIRE_ALL=1: CI runs every test)"
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    """The same for a whole module skipped at collection."""
    report = yield
    if REQUIRE_ALL and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"{_skip_reason(report)} (SWITCHBOARD_REQUIRE_ALL=1: CI runs every test)"
    return report


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    # A skip's longrepr is (path, line, "Skipped: reason").
    if isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    return str(report.longrepr)


def make_settings(**env: str) -> Settings:
    base = {"STREAM_CHUNK_DELAY_MS": "2", "ADMIN_TOKEN": ADMIN_TOKEN, "LOG_LEVEL": "debug"}
    base.update(env)
    return Settings.from_env(base)


@pytest.fixture
def settings() -> Settings:
    return make_settings()


async def _reachable_redis() -> str:
    client = Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        await client.ping()
    except Exception as exc:
        pytest.skip(f"no Redis at {REDIS_TEST_URL}: {exc}")
    finally:
        await client.aclose()
    return REDIS_TEST_URL


async def _drop_prefix(url: str, prefix: str, *, cluster: bool = False) -> None:
    client: Redis | RedisCluster = RedisCluster.from_url(url) if cluster else Redis.from_url(url)
    keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=500)]
    for key in keys:
        await client.delete(key)  # one by one: on a cluster they live in many slots
    await client.aclose()


def _new_prefix() -> str:
    return f"sbtest:{uuid.uuid4().hex[:12]}:"


@pytest.fixture
async def redis_url() -> str:
    return await _reachable_redis()


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    prefix = _new_prefix()
    yield prefix
    await _drop_prefix(redis_url, prefix)


def redis_store(url: str, prefix: str, **options: Any) -> RedisStore:
    return RedisStore.from_url(url, prefix=prefix, **options)


@pytest.fixture(params=["memory", "redis", "cluster"])
async def store_factory(
    request: pytest.FixtureRequest,
) -> AsyncIterator[Callable[..., Store]]:
    """Builds stores of one backend; every store built is closed afterwards."""
    built: list[Store] = []
    url, prefix = None, _new_prefix()
    cluster = request.param == "cluster"
    if request.param == "redis":
        url = await _reachable_redis()
    elif cluster:
        url = request.getfixturevalue("redis_cluster_url")

    def build(**options: Any) -> Store:
        store: Store = (
            MemoryStore(**options)
            if url is None
            else redis_store(url, prefix, cluster=cluster, **options)
        )
        built.append(store)
        return store

    yield build
    for store in built:
        await store.close()
    if url is not None:
        await _drop_prefix(url, prefix, cluster=cluster)


@pytest.fixture(scope="session")
def redis_cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis Cluster of three primaries on 127.0.0.1, started for this test run."""
    server, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    if server is None or cli is None:
        pytest.skip("redis-server and redis-cli are needed to start a local Redis Cluster")
    folder = tmp_path_factory.mktemp("redis-cluster")
    ports = _cluster_ports(3)
    nodes = [
        subprocess.Popen(
            [server, "--port", str(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes",
             "--cluster-config-file", f"{folder}/nodes-{port}.conf", "--dir", str(folder),
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for port in ports
    ]  # fmt: skip
    try:
        for port in ports:
            _until_answers(cli, port, "PING", "PONG")
        addresses = [f"127.0.0.1:{port}" for port in ports]
        subprocess.run(
            [cli, "--cluster", "create", *addresses, "--cluster-replicas", "0", "--cluster-yes"],
            check=True,
            capture_output=True,
        )
        for port in ports:
            _until_answers(cli, port, "CLUSTER INFO", "cluster_state:ok")
        yield f"redis://127.0.0.1:{ports[0]}"
    finally:
        for node in nodes:
            node.terminate()
        for node in nodes:
            node.wait(timeout=10)


def _cluster_ports(count: int) -> list[int]:
    """Ports whose cluster-bus twin (port + 10000) is free too."""
    ports: list[int] = []
    while len(ports) < count:
        candidate = random.randint(20000, 30000)
        if candidate not in ports and all(_free(p) for p in (candidate, candidate + 10000)):
            ports.append(candidate)
    return ports


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _until_answers(cli: str, port: int, command: str, expected: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done = subprocess.run(
            [cli, "-p", str(port), *command.split()], capture_output=True, text=True
        )
        if expected in done.stdout:
            return
        time.sleep(0.05)  # a server starting up: nothing to wait on but its answer
    raise RuntimeError(f"Redis on port {port} did not answer {command} with {expected}")


# -- a web-chat customer over a real socket -----------------------------------


@dataclass
class Answer:
    """One reply as the widget saw it."""

    role: str
    text: str
    source: str | None
    deltas: list[str] = field(default_factory=list)


class Customer:
    """Speaks the web chat protocol like the widget does."""

    def __init__(
        self, client: TestClient[Any, Any], session: str | None = None, locale: str = "en-US"
    ) -> None:
        self.client = client
        self.session = session
        self.locale = locale
        self.ws: ClientWebSocketResponse | None = None
        self.welcome: dict[str, Any] = {}
        self.frames: list[dict[str, Any]] = []
        self._counter = 0

    async def connect(self) -> dict[str, Any]:
        self.ws = await self.client.ws_connect("/webchat/ws")
        await self.ws.send_json({"type": "hello", "session": self.session, "locale": self.locale})
        self.welcome = await self.receive()
        assert self.welcome["type"] == "welcome", self.welcome
        self.session = self.welcome["session"]
        return self.welcome

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def receive(self, wait: float = 5.0) -> dict[str, Any]:
        assert self.ws is not None
        frame: dict[str, Any] = await self.ws.receive_json(timeout=wait)
        self.frames.append(frame)
        return frame

    async def send(self, text: str, message_id: str | None = None) -> str:
        assert self.ws is not None
        self._counter += 1
        message_id = message_id or f"m{self._counter}-{uuid.uuid4().hex[:6]}"
        await self.ws.send_json({"type": "message", "id": message_id, "text": text})
        return message_id

    async def next_answer(self, wait: float = 5.0) -> Answer:
        deltas: dict[str, list[str]] = {}
        while True:
            frame = await self.receive(wait)
            if frame["type"] == "delta":
                deltas.setdefault(frame["reply"], []).append(frame["text"])
            elif frame["type"] == "done":
                source = frame["source"]["title"] if frame["source"] else None
                return Answer(frame["role"], frame["text"], source, deltas.get(frame["reply"], []))
            elif frame["type"] == "error":
                raise AssertionError(f"error frame: {frame}")

    async def ask(self, text: str) -> Answer:
        await self.send(text)
        return await self.next_answer()

    async def state(self, wait: float = 5.0) -> str:
        while True:
            frame = await self.receive(wait)
            if frame["type"] == "state":
                return str(frame["state"])

    async def quiet(self, seconds: float = 0.3) -> list[dict[str, Any]]:
        """Frames that arrive within `seconds` (to show that nothing more came)."""
        got = []
        try:
            while True:
                got.append(await self.receive(seconds))
        except TimeoutError:
            return got


@pytest.fixture
def app_client(
    aiohttp_client: Callable[..., Any],
) -> Callable[..., Any]:
    """Starts the whole app on an ephemeral port: `client, runtime = await start(settings)`."""

    async def start(
        settings: Settings, store: Store | None = None
    ) -> tuple[TestClient[Any, Any], Runtime]:
        app = create_app(settings, store=store)
        client = await aiohttp_client(app)
        return client, app[RUNTIME]

    return start


# -- Twilio, which calls the app back ------------------------------------------


@pytest.fixture
async def twilio(aiohttp_client: Callable[..., Any]) -> AsyncIterator[FakeTwilio]:
    """The local Twilio. It posts status callbacks to the app on its own schedule, so it
    depends on `aiohttp_client`: fixtures stop in the reverse order they started, and
    this way the fake stops calling back before the app stops. Otherwise a callback that
    connects while the app shuts down holds the shutdown until the callback times out."""
    async with FakeTwilio() as fake:
        yield fake


# -- a shop's own orders API ---------------------------------------------------

SHOP_KEY = "shop-api-key-123"
SEEN = web.AppKey("seen", list[str])


@pytest.fixture
async def shop() -> AsyncIterator[TestServer]:
    """A shop's orders API as ORDERS_URL documents it, with its own bearer check."""
    orders = {
        "20001": {"number": "20001", "status": "processing", "eta": "2026-12-10", "total": 30.0}
    }
    seen: list[str] = []

    async def get_order(request: web.Request) -> web.Response:
        seen.append(f"GET {request.match_info['number']}")
        if request.headers.get("Authorization") != f"Bearer {SHOP_KEY}":
            return web.json_response({"error": "unauthorized"}, status=401)
        order = orders.get(request.match_info["number"])
        return web.json_response(order) if order else web.json_response({}, status=404)

    async def cancel(request: web.Request) -> web.Response:
        seen.append(f"POST {request.match_info['number']}")
        order = orders.get(request.match_info["number"])
        if order is None:
            return web.json_response({}, status=404)
        if order["status"] != "processing":
            return web.json_response({"error": "too late"}, status=409)
        order["status"] = "cancelled"
        return web.json_response(order)

    app = web.Application()
    app.router.add_get("/orders/{number}", get_order)
    app.router.add_post("/orders/{number}/cancel", cancel)
    app[SEEN] = seen
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


async def settled(runtime: Runtime) -> None:
    """Until every message the app accepted has been answered."""
    async with asyncio.timeout(15):
        await runtime.inbox.join()


# -- a real browser ---------------------------------------------------------------

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_INSTALLED = CHROMIUM.exists()
# The flags this closed network needs: no background calls home, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BOT_DONE = '.sb-msg[data-role="bot"][data-complete="true"]'


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not CHROMIUM_INSTALLED:
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        await browser.close()
