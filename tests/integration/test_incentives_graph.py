"""Arcadia incentives and the project stitch, through the real app against the sandbox."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gateway.sandbox import Fault, SandboxConfig, SandboxState
from schema.relay.global_ids import encode
from tests.conftest import Gateway, GatewayFactory, errors_by_code, sandbox_settings

pytestmark = pytest.mark.integration

ESTIMATE = (
    "estimate { amount yearlyAmount uncappedAmount quantity paymentYears capsApplied missingInputs "
    "assumptions { code } }"
)


async def test_search_sends_every_filter(gateway: Gateway) -> None:
    result = await gateway.query("""{ incentives(first: 5, filter: {projectType: "solarPv", incentiveType: TAX_CREDIT,
        defaultIncentives: false, customerClasses: [RESIDENTIAL, GENERAL], countryCode: "US", lseId: 100287,
        state: "NY", zipCode: "11215", addressString: "7th Ave, Brooklyn, NY 11215", effectiveOn: "2026-03-01",
        fromDate: "2026-01-01", toDate: "2026-12-31", isExhausted: false},
        inputs: [{key: "tilt", value: "20"}]) { totalCount nodes { incentiveName incentiveType state } } }""")
    assert "errors" not in result, result
    (params,) = gateway.sandbox.params_of("arcadia.incentives")
    assert params == {
        "projectType": "solarPv",
        "incentiveType": "taxCredit",
        "defaultIncentives": "false",
        "customerClasses": "RESIDENTIAL,GENERAL",
        "countryCode": "US",
        "lseId": "100287",
        "state": "NY",
        "zipCode": "11215",
        "addressString": "7th Ave, Brooklyn, NY 11215",
        "effectiveOn": "2026-03-01",
        "fromDate": "2026-01-01",
        "toDate": "2026-12-31",
        "isExhausted": "false",
        "tilt": "20",
        "pageStart": "0",
        "pageCount": "5",
        "fields": "ext",
    }
    nodes = result["data"]["incentives"]["nodes"]
    assert nodes and {n["incentiveType"] for n in nodes} == {"TAX_CREDIT"} and {n["state"] for n in nodes} == {"NY"}


async def test_search_pages_with_a_real_total(gateway: Gateway) -> None:
    query = """query($after: String) { incentives(first: 2, after: $after, filter: {zipCode: "11215"}) {
        totalCount pageInfo { hasNextPage endCursor } nodes { incentiveId } } }"""
    seen: list[str] = []
    after = None
    while True:
        page = (await gateway.query(query, {"after": after}))["data"]["incentives"]
        seen += [n["incentiveId"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen)) == page["totalCount"] >= 4
    starts = [p["pageStart"] for p in gateway.sandbox.params_of("arcadia.incentives")]
    assert starts == [str(i) for i in range(0, page["totalCount"], 2)]


@pytest.mark.parametrize(
    ("inputs", "eligibility", "required"),
    [
        ([], "COULD_BE_ELIGIBLE", {"tilt", "azimuth", "estimatedFirstYearkWh", "systemOwnership"}),
        (
            [
                ("tilt", "20"),
                ("azimuth", "180"),
                ("systemOwnership", "host"),
                ("estimatedFirstYearkWh", "8000"),
                ("annualConsumption", "9000"),
            ],
            "ELIGIBLE",
            set(),
        ),
        ([("tilt", "75")], "INELIGIBLE", set()),
    ],
)
async def test_arcadia_computes_the_three_outcomes(
    gateway: Gateway, inputs: list[tuple[str, str]], eligibility: str, required: set[str]
) -> None:
    result = await gateway.query(
        'query($inputs: [ApplicabilityInput!]) { incentives(filter: {zipCode: "11215"}, inputs: $inputs, first: 50)'
        " { nodes { incentiveName eligibility requiredData { applicabilityKey } } } }",
        {"inputs": [{"key": k, "value": v} for k, v in inputs]},
    )
    ny_sun = next(
        n for n in result["data"]["incentives"]["nodes"] if n["incentiveName"] == "NY-Sun Residential Incentive"
    )
    assert ny_sun["eligibility"] == eligibility
    assert {r["applicabilityKey"] for r in ny_sun["requiredData"]} == required


async def test_one_incentive_with_every_field(gateway: Gateway) -> None:
    result = await gateway.query("""{ incentive(id: "3302404", populateDocuments: true) {
        incentiveId masterIncentiveId eligibility requiredData { applicabilityKey } tariffCode incentiveName
        projectType incentiveType state lseId lseName lseCode serviceType customerClass startDate endDate
        isExhausted jurisdiction quantityKey { keyName displayName description quantityUnit dataType }
        rate rateUnit quantityKeyCap paymentCap percentCostCapKey { keyName } percentCostCap paymentDuration
        incentivePaidTo projectTypeExclusive territoryId summary requirements documents { url }
        applicabilities { applicabilityKey displayName description requiredValue minValue maxValue operator
          quantityKey quantityUnit choices { displayValue value dataValue likelihood } } } }""")
    assert "errors" not in result, result
    incentive = result["data"]["incentive"]
    assert incentive["masterIncentiveId"] == "3302404" and incentive["rateUnit"] == "COST_PER_UNIT"
    assert incentive["quantityKey"]["keyName"] == "systemSizeDcW" and incentive["quantityKeyCap"] == "25000"
    assert incentive["percentCostCapKey"] is None and incentive["eligibility"] is None
    assert incentive["startDate"] == "2020-01-01" and incentive["customerClass"] == "RESIDENTIAL"
    kinds = {a["applicabilityKey"]: a for a in incentive["applicabilities"]}
    assert kinds["tilt"]["maxValue"] == 60 and kinds["estimatedFirstYearkWh"]["operator"] == "<="
    assert kinds["systemOwnership"]["requiredValue"] == "host"
    assert {c["dataValue"] for c in kinds["systemOwnership"]["choices"]} == {"host", "thirdParty"}
    bare = await gateway.query(
        '{ incentive(id: "3302404", populateDetails: false) { applicabilities { applicabilityKey } } }'
    )
    assert bare["data"]["incentive"]["applicabilities"] is None


async def test_applicabilities(gateway: Gateway) -> None:
    result = await gateway.query("""{ incentiveApplicabilities(
        filter: {zipCode: "80202", customerClasses: [RESIDENTIAL]})
        { applicabilityKey displayName quantityUnit choices { dataValue } } }""")
    keys = {a["applicabilityKey"] for a in result["data"]["incentiveApplicabilities"]}
    assert {"tilt", "azimuth", "systemOwnership", "incomeQualified"} <= keys
    (params,) = gateway.sandbox.params_of("arcadia.applicabilities")
    assert params["zipCode"] == "80202" and "pageStart" not in params  # not paged upstream


async def test_missing_incentive_and_bad_property(gateway: Gateway) -> None:
    missing = await gateway.query('{ incentive(id: "1") { incentiveName } }')
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    bad = await gateway.query('{ incentives(filter: {addressString: "somewhere"}) { totalCount } }')
    assert bad["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert bad["errors"][0]["extensions"]["property"] == "addressString"


async def test_rate_limit_403_is_throttled(gateway: Gateway) -> None:
    body = json.dumps(
        {
            "status": "error",
            "count": 1,
            "type": "Error",
            "results": [{"code": "Forbidden", "message": "You have hit a rate limit", "objectName": "request"}],
        }
    )
    gateway.sandbox.faults.append(Fault(route="arcadia.*", status=403, body=body, headers={"Retry-After": "30"}))
    result = await gateway.query('{ incentive(id: "3302404") { incentiveName } }')
    assert result["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert result["errors"][0]["extensions"]["retryAfter"] == 30


async def test_wrong_arcadia_credentials_are_unauthenticated(gateway_factory: GatewayFactory) -> None:
    settings = sandbox_settings(ARCADIA_APP_ID="sandbox-app-id", ARCADIA_APP_KEY="wrong")
    async with gateway_factory(settings) as gateway:
        result = await gateway.query('{ org { name } incentive(id: "3302404") { incentiveName } }')
    assert result["data"]["org"]["name"]  # OpenSolar data stays intact
    assert errors_by_code(result).keys() == {"UNAUTHENTICATED"}


def project_in(gateway: Gateway, zip_code: str, **conditions: Any) -> int:
    for project in gateway.sandbox.data.projects.values():
        if (
            project.org_id == 1001
            and project.place.zip == zip_code
            and all(getattr(project, k) == v for k, v in conditions.items())
        ):
            return project.id
    raise AssertionError(zip_code)


STITCH = (
    """query($id: ID!, $inputs: [ApplicabilityInput!], $sold: Boolean) { org { project(id: $id) { title
  incentives(inputs: $inputs, soldOnly: $sold) { market { zipCode state customerClass effectiveOn }
    warnings { code message }
    systems { system { id kwStc } inputs { key value source detail }
      totals { eligibility amount incentiveCount unestimatedCount }
      incentives { incentive { incentiveName rateUnit } eligibility requiredData { applicabilityKey }
        failedApplicabilities countedInTotal %s } } } } } }"""
    % ESTIMATE
)


def by_name(system: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["incentive"]["incentiveName"]: i for i in system["incentives"]}


async def test_stitch_derives_inputs_from_opensolar(gateway: Gateway) -> None:
    pid = project_in(gateway, "80202")
    project = gateway.sandbox.data.projects[pid]
    result = await gateway.query(STITCH, {"id": str(pid)})
    assert "errors" not in result, result
    stitched = result["data"]["org"]["project"]["incentives"]
    assert stitched["market"]["zipCode"] == "80202" and stitched["market"]["customerClass"] == "RESIDENTIAL"
    system = gateway.sandbox.data.systems[project.system_ids[0]]
    inputs = {i["key"]: i for i in stitched["systems"][0]["inputs"]}
    assert (
        inputs["systemSizeDcW"]["value"] == str(round(system.kw_stc * 1000))
        and inputs["systemSizeDcW"]["source"] == "SYSTEM"
    )
    assert float(inputs["systemSizeAcW"]["value"]) == pytest.approx(system.ac_kw * 1000)
    assert inputs["systemSizeAcW"]["source"] == "DESIGN"
    assert float(inputs["systemCost"]["value"]) == system.price_including_tax
    largest = max(system.module_groups, key=lambda g: g.module_quantity)
    assert float(inputs["tilt"]["value"]) == largest.slope and inputs["tilt"]["source"] == "SYSTEM_DETAILS"
    assert float(inputs["azimuth"]["value"]) == largest.azimuth
    assert (inputs["zipCode"]["value"], inputs["zipCode"]["source"]) == ("80202", "PROJECT")
    assert inputs["systemOwnership"] == {
        "key": "systemOwnership",
        "value": "host",
        "source": "DEFAULT",
        "detail": "assumed host-owned unless the caller says otherwise",
    }
    assert gateway.sandbox.counts["arcadia.incentives"] == 1
    assert gateway.runtime.upstreams.designs.decoded == 1  # AC size needed the design; decoded once


async def test_stitch_estimates_each_rate_unit_and_cap(gateway: Gateway) -> None:
    pid = project_in(gateway, "80202")
    result = await gateway.query(STITCH, {"id": str(pid), "inputs": [{"key": "incomeQualified", "value": "true"}]})
    system = result["data"]["org"]["project"]["incentives"]["systems"][0]
    incentives = by_name(system)
    rewards = incentives["Xcel Solar*Rewards"]  # COST_PER_UNIT on systemSizeAcW, with all three caps available
    assert rewards["incentive"]["rateUnit"] == "COST_PER_UNIT"
    estimate = rewards["estimate"]
    assert estimate["amount"] <= 4000 and estimate["amount"] <= estimate["uncappedAmount"]
    assert "QUANTITY_CAP_IN_KEY_UNITS" in {a["code"] for a in estimate["assumptions"]}
    income = incentives["Xcel Solar*Rewards Income Qualified"]
    assert income["eligibility"] == "ELIGIBLE"  # the caller's input satisfied the required value
    assert set(income["estimate"]["capsApplied"]) & {"quantityKeyCap", "percentCostCap"}
    tax = incentives["Colorado Sales and Use Tax Exemption"]
    assert tax["incentive"]["rateUnit"] == "PERCENTAGE"
    assert tax["estimate"]["amount"] == pytest.approx(
        0.029 * gateway.sandbox.data.systems[gateway.sandbox.data.projects[pid].system_ids[0]].price_including_tax,
        abs=0.01,
    )
    # only the better of the two exclusive Xcel incentives counts
    xcel = {name: i for name, i in incentives.items() if name.startswith("Xcel")}
    counted = [name for name, i in xcel.items() if i["countedInTotal"]]
    assert counted == [max(xcel, key=lambda name: xcel[name]["estimate"]["amount"] or -1.0)]
    assert tax["countedInTotal"]  # not exclusive: always counted


async def test_stitch_block_and_recurring_payments(gateway: Gateway) -> None:
    austin = project_in(gateway, "78701")
    result = await gateway.query(
        STITCH, {"id": str(austin), "inputs": [{"key": "completedSolarEducation", "value": "true"}]}
    )
    block = by_name(result["data"]["org"]["project"]["incentives"]["systems"][0])[
        "Austin Energy Solar Education Rebate"
    ]
    assert block["incentive"]["rateUnit"] == "BLOCK" and block["estimate"]["amount"] == 2500
    assert block["eligibility"] == "ELIGIBLE"
    sdge = project_in(gateway, "92101")
    result = await gateway.query(STITCH, {"id": str(sdge)})
    pbi = by_name(result["data"]["org"]["project"]["incentives"]["systems"][0])["SDG&E Performance Based Incentive"]
    assert pbi["estimate"]["paymentYears"] == 5 and pbi["estimate"]["amount"] <= 3000
    assert "RECURRING_FLAT" in {a["code"] for a in pbi["estimate"]["assumptions"]}


async def test_stitch_outcomes_and_caller_overrides(gateway: Gateway) -> None:
    pid = project_in(gateway, "11215")
    base = await gateway.query(STITCH, {"id": str(pid)})
    ny_sun = by_name(base["data"]["org"]["project"]["incentives"]["systems"][0])["NY-Sun Residential Incentive"]
    assert ny_sun["eligibility"] in {"ELIGIBLE", "INELIGIBLE"}  # everything it asks for was derived
    forced = await gateway.query(
        STITCH,
        {
            "id": str(pid),
            "inputs": [
                {"key": "tilt", "value": "20"},
                {"key": "azimuth", "value": "180"},
                {"key": "estimatedFirstYearkWh", "value": "100"},
            ],
        },
    )
    system = forced["data"]["org"]["project"]["incentives"]["systems"][0]
    assert by_name(system)["NY-Sun Residential Incentive"]["eligibility"] == "ELIGIBLE"
    assert {i["key"]: i["source"] for i in system["inputs"]}["tilt"] == "CALLER"
    owned = await gateway.query(STITCH, {"id": str(pid), "inputs": [{"key": "systemOwnership", "value": "thirdParty"}]})
    federal = by_name(owned["data"]["org"]["project"]["incentives"]["systems"][0])["Residential Clean Energy Credit"]
    assert federal["eligibility"] == "INELIGIBLE" and federal["failedApplicabilities"] == ["systemOwnership"]
    adder = by_name(system)["Con Edison Income-Qualified Solar Adder"]
    assert adder["eligibility"] == "COULD_BE_ELIGIBLE"
    assert [r["applicabilityKey"] for r in adder["requiredData"]] == ["incomeQualified"]


async def test_stitch_sold_only(gateway: Gateway) -> None:
    project = next(
        p
        for p in gateway.sandbox.data.projects.values()
        if p.org_id == 1001 and p.sold_system_id and len(p.system_ids) > 1
    )
    every = await gateway.query(STITCH, {"id": str(project.id)})
    sold = await gateway.query(STITCH, {"id": str(project.id), "sold": True})
    assert len(every["data"]["org"]["project"]["incentives"]["systems"]) == len(project.system_ids)
    assert [s["system"]["id"] for s in sold["data"]["org"]["project"]["incentives"]["systems"]] == [
        encode("System", project.org_id, project.sold_system_id or 0)
    ]


async def test_stitch_degrades_when_an_optional_source_fails(gateway: Gateway) -> None:
    gateway.sandbox.faults.append(Fault(route="opensolar.system_details", status=429, headers={"Retry-After": "20"}))
    small = [{"key": "estimatedFirstYearkWh", "value": "100"}]  # passes the 110% formula whatever the usage
    result = await gateway.query(STITCH, {"id": str(project_in(gateway, "11215")), "inputs": small})
    stitched = result["data"]["org"]["project"]["incentives"]
    assert [w["code"] for w in stitched["warnings"]] == ["THROTTLED"]
    inputs = {i["key"] for i in stitched["systems"][0]["inputs"]}
    assert "tilt" not in inputs and "systemSizeDcW" in inputs
    ny_sun = by_name(stitched["systems"][0])["NY-Sun Residential Incentive"]
    assert ny_sun["eligibility"] == "COULD_BE_ELIGIBLE"
    assert [r["applicabilityKey"] for r in ny_sun["requiredData"]] == ["tilt", "azimuth"]


async def test_arcadia_down_leaves_opensolar_data_intact(gateway: Gateway) -> None:
    gateway.sandbox.faults.append(Fault(route="arcadia.*", status=503))
    result = await gateway.query(
        '{ org { project(id: "3001") { title incentives { systems { totals { amount } } } } } }'
    )
    assert result["data"]["org"]["project"]["title"]
    assert result["data"]["org"]["project"]["incentives"] is None
    assert errors_by_code(result).keys() == {"UPSTREAM_UNAVAILABLE"}


async def test_portfolio_makes_one_arcadia_call_per_market(gateway_factory: GatewayFactory) -> None:
    sandbox = SandboxState(SandboxConfig())
    async with gateway_factory(sandbox_settings(), sandbox) as gateway:
        result = await gateway.query("""{ org { projects(first: 50) { nodes { id zip contacts { display }
            systems { kwStc } incentives { systems { totals { eligibility amount } } } } } } }""")
    assert "errors" not in result, result.get("errors")
    nodes = result["data"]["org"]["projects"]["nodes"]
    zips = {n["zip"] for n in nodes}
    assert len(nodes) == 50 and len(zips) == 10
    assert sandbox.counts["arcadia.incentives"] == len(zips)  # 50 projects, one search per ZIP
    assert sandbox.counts["opensolar.projects"] == 1
    # each project's detail serves its systems and usage (schema/incentives/market.py): no systems lists
    assert sandbox.counts["opensolar.project_detail"] == 50 and sandbox.counts["opensolar.systems"] == 0


async def test_portfolio_in_eight_zip_codes_makes_at_most_eight_calls(gateway_factory: GatewayFactory) -> None:
    async with gateway_factory(sandbox_settings(GATEWAY_MAX_ALIASES=60)) as gateway:  # 50 aliased projects
        await _eight_zip_portfolio(gateway)


async def _eight_zip_portfolio(gateway: Gateway) -> None:
    eight = {"94105", "95448", "92101", "11215", "12203", "07030", "02139", "85004"}
    ids = [p.id for p in gateway.sandbox.data.projects.values() if p.org_id == 1001 and p.place.zip in eight][:50]
    fields = " ".join(
        f'p{i}: project(id: "{pid}") {{ incentives {{ systems {{ totals {{ amount }} }} }} }}'
        for i, pid in enumerate(ids)
    )
    result = await gateway.query("{ org { %s } }" % fields)
    assert "errors" not in result and len(ids) == 50
    assert gateway.sandbox.counts["arcadia.incentives"] <= 8


async def test_bad_applicability_inputs_are_rejected_before_any_call(gateway: Gateway) -> None:
    result = await gateway.query('{ incentives(inputs: [{key: "bad key!", value: "1"}]) { totalCount } }')
    assert result["errors"][0]["extensions"] == {"code": "BAD_REQUEST", "argument": "inputs"}
    twice = await gateway.query(
        '{ incentives(inputs: [{key: "tilt", value: "1"}, {key: "tilt", value: "2"}]) { totalCount } }'
    )
    assert twice["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert gateway.sandbox.total_calls == 0


async def test_search_estimates_use_the_search_inputs(gateway: Gateway) -> None:
    result = await gateway.query("""{ incentives(filter: {zipCode: "11215"}, first: 50, inputs: [
        {key: "systemCost", value: "20000"}]) { nodes { incentiveName estimate { amount missingInputs } } } }""")
    nodes = {n["incentiveName"]: n for n in result["data"]["incentives"]["nodes"]}
    assert nodes["Residential Clean Energy Credit"]["estimate"]["amount"] == 6000
    assert nodes["Residential Solar Energy System Equipment Tax Credit"]["estimate"]["amount"] == 5000
    assert nodes["NY-Sun Residential Incentive"]["estimate"]["missingInputs"] == ["systemSizeDcW"]
