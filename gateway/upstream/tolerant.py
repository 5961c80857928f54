"""Tolerant reading of upstream records: a value of a foreign shape costs that one field, never the record.

The fast path is pydantic's strict validation, unchanged. Only when it fails does :func:`read` drop each
offending key (the deepest one that removes the error; a broken required key drops its parent's key),
validate again, and mark the dropped fields on the record, or on the nested record, that owned them. A
marked field is missing from the record's ``__dict__``, so reading it falls through to ``__getattr__``,
which raises :class:`ShapeError` (``UPSTREAM_BAD_RESPONSE``): every GraphQL field that reads it errors at
its own path and every other field keeps its value. The mark costs nothing on the fast path.

Every record also keeps the object it was read from, as the upstream sent it (:func:`raw_of`), so fields
the graph has not typed yet stay reachable (``raw(path:)``).
"""

from __future__ import annotations

import copy
import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from gateway.errors import UpstreamBadResponse

__all__ = [
    "MAX_REPAIRS",
    "ShapeError",
    "attach_raw",
    "damage_of",
    "field_error",
    "list_of",
    "one_of",
    "parse_model",
    "raw_of",
    "read",
    "replace_raw",
]

M = TypeVar("M", bound=BaseModel)
MAX_REPAIRS = 64  # rounds of validate-and-drop; each drops at least one key, so a record converges long before
_DAMAGE = "damage"
_RAW = "raw"
Path = tuple[str | int, ...]


class ShapeError(UpstreamBadResponse):
    """An upstream value whose shape the gateway cannot read; only the fields reading it are lost."""


def read(model: type[M], payload: Any) -> M:
    """``payload`` as ``model``; raises the ``ValidationError`` only when no field-by-field reading exists."""
    try:
        record = model.model_validate(payload)
    except ValidationError as exc:
        if not isinstance(payload, dict):
            raise
        return _repaired(model, payload, exc)
    attach_raw(record, payload)
    return record


def _repaired(model: type[M], payload: dict[str, Any], error: ValidationError) -> M:
    work = copy.deepcopy(payload)
    dropped: dict[Path, str] = {}
    for _ in range(MAX_REPAIRS):
        cuts = {_cut(work, detail["loc"], missing=detail["type"] == "missing") for detail in error.errors()}
        if None in cuts:
            raise error
        progressed = False
        for cut in sorted((c for c in cuts if c is not None), key=len, reverse=True):  # nested before parents
            shape = _shape(_at(work, cut))
            if _drop(work, cut):
                dropped.setdefault(cut, shape)
                progressed = True
        if not progressed:
            raise error
        try:
            record = model.model_validate(work)
        except ValidationError as exc:
            error = exc
            continue
        attach_raw(record, payload)
        for cut, shape in dropped.items():
            _mark(record, cut, shape)
        return record
    raise error


def _cut(work: Any, loc: tuple[str | int, ...], *, missing: bool) -> Path | None:
    """The key to drop for one error: the deepest object key on the error's path that the payload has.

    A missing required key (or one whose value was dropped before) cannot be dropped itself, so its
    parent object's key goes instead; None when that would be the record itself.
    """
    walked: list[str | int] = []
    node = work
    for part in loc:
        if not _holds(node, part):
            break
        node = node[part]
        walked.append(part)
    if missing and len(walked) == len(loc):
        walked.pop()  # a key reported missing that is there (null where a value is required): drop its object
    keys = [i for i, part in enumerate(walked) if isinstance(part, str)]
    return tuple(walked[: keys[-1] + 1]) if keys else None


