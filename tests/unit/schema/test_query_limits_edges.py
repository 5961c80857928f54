"""The query-limit rules on subscriptions, where their errors point, and variable page sizes."""

from __future__ import annotations

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    GraphQLError,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    parse,
    specified_rules,
    validate,
)

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


def test_a_spread_of_an_unknown_fragment_is_reported_by_name_not_as_a_key_error() -> None:
    rules: list[type[ASTValidationRule]] = list(specified_rules)  # graphql-core's, with the limits after them
    for factory in limit_extensions(QueryLimitsConfig()):
        rules.extend(getattr(factory(), "validation_rules", []))
    for document in ("{ ...Missing }", "{ org { ...Missing } }"):
        messages = [error.message for error in validate(SCHEMA, parse(document), rules)]
        assert messages == ["Unknown fragment 'Missing'."], messages


def test_an_empty_selection_set_built_as_a_tree_is_an_error_with_its_code_not_a_crash() -> None:
    # No text parses to an empty selection set; a document tree can hold one (a tool that builds ASTs).
    empty = FieldNode(
        name=NameNode(value="org"), arguments=(), directives=(), selection_set=SelectionSetNode(selections=())
    )
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY,
        variable_definitions=(),
        directives=(),
        selection_set=SelectionSetNode(selections=(empty,)),
    )
    document = DocumentNode(definitions=(operation,))
    rules = [getattr(factory(), "validation_rules", []) for factory in limit_extensions(QueryLimitsConfig())]
    errors = validate(SCHEMA, document, [rule for group in rules for rule in group])
    assert [(e.message, (e.extensions or {}).get("code")) for e in errors] == [
        ("A selection set must not be empty.", "GRAPHQL_VALIDATION_FAILED")
    ]
