"""Shape fuzzing: hypothesis mutates the sandbox's answers; a mutation damages at most the fields that read it.

Each scenario names an upstream answer, the object in it to mutate, a query, and which part of the answer
reads each of the object's keys. One mutation (drop a key, null it, change its type, wrap it in a list, add
keys) at any depth under one key may change only the parts that read that key, with every error there; the
rest of the answer must equal the unmutated one, and nothing is ever a 500.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.sandbox import SandboxConfig, SandboxState
from tests.conftest import Gateway, running_gateway, sandbox_settings

pytestmark = pytest.mark.integration

Path = tuple[str | int, ...]
EXAMPLES = 30  # per scenario: bounded, so it runs in CI in seconds
OTHER_TYPES: tuple[Any, ...] = (0, 1.5, "text", True, [], {}, ["a", 1], {"k": "v"})


@dataclass(frozen=True)
class Scenario:
    route: str
    query: str
    base: Path  # where in the GraphQL answer the mutated object is read
    target: Callable[[Any], Any]  # the mutated object, inside the upstream answer
    readers: dict[str, tuple[Path, ...]]  # upstream key -> answer paths (under base) that read it
    whole: tuple[str, ...] = ()  # keys without which the object is not read at all (its id)
    extra: dict[str, Any] = field(default_factory=dict)


def _same(*names: str) -> dict[str, tuple[Path, ...]]:
    return {name: ((name,),) for name in names}


SCENARIOS = {
    "project_detail": Scenario(
        route="opensolar.project_detail",
        query="""{ org { project(id: "3001") { id title address locality state zip county lat lon timezoneOffset
            isResidential priority usage usageAnnualKwh customData createdDate soldDate
            contacts { id email display } systems { id kwStc moduleQuantity } privateFiles { id title }
            workflow { workflowId activeStageId } assignedRole { id name email } } } }""",
        base=("org", "project"),
        target=lambda payload: payload,
        readers={
            **_same("title", "address", "locality", "state", "zip", "county", "lat", "lon", "priority", "usage"),
            "timezone_offset": (("timezoneOffset",),),
            "is_residential": (("isResidential",),),
            "usage_annual_or_guess": (("usageAnnualKwh",),),
            "custom_data": (("customData",),),
            "created_date": (("createdDate",),),
            "sold_date": (("soldDate",),),
            "contacts_data": (("contacts",),),
            "systems": (("systems",),),
            "private_files_data": (("privateFiles",),),
            "workflow": (("workflow",),),
            "assigned_role_id": (("assignedRole",),),
            "assigned_role_name": (("assignedRole",),),
            "assigned_role_email": (("assignedRole",),),
            "assigned_role_phone": (("assignedRole",),),
        },
        whole=("id",),
    ),
    "proposal": Scenario(
        route="opensolar.proposal",
        query="""{ org { project(id: "3001") { proposal { systems { uuid title hasBattery batteryTotalKwh kwStc
            outputAnnualKwh paybackYears netPresentValue irrPercent returnOnInvestmentPercent outputMonthlyKwh
            moduleCodes inverterCodes batteryCodes data } } } } }""",
        base=("org", "project", "proposal", "systems", 0),
        target=lambda payload: payload[0]["projects"][0]["proposal_data"]["systems"][0],
        readers={
            **_same("uuid", "title", "moduleCodes", "inverterCodes", "batteryCodes", "data"),
            "has_battery": (("hasBattery",),),
            "battery_total_kwh": (("batteryTotalKwh",),),
            "systemKwStc": (("kwStc",),),
            "systemOutputAnnualkWh": (("outputAnnualKwh",),),
            "systemPaybackYear": (("paybackYears",),),
            "systemNetPresentValue": (("netPresentValue",),),
            "systemIrr": (("irrPercent",),),
            "systemReturnOnInvestment": (("returnOnInvestmentPercent",),),
            "output_monthly_json": (("outputMonthlyKwh",),),
        },
    ),
    "projects_list": Scenario(
        route="opensolar.projects",
        query="{ org { projects(first: 3) { nodes { id title zip state contacts { id email } } } } }",
        base=("org", "projects", "nodes", 1),
        target=lambda payload: payload[1],
        readers={**_same("title", "zip", "state"), "contacts_data": (("contacts",),)},
        whole=("id",),
        extra={"whole": ("org", "projects")},  # a row without its id spoils the page that holds it
    ),
    "system_details": Scenario(
        route="opensolar.system_details",
        query="""{ org { project(id: "3001") { systemDetails { id uuid name kwStc totalModuleQuantity
            modules { code quantity } moduleGroups { azimuth slope layout } adders { label totalValue }
            incentives { title value } data customData customDataIncluded } } } }""",
        base=("org", "project", "systemDetails", 0),
        target=lambda payload: payload["systems"][0],
        readers={
            **_same("id", "uuid", "name", "modules", "adders", "incentives", "data"),
            "kw_stc": (("kwStc",),),
            "total_module_quantity": (("totalModuleQuantity",),),
            "module_groups": (("moduleGroups",),),
            "custom_data": (("customData",), ("customDataIncluded",)),
        },
    ),
    "contact": Scenario(
        route="opensolar.contact",
        query="""{ org { contact(id: "5001") { id firstName familyName display email phone dateOfBirth gender genderRaw
            type typeRaw identifier passportNumber projects { id } } } }""",
        base=("org", "contact"),
        target=lambda payload: payload,
        readers={
            **_same("display", "email", "phone", "identifier", "projects"),
            "first_name": (("firstName",),),
            "family_name": (("familyName",),),
            "date_of_birth": (("dateOfBirth",),),
            "gender": (("gender",), ("genderRaw",)),
            "type": (("type",), ("typeRaw",)),
            "passport_number": (("passportNumber",),),
        },
        whole=("id",),
    ),
    "private_file": Scenario(
        route="opensolar.private_file",
        query="""{ org { privateFile(id: "9001") { id title fileContentsUrl filesize systemUuid status statusMessage
            showCustomer createdDate modifiedDate tags { id title type } project { id } } } }""",
        base=("org", "privateFile"),
        target=lambda payload: payload,
        readers={
            **_same("title", "filesize", "status", "project"),
            "file_contents": (("fileContentsUrl",),),
            "system_uuid": (("systemUuid",),),
            "status_message": (("statusMessage",),),
            "show_customer": (("showCustomer",),),
            "created_date": (("createdDate",),),
            "modified_date": (("modifiedDate",),),
            "file_tags_data": (("tags",),),
        },
        whole=("id",),
    ),
    "system": Scenario(
        route="opensolar.system",
        query="""{ org { system(id: "8001") { id uuid name kwStc moduleQuantity priceIncludingTax outputAnnualKwh
            consumptionOffsetPercentage modules { code quantity } inverters { code } project { id } } } }""",
        base=("org", "system"),
        target=lambda payload: payload,
        readers={
            **_same("uuid", "name", "modules", "inverters", "project"),
            "kw_stc": (("kwStc",),),
            "module_quantity": (("moduleQuantity",),),
            "price_including_tax": (("priceIncludingTax",),),
            "output_annual_kwh": (("outputAnnualKwh",),),
            "consumption_offset_percentage": (("consumptionOffsetPercentage",),),
        },
        whole=("id",),
    ),
    "webhooks": Scenario(
        route="opensolar.webhooks",
        query="{ org { webhooks { nodes { id endpoint enabled debug triggerFields payloadFields headerNames } } } }",
        base=("org", "webhooks", "nodes", 0),
        target=lambda payload: payload[0],
        readers={
            **_same("endpoint", "enabled", "debug"),
            "trigger_fields": (("triggerFields",),),
            "payload_fields": (("payloadFields",),),
            "headers": (("headerNames",),),
        },
        whole=("id",),
        extra={"whole": ("org", "webhooks")},
    ),
    "org": Scenario(
        route="opensolar.org",
        query="{ org { id name } }",
        base=("org",),
        target=lambda payload: payload,
        readers=_same("name"),
        whole=("id",),
    ),
    "incentive_search": Scenario(
        route="arcadia.incentives",
        query="""{ incentives(filter: {zipCode: "11215"}, first: 3) { totalCount
            nodes { incentiveId incentiveName rate rateUnit paymentCap } } }""",
        base=("incentives", "nodes", 0),
        target=lambda payload: payload["results"][0],
        readers={**_same("incentiveName", "rate", "paymentCap"), "rateUnit": (("rateUnit",),)},
        whole=("incentiveId",),
        extra={"whole": ("incentives",)},
    ),
    "incentive": Scenario(
        route="arcadia.incentive",
        query="""{ incentive(id: "3302404") { incentiveId incentiveName incentiveType incentiveTypeRaw rate
            rateUnit rateUnitRaw paymentCap state lseName summary startDate endDate isExhausted quantityKeyCap
            projectTypeExclusive quantityKey { keyName } applicabilities { applicabilityKey maxValue } } }""",
        base=("incentive",),
        target=lambda payload: payload["results"][0],
        readers={
            **_same("incentiveName", "rate", "paymentCap", "state", "lseName", "summary", "startDate", "endDate"),
            **_same("isExhausted", "quantityKeyCap", "projectTypeExclusive", "quantityKey", "applicabilities"),
            "incentiveType": (("incentiveType",), ("incentiveTypeRaw",)),
            "rateUnit": (("rateUnit",), ("rateUnitRaw",)),
        },
        whole=("incentiveId",),
    ),
}


def _paths(value: Any, prefix: Path = ()) -> Iterator[Path]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*prefix, index)
            yield from _paths(item, (*prefix, index))


@dataclass(frozen=True)
class Mutation:
    pick: int
    op: str
    value: Any

    def apply(self, target: dict[str, Any]) -> str:
        """Mutate ``target`` in place; the top-level key whose value changed."""
        paths = sorted(_paths(target), key=repr)
        path = paths[self.pick % len(paths)]
        parent: Any = target
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        if self.op == "drop":
            del parent[last]
        elif self.op == "null":
            parent[last] = None
        elif self.op == "retype":
            parent[last] = next(v for v in (self.value, *OTHER_TYPES) if type(v) is not type(parent[last]))
        elif self.op == "wrap":
            parent[last] = [parent[last]]
        elif isinstance(parent[last], dict):
            parent[last] = {**parent[last], "unexpected": self.value}
        elif isinstance(parent, dict):
            parent["unexpectedKey"] = self.value
        else:
            parent.append(self.value)
        return str(path[0])


mutations = st.builds(
    Mutation,
    pick=st.integers(min_value=0, max_value=10_000),
    op=st.sampled_from(["drop", "null", "retype", "wrap", "add"]),
    value=st.sampled_from(OTHER_TYPES),
)


def _leaves(value: Any, prefix: Path = ()) -> dict[Path, Any]:
    if isinstance(value, dict) and value:
        return {k: v for key, item in value.items() for k, v in _leaves(item, (*prefix, key)).items()}
    if isinstance(value, list) and value:
        return {k: v for index, item in enumerate(value) for k, v in _leaves(item, (*prefix, index)).items()}
    return {prefix: value}


def _under(path: Path, prefixes: list[Path]) -> bool:
    return any(path[: len(prefix)] == prefix for prefix in prefixes)


def _allowed(scenario: Scenario, key: str) -> list[Path]:
    if key in scenario.whole:
        return [scenario.extra.get("whole", scenario.base)]
    return [(*scenario.base, *reader) for reader in scenario.readers.get(key, ())]


@pytest.fixture
async def plain_gateway() -> AsyncIterator[Gateway]:
    """No caches and no pacing: every query reaches the (mutated) sandbox."""
    settings = sandbox_settings(GATEWAY_CACHE="false", GATEWAY_RESPONSE_CACHE="false", GATEWAY_THROTTLE="false")
    async with running_gateway(settings, SandboxState(SandboxConfig(throttle=False))) as gateway:
        yield gateway


async def _check(gateway: Gateway, scenario: Scenario, mutation: Mutation, baseline: Any) -> None:
    changed: list[str] = []

    def reshape(route: str, payload: Any) -> Any:
        if route == scenario.route:
            changed.append(mutation.apply(scenario.target(payload)))
        return payload

    gateway.sandbox.reshape = reshape
    try:
        result = await gateway.query(scenario.query)  # a 500 fails inside query()
    finally:
        gateway.sandbox.reshape = None
    assert changed, "the scenario's route was not called"
    allowed = _allowed(scenario, changed[0])
    for error in result.get("errors") or []:
        assert error["extensions"]["code"] not in {None, "INTERNAL_SERVER_ERROR"}, error
        assert _under(tuple(error["path"]), allowed), (changed[0], error, allowed)
    before, after = _leaves(baseline), _leaves(result["data"])
    damaged = [path for path in before.keys() | after.keys() if before.get(path) != after.get(path)]
    assert all(_under(path, allowed) for path in damaged), (changed[0], mutation, damaged, allowed)


async def _baseline(gateway: Gateway, scenario: Scenario) -> Any:
    result = await gateway.query(scenario.query)
    assert "errors" not in result, result
    return result["data"]


def _run(name: str) -> Callable[..., Any]:
    scenario = SCENARIOS[name]
    baselines: dict[int, Any] = {}

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(mutation=mutations)
    async def test(plain_gateway: Gateway, mutation: Mutation) -> None:
        key = id(plain_gateway)
        if key not in baselines:
            baselines.clear()
            baselines[key] = await _baseline(plain_gateway, scenario)
        await _check(plain_gateway, scenario, mutation, json.loads(json.dumps(baselines[key])))

    test.__name__ = f"test_mutated_{name}_damages_only_its_readers"
    return test


test_mutated_project_detail_damages_only_its_readers = _run("project_detail")
test_mutated_proposal_damages_only_its_readers = _run("proposal")
test_mutated_projects_list_damages_only_its_readers = _run("projects_list")
test_mutated_system_details_damage_only_their_readers = _run("system_details")
test_mutated_incentive_damages_only_its_readers = _run("incentive")
test_mutated_contact_damages_only_its_readers = _run("contact")
test_mutated_private_file_damages_only_its_readers = _run("private_file")
test_mutated_system_damages_only_its_readers = _run("system")
test_mutated_webhooks_damage_only_their_readers = _run("webhooks")
test_mutated_org_damages_only_its_readers = _run("org")
test_mutated_incentive_search_damages_only_its_readers = _run("incentive_search")
