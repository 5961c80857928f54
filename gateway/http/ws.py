"""Subscriptions over WebSocket with the same error codes as HTTP, in both protocols Strawberry serves.

``graphql-transport-ws`` (the ``graphql-ws`` npm library's protocol, GraphiQL's) and the older
``graphql-ws`` (Apollo's ``subscriptions-transport-ws``) report errors their own way: Strawberry
sends a subscription's validation errors before anything ran, without ``extensions.code``. Each
error payload is given the code an HTTP answer would carry (``GRAPHQL_VALIDATION_FAILED``,
``BAD_USER_INPUT``, the limits' codes); an uncoded error from execution is masked as
``INTERNAL_SERVER_ERROR``, as over HTTP.

Every operation a socket starts (``subscribe``, or ``start`` in the older protocol) spends the
principal's inbound quota (``GATEWAY_RATE_LIMIT``) as one HTTP request does, so one connection cannot
start operations faster than the same credential could send requests; over the quota that
operation gets ``THROTTLED`` with ``retryAfter`` and the connection stays open.

A query with ``@defer``/``@stream`` over ``graphql-transport-ws`` sends each part as its own ``next``
message, formatted as over HTTP (``CodedTransportWSHandler._send_result_stream``).

In the older protocol each operation's result source is closed by the operation's own task, so its
extensions unwind in the context they started in (``CodedGraphQLWSHandler.handle_async_results``).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any, Generic, Protocol, TypeVar, cast

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler, Operation
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from gateway.http.auth import Principal
from gateway.http.error_codes import coded
from gateway.http.inbound import Quota
from gateway.incremental import tidy

__all__ = ["CodedGraphQLWSHandler", "CodedTransportWSHandler", "SocketContext", "coded"]


class _FrontDoor(Protocol):
    @property
    def inbound(self) -> Quota | None: ...


class SocketContext(Protocol):
    """What the handlers read of the GraphQL context (``schema.Context``, bound in ``gateway/app.py``)."""

    @property
    def principal(self) -> Principal | None: ...

    @property
    def front_door(self) -> _FrontDoor: ...


ContextT = TypeVar("ContextT", bound=SocketContext)


def _with_codes(message: Any) -> Any:
    payload = message.get("payload") if isinstance(message, dict) else None
    if message["type"] == "error" and isinstance(payload, list):  # graphql-transport-ws
        return {**message, "payload": [coded(e) for e in payload]}
    if message["type"] == "error" and isinstance(payload, dict):  # graphql-ws: one error
        return {**message, "payload": coded(payload)}
    if isinstance(payload, dict) and payload.get("errors"):  # next / data with errors
        return {**message, "payload": {**payload, "errors": [coded(e) for e in payload["errors"]]}}
    return message


async def throttled(context: SocketContext) -> dict[str, Any] | None:
    """The error for an operation over the principal's inbound quota, else None (the quota is spent)."""
    inbound, principal = context.front_door.inbound, context.principal
    if inbound is None or principal is None:
        return None
    wait = await inbound.spend(principal.id)
    if wait is None:
        return None
    return {
        "message": "Too many operations from this credential; try again later.",
        "extensions": {"code": "THROTTLED", "retryAfter": wait},
    }


class CodedTransportWSHandler(BaseGraphQLTransportWSHandler[ContextT, None], Generic[ContextT]):
    async def send_message(self, message: Any) -> None:
        await super().send_message(_with_codes(message))

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and (error := await throttled(self.context)) is not None:
            await self.send_message({"id": message["id"], "type": "error", "payload": [error]})
            return
        await super().handle_subscribe(message)

    async def _send_result_stream(self, operation: Operation[ContextT, None], result_source: Any) -> None:
        """Each part of an incremental answer (``@defer``/``@stream``) as its own ``next`` message,
        formatted as over HTTP (Strawberry refuses incremental answers on a socket)."""
        pending: list[Any] = []
        first = True
        async for result in result_source:
            if first and isinstance(result, PreExecutionError):
                await self._handle_pre_execution_error(operation, result)
                return
            first = False
            if isinstance(result, ExecutionResult):
                await operation.send_next(result)
                continue
            payload, pending = await self.view._process_stream_result(self.websocket, result, pending)
            message: Any = {"id": operation.id, "type": "next", "payload": tidy(cast(dict[str, Any], payload))}
            await operation.send_operation_message(message)


class _Sources(dict[str, Any]):
    """Strawberry's table of an older-protocol socket's running operations, which also keeps each one's
    result source (``kept``) until the operation's own task has closed it."""

    def __init__(self) -> None:
        super().__init__()
        self.kept: dict[str, Any] = {}

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.kept[key] = value


class CodedGraphQLWSHandler(BaseGraphQLWSHandler[ContextT, None], Generic[ContextT]):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.subscriptions: _Sources = _Sources()

    async def send_message(self, message: Any) -> None:
        await super().send_message(_with_codes(message))

    async def handle_async_results(
        self, operation_id: str, query: str, operation_name: str | None, variables: dict[str, object] | None
    ) -> None:
        """Strawberry's, with the result source closed here, in the task that started it.

        Strawberry leaves the source open when it stops early (an error before execution, a failed
        send); the event loop then closes it in a task of its own, and the operation's extensions
        reset their context variables (the stale-read list, the tracing span) in a context that did
        not set them: a ``ValueError`` traceback in the log for every bad subscription.
        """
        try:
            await super().handle_async_results(operation_id, query, operation_name, variables)
        finally:
            source = self.subscriptions.kept.pop(operation_id, None)
            if source is not None:
                with suppress(RuntimeError):  # already running: a stop from the socket's own task closes it
                    await source.aclose()

    async def handle_start(self, message: StartMessage) -> None:
        if self.connection_acknowledged and (error := await throttled(self.context)) is not None:
            await self.send_message({"id": message["id"], "type": "error", "payload": error})
            return
        await super().handle_start(message)
