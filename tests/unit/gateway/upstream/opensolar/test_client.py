from __future__ import annotations

import asyncio
import email.utils
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from gateway.errors import (
    ForbiddenError,
    NotFoundError,
    PlanRequiredError,
    UpstreamBadRequest,
    UpstreamBadResponse,
    UpstreamRateLimited,
    UpstreamTimeout,
    UpstreamUnauthenticated,
    UpstreamUnavailable,
)
from gateway.settings import Settings
from gateway.upstream.opensolar.client import OpenSolarClient
from gateway.upstream.opensolar.queries import PrivateFileFilter
from gateway.upstream.retry import parse_retry_after

Handler = Callable[[httpx.Request], Any]


def make_client(handler: Handler, **settings: Any) -> OpenSolarClient:
    config = Settings.model_validate(settings).upstream("opensolar", "https://api.opensolar.test")
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return OpenSolarClient(config, http, concurrency=4)


def respond(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json=body, headers=headers)

    return handler


async def test_sends_bearer_token_trailing_slash_and_paging() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[{"id": 1, "title": "A"}])

    rows = await make_client(handler).projects("tok", 62854, page=3, limit=25)
    assert [r.id for r in rows] == [1]
    request = seen[0]
    assert request.url.path == "/api/orgs/62854/projects/"
    assert dict(request.url.params) == {"page": "3", "limit": "25"}
    assert request.headers["authorization"] == "Bearer tok"


async def test_systems_always_send_fieldset_list() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/systems/"):
            return httpx.Response(200, json=[])
        return httpx.Response(200, json={"id": 7})

    client = make_client(handler)
    await client.systems("t", 1, 1, 100, project_id=42)
    await client.system("t", 1, 7)
    assert seen[0].url.params["fieldset"] == "list" and seen[0].url.params["project"] == "42"
    assert seen[1].url.path == "/api/orgs/1/systems/7/" and seen[1].url.params["fieldset"] == "list"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, UpstreamUnauthenticated),
        (402, PlanRequiredError),
        (403, ForbiddenError),
        (404, NotFoundError),
        (500, UpstreamUnavailable),
        (502, UpstreamUnavailable),
        (503, UpstreamUnavailable),
        (504, UpstreamTimeout),
    ],
)
async def test_statuses_map_to_the_error_tree(status: int, error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        await make_client(respond(status, {"detail": "x"})).project("t", 1, 2)
    assert getattr(caught.value, "status", None) == status


async def test_error_codes_are_stable() -> None:
    codes = {}
    for status in (401, 402, 403, 404, 503, 504):
        try:
            await make_client(respond(status, {"detail": "x"})).project("t", 1, 2)
        except Exception as exc:
            codes[status] = exc.extensions["code"]  # type: ignore[attr-defined]
    assert codes == {
        401: "UNAUTHENTICATED",
        402: "PLAN_REQUIRED",
        403: "FORBIDDEN",
        404: "NOT_FOUND",
        503: "UPSTREAM_UNAVAILABLE",
        504: "UPSTREAM_TIMEOUT",
    }


async def test_429_carries_retry_after_in_seconds_or_http_date() -> None:
    with pytest.raises(UpstreamRateLimited) as caught:
        await make_client(respond(429, {"detail": "Request was throttled."}, {"Retry-After": "17"})).project("t", 1, 2)
    assert caught.value.retry_after == 17
    assert caught.value.extensions == {"code": "THROTTLED", "upstream": "opensolar", "status": 429, "retryAfter": 17}
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= (parse_retry_after(when) or 0) <= 31
    assert parse_retry_after("soon") is None


async def test_400_keeps_drf_field_errors() -> None:
    body = {"endpoint": ["Enter a valid URL."]}
    with pytest.raises(UpstreamBadRequest) as caught:
        await make_client(respond(400, body)).create_webhook("t", 1, {"endpoint": "x"})
    assert caught.value.extensions["fields"] == body
    assert "Enter a valid URL." in caught.value.message


async def test_malformed_json_is_a_bad_response() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"{not json")

    with pytest.raises(UpstreamBadResponse):
        await make_client(handler).project("t", 1, 2)


async def test_wrong_shape_is_a_bad_response() -> None:
    with pytest.raises(UpstreamBadResponse, match="ProjectRecord"):
        await make_client(respond(200, {"id": "not-a-number"})).project("t", 1, 2)
    with pytest.raises(UpstreamBadResponse, match="JSON array"):
        await make_client(respond(200, {"results": []})).projects("t", 1, 1, 20)


async def test_page_past_the_end_reads_as_empty() -> None:
    assert await make_client(respond(404, {"detail": "Invalid page."})).projects("t", 1, 5, 20) == []
    with pytest.raises(NotFoundError):  # on page 1 a 404 means the org path itself is wrong
        await make_client(respond(404, {"detail": "Not found."})).projects("t", 1, 1, 20)


async def test_connection_refused_is_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(UpstreamUnavailable):
        await make_client(handler).project("t", 1, 2)


async def test_read_timeout_is_a_timeout() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(UpstreamTimeout):
        await make_client(handler).project("t", 1, 2)


async def test_overall_deadline_bounds_a_hanging_upstream() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return httpx.Response(200, json={})

    with pytest.raises(UpstreamTimeout):  # without the deadline: a 200 after 30 s, past the test's timeout
        await make_client(handler, GATEWAY_UPSTREAM_DEADLINE_S=0.05).project("t", 1, 2)


async def test_oversize_body_is_refused_while_streaming() -> None:
    chunks_sent: list[int] = []

    class Endless(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            for _ in range(10_000):
                chunks_sent.append(1)
                yield b"x" * 1024

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=Endless())

    with pytest.raises(UpstreamBadResponse, match="larger than"):
        await make_client(handler, GATEWAY_MAX_RESPONSE_BYTES=64 * 1024).project("t", 1, 2)
    assert len(chunks_sent) < 100  # stopped reading soon after the cap, not after 10 MB


async def test_proposal_finds_the_project_in_the_org_array() -> None:
    payload = [
        {
            "id": 9,
            "projects": [
                {
                    "id": 5,
                    "usage_annual_or_guess": 7300,
                    "proposal_data": {"has_battery": False, "systems": [{"uuid": "U", "systemPaybackYear": "4.2"}]},
                }
            ],
        }
    ]
    proposal = await make_client(respond(200, payload)).proposal("t", 5)
    assert proposal.systems[0].system_payback_year == "4.2"
    assert proposal.usage_annual_or_guess == 7300
    with pytest.raises(NotFoundError):
        await make_client(respond(200, [])).proposal("t", 5)


async def test_private_file_filters_become_query_parameters() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    filters = PrivateFileFilter(project_id=3, search="permit", file_tag="Extra File", ordering="-filesize")
    await make_client(handler).private_files("t", 1, 1, 20, filters)
    assert dict(seen[0].url.params) == {
        "project": "3",
        "search": "permit",
        "file_tags": "Extra File",
        "ordering": "-filesize",
        "page": "1",
        "limit": "20",
    }


async def test_webhook_writes_use_post_and_patch_with_json() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201 if request.method == "POST" else 200, json={"id": 3, "enabled": False})

    client = make_client(handler)
    await client.create_webhook("t", 1, {"endpoint": "https://x", "enabled": True, "debug": False})
    await client.update_webhook("t", 1, 3, {"enabled": False})
    assert [(r.method, r.url.path) for r in seen] == [
        ("POST", "/api/orgs/1/webhooks/"),
        ("PATCH", "/api/orgs/1/webhooks/3/"),
    ]
    assert json.loads(seen[1].content) == {"enabled": False}
