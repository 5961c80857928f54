"""Reading a decoded design: the scene graph's systems, module groups and panels, and per-system finance.

The scene is a three.js-style tree under ``object``: ``OsSystem`` nodes (one per system) hold
``OsModuleGrid`` nodes (module groups, with ``userData.azimuth``/``slope``) that hold one ``OsModule``
per panel. A top-level ``systems`` array, when present, carries per-system pricing and payment data.
Everything is read defensively: a missing or oddly typed value reads as None, never as an error.

``summarize`` reads the whole tree in one pass (the panels are most of a big design: 27,000 of them
in one 4 MB scene), so it runs where the design is decoded, off the event loop, once per decode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SceneGroup",
    "SceneInverter",
    "SceneSummary",
    "SceneSystem",
    "number",
    "summarize",
    "text",
]

# Nodes deeper than this under the scene root are not read: hostile nesting costs nothing.
MAX_SCENE_DEPTH = 64


def number(value: Any) -> float | None:
    # orjson refuses NaN and Infinity and reads integers past 64 bits as floats: every number is finite
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass(frozen=True, slots=True)
class SceneGroup:
    uuid: str | None
    azimuth: float | None
    slope: float | None
    module_count: int


@dataclass(frozen=True, slots=True)
class SceneInverter:
    manufacturer_name: str | None
    code: str | None
    quantity: float | None
    max_power_rating_kw: float | None


@dataclass(frozen=True, slots=True)
class SceneSystem:
    uuid: str | None
    kw_stc: float | None
    module_quantity: float | None
    panel_count: int
    annual_output_kwh: float | None
    monthly_output_kwh: list[float] | None
    groups: list[SceneGroup]
    inverters: list[SceneInverter]
    finance: dict[str, Any]

    @property
    def ac_watts(self) -> float | None:
        """AC size from inverter ratings, when every inverter states one."""
        if not self.inverters or any(i.max_power_rating_kw is None or i.quantity is None for i in self.inverters):
            return None
        return sum((i.max_power_rating_kw or 0) * (i.quantity or 0) for i in self.inverters) * 1000


@dataclass(frozen=True, slots=True)
class SceneSummary:
    """What the typed design fields read: origin, systems and the scene's panel count."""

    origin: tuple[float, float] | None
    systems: list[SceneSystem]
    panel_count: int


@dataclass(slots=True)
class _Found:
    """Systems and grids in pre-order: (node, OsModules under it, and for a system its grids' span)."""

    systems: list[tuple[dict[str, Any], int, int, int]] = field(default_factory=list)
    grids: list[tuple[dict[str, Any], int]] = field(default_factory=list)


def _visit(node: dict[str, Any], depth: int, found: _Found) -> int:
    """OsModule nodes in ``node``'s subtree, recording systems and grids on the way."""
    kind = node.get("type")
    slot, first = len(found.systems if kind == "OsSystem" else found.grids), len(found.grids)
    if kind == "OsSystem":
        found.systems.append((node, 0, 0, 0))
    elif kind == "OsModuleGrid":
        found.grids.append((node, 0))
    count = 1 if kind == "OsModule" else 0
    children = node.get("children")
    if depth < MAX_SCENE_DEPTH and isinstance(children, list):
        for child in children:
            if not isinstance(child, dict):
                continue
            if "children" not in child and child.get("type") == "OsModule":
                count += 1  # a panel: the leaf that makes up most of a big scene
            else:
                count += _visit(child, depth + 1, found)
    if kind == "OsSystem":
        found.systems[slot] = (node, count, first, len(found.grids))
    elif kind == "OsModuleGrid":
        found.grids[slot] = (node, count)
    return count


def _origin(document: dict[str, Any]) -> tuple[float, float] | None:
    """(lat, lon) from ``sceneOrigin4326``, which OpenSolar stores as [lon, lat]."""
    origin = _list(_dict(_dict(document.get("object")).get("userData")).get("sceneOrigin4326"))
    if len(origin) == 2 and (lon := number(origin[0])) is not None and (lat := number(origin[1])) is not None:
        return lat, lon
    return None


def _inverter(raw: Any) -> SceneInverter:
    item = _dict(raw)
    return SceneInverter(
        text(item.get("manufacturer_name")),
        text(item.get("code")),
        number(item.get("quantity")),
        number(item.get("max_power_rating")),
    )


def _group(node: dict[str, Any], count: int) -> SceneGroup:
    data = _dict(node.get("userData"))
    return SceneGroup(text(node.get("uuid")), number(data.get("azimuth")), number(data.get("slope")), count)


def _system(entry: tuple[dict[str, Any], int, int, int], found: _Found, finance: dict[str, Any]) -> SceneSystem:
    node, count, first, last = entry
    data = _dict(node.get("userData"))
    output = _dict(data.get("output"))
    monthly = [number(v) for v in _list(output.get("monthly"))]
    uuid = text(node.get("uuid"))
    return SceneSystem(
        uuid=uuid,
        kw_stc=number(data.get("kwStc")),
        module_quantity=number(data.get("moduleQuantity")),
        panel_count=count,
        annual_output_kwh=number(output.get("annual")),
        monthly_output_kwh=[m for m in monthly if m is not None] if monthly and None not in monthly else None,
        groups=[_group(node, n) for node, n in found.grids[first:last]],
        inverters=[_inverter(i) for i in _list(data.get("inverters"))],
        finance=finance.get(uuid, {}) if uuid is not None else {},
    )


def summarize(document: dict[str, Any]) -> SceneSummary:
    found = _Found()
    root = document.get("object")
    panels = _visit(root, 0, found) if isinstance(root, dict) else 0
    finance = {s["uuid"]: s for s in _list(document.get("systems")) if isinstance(s, dict) and text(s.get("uuid"))}
    systems = [_system(entry, found, finance) for entry in found.systems]
    return SceneSummary(_origin(document), systems, panels)
