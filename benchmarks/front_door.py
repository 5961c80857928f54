"""The front door's figures for RELIABILITY.md (issue 10 rows 2, 3, 5, 6, 7, 9 and 12, and the lesser rows).

A production gateway (pass-through on, not the open sandbox) in this process, a separate sandbox
server on a socket it owns, and a real redis-server when one is installed. Each attack is bounded
and takes a few seconds; ``tests/integration/test_front_door.py`` asserts the same behaviour with
counts.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import json
import random
import shutil
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import redis

from benchmarks.reliability import Outcome, probe
from gateway.http.auth import hash_api_key
from gateway.sandbox import RAW_DATA_ORG_ID, sandbox_token
from gateway.settings import Settings
from tests.conftest import Gateway, running_gateway
from tests.integration.servers import serving
from tests.redis_server import redis_server

__all__ = ["door_section"]

DOOR_KEY = "reliability-partner-key"

DOOR_ATTACKS: list[tuple[str, Callable[[Door, Outcome], Awaitable[None]]]] = []


@dataclass
class Door:
    gateway: Gateway
    sandbox_url: str
    redis_url: str | None
    figures: list[str] = field(default_factory=list)
    baseline: Counter[str] = field(default_factory=Counter)  # upstream calls before the attack (after its setup)

    async def setup_done(self) -> None:
        """What the attack did to prepare is not counted as what it caused."""
        self.baseline = await _routes(self.sandbox_url)


def door_attack(name: str) -> Callable[[Callable[[Door, Outcome], Awaitable[None]]], Any]:
    def register(fn: Callable[[Door, Outcome], Awaitable[None]]) -> Any:
        DOOR_ATTACKS.append((name, fn))
        return fn

    return register


def _apq(query: str | None, digest: str) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}
    if query is not None:
        body["query"] = query
    return body


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _routes(url: str) -> Counter[str]:
    async with httpx.AsyncClient() as client:
        return Counter((await client.get(f"{url}/_sandbox/stats")).json()["routes"])


@door_attack("made-up tokens: 250 distinct x 4 (30 aliased project reads, incentives)")
async def _made_up(d: Door, o: Outcome) -> None:
    query = "{ org { " + " ".join(f'p{n}: project(id: "{3001 + n % 5}") {{ title }}' for n in range(30)) + " } }"
    before = await _routes(d.sandbox_url)
    for n in range(250):
        headers = {"Authorization": f"Bearer made-up-{n:04d}"}
        for body in ({"query": query}, {"query": '{ incentives(zipCode: "94103") { totalCount } }'}) * 2:
            await probe(d.gateway, o, body, headers=headers)
    spent = await _routes(d.sandbox_url) - before
    org_scoped = sum(v for k, v in spent.items() if k != "opensolar.fetch_token")
    d.figures.append(
        f"Made-up tokens: {o.runs} requests from 250 distinct tokens caused {sum(spent.values())} upstream calls "
        f"({spent['opensolar.fetch_token']} token checks, {org_scoped} org-scoped or Arcadia calls; target: at most "
        "1 per distinct token, org budget untouched)."
    )


@door_attack("1,000 distinct maximal bogus tokens (8 KB headers)")
async def _bogus_tokens(d: Door, o: Outcome) -> None:
    gc.collect()
    before = _rss_mib()
    for n in range(1000):
        token = f"{n:05d}" + random.Random(n).choice("abcdef") * (8192 - 40)
        await probe(d.gateway, o, {"query": "{ org { name } }"}, headers={"Authorization": f"Bearer {token}"})
    gc.collect()
    grown = _rss_mib() - before
    auth = d.gateway.runtime.front_door.authenticator
    d.figures.append(
        f"1,000 distinct maximal bogus tokens: RSS {grown:+.1f} MiB (target < +30 MB); credential memo "
        f"{auth.memo_count()} entries, {auth.refused_count()} refused fingerprints of 16 bytes."
    )


@door_attack("4 MB Authorization header")
async def _huge_header(d: Door, o: Outcome) -> None:
    await probe(d.gateway, o, {"query": "{ org { name } }"}, headers={"Authorization": "Bearer " + "x" * 4_000_000})


@door_attack("persisted 1.8 MB, 900k-token document, then its hash by GET")
async def _persisted_flood(d: Door, o: Outcome) -> None:
    document = "{ " + "a " * 900_000 + "}"
    await probe(d.gateway, o, _apq(document, _sha(document)), headers={"X-API-Key": DOOR_KEY})
    extensions = json.dumps(_apq(None, _sha(document))["extensions"])
    url = "/graphql?" + urlencode({"extensions": extensions})
    await probe(d.gateway, o, method="GET", url=url, headers={"X-API-Key": DOOR_KEY})


@door_attack("GET persisted query, Accept: text/html, no credential")
async def _html_get(d: Door, o: Outcome) -> None:
    query = "{ org { name } }"
    await d.gateway.client.post("/graphql", json=_apq(query, _sha(query)), headers={"X-API-Key": DOOR_KEY})
    await d.setup_done()
    url = "/graphql?" + urlencode({"extensions": json.dumps(_apq(None, _sha(query))["extensions"])})
    await probe(d.gateway, o, method="GET", url=url, headers={"Accept": "text/html"})


@door_attack("100 registrations of 1.9 MB documents from made-up tokens (Redis)")
async def _fill_redis(d: Door, o: Outcome) -> None:
    if d.redis_url is None:
        d.figures.append("Redis fill: skipped (redis-server is not installed).")
        return
    client = redis.Redis.from_url(d.redis_url)
    before = int(client.info("memory")["used_memory"])
    for n in range(100):
        document = f"query Q{n} {{ __typename " + "a " * 950_000 + "}"
        await probe(d.gateway, o, _apq(document, _sha(document)), headers={"Authorization": f"Bearer fill-{n}"})
    for n in range(3):  # and from a real credential: over the token limit, so never stored either
        document = f"query R{n} {{ __typename " + "a " * 950_000 + "}"
        await probe(d.gateway, o, _apq(document, _sha(document)), headers={"X-API-Key": DOOR_KEY})
    grown = int(client.info("memory")["used_memory"]) - before
    client.close()
    d.figures.append(f"100 registrations of 1.9 MB documents: Redis used_memory {grown / 1e6:+.2f} MB.")


@door_attack("persisted-query POST and GET with Redis stopped")
async def _redis_down(d: Door, o: Outcome) -> None:
    if d.redis_url is None:
        return
    query = "query Outage { __typename }"
    with contextlib.suppress(redis.ConnectionError):
        redis.Redis.from_url(d.redis_url).shutdown(nosave=True)
    extensions = json.dumps(_apq(None, _sha(query))["extensions"])
    headers = {"X-API-Key": DOOR_KEY}
    for body in (_apq(None, _sha(query)), _apq(query, _sha(query)), _apq(None, _sha(query))):
        await probe(d.gateway, o, body, headers=headers)
    await probe(d.gateway, o, method="GET", url="/graphql?" + urlencode({"extensions": extensions}), headers=headers)


@door_attack("wrong hash and 'abc' for a query answered (and cached) before")
async def _wrong_hash(d: Door, o: Outcome) -> None:
    query, headers = '{ org { project(id: "3001") { title } } }', {"X-API-Key": DOOR_KEY}
    for _ in range(2):
        await d.gateway.client.post("/graphql", json={"query": query}, headers=headers)
    await d.setup_done()
    await probe(d.gateway, o, _apq(query, "0" * 64), headers=headers)
    await probe(d.gateway, o, _apq(query, "abc"), headers=headers)


@door_attack("text/plain; charset=json body")
async def _media(d: Door, o: Outcome) -> None:
    await probe(d.gateway, o, {"query": "{ __typename }"}, headers={"content-type": "text/plain; charset=json"})


@door_attack('request shapes Strawberry answered in text/plain ({}, query null/5, variables "x")')
async def _shapes(d: Door, o: Outcome) -> None:
    for body in ({}, {"query": None}, {"query": 5}, {"query": "{ __typename }", "variables": "x"}):
        await probe(d.gateway, o, body, headers={"X-API-Key": DOOR_KEY})


@door_attack("one credential, 1,100 requests in a burst (inbound rate 50/s, 1000/min)")
async def _rate(d: Door, o: Outcome) -> None:
    for _ in range(1100):
        await probe(d.gateway, o, {"query": "{ __typename }"}, headers={"X-API-Key": DOOR_KEY})


async def run_door() -> tuple[list[Outcome], list[str]]:
    outcomes: list[Outcome] = []
    figures: list[str] = []
    with contextlib.ExitStack() as stack:
        _, sandbox_url = stack.enter_context(serving(["sandbox"], "/_sandbox/stats"))
        redis_url = stack.enter_context(redis_server()) if shutil.which("redis-server") else None
        settings = Settings.model_validate(
            {
                "OPENSOLAR_BASE_URL": sandbox_url,
                "ARCADIA_BASE_URL": sandbox_url,
                "OPENSOLAR_TOKEN": sandbox_token(f"raw_data:{RAW_DATA_ORG_ID}"),
                "OPENSOLAR_ORG_ID": str(RAW_DATA_ORG_ID),
                "ARCADIA_APP_ID": "sandbox-app-id",
                "ARCADIA_APP_KEY": "sandbox-app-key",
                "GATEWAY_API_KEYS": hash_api_key(DOOR_KEY),
                "GATEWAY_GRAPHIQL": True,
                **({"GATEWAY_CACHE_URL": redis_url} if redis_url else {}),
            }
        )
        async with running_gateway(settings) as gateway:
            door = Door(gateway, sandbox_url, redis_url, figures)
            for name, fn in DOOR_ATTACKS:
                await door.setup_done()
                outcome = Outcome(name)
                await fn(door, outcome)
                outcome.upstream_calls = sum((await _routes(sandbox_url) - door.baseline).values())
                if outcome.runs:
                    outcomes.append(outcome)
    return outcomes, figures


async def door_section() -> str:
    outcomes, figures = await run_door()
    return "\n".join(
        [
            "",
            "## The front door (issue 10 rows 2, 3, 5, 6, 7, 9 and 12; issue 15's hash check)",
            "",
            "`benchmarks/front_door.py`: a production gateway (pass-through on) on a separate sandbox server and a "
            "real Redis; `tests/integration/test_front_door.py` asserts the same with counts.",
            "",
            "| case | requests | HTTP statuses | error codes | upstream calls | worst ms | sibling data intact |",
            "| --- | --- | --- | --- | --- | --- | --- |",
            *(o.row() for o in outcomes),
            "",
            *(f"- {figure}" for figure in figures),
            "",
        ]
    )


if __name__ == "__main__":
    print(asyncio.run(door_section()))  # noqa: T201
