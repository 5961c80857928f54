"""Plain resolvers called by graphql-core directly, without Strawberry's per-field wrapper.

Strawberry wraps every resolver it did not write itself: an ``Info`` object, argument conversion
and a chain of field-extension partials, around 10 µs per field. A portfolio response resolves
~1,200 such fields that only read an attribute (an id, a value the upstream record holds), so the
wrapper was a fifth of the request's CPU. After the schema is built, ``install`` hands those fields'
functions to graphql-core as they are, when nothing the wrapper does can matter (Strawberry has no
public hook to do it while the schema is built: see ``schema/core_types.py``):

- the resolver is synchronous, takes no GraphQL arguments, and the field has no field extensions
  and no permission classes;
- it takes only its parent (``self``/``root``/``Parent``), or it is marked ``@direct``: it takes
  ``(root, info)`` and reads nothing from ``info`` but ``info.context`` (graphql-core's info has
  the same context object as Strawberry's).

Errors, nulls, scalar serialisation and schema-extension middleware are graphql-core's, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from graphql import GraphQLNamedType, GraphQLObjectType
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

__all__ = ["direct", "install"]

_DIRECT = "__solar_gateway_direct__"
F = TypeVar("F", bound=Callable[..., Any])


def direct(resolve: F) -> F:
    """Mark a ``(root, info)`` resolver that reads only ``info.context`` as safe to call directly."""
    setattr(resolve, _DIRECT, True)
    return resolve


def _parent_only(function: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    def resolve(root: Any, info: Any) -> Any:
        return function(root)

    return resolve


def _direct_resolver(field: StrawberryField) -> Callable[..., Any] | None:
    resolver = field.base_resolver
    if resolver is None or resolver.is_async or resolver.arguments or field.extensions or field.permission_classes:
        return None
    function = resolver.wrapped_func
    if isinstance(function, staticmethod | classmethod):
        return None
    parent = resolver.self_parameter or resolver.root_parameter or resolver.parent_parameter
    reserved = [p for p in resolver.reserved_parameters.values() if p is not None]
    if getattr(function, _DIRECT, False):
        return function
    if parent is not None and len(reserved) == 1 and len(resolver.signature.parameters) == 1:
        return _parent_only(function)
    return None


def install(types: Mapping[str, GraphQLNamedType]) -> int:
    """Give graphql-core the plain resolvers of a schema's ``types``; returns how many fields now skip the wrapper."""
    installed = 0
    for graphql_type in types.values():
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        for graphql_field in graphql_type.fields.values():
            definition = (graphql_field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(definition, StrawberryField):
                continue
            resolve = _direct_resolver(definition)
            if resolve is not None:
                graphql_field.resolve = resolve
                installed += 1
    return installed
