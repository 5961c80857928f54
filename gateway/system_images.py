"""``GET /images/opensolar/system``: a system's rendered image, streamed under the caller's own credential.

OpenSolar's ``GET .../projects/:project_id/systems/:uuid/image/?width=&height=`` needs the bearer token,
may redirect to storage and answers ``image/jpeg``; it is throttled at 10/min per user. The gateway
paces it like any call, follows the redirect, streams the bytes through (bounded by the upstream's
response cap) and never stores them: ``Cache-Control: private, no-store``, so no shared cache, this
gateway's included, ever serves one caller's image to another.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from gateway.errors import BadRequestError, GatewayError, UpstreamError, UpstreamRateLimited
from gateway.http.rejection import Rejection

__all__ = ["IMAGE_PATH", "MAX_IMAGE_SIDE_PX", "image_path", "system_image"]

IMAGE_PATH = "/images/opensolar/system"
MAX_IMAGE_SIDE_PX = 4096
_UUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
_STATUS = {"BAD_REQUEST": 400, "UNAUTHENTICATED": 401, "PLAN_REQUIRED": 402, "FORBIDDEN": 403, "NOT_FOUND": 404}


def image_path(org_id: int, project_id: int, uuid: str, width: int, height: int) -> str:
    return f"{IMAGE_PATH}?org={org_id}&project={project_id}&uuid={uuid}&width={width}&height={height}"


def _number(request: Request, name: str, high: int) -> int:
    raw = request.query_params.get(name, "")
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise BadRequestError(f"{name} must be an integer from 1 to {high}.", argument=name)
    return int(raw)


def _problem(error: GatewayError) -> JSONResponse:
    status = 429 if isinstance(error, UpstreamRateLimited) else _STATUS.get(error.code, 502)
    headers = {}
    if isinstance(error, UpstreamRateLimited) and error.retry_after is not None:
        headers["Retry-After"] = str(int(error.retry_after))
    body = {"errors": [{"message": error.message, "extensions": error.extensions}]}
    return JSONResponse(body, status_code=status, headers=headers)


async def system_image(request: Request) -> Response:
    runtime = request.app.state.runtime
    # the same admission as /graphql: the credential (memoised, verified once) and its inbound rate
    admitted = await runtime.front_door.authenticator.admit(
        request.headers.get("authorization", "").encode("latin-1"),
        request.headers.get("x-api-key", "").encode("latin-1"),
    )
    if isinstance(admitted, Rejection):
        return admitted.response()
    if (
        runtime.front_door.inbound is not None
        and (wait := await runtime.front_door.inbound.spend(admitted.id)) is not None
    ):
        return Rejection(
            429, "THROTTLED", f"Too many requests; try again in {wait} s.", {"retryAfter": wait}
        ).response()
    token = admitted.opensolar_token
    try:
        org, project = _number(request, "org", 10**15), _number(request, "project", 10**15)
        width, height = _number(request, "width", MAX_IMAGE_SIDE_PX), _number(request, "height", MAX_IMAGE_SIDE_PX)
        uuid = request.query_params.get("uuid", "")
        if not _UUID.match(uuid):
            raise BadRequestError("uuid must be the system's UUID.", argument="uuid")
        if not token:
            raise BadRequestError("No OpenSolar credential for this request.", argument="authorization")
        content_type, chunks = await runtime.upstreams.opensolar.system_image(token, org, project, uuid, width, height)
    except (GatewayError, UpstreamError) as error:
        return _problem(error)
    headers = {"Cache-Control": "private, no-store", "Vary": "Authorization, X-API-Key"}
    return StreamingResponse(chunks, media_type=content_type, headers=headers)
