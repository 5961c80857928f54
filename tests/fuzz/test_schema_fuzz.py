"""Documents built from the schema, hostile in their values: they parse, validate and reach the upstreams."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest
from graphql import parse, validate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Gateway
from tests.fuzz.checks import assert_coded
from tests.fuzz.schema_documents import SCHEMA, document

pytestmark = pytest.mark.integration

SEEDS = range(60)


async def answer(gateway: Gateway, query: str) -> dict[str, object]:
    async with asyncio.timeout(10):  # never a hang
        response = await gateway.client.post("/graphql", json={"query": query})
    body: dict[str, object] = assert_coded(response)
    return body


def test_built_documents_are_valid_graphql() -> None:
    invalid = []
    for seed in range(300):
        errors = validate(SCHEMA, parse(document(random.Random(seed))))
        # the only way to be invalid is a hostile scalar literal (a date that is not one)
        assert all("Expected value of type" in e.message or "cannot represent a Date" in e.message for e in errors), (
            seed,
            errors,
        )
        invalid += [seed] if errors else []
    assert len(invalid) <= 30  # nine in ten go on to execution


async def test_built_documents_reach_execution_and_both_upstreams(gateway: Gateway) -> None:
    outcomes: Counter[str] = Counter()
    for seed in SEEDS:
        body = await answer(gateway, document(random.Random(seed)))
        codes = {e["extensions"]["code"] for e in body.get("errors") or []}  # type: ignore[attr-defined]
        outcomes["executed" if body.get("data") is not None else "rejected"] += 1
        outcomes.update(codes)
    routes = {route.split(".")[0] for route in gateway.sandbox.counts}
    assert outcomes["executed"] >= len(SEEDS) // 2, outcomes
    assert routes == {"opensolar", "arcadia"}, gateway.sandbox.counts
    assert len(gateway.sandbox.counts) >= 6, gateway.sandbox.counts  # many routes, not one
    assert "INTERNAL_SERVER_ERROR" not in outcomes and "INTERNAL" not in outcomes, outcomes


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rng=st.randoms(use_true_random=False))
async def test_built_documents_never_500_and_every_error_has_a_code(gateway: Gateway, rng: random.Random) -> None:
    await answer(gateway, document(rng))
