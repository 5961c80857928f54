"""Systems (the systems list, or the entries inlined in project detail) and system details."""

# Deliberate repetition (`duplicates` lists it): the field declarations share their shape with Project's
# (project_record.py), one `record_field` a line; each upstream record keeps its own list.

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.errors import BadRequestError
from gateway.system_images import MAX_IMAGE_SIDE_PX, image_path
from gateway.upstream.opensolar.models import (
    Adder as AdderRecord,
)
from gateway.upstream.opensolar.models import (
    Component as ComponentRecord,
)
from gateway.upstream.opensolar.models import (
    ProjectSystemEntry,
    SystemDetailsRecord,
    SystemRecord,
    id_from_url,
)
from schema.info import Info
from schema.loaders import SystemDetailsKey
from schema.opensolar.backlinks import project_of
from schema.opensolar.fields import record_field
from schema.raw import raw_field
from schema.relay.node import Node
from schema.scalars import JSON, json_value

if TYPE_CHECKING:
    from schema.opensolar.projects import Project

__all__ = ["Adder", "Component", "ModuleGroup", "System", "SystemDetails", "SystemIncentive", "detail_parts"]

MAX_PARTS = 20


def detail_parts(values: list[str] | None, name: str) -> tuple[str, ...]:
    """The includeParts/excludeParts argument of systemDetails, checked and sorted (one cache key per set)."""
    parts = tuple(sorted({v.strip() for v in values or [] if v.strip()}))
    if len(parts) > MAX_PARTS or any(not p.replace("_", "").isalnum() for p in parts):
        raise BadRequestError(f"'{name}' takes up to {MAX_PARTS} part names such as 'mcs'.", argument=name)
    return parts


@strawberry.type(description="Where to fetch a system's image from this gateway.")
class SystemImage:
    url: str = strawberry.field(description="A path on this gateway (GET, same credential); answers image/jpeg.")
    width: int = strawberry.field(description="Width in pixels.")
    height: int = strawberry.field(description="Height in pixels.")


@strawberry.type(description="A module, inverter, battery or other component and its quantity.")
class Component:
    manufacturer_name: str | None
    code: str | None
    quantity: float | None

    @classmethod
    def many(cls, records: list[ComponentRecord]) -> list[Component]:
        return [cls(manufacturer_name=r.manufacturer_name, code=r.code, quantity=r.quantity) for r in records]


@strawberry.type
class Adder:
    label: str | None
    total_value: float | None
    total_cost: float | None
    show_customer: bool | None
    quantity: float | None

    @classmethod
    def many(cls, records: list[AdderRecord]) -> list[Adder]:
        return [
            cls(
                label=r.label,
                total_value=r.total_value,
                total_cost=r.total_cost,
                show_customer=r.show_customer,
                quantity=r.quantity,
            )
            for r in records
        ]


@strawberry.type(description="A group of modules sharing an orientation.")
class ModuleGroup:
    module_quantity: int | None
    azimuth: float | None
    slope: float | None
    layout: str | None


@strawberry.type
class SystemIncentive:
    title: str | None
    value: float | None
    paid_to_customer: bool | None


@strawberry.type(description="One system's details from /projects/:id/systems/details/.")
class SystemDetails:
    record: strawberry.Private[SystemDetailsRecord]

    @strawberry.field
    def id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.record.id)) if self.record.id is not None else None

    raw = raw_field()

    @strawberry.field
    def uuid(self) -> str | None:
        return self.record.uuid

    @strawberry.field
    def name(self) -> str | None:
        return self.record.name

    @strawberry.field
    def kw_stc(self) -> float | None:
        return self.record.kw_stc

    @strawberry.field
    def total_module_quantity(self) -> int | None:
        return self.record.total_module_quantity

    @strawberry.field
    def modules(self) -> list[Component] | None:
        return Component.many(self.record.modules)

    @strawberry.field
    def inverters(self) -> list[Component] | None:
        return Component.many(self.record.inverters)

    @strawberry.field
    def batteries(self) -> list[Component] | None:
        return Component.many(self.record.batteries)

    @strawberry.field
    def other_components(self) -> list[Component] | None:
        return Component.many(self.record.other_components)

    @strawberry.field
    def adders(self) -> list[Adder] | None:
        return Adder.many(self.record.adders)

    @strawberry.field
    def module_groups(self) -> list[ModuleGroup] | None:
        return [
            ModuleGroup(module_quantity=g.module_quantity, azimuth=g.azimuth, slope=g.slope, layout=g.layout)
            for g in self.record.module_groups
        ]

    @strawberry.field
    def incentives(self) -> list[SystemIncentive] | None:
        return [
            SystemIncentive(title=i.title, value=i.value, paid_to_customer=i.paid_to_customer)
            for i in self.record.incentives
        ]

    @strawberry.field(description="Parts chosen with includeParts/excludeParts (e.g. data.mcs).")
    def data(self) -> JSON | None:
        return json_value(self.record.data)

    @strawberry.field(
        description="Integration data; OpenSolar sends it only on the Raw Data plan (see customDataIncluded)."
    )
    def custom_data(self) -> JSON | None:
        return json_value(self.record.custom_data)

    @strawberry.field(description="False when OpenSolar omitted custom_data (API Access plan).")
    def custom_data_included(self) -> bool:
        return self.record.has("custom_data")


