"""Incremental delivery (``@defer``/``@stream``, graphql-core 3.3's experimental executor).

An incremental execution answers with an initial result and later parts. The operation's extensions
(codes, telemetry, cacheability) judge its initial result (``initial_of``); errors in a later part
get their codes as they come (``coding_later_parts``), so a deferred field that fails says why and
leaves the parts sent before it as they were. An HTTP client that cannot read ``multipart/mixed``
gets one coded error before anything runs (``IncrementalChecks``: 406 ``DEFER_BAD_HEADER``,
what Apollo Router answers and what Apollo Server answers with 406); over WebSocket every part is
its own ``next`` message, so nothing is refused there. ``@stream(initialCount:)`` is bounded by the
largest page (``BAD_USER_INPUT`` outside 0..100, literal or variable).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import aclosing
from inspect import isawaitable
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    ExecutionResult,
    ExperimentalIncrementalExecutionResults,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    SubsequentIncrementalExecutionResult,
    ValueNode,
    VariableNode,
    value_from_ast_untyped,
)
from strawberry.extensions import SchemaExtension

from gateway.incremental import accepts_multipart, defers
from schema.pagination import MAX_FIRST

__all__ = ["DEFER_BAD_HEADER", "IncrementalChecks", "applied_directives", "coding_later_parts", "initial_of"]

DEFER_BAD_HEADER = "DEFER_BAD_HEADER"
_REFUSAL = (
    "This operation uses incremental delivery (@defer or @stream), but the request does not accept "
    "multipart/mixed responses. Send 'Accept: multipart/mixed; deferSpec=20220824, application/json', "
    "or drop the directives."
)


def initial_of(result: Any) -> Any:
    """The result the operation's extensions judge: for an incremental execution, its initial part."""
    return getattr(result, "initial_result", result)


def _value(node: ValueNode | None, variables: dict[str, Any], default: Any) -> Any:
    if node is None:
        return default
    if isinstance(node, VariableNode):
        return variables.get(node.name.value, default)
    return value_from_ast_untyped(node)


def _applied(node: SelectionNode, variables: dict[str, Any]) -> DirectiveNode | None:
    """The ``@stream`` of a field or the ``@defer`` of a fragment, when its ``if:`` is not false."""
    name = "stream" if isinstance(node, FieldNode) else "defer"
    for directive in node.directives or ():
        if directive.name.value == name:
            condition = next((a.value for a in directive.arguments or () if a.name.value == "if"), None)
            return None if _value(condition, variables, True) is False else directive
    return None


def _walk(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    seen: set[str],
) -> Iterator[DirectiveNode]:
    for node in selections.selections if selections is not None else ():
        directive = _applied(node, variables)
        if directive is not None:
            yield directive
        inner: SelectionSetNode | None = getattr(node, "selection_set", None)
        if isinstance(node, FragmentSpreadNode):
            fragment = fragments.get(node.name.value)
            if fragment is None or node.name.value in seen:
                continue
            seen.add(node.name.value)
            inner = fragment.selection_set
        yield from _walk(inner, fragments, variables, seen)


def applied_directives(
    document: DocumentNode, operation_name: str | None, variables: dict[str, Any] | None
) -> list[DirectiveNode]:
    """The ``@defer`` and ``@stream`` directives that apply (``if:`` not false) in the operation to run."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return [d for o in chosen[:1] for d in _walk(o.selection_set, fragments, variables or {}, set())]


def _initial_count_error(directives: list[DirectiveNode], variables: dict[str, Any]) -> GraphQLError | None:
    for directive in directives:
        argument = next((a for a in directive.arguments or () if a.name.value == "initialCount"), None)
        count = _value(argument.value if argument else None, variables, 0)
        if not isinstance(count, int) or not 0 <= count <= MAX_FIRST:
            return GraphQLError(
                f"@stream(initialCount:) must be between 0 and {MAX_FIRST} (the largest page); got {count!r}.",
                directive,
                extensions={"code": "BAD_USER_INPUT", "limit": MAX_FIRST},
            )
    return None


class IncrementalChecks(SchemaExtension):
    """Before anything executes, for an operation with ``@defer``/``@stream`` that applies: a
    ``@stream(initialCount:)`` outside 0..``MAX_FIRST`` gets ``BAD_USER_INPUT`` (graphql-core would
    fail the field with a bare ``ValueError`` on a negative one), and an HTTP request that does not
    accept ``multipart/mixed`` gets ``DEFER_BAD_HEADER``."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document, query = context.graphql_document, context.query
        if document is not None and query is not None and defers(query):
            variables = context.variables or {}
            directives = applied_directives(document, context.operation_name, variables)
            error = _initial_count_error(directives, variables)
            request = getattr(context.context, "request", None)
            readable = request is None or accepts_multipart(request.headers.get("accept", ""))
            if error is None and directives and not readable:
                error = GraphQLError(_REFUSAL, extensions={"code": DEFER_BAD_HEADER})
            if error is not None:
                context.result = ExecutionResult(None, [error])
        yield


Code = Callable[[GraphQLError], GraphQLError]
Annotate = Callable[[SubsequentIncrementalExecutionResult], None]


def coding_later_parts(
    execute: Callable[..., Any], code: Code, annotating: Callable[[], Annotate] | None = None
) -> Callable[..., Any]:
    """graphql-core's executor, with ``code`` applied to the errors of every later part of an incremental result,
    and each later part handed to the function ``annotating()`` returns as the result comes back (still in the
    operation's context), which may add to its extensions.

    Deferred work starts at once (``enable_early_execution``), beside the initial result's: deferring
    the incentives changes when they are sent, not when Arcadia is asked.
    """

    def run(*args: Any, **kwargs: Any) -> Any:
        result = execute(*args, enable_early_execution=True, **kwargs)
        if isawaitable(result):
            return _later_coded(result, code, annotating)
        return _coded_result(result, code, annotating)

    return run


async def _later_coded(result: Any, code: Code, annotating: Callable[[], Annotate] | None) -> Any:
    return _coded_result(await result, code, annotating)


def _coded_result(result: Any, code: Code, annotating: Callable[[], Annotate] | None) -> Any:
    if isinstance(result, ExperimentalIncrementalExecutionResults):
        annotate = annotating() if annotating is not None else None
        return result._replace(subsequent_results=_coded_parts(result.subsequent_results, code, annotate))
    return result


async def _coded_parts(
    parts: AsyncGenerator[SubsequentIncrementalExecutionResult, None], code: Code, annotate: Annotate | None
) -> AsyncGenerator[SubsequentIncrementalExecutionResult, None]:
    async with aclosing(parts):
        async for part in parts:
            for entry in (*(part.incremental or ()), *(part.completed or ())):
                if entry.errors:
                    entry.errors = [code(error) for error in entry.errors]
            if annotate is not None:
                annotate(part)
            yield part
