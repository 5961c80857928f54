"""GATEWAY_CORS_ORIGINS: exact origins, patterns, and the defaults in and out of the sandbox."""

from __future__ import annotations

import pytest

from gateway.http.cors import SANDBOX_ORIGINS, OriginPolicy, origins_of


def test_defaults_are_loopback_in_the_sandbox_and_none_elsewhere() -> None:
    assert origins_of(None, sandbox=True) == SANDBOX_ORIGINS
    assert origins_of(None, sandbox=False) == ()
    assert origins_of("", sandbox=True) == ()  # set but empty: none, even in the sandbox
    assert OriginPolicy(()).empty


def test_exact_origins_and_patterns() -> None:
    policy = OriginPolicy(
        origins_of("https://app.example.com/, https://*.example.org http://localhost:*", sandbox=False)
    )
    assert policy.allows("https://app.example.com")
    assert policy.allows("https://a.b.example.org") and policy.allows("http://localhost:5173")
    for origin in (
        "http://app.example.com",  # another scheme
        "https://app.example.com.evil.test",
        "https://example.org",  # the pattern needs a label before .example.org
        "https://evil.test/.example.org",
        "http://localhost:5173.evil.test",
        "http://localhost",
        "null",
    ):
        assert not policy.allows(origin), origin


def test_a_lone_star_admits_any_origin() -> None:
    assert OriginPolicy(["*"]).allows("https://anything.test")


@pytest.mark.parametrize("bad", ["example.com", "https://example.com/path", "https://ex*mple.com:x", "ftp//x"])
def test_malformed_entries_stop_the_start(bad: str) -> None:
    with pytest.raises(ValueError, match="CORS origin"):
        origins_of(bad, sandbox=False)
