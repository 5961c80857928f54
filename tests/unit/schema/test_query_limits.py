"""The cost rule's arithmetic, worked out by hand for small documents, and the root-field and depth rules."""

from __future__ import annotations

import pytest
from graphql import ASTValidationRule, OperationDefinitionNode, TypeInfo, ValidationContext, parse, validate

from gateway.configs import QueryLimitsConfig
from schema import build_schema
from schema.node_queries import MAX_NODES
from schema.pagination import DEFAULT_FIRST, MAX_FIRST
from schema.query_limits import INLINE_LIST_ITEMS, limit_extensions, operation_cost

SCHEMA = build_schema()._schema


def cost(document: str) -> int:
    ast = parse(document)
    context = ValidationContext(SCHEMA, ast, TypeInfo(SCHEMA), lambda error: None)
    (operation,) = [d for d in ast.definitions if isinstance(d, OperationDefinitionNode)]
    return operation_cost(context, operation)


PAGE = "projects(first: %s) { nodes { title } }"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("{ org { id } }", 0),
        ("{ org { name } }", 1),  # the org call
        # the list call, plus one detail call per project that may need it
        ("{ org { %s } }" % (PAGE % 5), 1 + 5),
        ("{ org { projects { nodes { title } } } }", 1 + DEFAULT_FIRST),
        ("{ org { %s } }" % (PAGE % 0), 1 + DEFAULT_FIRST),  # 0 is no page size at all
        ("{ org { %s } }" % (PAGE % 100000), 1 + MAX_FIRST),  # clamped to the most a page can hold
        ("query($n: Int = 7) { org { projects(first: $n) { nodes { title } } } }", 1 + 7),
        ("query($n: Int) { org { projects(first: $n) { nodes { title } } } }", 1 + MAX_FIRST),
        # five projects, each with a systems call; an inline list counts INLINE_LIST_ITEMS systems
        ("{ org { projects(first: 5) { nodes { systems { kwStc } } } } }", 1 + 5 + 5),
        (
            "{ org { projects(first: 5) { nodes { systems { details { name } } } } } }",
            1 + 5 + 5 + 5 * INLINE_LIST_ITEMS,
        ),
        ("{ org { ...F } } fragment F on Org { name %s }" % (PAGE % 2), 1 + 1 + 2),
        ("{ org { ... on Org { name } ... { contacts(first: 3) { nodes { id } } } } }", 1 + 1),
        ('{ org { project(id: "1") { proposal { projectId } } } }', 1 + 1),
        ('{ org { project(id: "1") { incentives { market { zipCode } } } } }', 1 + 3),
        ('mutation { disableWebhook(id: "1") { id } }', 1),
        ('{ incentive(id: "1") { incentiveName } incentiveApplicabilities { applicabilityKey } }', 2),
        # node/nodes: one read per id (a variable list counts as many as nodes takes), then what is selected
        ('{ node(id: "x") { id } }', 1),
        ('{ nodes(ids: ["a", "b", "c"]) { id } }', 3),
        ("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", MAX_NODES),
        ('{ nodes(ids: ["a", "b"]) { ... on Project { systems { kwStc } } } }', 2 + 2),
        ('{ node(id: "x") { ...P } } fragment P on Project { proposal { projectId } }', 1 + 1),
        ('{ org { projectsByIds(ids: ["1", "2", "3"]) { title } } }', 3),
    ],
)
def test_cost_is_upstream_calls_times_page_sizes(document: str, expected: int) -> None:
    assert cost(document) == expected


def test_a_fragment_cycle_is_not_followed_forever() -> None:
    assert (
        cost("{ org { ...A } } fragment A on Org { name ...B } fragment B on Org { webhooks { nodes { id } } ...A }")
        == 2
    )


def errors(document: str, **limits: int) -> list[tuple[str, object]]:
    rules: list[type[ASTValidationRule]] = []
    for factory in limit_extensions(QueryLimitsConfig(**limits)):  # type: ignore[arg-type]
        extension = factory()
        rules.extend(getattr(extension, "validation_rules", []))
    found = validate(SCHEMA, parse(document), rules)
    return [(e.message, (e.extensions or {}).get("code")) for e in found]


def test_root_fields_at_the_limit_pass_and_one_more_fails() -> None:
    at_limit = "{ " + " ".join(f"o{n}: org {{ id }}" for n in range(3)) + " }"
    assert errors(at_limit, max_root_fields=3) == []
    over = "{ ...R } fragment R on Query { " + " ".join(f"o{n}: org {{ id }}" for n in range(4)) + " }"
    (found,) = errors(over, max_root_fields=3)
    assert found == ("The operation selects 4 root fields; the limit is 3.", "MAX_ROOT_FIELDS_EXCEEDED")


def test_cost_at_the_limit_passes_and_one_more_fails() -> None:
    document = "{ org { %s } }" % (PAGE % 5)  # costs 6
    assert errors(document, max_cost=6) == []
    (found,) = errors(document, max_cost=5)
    assert found[1] == "COST_LIMIT_EXCEEDED" and "could cost 6 upstream reads; the limit is 5" in found[0]