@strawberry.type(description="A solar system of a project.")
class System(Node):
    org_id: strawberry.Private[int]
    project_id: strawberry.Private[int | None]
    record: strawberry.Private[SystemRecord | ProjectSystemEntry]

    async def load_full(self, info: Info) -> SystemRecord:
        project_id = self._project_id()
        if project_id is not None:
            rows = await info.context.loaders.project_systems.load((self.org_id, project_id))
            found = next((row for row in rows if row.id == self.record.id), None)
            if found is not None:
                return found
        return await info.context.loaders.system.load((self.org_id, self.record.id))

    def _project_id(self) -> int | None:
        if self.project_id is not None:
            return self.project_id
        return id_from_url(self.record.project) if isinstance(self.record, SystemRecord) else None

    async def _resolved_project_id(self, info: Info) -> int | None:
        known = self._project_id()
        return known if known is not None else id_from_url((await self.load_full(info)).project)

    def node_key(self) -> tuple[int, ...]:
        return (self.org_id, self.record.id)

    raw = raw_field()

    uuid = record_field("uuid", str | None)
    name = record_field("name", str | None)
    order = record_field("order", int | None)
    kw_stc = record_field("kw_stc", float | None)
    module_quantity = record_field("module_quantity", int | None)
    battery_total_kwh = record_field("battery_total_kwh", float | None)
    price_including_tax = record_field("price_including_tax", float | None)
    price_excluding_tax = record_field("price_excluding_tax", float | None)
    net_profit = record_field("net_profit", float | None)
    output_annual_kwh = record_field("output_annual_kwh", float | None)
    consumption_offset_percentage = record_field("consumption_offset_percentage", float | None)
    co2_tons_lifetime = record_field("co2_tons_lifetime", float | None)
    system_lifetime = record_field("system_lifetime", int | None)
    discount = record_field("discount", float | None)
    show_customer = record_field("show_customer", bool | None)
    is_current = record_field("is_current", bool | None)
    dc_optimizer_active = record_field("dc_optimizer_active", bool | None)
    modules = record_field("modules", list[Component] | None, convert=Component.many)
    inverters = record_field("inverters", list[Component] | None, convert=Component.many)
    batteries = record_field("batteries", list[Component] | None, convert=Component.many)
    others = record_field("others", list[Component] | None, convert=Component.many)

    @strawberry.field
    async def project(self, info: Info) -> Annotated[Project, strawberry.lazy("schema.opensolar.projects")] | None:
        project_id = await self._resolved_project_id(info)
        return project_of(self.org_id, project_id) if project_id is not None else None

    @strawberry.field(
        description="The system's rendered image (JPEG), as a path on this gateway that streams it from OpenSolar "
        "under the caller's own credential (send the same Authorization header). Fetching it costs one upstream "
        "call, throttled at 10/min per user; it is never cached. This field itself makes no call unless the "
        "system's project or UUID is unknown."
    )
    async def image(
        self,
        info: Info,
        width: Annotated[int, strawberry.argument(description=f"Width in pixels, 1 to {MAX_IMAGE_SIDE_PX}.")] = 800,
        height: Annotated[int, strawberry.argument(description=f"Height in pixels, 1 to {MAX_IMAGE_SIDE_PX}.")] = 600,
    ) -> SystemImage | None:
        for name, value in (("width", width), ("height", height)):
            if not 1 <= value <= MAX_IMAGE_SIDE_PX:
                raise BadRequestError(f"{name} must be from 1 to {MAX_IMAGE_SIDE_PX}.", argument=name)
        project_id = await self._resolved_project_id(info)
        uuid = self.record.uuid if self.record.has("uuid") else (await self.load_full(info)).uuid
        if project_id is None or not uuid:
            return None
        return SystemImage(url=image_path(self.org_id, project_id, uuid, width, height), width=width, height=height)

    @strawberry.field(description="This system's entry in its project's system details.")
    async def details(self, info: Info) -> SystemDetails | None:
        project_id = await self._resolved_project_id(info)
        if project_id is None:
            return None
        rows = await info.context.loaders.system_details.load(SystemDetailsKey(self.org_id, project_id))
        uuid = self.record.uuid
        match = next((r for r in rows if r.id == self.record.id or (uuid and r.uuid == uuid)), None)
        return SystemDetails(record=match) if match else None
