"""Who is let in: header parsing, principals, the credential memo's bounds, verification TTLs and metrics.

Each test pins a promise of ``gateway/http/auth.py``'s docstring at its edge (a memo of exactly its byte
bound and one byte more, a token at exactly its TTL and just past it) with an injected clock.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx
import pytest

from gateway.cache.scope import fingerprint
from gateway.http.auth import Authenticator, Principal, PrincipalKind, authenticate, hash_api_key, opensolar_token_check
from gateway.http.rejection import Rejection
from tests.clock import FakeClock

SERVER_TOKEN = "server-token"
KEY = "good-key"
OVERHEAD = 256  # bytes the memo charges per entry besides the two header values


def authenticator(**overrides: Any) -> Authenticator:
    options: dict[str, Any] = {
        "api_key_hashes": frozenset({hash_api_key(KEY), hash_api_key("other-key")}),
        "pass_through": True,
        "server_token": SERVER_TOKEN,
        "sandbox": False,
        **overrides,
    }
    return Authenticator(**options)


def who(headers: dict[str, str], **overrides: Any) -> Principal | None:
    options: dict[str, Any] = {
        "api_key_hashes": frozenset({hash_api_key(KEY)}),
        "pass_through": True,
        "server_token": SERVER_TOKEN,
        "sandbox": False,
        **overrides,
    }
    return authenticate(headers, **options)


def test_a_bearer_token_is_read_whatever_the_spacing_and_case_of_its_scheme() -> None:
    for header in ("Bearer tok", "bearer tok", "Bearer  tok ", "BEARER tok"):
        principal = who({"authorization": header})
        assert principal is not None and principal.opensolar_token == "tok", header
    for refused in ({}, {"authorization": ""}, {"authorization": "Bearer "}, {"authorization": "Basic tok"}):
        assert who(refused) is None, refused


def test_each_kind_of_caller_gets_its_own_principal_and_an_id_that_is_not_the_credential() -> None:
    keyed = who({"x-api-key": KEY})
    assert keyed == Principal(PrincipalKind.API_KEY, SERVER_TOKEN, f"key-{hash_api_key(KEY)[:12]}")
    token = who({"authorization": "Bearer alice"})
    assert token == Principal(PrincipalKind.PASS_THROUGH, "alice", f"token-{fingerprint('alice')}")
    assert who({}, sandbox=True) == Principal(PrincipalKind.SANDBOX, SERVER_TOKEN, "sandbox")
    assert who({"x-api-key": KEY}, server_token=None) is None  # a key is worth nothing without the server token
    assert who({"x-api-key": "bad-key", "authorization": "Bearer alice"}) is None  # a wrong key is not a fallback


def test_pass_through_off_refuses_every_token_even_in_the_sandbox() -> None:
    assert who({"authorization": "Bearer alice"}, pass_through=False) is None
    assert who({"authorization": "Bearer alice"}, pass_through=False, sandbox=True) is None
    assert who({"x-api-key": KEY}, pass_through=False) is not None


async def test_the_sandbox_admits_a_caller_without_credentials() -> None:
    principal = await authenticator(sandbox=True).admit(b"", b"")
    assert principal == Principal(PrincipalKind.SANDBOX, SERVER_TOKEN, "sandbox")
    refused = await authenticator(sandbox=False).admit(b"", b"")
    assert isinstance(refused, Rejection) and refused.status == 401 and refused.code == "UNAUTHENTICATED"


CREDENTIALS = [pytest.param(b"Bearer a", b"", id="token"), pytest.param(b"", KEY.encode(), id="api-key")]


@pytest.mark.parametrize(("authorization", "api_key"), CREDENTIALS)
async def test_a_credential_of_exactly_the_memo_bound_is_remembered_and_one_byte_more_is_not(
    authorization: bytes, api_key: bytes
) -> None:
    size = len(authorization) + len(api_key) + OVERHEAD
    exact = authenticator(memo_max_bytes=size)
    first = await exact.admit(authorization, api_key)
    assert isinstance(first, Principal) and await exact.admit(authorization, api_key) is first
    assert exact.memo_count() == 1 and exact.memo_bytes == size
    under = authenticator(memo_max_bytes=size - 1)
    admitted = await under.admit(authorization, api_key)
    assert isinstance(admitted, Principal) and under.memo_count() == 0 and under.memo_bytes == 0


async def test_a_full_memo_drops_its_oldest_credential_first() -> None:
    entry = len(b"Bearer a") + OVERHEAD
    auth = authenticator(memo_max_bytes=2 * entry)
    a, b = await auth.admit(b"Bearer a", b""), await auth.admit(b"Bearer b", b"")
    assert auth.memo_count() == 2 and auth.memo_bytes == 2 * entry  # exactly full: both kept
    c = await auth.admit(b"Bearer c", b"")
    assert auth.memo_count() == 2 and auth.memo_bytes == 2 * entry
    assert await auth.admit(b"Bearer c", b"") is c and await auth.admit(b"Bearer b", b"") is b
    assert await auth.admit(b"Bearer a", b"") is not a  # the oldest was forgotten, then worked out again


def verifying(answers: dict[str, bool | None], clock: FakeClock, **overrides: Any) -> tuple[Authenticator, list[str]]:
    asked: list[str] = []

    async def check(token: str) -> bool | None:
        asked.append(token)
        await asyncio.sleep(0)
        return answers.get(token, False)

    return authenticator(check=check, clock=clock, verified_ttl_s=300.0, refused_ttl_s=600.0, **overrides), asked


async def test_an_accepted_token_is_trusted_for_exactly_its_ttl_then_asked_about_again() -> None:
    clock = FakeClock()
    auth, asked = verifying({"good": True}, clock)
    first = await auth.admit(b"Bearer good", b"")
    assert isinstance(first, Principal)
    clock.advance(300.0)
    assert await auth.admit(b"Bearer good", b"") is first and asked == ["good"]
    clock.advance(0.001)
    assert isinstance(await auth.admit(b"Bearer good", b""), Principal) and asked == ["good", "good"]
    # asked again and remembered again: one entry, counted once
    assert auth.memo_count() == 1 and auth.memo_bytes == len(b"Bearer good") + OVERHEAD
    assert auth.stats["checks"] == 2


async def test_a_refused_token_is_refused_without_asking_for_exactly_its_ttl() -> None:
    clock = FakeClock()
    auth, asked = verifying({}, clock)
    for _ in range(2):
        refused = await auth.admit(b"Bearer bogus", b"")
        assert isinstance(refused, Rejection) and refused.status == 401 and refused.code == "UNAUTHENTICATED"
    clock.advance(600.0)
    assert isinstance(await auth.admit(b"Bearer bogus", b""), Rejection) and asked == ["bogus"]
    assert (auth.stats["checks"], auth.stats["refused"], auth.stats["refused_remembered"]) == (1, 1, 2)
    clock.advance(0.001)
    assert isinstance(await auth.admit(b"Bearer bogus", b""), Rejection) and asked == ["bogus", "bogus"]
    assert (auth.stats["checks"], auth.stats["refused"], auth.stats["refused_remembered"]) == (2, 2, 2)


async def test_a_token_revoked_upstream_is_forgotten_once_its_ttl_runs_out() -> None:
    clock = FakeClock()
    answers: dict[str, bool | None] = {"alice": True}
    auth, asked = verifying(answers, clock)
    assert isinstance(await auth.admit(b"Bearer alice", b""), Principal) and auth.memo_count() == 1
    answers["alice"] = False
    clock.advance(300.001)
    refused = await auth.admit(b"Bearer alice", b"")
    assert isinstance(refused, Rejection) and refused.code == "UNAUTHENTICATED"
    assert auth.memo_count() == 0 and auth.memo_bytes == 0  # its bytes are given back, not leaked
    assert auth.refused_count() == 1 and asked == ["alice", "alice"]


async def test_the_refusal_memo_forgets_its_oldest_refusal_first() -> None:
    auth, asked = verifying({}, FakeClock(), refused_max_entries=2)
    for token in (b"Bearer one", b"Bearer two", b"Bearer three"):
        await auth.admit(token, b"")
    assert auth.refused_count() == 2
    await auth.admit(b"Bearer three", b"")
    await auth.admit(b"Bearer two", b"")
    assert asked == ["one", "two", "three"]  # the two newest are still refused without asking
    await auth.admit(b"Bearer one", b"")
    assert asked == ["one", "two", "three", "one"]


async def test_concurrent_checks_of_different_tokens_get_their_own_answers() -> None:
    auth, asked = verifying({"good": True}, FakeClock())
    good, bad = await asyncio.gather(auth.admit(b"Bearer good", b""), auth.admit(b"Bearer bad", b""))
    assert isinstance(good, Principal) and isinstance(bad, Rejection) and bad.code == "UNAUTHENTICATED"
    assert sorted(asked) == ["bad", "good"]


async def test_a_check_that_fails_is_never_taken_for_a_refusal_by_those_waiting_on_it() -> None:
    release = asyncio.Event()

    async def check(token: str) -> bool | None:
        await release.wait()
        raise RuntimeError("the check broke")

    auth = authenticator(check=check)
    first = asyncio.create_task(auth.admit(b"Bearer alice", b""))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(auth.admit(b"Bearer alice", b""))
    await asyncio.sleep(0)
    release.set()
    with pytest.raises(RuntimeError):
        await first
    answer = await waiting
    assert isinstance(answer, Rejection) and answer.status == 503 and answer.code == "UPSTREAM_UNAVAILABLE"
    assert auth.refused_count() == 0 and auth.memo_count() == 0


def token_check(answer: httpx.Response | Exception, seen: list[httpx.Request]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if isinstance(answer, Exception):
            raise answer
        return answer

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return opensolar_token_check(http, "https://opensolar.test")


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (httpx.Response(200, json={"token": "x"}), True),
        (httpx.Response(204), True),
        (httpx.Response(401), False),
        (httpx.Response(403), False),
        (httpx.Response(404), None),
        (httpx.Response(429), None),
        (httpx.Response(500), None),
        (httpx.Response(302, headers={"Location": "/login"}), None),
        (httpx.ConnectError("refused"), None),
        (httpx.ReadTimeout("slow"), None),
    ],
)
async def test_opensolar_is_asked_once_about_a_token_and_only_401_or_403_is_a_refusal(
    answer: httpx.Response | Exception, expected: bool | None
) -> None:
    seen: list[httpx.Request] = []
    assert await token_check(answer, seen)("alice") is expected
    (request,) = seen
    assert request.method == "GET" and str(request.url) == "https://opensolar.test/api/fetch_token/"
    assert request.headers["authorization"] == "Bearer alice"
    assert request.extensions["timeout"] == {"connect": 10.0, "read": 10.0, "write": 10.0, "pool": 10.0}


async def test_an_unanswered_token_check_is_logged_with_its_cause(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="gateway.auth")
    seen: list[httpx.Request] = []
    assert await token_check(httpx.ConnectError("refused"), seen)("alice") is None
    assert await token_check(httpx.Response(502), seen)("alice") is None
    assert [record.getMessage() for record in caplog.records] == [
        "token verification failed: ConnectError",
        "token verification: OpenSolar answered 502",
    ]
    assert "alice" not in caplog.text  # the token itself is never logged
