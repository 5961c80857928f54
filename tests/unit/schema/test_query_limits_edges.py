"""The query-limit rules on subscriptions, where their errors point, and variable page sizes."""

from __future__ import annotations

from graphql import ASTValidationRule, GraphQLError, parse, validate

from gateway.configs import QueryLimitsConfig
from schema import build_schema
from schema.pagination import DEFAULT_FIRST
from schema.query_limits import limit_extensions

SCHEMA = build_schema()._schema


def limit_errors(document: str, **limits: int) -> list[GraphQLError]:
    rules: list[type[ASTValidationRule]] = []
    for factory in limit_extensions(QueryLimitsConfig(**limits)):  # type: ignore[arg-type]
        rules.extend(getattr(factory(), "validation_rules", []))
    return [e for e in validate(SCHEMA, parse(document), rules) if (e.extensions or {}).get("code")]


def test_a_subscription_is_held_to_the_root_field_limit_too() -> None:
    one = "subscription { projectChanged { projectId } }"
    assert limit_errors(one, max_root_fields=1) == []
    two = "subscription { a: projectChanged { projectId } b: projectChanged { projectId } }"
    (found,) = limit_errors(two, max_root_fields=1)
    assert (found.extensions or {})["code"] == "MAX_ROOT_FIELDS_EXCEEDED"


def test_a_limit_error_points_at_its_operation() -> None:
    document = "query Expensive { org { projects(first: 5) { nodes { title } } } }"
    (found,) = limit_errors(document, max_cost=5)
    assert (found.extensions or {})["code"] == "COST_LIMIT_EXCEEDED"
    assert [(location.line, location.column) for location in found.locations or []] == [(1, 1)]
    (root,) = limit_errors("{ a: org { id } b: org { id } }", max_root_fields=1)
    assert [(location.line, location.column) for location in root.locations or []] == [(1, 1)]


def test_a_variable_page_size_defaulting_to_zero_costs_the_default_page() -> None:
    # first: 0 is no page size at all, whether written inline or as a variable's default
    document = "query($n: Int = 0) { org { projects(first: $n) { nodes { title } } } }"
    assert limit_errors(document, max_cost=1 + DEFAULT_FIRST) == []
    (found,) = limit_errors(document, max_cost=DEFAULT_FIRST)
    assert (found.extensions or {})["cost"] == 1 + DEFAULT_FIRST