def _holds(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return isinstance(part, str) and part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _at(work: Any, path: Path) -> Any:
    node = work
    for part in path:
        node = node[part]
    return node


def _drop(work: Any, path: Path) -> bool:
    parent = _at(work, path[:-1])
    if isinstance(parent, dict) and path[-1] in parent:
        del parent[path[-1]]
        return True
    return False


def _shape(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "object"


def _field_names(model: type[BaseModel]) -> dict[str, str]:
    return {(info.alias or name): name for name, info in model.model_fields.items()}


def _mark(record: BaseModel, cut: Path, shape: str) -> None:
    node: Any = record
    for part in cut[:-1]:
        if isinstance(node, BaseModel) and isinstance(part, str):
            node = getattr(node, _field_names(type(node)).get(part, part), None)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return
    if not isinstance(node, BaseModel) or not isinstance(cut[-1], str):
        return
    name = _field_names(type(node)).get(cut[-1])
    if name is None:
        return
    private = node.__pydantic_private__ or {}
    damage = {**private.get(_DAMAGE, {}), name: shape}
    # records are frozen and declare no private attributes (they would slow every validation down):
    # the mark goes where pydantic keeps private state, set only on this failure path
    object.__setattr__(node, "__pydantic_private__", {**private, _DAMAGE: damage})
    node.__dict__.pop(name, None)
    node.__pydantic_fields_set__.add(name)  # the key was sent: never fetch a "missing" field elsewhere


@functools.cache
def _nested(model: type[BaseModel]) -> tuple[tuple[str, str, bool], ...]:
    """(field, key, is_list) of each field of ``model`` that holds records."""
    found = []
    for name, info in model.model_fields.items():
        kind = _record_kind(info.annotation)
        if kind is not None:
            found.append((name, info.alias or name, kind))
    return tuple(found)


def _record_kind(annotation: Any) -> bool | None:
    """False for a record, True for a list of records, None for anything else."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return False
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is list and args:
        return True if _record_kind(args[0]) is False else None
    if origin in (typing.Union, types.UnionType):
        kinds = {_record_kind(arg) for arg in args if arg is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    return None


def attach_raw(record: BaseModel, payload: Any) -> None:
    """Remember ``payload`` as the object ``record`` (and each record nested in it) was read from."""
    # on every read's fast path: no isinstance checks where validation already fixed the types
    object.__setattr__(record, "__pydantic_private__", {_RAW: payload})
    nested = _nested(type(record))
    if not nested or type(payload) is not dict:
        return
    fields = record.__dict__
    for name, key, is_list in nested:
        sent = payload.get(key)
        value = fields.get(name)  # absent when the field was dropped for its shape
        if sent is None or value is None:
            continue
        if not is_list:
            attach_raw(value, sent)
        elif type(sent) is list:
            for item, item_sent in zip(value, sent, strict=False):
                attach_raw(item, item_sent)


def replace_raw(record: BaseModel, payload: Any) -> None:
    """Make ``payload`` the object ``record`` was read from (records nested in it keep theirs)."""
    object.__setattr__(record, "__pydantic_private__", {**(record.__pydantic_private__ or {}), _RAW: payload})


def raw_of(record: BaseModel) -> Any:
    """The object ``record`` was read from, as the upstream sent it (None for records the gateway made)."""
    private = record.__pydantic_private__
    return private.get(_RAW) if private else None


def damage_of(record: BaseModel) -> Mapping[str, str]:
    """Fields of ``record`` dropped for their shape, each with the JSON type that arrived."""
    private = record.__pydantic_private__
    return private.get(_DAMAGE, {}) if private else {}


def field_error(record: BaseModel, name: str, upstream: str) -> ShapeError | None:
    """The error a read of a dropped field raises (None when ``name`` was not dropped)."""
    shape = damage_of(record).get(name)
    if shape is None:
        return None
    model = type(record)
    info = model.model_fields.get(name)
    key = (info.alias if info is not None else None) or name
    where = f"{model.__name__.removesuffix('Record')}.{key}"
    return ShapeError(
        f"{upstream}: {where} was sent in a shape the gateway cannot read ({shape}); only fields reading it are null.",
        upstream=upstream,
        field=where,
    )


@functools.cache
def one_of(model: type[M], upstream: str) -> Callable[[Any], M]:
    """The decoder of a JSON object into ``model``; one function object per model, so decoded reads can be reused."""

    def decode(payload: Any) -> M:
        return parse_model(model, payload, upstream)

    return decode


@functools.cache
def list_of(model: type[M], upstream: str) -> Callable[[Any], list[M]]:
    """The decoder of a JSON array of ``model`` objects (one function object per model)."""

    def decode(payload: Any) -> list[M]:
        if not isinstance(payload, list):
            raise UpstreamBadResponse(f"{upstream}: expected a JSON array of {model.__name__}.", upstream=upstream)
        return [parse_model(model, item, upstream) for item in payload]

    return decode


def parse_model(model: type[M], payload: Any, upstream: str) -> M:
    """``payload`` as ``model``; a field of a foreign shape costs only that field (``gateway.upstream.tolerant``)."""
    try:
        return read(model, payload)
    except ValidationError as exc:
        where = ".".join(str(p) for p in exc.errors()[0]["loc"]) if exc.errors() else "?"
        raise UpstreamBadResponse(
            f"{upstream}: unexpected {model.__name__} shape at '{where}'.", upstream=upstream
        ) from None
