"""Design decoding through the app: bombs stay off the event loop and leave nothing behind, the default
cap holds at its exact edge, sizes are exact, and hostile JSON inside valid gzip gets coded errors only."""

from __future__ import annotations

import asyncio
import base64
import gc
import gzip
import json
import threading
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.sandbox import SandboxConfig, SandboxState
from gateway.upstream.opensolar import design_codec as design
from tests.conftest import Gateway, GatewayFactory, errors_by_code, running_gateway, sandbox_settings

pytestmark = pytest.mark.integration

MiB = 1024 * 1024
PROJECT = 3001
SIZES = '{ org { project(id: "3001") { title design { compressedBytes decompressedBytes totalPanelCount } } } }'


def gzipped(raw: bytes) -> str:
    return base64.b64encode(gzip.compress(raw, compresslevel=9, mtime=0)).decode()


def bomb(inflated_bytes: int = 256 * MiB) -> str:
    """A quarter GiB of zeros in under 512 K base64 characters (the size that used to stay on the loop)."""
    encoded = gzipped(b"0" * inflated_bytes)
    assert len(encoded) < 512 * 1024
    return encoded


@pytest.fixture
def collector_off() -> Iterator[None]:
    """As with the gateway's GC tuning at its worst: no cycle is collected during the test."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def test_other_requests_are_served_while_a_bomb_decodes(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, release = threading.Event(), threading.Event()
    released: list[bool] = []
    real = design.decode_design

    def held(encoded: str, max_bytes: int) -> Any:
        started.set()
        # On the event loop this would block everything, the release included, until it timed out.
        released.append(release.wait(10))
        return real(encoded, max_bytes)

    monkeypatch.setattr(design, "decode_design", held)
    gateway.sandbox.design_overrides[PROJECT] = bomb()
    decoding = asyncio.ensure_future(gateway.query(SIZES))
    assert await asyncio.to_thread(started.wait, 10)
    assert (await gateway.query("{ __typename }"))["data"] == {"__typename": "Query"}
    assert not decoding.done()
    release.set()
    result = await decoding
    assert released == [True]  # the decode went on only once the other request had been answered
    assert result["data"]["org"]["project"]["design"] is None
    assert errors_by_code(result).keys() == {"DESIGN_TOO_LARGE"}


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"0" * (256 * MiB), "DESIGN_TOO_LARGE"),  # a bomb: refused once past the cap
        (b'{"pad": "' + b"x" * (40 * MiB), "DESIGN_CORRUPT"),  # 40 MiB of JSON that never ends
    ],
)
async def test_a_refused_design_leaves_no_buffer_behind(
    gateway: Gateway, collector_off: None, payload: bytes, code: str
) -> None:
    gateway.sandbox.design_overrides[PROJECT] = gzipped(payload)
    assert errors_by_code(await gateway.query(SIZES)).keys() == {code}  # warm: caches, pools, threads
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(3):
            assert errors_by_code(await gateway.query(SIZES)).keys() == {code}
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak - before > 4 * MiB  # each request did hold its buffers...
    assert after - before < 2 * MiB  # ...and none of them outlived it, with no collection at all


def padded(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes that compresses a thousandfold."""
    head, tail = b'{"pad": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


async def test_the_default_cap_refuses_a_design_just_over_64_mib(gateway: Gateway) -> None:
    gateway.sandbox.design_overrides[PROJECT] = gzipped(padded(64 * MiB + 1))
    result = await gateway.query(SIZES)
    assert result["data"]["org"]["project"]["title"]
    (error,) = result["errors"]
    assert error["extensions"] == {"code": "DESIGN_TOO_LARGE", "maxBytes": 64 * MiB}


async def test_the_default_cap_accepts_a_design_of_exactly_64_mib(gateway: Gateway) -> None:
    gateway.sandbox.design_overrides[PROJECT] = gzipped(padded(64 * MiB))
    result = await gateway.query(SIZES)
    assert "errors" not in result
    assert result["data"]["org"]["project"]["design"]["decompressedBytes"] == 64 * MiB


@pytest.mark.parametrize("padding", [0, 1, 2])
async def test_compressed_bytes_is_exact(gateway: Gateway, padding: int) -> None:
    for n in range(200):
        gz = gzip.compress(json.dumps({"object": {"type": "Scene"}, "n": "y" * n}).encode(), mtime=0)
        if (-len(gz)) % 3 == padding:
            break
    encoded = base64.b64encode(gz).decode()
    assert encoded.count("=") == padding
    gateway.sandbox.design_overrides[PROJECT] = encoded
    design_sizes = (await gateway.query(SIZES))["data"]["org"]["project"]["design"]
    assert design_sizes["compressedBytes"] == len(gz)
    assert design_sizes["decompressedBytes"] == len(gzip.decompress(gz))


# -- fuzzing past base64 and gzip: valid containers around hostile JSON ----------------------------

