"""Cheap, early rejection of hostile or runaway documents, each with a stable ``extensions.code``.

Order (security-defaults.md §5): body size and batching at the HTTP gate, then the parser's token
limit, then validation rules: depth, aliases, root fields and cost (the upstream calls a document
could trigger, page sizes included), then introspection when it is off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    SchemaExtension,
)
from strawberry.extensions.query_depth_limiter import create_validator

from gateway.configs import QueryLimitsConfig
from schema.pagination import DEFAULT_FIRST, MAX_FIRST

__all__ = ["limit_extensions", "operation_cost"]

# What each field can cost in upstream calls (everything else is served from data already fetched).
FIELD_COSTS: dict[tuple[str, str], int] = {
    ("Org", "name"): 1,
    ("Org", "projects"): 1,
    ("Org", "contacts"): 1,
    ("Org", "privateFiles"): 1,
    ("Org", "webhooks"): 1,
    ("Org", "contact"): 1,
    ("Org", "system"): 1,
    ("Org", "privateFile"): 1,
    ("Project", "systems"): 1,
    ("Project", "soldSystem"): 1,
    ("Project", "systemDetails"): 1,
    ("Project", "proposal"): 1,
    ("Project", "incentives"): 3,  # market search, systems, system details
    ("System", "details"): 1,
    ("Contact", "projects"): 1,
    ("Query", "incentives"): 1,
    ("Query", "incentive"): 1,
    ("Query", "incentiveApplicabilities"): 1,
    ("Mutation", "createWebhook"): 1,
    ("Mutation", "updateWebhook"): 1,
    ("Mutation", "disableWebhook"): 1,
}
# Per object: a project may need its detail call for fields its list row lacks; node/nodes read each object once.
TYPE_COSTS: dict[str, int] = {"Project": 1, "Node": 1}
# A list fetched by an ids argument (nodes, projectsByIds) counts one item per id; a variable, this many.
MAX_IDS = MAX_FIRST
# An inline list with no page size (a project's systems, a contact's projects) counts as this many items.
INLINE_LIST_ITEMS = 10


def _named(type_: Any) -> tuple[Any, bool]:
    is_list = False
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        is_list = is_list or isinstance(type_, GraphQLList)
        type_ = type_.of_type
    return type_, is_list


def _first(node: FieldNode, defaults: dict[str, int]) -> int | None:
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(0, min(int(argument.value.value), MAX_FIRST))
            if isinstance(argument.value, VariableNode):
                return defaults.get(argument.value.name.value, MAX_FIRST)  # unknown: the most it could ask
            return MAX_FIRST
    return None


def _ids(node: FieldNode) -> int:
    for argument in node.arguments or ():
        if argument.name.value == "ids":
            return len(argument.value.values) if isinstance(argument.value, ListValueNode) else MAX_IDS
    return MAX_IDS


Composite = GraphQLObjectType | GraphQLInterfaceType


class _Cost:
    """Upstream calls a document could trigger: field costs times the page sizes above them."""

    def __init__(self, context: ValidationContext, operation: OperationDefinitionNode | None = None) -> None:
        self.fragments = {
            f.name.value: f for f in context.document.definitions if isinstance(f, FragmentDefinitionNode)
        }
        self.schema = context.schema
        definitions = operation.variable_definitions or () if operation is not None else ()
        self.defaults = {
            d.variable.name.value: max(0, min(int(d.default_value.value), MAX_FIRST))
            for d in definitions
            if isinstance(d.default_value, IntValueNode)
        }

    def _selections(
        self, selection_set: SelectionSetNode, parent: Composite, seen: frozenset[str]
    ) -> Iterator[tuple[FieldNode, Composite]]:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                if isinstance(target, Composite):
                    yield from self._selections(selection.selection_set, target, seen)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                fragment = self.fragments.get(selection.name.value)
                target = self.schema.get_type(fragment.type_condition.name.value) if fragment else None
                if fragment and isinstance(target, Composite):  # cycle-safe: spec rules run alongside
                    yield from self._selections(fragment.selection_set, target, seen | {selection.name.value})

    def of(
        self,
        selection_set: SelectionSetNode | None,
        parent: Composite,
        multiplier: int,
        seen: frozenset[str] = frozenset(),
    ) -> int:
        if selection_set is None:
            return 0
        total = 0
        for node, owner in self._selections(selection_set, parent, seen):
            field = owner.fields.get(node.name.value)
            if field is None:
                continue
            total += multiplier * FIELD_COSTS.get((owner.name, node.name.value), 0)
            named, is_list = _named(field.type)
            if not isinstance(named, Composite):
                continue
            if named.name.endswith("Connection"):
                count = _first(node, self.defaults) or DEFAULT_FIRST  # applies to the page's edges/nodes
            elif is_list and "ids" in field.args:
                count = _ids(node)
            elif owner.name.endswith(("Connection", "Edge")) or not is_list:
                count = 1  # a connection's nodes/edges: already counted by its page size
            else:
                count = INLINE_LIST_ITEMS
            items = multiplier * count
            total += items * TYPE_COSTS.get(named.name, 0) + self.of(node.selection_set, named, items, seen)
        return total


def operation_cost(context: ValidationContext, operation: OperationDefinitionNode) -> int:
    root = {
        "query": context.schema.query_type,
        "mutation": context.schema.mutation_type,
        "subscription": context.schema.subscription_type,
    }[operation.operation.value]
    return _Cost(context, operation).of(operation.selection_set, root, 1) if root else 0


def _cost_rule(limit: int) -> type[ValidationRule]:
    class CostLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            cost = operation_cost(self.context, node)
            if cost > limit:
                self.report_error(
                    GraphQLError(
                        f"The document could cost {cost} upstream reads; the limit is {limit}. Ask for fewer or "
                        "smaller pages.",
                        node,
                        extensions={"code": "COST_LIMIT_EXCEEDED", "cost": cost, "limit": limit},
                    )
                )

    return CostLimit


def _depth_rule(limit: int) -> type[ValidationRule]:
    """Strawberry's depth limiter, guarded: it crashes on an empty selection set (max() of nothing) and on a
    spread of an unknown fragment (a KeyError whose message, the fragment's name alone, would be the error's)."""
    inner = create_validator(limit, None)

    class Depth(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            try:
                inner(context)  # reports its errors on the context while it is built
            except KeyError:
                pass  # a spread of an unknown fragment: graphql-core's KnownFragmentNamesRule names it
            except ValueError:
                context.report_error(
                    GraphQLError("A selection set must not be empty.", extensions={"code": "GRAPHQL_VALIDATION_FAILED"})
                )

    return Depth


def _root_fields_rule(limit: int) -> type[ValidationRule]:
    class RootFields(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            root = {
                "query": self.context.schema.query_type,
                "mutation": self.context.schema.mutation_type,
                "subscription": self.context.schema.subscription_type,
            }[node.operation.value]
            if root is None:
                return
            # through fragments too, so a spread at the root cannot hide extra root fields
            count = sum(1 for _ in _Cost(self.context)._selections(node.selection_set, root, frozenset()))
            if count > limit:
                self.report_error(
                    GraphQLError(
                        f"The operation selects {count} root fields; the limit is {limit}.",
                        node,
                        extensions={"code": "MAX_ROOT_FIELDS_EXCEEDED", "limit": limit},
                    )
                )

    return RootFields


def limit_extensions(limits: QueryLimitsConfig) -> list[Callable[[], SchemaExtension]]:
    """Factories, so each request gets fresh extension instances (strawberry#4369)."""
    rules: list[type[ASTValidationRule]] = [
        _depth_rule(limits.max_depth),
        _root_fields_rule(limits.max_root_fields),
        _cost_rule(limits.max_cost),
    ]
    factories: list[Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        lambda: MaxAliasesLimiter(max_alias_count=limits.max_aliases),
        lambda: AddValidationRules(rules),
    ]
    if not limits.introspection:
        factories.append(DisableIntrospection)
    return factories
