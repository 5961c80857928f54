"""Which JSON media type a GraphQL response is sent as, from the request's ``Accept`` (GraphQL over HTTP).

``application/graphql-response+json`` lets a client tell a request error (the document did not parse or
validate, or the variables did not coerce: the operation never ran) from a field error: such answers
are 400 without ``data``. ``application/json`` is the legacy type: 200 for every well-formed request.
A client that accepts both, equally or in the new type's favour, gets the new one; ``*/*``, no
``Accept`` and anything else get ``application/json``.
"""

from __future__ import annotations

import functools

__all__ = ["GRAPHQL_RESPONSE_JSON", "JSON", "media_type"]

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


@functools.lru_cache(maxsize=256)
def media_type(accept: str) -> str:
    """The response's media type for this ``Accept`` header value ("" when absent)."""
    new = legacy = 0.0
    for part in accept.split(","):
        media, *params = part.split(";")
        media = media.strip().lower()
        if media == GRAPHQL_RESPONSE_JSON:
            new = max(new, _quality(params))
        elif media in (JSON, "application/*", "*/*"):
            legacy = max(legacy, _quality(params))
    return GRAPHQL_RESPONSE_JSON if new > 0 and new >= legacy else JSON
