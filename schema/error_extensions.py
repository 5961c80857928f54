"""Two schema extensions: every error leaves with its code (``ErrorCodes``), and stale reads are listed.

``ErrorCodes`` applies the gateway's one rule (``gateway/http/error_codes.py``: gateway errors keep
their code, parse, validation and variable errors get theirs, anything else is masked as
``INTERNAL_SERVER_ERROR`` with its traceback logged) while Strawberry still holds the errors, so the
original exception is at hand. ``StaleReads`` lists every read served stale in ``extensions.stale``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension

from gateway.cache import StaleRead, stale_reads
from gateway.http.error_codes import coded_error
from schema.incremental import initial_of

__all__ = ["ErrorCodes", "StaleReads", "coded_error"]  # coded_error: the rule, in gateway/http/error_codes.py


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

    def get_results(self) -> dict[str, Any]:
        if not self._reads:
            return {}
        return {
            "stale": [
                {"upstream": r.upstream, "resource": r.resource, "ageSeconds": r.age_s, "reason": r.reason}
                for r in self._reads
            ]
        }
