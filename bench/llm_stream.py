"""Streaming cost of the model tier: CPU per chunk and streams per second through litellm.

    .venv/bin/python -m bench.llm_stream [--streams 200] [--concurrency 1,20,100] [--tokens 60]

Starts the local OpenAI-compatible test server in this process's event loop,
then runs `bot.llm.LLM` streams against it (the same code path a customer turn
uses) and, for comparison, the openai SDK directly. The server's own CPU is in
the same process, so the absolute figures overstate both clients equally; the
ratio and the per-chunk difference are what matter.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

from bot.config import Settings
from bot.llm import LLM, Tier
from tests.fakes.openai_server import FakeOpenAI, Step

MODEL = "bench-model"


async def run_switchboard(fake: FakeOpenAI, streams: int, concurrency: int) -> tuple[int, float]:
    prices = Path(tempfile.gettempdir()) / "switchboard-bench-prices.json"
    prices.write_text(
        json.dumps({f"openai/{MODEL}": {"input_per_million": 0.1, "output_per_million": 0.4}})
    )
    settings = Settings.from_env(
        {
            "COMMODITY_MODEL": f"openai/{MODEL}",
            "COMMODITY_API_BASE": fake.base_url,
            "COMMODITY_API_KEY": fake.api_key,
            "LLM_TOTAL_TIMEOUT_SECONDS": "120",
            "MODEL_PRICES_FILE": str(prices),
        }
    )
    llm = LLM(settings)
    gate = asyncio.Semaphore(concurrency)
    chunks = 0

    async def one() -> None:
        nonlocal chunks
        async with gate:
            stream = llm.stream(Tier.COMMODITY, [{"role": "user", "content": "hi"}])
            async for _ in stream:
                chunks += 1

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(streams)))
    elapsed = time.perf_counter() - started
    await llm.close()
    return chunks, elapsed


async def run_openai_sdk(fake: FakeOpenAI, streams: int, concurrency: int) -> tuple[int, float]:
    from openai import AsyncOpenAI

    client = AsyncOpenAI(base_url=fake.base_url, api_key=fake.api_key, max_retries=0)
    gate = asyncio.Semaphore(concurrency)
    chunks = 0

    async def one() -> None:
        nonlocal chunks
        async with gate:
            stream = await client.chat.completions.create(
                model=MODEL, messages=[{"role": "user", "content": "hi"}], stream=True
            )
            async for chunk in stream:
                if chunk.choices and chunk.choices[0].delta.content:
                    chunks += 1

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(streams)))
    elapsed = time.perf_counter() - started
    await client.close()
    return chunks, elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--concurrency", default="1,20,100")
    parser.add_argument("--tokens", type=int, default=60, help="words per answer")
    args = parser.parse_args()
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    text = " ".join(f"word{i}" for i in range(args.tokens))
    print(f"{args.streams} streams of ~{args.tokens} words each, server in-process")
    print(f"{'client':14}{'concurrency':>12}{'chunks':>9}{'streams/s':>11}{'CPU µs/chunk':>14}")
    async with FakeOpenAI() as fake:
        fake.default = Step(text=text)
        await run_switchboard(fake, 2, 1)  # import and warm both clients first
        await run_openai_sdk(fake, 2, 1)
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            for name, runner in (("switchboard", run_switchboard), ("openai sdk", run_openai_sdk)):
                cpu = time.process_time()
                chunks, elapsed = await runner(fake, args.streams, concurrency)
                used = time.process_time() - cpu
                print(
                    f"{name:14}{concurrency:>12}{chunks:>9}{args.streams / elapsed:>11.1f}"
                    f"{used / max(chunks, 1) * 1e6:>14.0f}"
                )


if __name__ == "__main__":
    asyncio.run(main())
