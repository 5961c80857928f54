"""Reading a decoded design: the scene graph's systems, module groups and panels, and per-system finance.

The scene is a three.js-style tree under ``object``: ``OsSystem`` nodes (one per system) hold
``OsModuleGrid`` nodes (module groups, with ``userData.azimuth``/``slope``) that hold one ``OsModule``
per panel. A top-level ``systems`` array, when present, carries per-system pricing and payment data.
Everything is read defensively: a missing or oddly typed value reads as None, never as an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = [
    "SceneGroup",
    "SceneInverter",
    "SceneSystem",
    "count_panels",
    "number",
    "scene_origin",
    "scene_systems",
]


def number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def walk(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every node of the tree, depth-first; bounded depth guards against hostile nesting."""
    if not isinstance(node, dict) or depth > 64:
        return
    yield node
    for child in _list(node.get("children")):
        yield from walk(child, depth + 1)


def count_panels(node: Any) -> int:
    return sum(1 for n in walk(node) if n.get("type") == "OsModule")


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


def scene_origin(document: dict[str, Any]) -> tuple[float, float] | None:
    """(lat, lon) from ``sceneOrigin4326``, which OpenSolar stores as [lon, lat]."""
    origin = _list(_dict(_dict(document.get("object")).get("userData")).get("sceneOrigin4326"))
    if len(origin) == 2 and (lon := number(origin[0])) is not None and (lat := number(origin[1])) is not None:
        return lat, lon
    return None


def _inverter(raw: Any) -> SceneInverter:
    item = _dict(raw)
    return SceneInverter(
        item.get("manufacturer_name"),
        item.get("code"),
        number(item.get("quantity")),
        number(item.get("max_power_rating")),
    )


def scene_systems(document: dict[str, Any]) -> list[SceneSystem]:
    finance = {_dict(s).get("uuid"): _dict(s) for s in _list(document.get("systems"))}
    systems = []
    for node in walk(document.get("object")):
        if node.get("type") != "OsSystem":
            continue
        data = _dict(node.get("userData"))
        output = _dict(data.get("output"))
        monthly = [number(v) for v in _list(output.get("monthly"))]
        groups = [
            SceneGroup(
                g.get("uuid"),
                number(_dict(g.get("userData")).get("azimuth")),
                number(_dict(g.get("userData")).get("slope")),
                count_panels(g),
            )
            for g in walk(node)
            if g.get("type") == "OsModuleGrid"
        ]
        systems.append(
            SceneSystem(
                uuid=node.get("uuid") if isinstance(node.get("uuid"), str) else None,
                kw_stc=number(data.get("kwStc")),
                module_quantity=number(data.get("moduleQuantity")),
                panel_count=count_panels(node),
                annual_output_kwh=number(output.get("annual")),
                monthly_output_kwh=[m for m in monthly if m is not None] if monthly and None not in monthly else None,
                groups=groups,
                inverters=[_inverter(i) for i in _list(data.get("inverters"))],
                finance=finance.get(node.get("uuid"), {}),
            )
        )
    return systems
