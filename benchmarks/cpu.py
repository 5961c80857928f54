"""``python -m benchmarks.cpu [Operation]``: gateway CPU per request on the miss path, in process.

Response cache off, upstream cache warm, embedded sandbox, no sockets: CPU seconds (process time)
per request, the median of 5 batches of ``CPU_RUNS`` (20) requests after 3 warm-up requests. The
number includes httpx's ASGI test transport, so compare it only with itself across commits.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time

import httpx

from gateway.app import create_app
from gateway.settings import Settings
from schema.operations import load_operations

VARIABLES = {"ProjectPage": {"id": "3001"}}


async def measure(name: str, runs: int = int(os.environ.get("CPU_RUNS", "20"))) -> float:
    query = load_operations()[name]
    app = create_app(
        Settings.model_validate(
            {"GATEWAY_SANDBOX": "true", "GATEWAY_THROTTLE": "false", "GATEWAY_RESPONSE_CACHE": "false"}
        )
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.bench") as client:
            body = {"query": query, "variables": VARIABLES.get(name, {})}
            for _ in range(3):
                await client.post("/graphql", json=body)
            batches = []
            for _ in range(5):
                started = time.process_time()
                for _ in range(runs):
                    response = await client.post("/graphql", json=body)
                batches.append((time.process_time() - started) / runs * 1000)
                assert "errors" not in response.json(), response.json()["errors"][:1]
            return statistics.median(batches)


def main() -> int:
    name = sys.argv[1] if len(sys.argv) > 1 else "Portfolio"
    sys.stdout.write(f"{name}: {asyncio.run(measure(name)):.1f} ms CPU per request (in process, miss path)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
