"""Reading request headers straight from an ASGI scope, once per layer, without building a mapping of all."""

from __future__ import annotations

from starlette.types import Scope

__all__ = ["pick"]


def pick(scope: Scope, *names: bytes) -> list[bytes]:
    """The first value of each of ``names`` (lower-case), ``b""`` where absent, in the order asked."""
    found = [b""] * len(names)
    for name, value in scope.get("headers", ()):
        name = name.lower()
        if name in names:
            index = names.index(name)
            if not found[index]:
                found[index] = value
    return found