SCENE_KEYS = [
    "object",
    "systems",
    "type",
    "uuid",
    "children",
    "userData",
    "sceneOrigin4326",
    "kwStc",
    "moduleQuantity",
    "output",
    "annual",
    "monthly",
    "inverters",
    "manufacturer_name",
    "code",
    "quantity",
    "max_power_rating",
    "azimuth",
    "slope",
    "system_price_including_tax",
    "pricing",
    "incentive_to_customer",
    "total",
    "payment_options",
    "title",
    "payment_type",
    "payback_year",
    "net_present_value",
    "internal_rate_of_return",
]
NODE_TYPES = ["Scene", "OsSystem", "OsModuleGrid", "OsModule"]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)  # past 64 bits too
    | st.floats()  # NaN and Infinity are written as such: not JSON
    | st.text(max_size=12)
    | st.sampled_from(NODE_TYPES)
)
hostile = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(SCENE_KEYS) | st.text(max_size=4), inner)
    ),
    max_leaves=40,
)


def nested(depth: int, leaf: Any) -> str:
    """A scene ``2 * depth`` levels deep (orjson reads up to 1024; a response carries about 220)."""
    return '{"object": ' + '{"type": "OsSystem", "children": [' * depth + json.dumps(leaf) + "]}" * depth + "}"


records = st.dictionaries(st.sampled_from(SCENE_KEYS), hostile, max_size=6)
uuids = st.just("A") | hostile  # one shared id, so scene and finance meet


def some_of(*keys: str, value: st.SearchStrategy[Any] = hostile) -> st.SearchStrategy[dict[str, Any]]:
    """An object with any subset of ``keys``: each one missing, or present with a hostile value."""
    return st.fixed_dictionaries({}, optional=dict.fromkeys(keys, value))


def node(kind: str, children: st.SearchStrategy[Any], data: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.fixed_dictionaries(
        {"type": st.just(kind), "children": children}, optional={"uuid": uuids, "userData": data | hostile}
    )


inverters = st.lists(some_of("manufacturer_name", "code", "quantity", "max_power_rating"), max_size=2)
system_data = st.fixed_dictionaries(
    {}, optional={"kwStc": hostile, "output": some_of("annual", "monthly"), "inverters": inverters | hostile}
)
modules = st.lists(node("OsModule", st.just([]), records), max_size=3) | hostile
grids = st.lists(node("OsModuleGrid", modules, some_of("azimuth", "slope")), min_size=1, max_size=3)
systems = st.lists(node("OsSystem", grids, system_data), min_size=1, max_size=2)
payment = some_of("title", "payment_type", "payback_year", "net_present_value", "internal_rate_of_return")
finance = st.fixed_dictionaries(
    {},
    optional={
        "uuid": uuids,
        "system_price_including_tax": hostile,
        "pricing": hostile,
        "incentive_to_customer": some_of("total") | hostile,
        "payment_options": st.lists(payment, max_size=2) | hostile,
    },
)
scene = node("Scene", systems, some_of("sceneOrigin4326", value=st.lists(hostile, max_size=3) | hostile))
documents = st.one_of(
    st.fixed_dictionaries({"object": scene}, optional={"systems": st.lists(finance, max_size=3) | hostile}).map(
        json.dumps
    ),
    st.fixed_dictionaries({"object": systems.map(lambda s: {"type": "Scene", "children": s})}).map(json.dumps),
    records.map(json.dumps),
    st.fixed_dictionaries({"object": hostile, "systems": hostile}).map(json.dumps),
    st.builds(nested, st.integers(1, 700), hostile),
    hostile.map(json.dumps),  # not even an object
)
DESIGN_FIELDS = (
    "compressedBytes decompressedBytes totalPanelCount sceneOrigin { lat lon } all: json "
    'finance: json(path: "systems") origin: json(path: "/object/userData/sceneOrigin4326") '
    "systems { uuid kwStc moduleQuantity panelCount annualOutputKwh monthlyOutputKwh acWatts "
    "priceIncludingTax pricing incentiveToCustomerTotal moduleGroups { uuid azimuth slope moduleCount } "
    "inverters { manufacturerName code quantity maxPowerRatingKw } "
    "paymentOptions { title paymentType paybackYears netPresentValue internalRateOfReturn } }"
)


@pytest.fixture
async def uncached(gateway_factory: GatewayFactory) -> AsyncIterator[Gateway]:
    settings = sandbox_settings(GATEWAY_CACHE="false", GATEWAY_RESPONSE_CACHE="false")
    async with running_gateway(settings, SandboxState(SandboxConfig())) as gateway:
        yield gateway


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=documents)
async def test_hostile_json_in_a_valid_design_gets_coded_errors_only(uncached: Gateway, document: str) -> None:
    # json.dumps writes NaN and Infinity as such: they reach the decoder too
    uncached.sandbox.design_overrides[PROJECT] = gzipped(document.encode())
    async with asyncio.timeout(30):  # never a hang
        response = await uncached.client.post(
            "/graphql", json={"query": '{ org { project(id: "3001") { title design { %s } } } }' % DESIGN_FIELDS}
        )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["data"]["org"]["project"]["title"]
    for error in result.get("errors") or []:
        assert error["extensions"]["code"] in {"DESIGN_CORRUPT", "DESIGN_TOO_LARGE"}, error
        assert error["path"][:3] == ["org", "project", "design"]
