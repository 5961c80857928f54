"""``python -m benchmarks.cpu [--cold] [Operation]``: gateway CPU per request on the miss path, in process.

Default: response cache off, upstream cache warm, embedded sandbox, no sockets. ``--cold``: every
cache off (``GATEWAY_CACHE=false``, ``GATEWAY_RESPONSE_CACHE=false``), the sandbox in its own process
(so its CPU is not counted) and reached over loopback like a real upstream, throttling off at both
ends; it also prints CPU per project fetched (the portfolio fetches 50). Either way: CPU seconds
(process time) per request, the median of 5 batches of ``CPU_RUNS`` (20) requests after 3 warm-up
requests. The number includes httpx's ASGI test transport, so compare it only with itself across
commits.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from contextlib import ExitStack
from typing import Any

import httpx

from gateway.app import create_app
from gateway.settings import Settings
from schema.operations import load_operations

VARIABLES: dict[str, dict[str, Any]] = {"ProjectPage": {"id": "3001"}}
PROJECTS = {"Portfolio": 50, "ProjectPage": 1}
WARM = {"GATEWAY_SANDBOX": "true", "GATEWAY_THROTTLE": "false", "GATEWAY_RESPONSE_CACHE": "false"}


def cold_settings(stack: ExitStack) -> dict[str, str]:
    """Every cache off, against a sandbox process of its own (throttling off there too)."""
    from benchmarks.run import TOKEN, gateway_env, started

    sandbox = stack.enter_context(started(["sandbox", "--no-throttle"], {}, "/_sandbox/stats"))
    extra = {"GATEWAY_CACHE": "false", "GATEWAY_RESPONSE_CACHE": "false", "GATEWAY_THROTTLE": "false"}
    return {**gateway_env(sandbox, **extra), "GATEWAY_SANDBOX": "false", "OPENSOLAR_TOKEN": TOKEN}


async def measure(name: str, runs: int = int(os.environ.get("CPU_RUNS", "20")), cold: bool = False) -> float:
    query = load_operations()[name]
    with ExitStack() as stack:
        settings = cold_settings(stack) if cold else WARM
        app = create_app(Settings.model_validate(settings))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway.bench") as client:
                body = {"query": query, "variables": VARIABLES.get(name, {})}
                headers = {"Authorization": f"Bearer {settings['OPENSOLAR_TOKEN']}"} if cold else {}
                for _ in range(3):
                    await client.post("/graphql", json=body, headers=headers)
                batches = []
                for _ in range(5):
                    started = time.process_time()
                    for _ in range(runs):
                        response = await client.post("/graphql", json=body, headers=headers)
                    batches.append((time.process_time() - started) / runs * 1000)
                    assert "errors" not in response.json(), response.json()["errors"][:1]
                return statistics.median(batches)


def main() -> int:
    args = sys.argv[1:]
    cold = "--cold" in args
    names = [a for a in args if not a.startswith("--")]
    name = names[0] if names else "Portfolio"
    ms = asyncio.run(measure(name, cold=cold))
    if cold:
        per = ms / PROJECTS.get(name, 1)
        sys.stdout.write(f"{name}: {ms:.1f} ms CPU per request, {per:.3f} ms per project (every cache off)\n")
    else:
        sys.stdout.write(f"{name}: {ms:.1f} ms CPU per request (in process, miss path)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
