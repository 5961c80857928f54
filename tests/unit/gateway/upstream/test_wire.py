"""The upstream HTTP client keeps no cookies: calls carry each caller's credential, never another's cookies."""

from __future__ import annotations

import httpx
import pytest

from gateway.upstream.wire import CookielessClient


async def test_a_cookie_one_answer_sets_is_never_sent_with_a_later_call() -> None:
    seen: list[str | None] = []

    def upstream(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("cookie"))
        return httpx.Response(200, json={}, headers={"set-cookie": "sessionid=caller-a; Path=/"})

    async with CookielessClient(transport=httpx.MockTransport(upstream)) as client:
        await client.get("http://upstream.test/api/orgs/1/", headers={"Authorization": "Bearer a"})
        await client.get("http://upstream.test/api/orgs/1/", headers={"Authorization": "Bearer b"})
        assert seen == [None, None]
        assert not client.cookies
        with pytest.raises(TypeError):
            client.cookies = {"sessionid": "x"}
