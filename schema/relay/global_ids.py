"""Global ids: base64 of ``Type:key``, the key being what the upstream lookup needs.

The wire format is Strawberry's ``relay.GlobalID`` (standard base64 of ``TypeName:NodeID``), so
``GlobalID.from_id`` reads ours. OpenSolar URLs are org-scoped (``/api/orgs/{org}/projects/{id}/``),
so an org-scoped type's key carries its org: ``Project:1001:3001``; a workflow stage also carries its
workflow (stages have no URL of their own): ``WorkflowStage:1001:52:52145``. ``Org`` and Arcadia's
``Incentive`` are not org-scoped: ``Org:1001``, ``Incentive:3302404``.

Decoding is strict: one canonical text per id (standard alphabet, padded, no leading zeros), so a
global id and the integer it names hit the same loader key, the same cache entries and the same
response-cache key. Every lookup argument also takes the upstream integer (``upstream_id``): partners
hold OpenSolar's ids. A well-formed id is not proof of access: the read still goes upstream under the
caller's credential, like any other.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from gateway.errors import BadRequestError

__all__ = ["KEY_PARTS", "GlobalId", "decode", "encode", "org_of", "parse_upstream_id", "upstream_id"]

# The number of integers in each node type's key, its org first when it has one.
KEY_PARTS: dict[str, int] = {
    "Org": 1,
    "Incentive": 1,
    "Project": 2,
    "Contact": 2,
    "System": 2,
    "PrivateFile": 2,
    "Webhook": 2,
    "Role": 2,
    "OrgWorkflow": 2,
    "Event": 2,
    "WorkflowStage": 3,
}
UNSCOPED = frozenset({"Org", "Incentive"})
MAX_DIGITS = 18  # an upstream id fits a signed 64-bit integer
MAX_GLOBAL_ID_CHARS = 120  # the longest key (three 18-digit parts and the longest name) encodes to ~100


@dataclass(frozen=True, slots=True)
class GlobalId:
    type_name: str
    key: tuple[int, ...]

    @property
    def org(self) -> int | None:
        """The org the node belongs to (an Org's own id); None for what no org scopes (Incentive)."""
        if self.type_name == "Incentive":
            return None
        return self.key[0]

    @property
    def database_id(self) -> int:
        """The upstream integer id of the node itself (the key's last part)."""
        return self.key[-1]


def encode(type_name: str, *key: int) -> str:
    return base64.b64encode(":".join([type_name, *map(str, key)]).encode()).decode()


def _bad(argument: str, value: str, why: str) -> BadRequestError:
    return BadRequestError(f"Invalid {argument}: {value[:40]!r} {why}.", argument=argument)


def parse_upstream_id(value: str, argument: str) -> int:
    """An upstream integer id given as text."""
    if not value.isascii() or not value.isdigit() or len(value) > MAX_DIGITS:
        raise _bad(argument, value, "is not a positive integer id")
    return int(value)


def decode(value: str, argument: str) -> GlobalId:
    """A global id this API returned; BAD_REQUEST naming ``argument`` for anything else."""
    if len(value) > MAX_GLOBAL_ID_CHARS:
        raise _bad(argument, value, "is too long for a global id")
    try:
        text = base64.b64decode(value.encode("ascii"), validate=True).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        raise _bad(argument, value, "is neither an upstream integer id nor a global id this API returned") from None
    type_name, _, rest = text.partition(":")
    parts = rest.split(":")
    if type_name not in KEY_PARTS:
        raise _bad(argument, value, "is not the global id of anything this API serves")
    if len(parts) != KEY_PARTS[type_name] or not all(p.isdigit() and len(p) <= MAX_DIGITS for p in parts):
        raise _bad(argument, value, f"is not a well-formed global id of a {type_name}")
    found = GlobalId(type_name, tuple(int(p) for p in parts))
    if encode(type_name, *found.key) != value:  # one text per id: no leading zeros, no stray padding
        raise _bad(argument, value, "is not a global id in its canonical form")
    return found


def upstream_id(value: str, argument: str, kind: str, org: int | None = None) -> int:
    """The upstream integer a lookup argument names: the integer itself, or a global id of a ``kind``.

    A global id of another type is refused, and so is one of another org than the ``org`` in scope
    (reading it there would ask the wrong URL; the caller passes orgId instead).
    """
    if value.isdigit():
        return parse_upstream_id(value, argument)
    found = decode(value, argument)
    if found.type_name != kind:
        raise _bad(argument, value, f"is the global id of a {found.type_name}, not of a {kind}")
    if org is not None and kind not in UNSCOPED and found.org != org:
        raise _bad(argument, value, f"belongs to org {found.org}, not to org {org}: pass orgId: {found.org}")
    return found.database_id


def org_of(value: str | None) -> int | None:
    """The org a global id of an org-scoped node names (what a mutation defaults its org to); else None."""
    if value is None or value.isdigit():
        return None
    try:
        found = decode(value, "id")
    except BadRequestError:
        return None  # the argument's own parse reports it, naming the argument
    return found.org if found.type_name not in UNSCOPED else None
