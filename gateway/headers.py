"""Reading request headers straight from an ASGI scope, once per layer, without building a mapping of all."""

from __future__ import annotations

from starlette.types import Scope

__all__ = ["MAX_HEADER_BYTES", "oversized", "pick"]

# nginx's large_client_header_buffers and Node's --max-http-header-size are 8 KB (Apollo Router
# allows 16 KB for the whole list): an OpenSolar token is ~40 bytes, so 8 KB per header is generous.
MAX_HEADER_BYTES = 8 * 1024


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


def oversized(scope: Scope, limit: int) -> str | None:
    """The name of the first header whose name and value together are longer than ``limit`` bytes."""
    for name, value in scope.get("headers", ()):
        if len(value) + len(name) > limit:
            return bytes(name).decode("latin-1")[:64]
    return None
