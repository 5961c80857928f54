"""The documented limits, exactly at the limit and one past it (issue 11's surviving mutants)."""

from __future__ import annotations

import pytest

from gateway.configs import QueryLimitsConfig
from gateway.settings import Settings
from schema import build_schema
from tests.integration.test_front_door import depth_document, token_document


def codes(result: object) -> set[str]:
    return {(e.extensions or {}).get("code", "") for e in getattr(result, "errors", None) or []}


@pytest.mark.parametrize("limits", [QueryLimitsConfig(), None], ids=["QueryLimitsConfig()", "Settings()"])
async def test_depth_and_token_limits_hold_at_their_documented_values(limits: QueryLimitsConfig | None) -> None:
    if limits is None:
        settings = Settings.model_validate({"GATEWAY_SANDBOX": "true"})
        limits = QueryLimitsConfig(max_tokens=settings.max_tokens, max_depth=settings.max_depth)
    schema = build_schema(limits)
    assert "MAX_DEPTH_EXCEEDED" not in codes(await schema.execute(depth_document(12)))
    assert "MAX_DEPTH_EXCEEDED" in codes(await schema.execute(depth_document(13)))
    assert (await schema.execute(token_document(2000))).data == {"__typename": "Query"}
    assert codes(await schema.execute(token_document(2001))) == {"MAX_TOKENS_EXCEEDED"}
