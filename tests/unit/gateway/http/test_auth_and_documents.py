"""The request path's shortcuts: remembered credentials and documents, direct resolvers, GC."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest
import strawberry
import strawberry.schema.schema as strawberry_schema
from graphql import GraphQLObjectType, parse
from strawberry.schema.config import StrawberryConfig

from gateway.configs import QueryLimitsConfig
from gateway.gc_tuning import GATEWAY_GC_THRESHOLDS, tuned_gc
from gateway.http.access import RequestIds
from gateway.http.auth import Authenticator, Principal, PrincipalKind, hash_api_key
from gateway.http.rejection import Rejection
from schema import Query, build_schema
from schema.core_types import core_types
from schema.documents import ValidatedDocuments

SERVER_TOKEN = "server-token"


def authenticator(**overrides: Any) -> Authenticator:
    options: dict[str, Any] = {
        "api_key_hashes": frozenset({hash_api_key("good-key")}),
        "pass_through": True,
        "server_token": SERVER_TOKEN,
        "sandbox": False,
        **overrides,
    }
    return Authenticator(**options)


async def test_principals_are_remembered_per_credential_and_never_mixed() -> None:
    auth = authenticator()
    alice, bob = await auth.admit(b"Bearer alice", b""), await auth.admit(b"Bearer bob", b"")
    assert isinstance(alice, Principal) and isinstance(bob, Principal) and alice.opensolar_token == "alice"
    assert await auth.admit(b"Bearer alice", b"") is alice and bob.opensolar_token == "bob"
    keyed = await auth.admit(b"", b"good-key")
    assert isinstance(keyed, Principal) and keyed.kind is PrincipalKind.API_KEY
    assert keyed.opensolar_token == SERVER_TOKEN
    for refused in ((b"", b"bad-key"), (b"", b""), (b"Basic alice", b"")):
        rejection = await auth.admit(*refused)
        assert isinstance(rejection, Rejection) and rejection.code == "UNAUTHENTICATED"
    assert auth.memo_count() == 3  # refusals are not remembered


async def test_the_credential_memo_is_bounded_in_bytes_and_keyed_by_fingerprint() -> None:
    auth = authenticator(memo_max_bytes=64 * 1024)
    for n in range(1000):  # 1,000 distinct maximal (8 KB) tokens
        token = f"Bearer {n:06d}".encode() + b"x" * (8 * 1024 - 14)
        assert isinstance(await auth.admit(token, b""), Principal)
    assert auth.memo_bytes <= 64 * 1024 and auth.memo_count() <= 8
    assert all(len(key) == 16 for key in auth._memo)  # fingerprints, not the headers
    assert isinstance(await auth.admit(b"Bearer 000000" + b"x" * 10, b""), Principal)  # forgotten, then worked out


def checked(answers: dict[str, bool | None]) -> tuple[Authenticator, list[str]]:
    asked: list[str] = []

    async def check(token: str) -> bool | None:
        asked.append(token)
        await asyncio.sleep(0)
        return answers.get(token, False)

    return authenticator(check=check), asked


async def test_tokens_are_verified_once_and_refusals_remembered_by_fingerprint() -> None:
    auth, asked = checked({"good": True, "flaky": None})
    assert isinstance(await auth.admit(b"Bearer good", b""), Principal)
    assert isinstance(await auth.admit(b"Bearer good", b""), Principal)
    # concurrent requests with one made-up token share a single upstream question
    made_up = await asyncio.gather(*(auth.admit(b"Bearer made-up", b"") for _ in range(20)))
    assert {r.code for r in made_up if isinstance(r, Rejection)} == {"UNAUTHENTICATED"} and len(made_up) == 20
    again = await auth.admit(b"Bearer made-up", b"")
    assert isinstance(again, Rejection) and again.code == "UNAUTHENTICATED"
    unknown = await auth.admit(b"Bearer flaky", b"")
    assert isinstance(unknown, Rejection) and unknown.code == "UPSTREAM_UNAVAILABLE"
    assert asked == ["good", "made-up", "flaky"]
    assert auth.refused_count() == 1 and auth.memo_count() == 1  # unknown answers are not remembered


async def test_the_refusal_memo_is_bounded() -> None:
    auth, asked = checked({})
    auth.refused_max_entries = 100
    for n in range(1000):
        assert isinstance(await auth.admit(f"Bearer bogus-{n}".encode(), b""), Rejection)
    assert auth.refused_count() == 100 and len(asked) == 1000 and auth.memo_count() == 0


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    counted = [0]
    original = strawberry_schema.validate  # type: ignore[attr-defined]  # strawberry imports it from graphql

    def counting(*args: Any, **kwargs: Any) -> Any:
        counted[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(strawberry_schema, "validate", counting)
    return counted


async def test_a_valid_document_is_parsed_and_validated_once(validations: list[int]) -> None:
    schema = build_schema(QueryLimitsConfig())
    for _ in range(3):
        result = await schema.execute("query Ping { __typename }")
        assert result.errors is None and result.data == {"__typename": "Query"}
    assert validations[0] == 1


async def test_invalid_documents_are_never_remembered_and_keep_their_codes(validations: list[int]) -> None:
    schema = build_schema(QueryLimitsConfig(max_depth=3))
    for _ in range(2):
        invalid = await schema.execute("{ nope }")
        assert invalid.errors and "nope" in invalid.errors[0].message
        deep = await schema.execute("{ org { projects { nodes { systems { id } } } } }")
        assert deep.errors and "exceeds maximum operation depth" in deep.errors[0].message
        broken = await schema.execute("{ org { ")
        assert broken.errors and broken.errors[0].message.startswith("Syntax Error")
    assert validations[0] == 4  # two documents reached validation, twice each; the broken one never did


def test_plain_resolvers_are_handed_to_graphql_core() -> None:
    schema = build_schema(QueryLimitsConfig())
    project = schema._schema.type_map["Project"]
    assert isinstance(project, GraphQLObjectType)
    title, identity, incentives = (project.fields[name].resolve for name in ("title", "id", "incentives"))
    assert title is not None and title.__qualname__.startswith("record_field")  # (root, info), marked @direct
    assert identity is not None and identity.__qualname__.startswith("_parent_only")  # def id(self)
    assert incentives is not None and incentives.__qualname__.startswith("GraphQLCoreConverter")  # async, args


def test_the_types_edited_after_the_build_are_the_ones_graphql_core_executes() -> None:
    schema = build_schema(QueryLimitsConfig())
    types = core_types(schema)
    executed = {name: t for name, t in schema._schema.type_map.items() if not name.startswith("__")}
    assert types.keys() == executed.keys() and all(types[name] is executed[name] for name in types)
    sorted_schema = strawberry.Schema(query=Query, config=StrawberryConfig(sort_schema=True))
    with pytest.raises(ValueError, match="sort_schema"):
        core_types(sorted_schema)  # its executed types are copies: edits would be lost


def test_validated_documents_are_bounded_by_entries_and_text_size() -> None:
    documents = ValidatedDocuments(max_entries=2, max_text_chars=10)
    one, two, three = (parse("{ a }"), parse("{ b }"), parse("{ c }"))
    documents.remember("x" * 10, one)  # at the text limit: kept
    documents.remember("y" * 11, two)  # one past: never stored
    assert documents.get("x" * 10) is one and documents.get("y" * 11) is None and len(documents) == 1
    documents.remember("b", two)
    assert documents.get("x" * 10) is one  # used: now the most recent
    documents.remember("c", three)  # a third entry: the least recently used ("b") leaves
    assert len(documents) == 2 and documents.get("b") is None
    assert documents.get("x" * 10) is one and documents.get("c") is three


def test_gc_tuning_lasts_as_long_as_the_app() -> None:
    before = gc.get_threshold()
    with tuned_gc():
        assert gc.get_threshold() == GATEWAY_GC_THRESHOLDS and gc.get_freeze_count() > 0
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    with tuned_gc(enabled=False):
        assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_request_ids_are_unique_and_do_not_count_requests() -> None:
    ids = RequestIds()
    made = [ids.new() for _ in range(10_000)]
    assert len(set(made)) == len(made) and all(len(i) == 32 and int(i, 16) >= 0 for i in made)
    suffixes = [int(i[16:], 16) for i in made[:3]]
    assert suffixes != sorted(suffixes) or suffixes[1] - suffixes[0] != suffixes[2] - suffixes[1]
