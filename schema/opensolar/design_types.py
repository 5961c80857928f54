"""The decoded design as GraphQL types: typed summary fields, plus JSON for any sub-tree."""

from __future__ import annotations

import asyncio

import strawberry

from gateway.upstream.opensolar.design_codec import DesignDocument, json_for_response
from gateway.upstream.opensolar.scene import SceneGroup, SceneInverter, SceneSystem, number, text
from schema.context import Context
from schema.scalars import JSON, json_value

__all__ = ["Design", "DesignSystem", "decode_once"]


async def decode_once(context: Context, project_id: int, encoded: str) -> DesignDocument:
    """Decode a project's design at most once per request, however many fields select it."""
    task = context.designs.get(project_id)
    if task is None:
        task = asyncio.ensure_future(context.design_codec.decode(encoded))
        context.designs[project_id] = task
    return await task


@strawberry.type
class GeoPoint:
    lat: float
    lon: float


@strawberry.type
class DesignModuleGroup:
    """One ``SceneGroup`` record (the upstream package's), as the graph shows it."""

    group: strawberry.Private[SceneGroup]

    @strawberry.field
    def uuid(self) -> str | None:
        return self.group.uuid

    @strawberry.field
    def azimuth(self) -> float | None:
        return self.group.azimuth

    @strawberry.field
    def slope(self) -> float | None:
        return self.group.slope

    @strawberry.field
    def module_count(self) -> int:
        return self.group.module_count


@strawberry.type
class DesignInverter:
    """One ``SceneInverter`` record (the upstream package's), as the graph shows it."""

    inverter: strawberry.Private[SceneInverter]

    @strawberry.field
    def manufacturer_name(self) -> str | None:
        return self.inverter.manufacturer_name

    @strawberry.field
    def code(self) -> str | None:
        return self.inverter.code

    @strawberry.field
    def quantity(self) -> float | None:
        return self.inverter.quantity

    @strawberry.field
    def max_power_rating_kw(self) -> float | None:
        return self.inverter.max_power_rating_kw


@strawberry.type
class DesignPaymentOption:
    title: str | None
    payment_type: str | None
    payback_years: float | None
    net_present_value: float | None
    internal_rate_of_return: float | None


@strawberry.type(description="One OsSystem of the scene, with its per-system pricing where the design has it.")
class DesignSystem:
    scene: strawberry.Private[SceneSystem]

    @strawberry.field
    def uuid(self) -> str | None:
        return self.scene.uuid

    @strawberry.field
    def kw_stc(self) -> float | None:
        return self.scene.kw_stc

    @strawberry.field(description="moduleQuantity as the system states it.")
    def module_quantity(self) -> float | None:
        return self.scene.module_quantity

    @strawberry.field(description="OsModule nodes counted in the scene.")
    def panel_count(self) -> int:
        return self.scene.panel_count

    @strawberry.field
    def annual_output_kwh(self) -> float | None:
        return self.scene.annual_output_kwh

    @strawberry.field
    def monthly_output_kwh(self) -> list[float] | None:
        return self.scene.monthly_output_kwh

    @strawberry.field
    def module_groups(self) -> list[DesignModuleGroup]:
        return [DesignModuleGroup(group=g) for g in self.scene.groups]

    @strawberry.field
    def inverters(self) -> list[DesignInverter]:
        return [DesignInverter(inverter=i) for i in self.scene.inverters]

    @strawberry.field(description="AC size in W from the inverters' ratings, when every inverter states one.")
    def ac_watts(self) -> float | None:
        return self.scene.ac_watts

    @strawberry.field
    def price_including_tax(self) -> float | None:
        return number(self.scene.finance.get("system_price_including_tax"))

    @strawberry.field(description="The design's pricing object (margin, discount, tax, line items, ...).")
    def pricing(self) -> JSON | None:
        return json_value(self.scene.finance.get("pricing"))

    @strawberry.field
    def incentive_to_customer_total(self) -> float | None:
        value = self.scene.finance.get("incentive_to_customer")
        return number(value.get("total")) if isinstance(value, dict) else None

    @strawberry.field
    def payment_options(self) -> list[DesignPaymentOption]:
        options = self.scene.finance.get("payment_options")
        return (
            [
                DesignPaymentOption(
                    title=text(o.get("title")),
                    payment_type=text(o.get("payment_type")),
                    payback_years=number(o.get("payback_year")),
                    net_present_value=number(o.get("net_present_value")),
                    internal_rate_of_return=number(o.get("internal_rate_of_return")),
                )
                for o in options
                if isinstance(o, dict)
            ]
            if isinstance(options, list)
            else []
        )


@strawberry.type(description="A project's decoded design (gzip + base64 scene graph).")
class Design:
    document: strawberry.Private[DesignDocument]

    @strawberry.field(description="WGS84 origin of the local scene (sceneOrigin4326).")
    def scene_origin(self) -> GeoPoint | None:
        origin = self.document.scene.origin
        return GeoPoint(lat=origin[0], lon=origin[1]) if origin else None

    @strawberry.field
    def systems(self) -> list[DesignSystem]:
        return [DesignSystem(scene=s) for s in self.document.scene.systems]

    @strawberry.field(description="OsModule nodes in the whole scene.")
    def total_panel_count(self) -> int:
        return self.document.scene.panel_count

    @strawberry.field
    def compressed_bytes(self) -> int:
        return self.document.compressed_bytes

    @strawberry.field
    def decompressed_bytes(self) -> int:
        return self.document.decompressed_bytes

    @strawberry.field(
        description="A sub-tree by dotted path (systems.0.pricing) or JSON Pointer "
        "(/object/userData); the whole document when path is omitted; null when absent. DESIGN_CORRUPT when "
        "the sub-tree nests deeper than a response can carry (about 220 levels)."
    )
    def json(self, path: str | None = None) -> JSON | None:
        return json_value(json_for_response(self.document.document, path))
