"""What a resolver's own selection asks for further down, read from the document before anything resolves.

A resolver that returns a list can start the reads its rows' fields will need (``schema/incentives/market.py``)
only if it knows those fields are selected. Fields are matched by name, not alias, through fragments; a field,
fragment or inline fragment carrying any directive (``@include``, ``@skip``, ``@defer``) is left out, because
whether and when it runs is not known here: leaving it out only forgoes a prefetch, it never adds a read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from schema.info import Info

__all__ = ["selected_below"]


def _fields(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode], seen: frozenset[str]
) -> Iterator[FieldNode]:
    for node in selection_set.selections if selection_set is not None else ():
        if node.directives:
            continue
        if isinstance(node, FieldNode):
            yield node
        elif isinstance(node, InlineFragmentNode):
            yield from _fields(node.selection_set, fragments, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            fragment = fragments.get(node.name.value)
            if fragment is not None and not fragment.directives:
                yield from _fields(fragment.selection_set, fragments, seen | {node.name.value})


def selected_below(info: Info, path: Sequence[str]) -> list[FieldNode]:
    """The field nodes at ``path`` (field names) below the field being resolved; empty when none is selected."""
    raw = info._raw_info
    level: list[FieldNode] = list(raw.field_nodes)
    for name in path:
        level = [
            f for node in level for f in _fields(node.selection_set, raw.fragments, frozenset()) if f.name.value == name
        ]
    return level
