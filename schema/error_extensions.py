"""Two schema extensions: every error leaves with its code (``ErrorCodes``), and stale reads are listed.

``ErrorCodes`` applies the gateway's one rule (``gateway/http/error_codes.py``: gateway errors keep
their code, parse, validation and variable errors get theirs, anything else is masked as
``INTERNAL_SERVER_ERROR`` with its traceback logged) while Strawberry still holds the errors, so the
original exception is at hand. ``StaleReads`` lists every read served stale in ``extensions.stale``: of
the answer, or, for an answer in parts, of the part that carries it (``stale_in_later_parts``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from strawberry.extensions import SchemaExtension

from gateway.cache import StaleRead, stale_reads
from gateway.http.error_codes import coded_error
from schema.incremental import initial_of

__all__ = [
    "ErrorCodes",
    "StaleReads",
    "coded_error",
    "stale_in_later_parts",
    "take_stale",
]  # coded_error: the rule, in gateway/http/error_codes.py


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = initial_of(self.execution_context.result)
        if result is not None and result.errors:
            result.errors = [coded_error(error) for error in result.errors]


class StaleReads(SchemaExtension):
    """Lists, in ``extensions.stale``, every upstream read served stale because the upstream failed."""

    def on_operation(self) -> Iterator[None]:
        self._reads: list[StaleRead] = []
        token = stale_reads.set(self._reads)
        try:
            yield
        finally:
            stale_reads.reset(token)
        result = self.execution_context.result
        initial = initial_of(result)
        if initial is not result and initial is not None:  # an answer in parts: Strawberry sends no extension
            # results with its first part, so the reads served stale so far go in that part's own extensions
            listed = take_stale(self._reads)
            if listed:
                initial.extensions = {**(initial.extensions or {}), **listed}

    def get_results(self) -> dict[str, Any]:
        return take_stale(self._reads)


def take_stale(reads: list[StaleRead]) -> dict[str, Any]:
    """The ``extensions`` entry for ``reads`` not yet reported, which then leave the list: each read is
    listed once, in the part of an answer that carries it."""
    if not reads:
        return {}
    listed = [
        {"upstream": r.upstream, "resource": r.resource, "ageSeconds": r.age_s, "reason": r.reason} for r in reads
    ]
    del reads[:]
    return {"stale": listed}


def stale_in_later_parts() -> Callable[[Any], None]:
    """Called as an answer in parts starts (inside the operation, where ``stale_reads`` is its list): what adds
    the reads served stale since the part before to a later part's ``extensions``. Deferred work runs after
    the initial part was sent, so its stale reads would otherwise be listed nowhere."""
    reads = stale_reads.get()

    def annotate(part: Any) -> None:
        if reads:
            part.extensions = {**(part.extensions or {}), **take_stale(reads)}

    return annotate
