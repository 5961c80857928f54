"""The memory of request bodies already digested: small bodies only, exactly up to the limit."""

from __future__ import annotations

from gateway.response_cache.keys import Known, RememberedDigests

KNOWN = Known(digest="d" * 40, label="Portfolio")


def test_a_body_at_the_limit_is_remembered_and_one_byte_more_is_not() -> None:
    digests = RememberedDigests()
    at_limit = b"x" * RememberedDigests.MAX_BODY_BYTES
    past_it = at_limit + b"x"
    digests.remember(at_limit, KNOWN)
    digests.remember(past_it, KNOWN)
    assert digests.get(at_limit) is KNOWN
    assert digests.get(past_it) is None


def test_an_empty_body_is_never_remembered() -> None:
    digests = RememberedDigests()
    digests.remember(b"", KNOWN)
    assert digests.get(b"") is None
    assert len(digests._known) == 0


def test_only_the_most_recent_bodies_are_kept() -> None:
    digests = RememberedDigests()
    bodies = [b"%d" % n for n in range(RememberedDigests.MAX_ENTRIES + 1)]
    for body in bodies:
        digests.remember(body, KNOWN)
    assert digests.get(bodies[0]) is None
    assert digests.get(bodies[1]) is KNOWN and digests.get(bodies[-1]) is KNOWN
