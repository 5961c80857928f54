"""Persisted documents on their own: hashes, the size cap at exactly its bytes, quotas, a failing shared store."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import pytest
from limits import parse_many
from limits.aio.storage import MemoryStorage

from gateway.cache.store import MemoryStore
from gateway.http import persisted
from gateway.http.inbound import Quota
from gateway.http.persisted import PersistedDocuments, Rejection, Resolved, sha256_hex
from tests.clock import FakeClock

QUERY = "{ org { name } }"


def apq(query: str | None, digest: str | None = None, version: Any = 1) -> dict[str, Any]:
    payload: dict[str, Any] = {"extensions": {"persistedQuery": {"version": version, "sha256Hash": digest}}}
    if query is not None:
        payload["query"] = query
    return payload


def documents(**overrides: Any) -> PersistedDocuments:
    options: dict[str, Any] = {"apq": True, "trusted": None, **overrides}
    return PersistedDocuments(options.pop("store", MemoryStore(1024 * 1024)), **options)


def refused(answer: Resolved | Rejection | str | None, status: int, code: str) -> None:
    assert isinstance(answer, Rejection), answer
    assert (answer.status, answer.code) == (status, code)
    assert isinstance(answer.message, str) and answer.message  # GraphQL errors always carry a message


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"extensions": {"persistedQuery": "x"}}, "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"),
        (apq(None, "a" * 64, version=2), "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"),
        (apq(None, "a" * 64, version="1"), "PERSISTED_QUERY_VERSION_NOT_SUPPORTED"),
        (apq(None, "a" * 63), "PERSISTED_QUERY_INVALID"),
        (apq(None, "a" * 65), "PERSISTED_QUERY_INVALID"),
        (apq(None, None), "PERSISTED_QUERY_INVALID"),
    ],
)
def test_a_malformed_persisted_query_extension_is_refused_with_its_code(payload: dict[str, Any], code: str) -> None:
    refused(PersistedDocuments.requested_hash(payload), 400, code)


def test_a_hash_of_exactly_64_characters_is_read_in_lower_case_and_no_extension_is_no_hash() -> None:
    assert PersistedDocuments.requested_hash(apq(None, "AB" * 32)) == "ab" * 32
    plain_payloads: list[dict[str, Any]] = [{}, {"extensions": None}, {"extensions": "x"}, {"extensions": {}}]
    for plain in plain_payloads:
        assert PersistedDocuments.requested_hash(plain) is None


async def test_apq_registers_after_validation_and_then_serves_by_hash() -> None:
    docs = documents()
    digest = sha256_hex(QUERY)
    not_found = await docs.resolve(apq(None, digest))
    refused(not_found, 200, "PERSISTED_QUERY_NOT_FOUND")
    assert isinstance(not_found, Rejection) and not_found.message == "PersistedQueryNotFound"  # what Apollo looks for
    first = await docs.resolve(apq(QUERY, digest.upper()))
    assert isinstance(first, Resolved) and first.register == digest  # stored only once it has been validated
    refused(await docs.resolve(apq(None, digest)), 200, "PERSISTED_QUERY_NOT_FOUND")
    assert await docs.register(digest, QUERY, "alice") is True and docs.stats["registered"] == 1
    served = await docs.resolve(apq(None, digest))
    assert isinstance(served, Resolved) and served.payload["query"] == QUERY and served.register is None
    refused(await docs.resolve(apq("{ org { id } }", digest)), 400, "PERSISTED_QUERY_HASH_MISMATCH")
    plain = await docs.resolve({"query": QUERY})
    assert isinstance(plain, Resolved) and plain.payload == {"query": QUERY} and plain.register is None


async def test_apq_turned_off_refuses_hashes_but_runs_plain_queries() -> None:
    docs = documents(apq=False)
    refused(await docs.resolve(apq(QUERY, sha256_hex(QUERY))), 400, "PERSISTED_QUERY_NOT_SUPPORTED")
    assert isinstance(await docs.resolve({"query": QUERY}), Resolved)


async def test_trusted_mode_runs_only_its_documents_by_hash_or_identical_text() -> None:
    docs = documents(apq=False, trusted={sha256_hex(QUERY): QUERY})
    for payload in (apq(None, sha256_hex(QUERY)), {"query": QUERY}, apq(QUERY, sha256_hex(QUERY))):
        answer = await docs.resolve(payload)
        assert isinstance(answer, Resolved) and answer.payload["query"] == QUERY and answer.register is None
    other = "{ org { id } }"
    for payload in ({"query": other}, apq(other, sha256_hex(QUERY)), apq(None, "0" * 64), {}):
        refused(await docs.resolve(payload), 400, "PERSISTED_QUERY_NOT_ALLOWED")


@pytest.mark.parametrize("character", ["a", "é"])
async def test_a_document_of_exactly_the_size_cap_in_bytes_is_stored_and_one_byte_more_is_not(character: str) -> None:
    docs = documents(max_document_bytes=1024)
    width = len(character.encode())
    exact, over = character * (1024 // width), character * (1024 // width) + "b"
    assert len(exact.encode()) == 1024 and len(over.encode()) == 1025
    assert await docs.register(sha256_hex(exact), exact, "alice") is True
    assert await docs.register(sha256_hex(over), over, "alice") is False
    assert (docs.stats["registered"], docs.stats["too_large"]) == (1, 1)
    assert isinstance(await docs.resolve(apq(None, sha256_hex(exact))), Resolved)
    refused(await docs.resolve(apq(None, sha256_hex(over))), 200, "PERSISTED_QUERY_NOT_FOUND")


def quota(rate: str, name: str) -> Quota:
    return Quota(MemoryStorage(), parse_many(rate), name=name, clock=FakeClock())


async def test_registrations_are_capped_per_credential_and_in_total() -> None:
    docs = documents(per_credential=quota("2/day", "apq"), total=quota("3/day", "apq-total"))
    texts = [f"{{ org {{ name{n}: name }} }}" for n in range(5)]
    outcomes = [await docs.register(sha256_hex(text), text, "alice") for text in texts[:3]]
    assert outcomes == [True, True, False]  # alice's own two
    assert await docs.register(sha256_hex(texts[3]), texts[3], "bob") is True  # the third in total
    assert await docs.register(sha256_hex(texts[4]), texts[4], "carol") is False  # total spent, whoever asks
    assert (docs.stats["registered"], docs.stats["over_quota"]) == (3, 2)
    refused(await docs.resolve(apq(None, sha256_hex(texts[4]))), 200, "PERSISTED_QUERY_NOT_FOUND")


class BrokenStore(MemoryStore):
    name = "redis"
    down = True

    async def get(self, key: str) -> bytes | None:
        if self.down:
            raise ConnectionError("redis is down")
        return await super().get(key)

    async def set(self, key: str, value: bytes, ttl_s: float, tags: Iterable[str]) -> None:
        if self.down:
            raise ConnectionError("redis is down")
        await super().set(key, value, ttl_s, tags)


async def test_with_the_shared_store_down_documents_are_kept_here_and_the_outage_logged_every_ten_seconds(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    monkeypatch.setattr(persisted, "time", SimpleNamespace(monotonic=clock))
    caplog.set_level(logging.WARNING, logger="gateway.http.persisted")
    store = BrokenStore(1024 * 1024)
    docs = documents(store=store)
    digest = sha256_hex(QUERY)
    assert await docs.register(digest, QUERY, "alice") is True  # a write that fails: kept in this process
    served = await docs.resolve(apq(None, digest))  # a read that fails: served from this process
    assert isinstance(served, Resolved) and served.payload["query"] == QUERY
    clock.advance(9.999)
    await docs.resolve(apq(None, digest))
    assert docs.stats["store_errors"] == 3
    logged = [record.getMessage() for record in caplog.records]
    assert len(logged) == 1 and "write failed" in logged[0] and "redis is down" in logged[0]
    clock.advance(0.001)
    await docs.resolve(apq(None, digest))
    logged = [record.getMessage() for record in caplog.records]
    assert len(logged) == 2 and "read failed" in logged[1] and "redis is down" in logged[1]
    store.down = False  # back: what was kept here is still served, and new documents go to the shared store
    assert isinstance(await docs.resolve(apq(None, digest)), Resolved)
    other = "{ org { id } }"
    await docs.register(sha256_hex(other), other, "alice")
    assert await store.get("sg:v1:apq:" + sha256_hex(other)) == other.encode()
    assert await store.get("sg:v1:apq:" + digest) is None


async def test_a_memory_store_needs_no_second_store_in_the_process() -> None:
    assert documents().local is None
    assert documents(store=BrokenStore(1024)).local is not None
