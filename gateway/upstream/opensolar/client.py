"""The OpenSolar REST client: documented paths, DRF conventions, typed records.

Paths always carry the trailing slash (required on every method but GET) and systems always carry
``fieldset=list`` (required). Lists are bare JSON arrays paged with ``page``/``limit``; a page past
the end is an empty list (a DRF ``404 Invalid page.`` on a later page is read the same way).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, TypeVar

import httpx

from gateway.cache.scope import fingerprint
from gateway.cache.upstream import CachePolicy
from gateway.errors import (
    MAX_MESSAGE_CHARS,
    UpstreamError,
    UpstreamUnavailable,
    error_for_status,
    redact,
    validation_fields,
)
from gateway.upstream.config import DEFAULT_CACHE_TTLS_S
from gateway.upstream.opensolar.cache_policy import policy_for, tags_for
from gateway.upstream.opensolar.models import (
    ContactRecord,
    OrgRecord,
    PrivateFileRecord,
    ProjectRecord,
    ProposalRecord,
    Record,
    SystemDetailsEnvelope,
    SystemDetailsRecord,
    SystemRecord,
    WebhookRecord,
)
from gateway.upstream.opensolar.people import (
    EventRecord,
    RoleRecord,
    WebhookLogRecord,
    WebhookQueueRecord,
    WorkflowRecord,
)
from gateway.upstream.opensolar.proposals import proposal_from
from gateway.upstream.opensolar.queries import ListQuery, PrivateFileFilter
from gateway.upstream.opensolar.writes import OpenSolarWrites
from gateway.upstream.quotas import classify_opensolar
from gateway.upstream.tolerant import list_of, one_of, parse_model

__all__ = ["OpenSolarClient"]

R = TypeVar("R", bound=Record)
UPSTREAM = "opensolar"


class OpenSolarClient(OpenSolarWrites):
    """Typed async methods over OpenSolar's org-scoped REST API; the bearer token comes per call."""

    def __init__(self, *args: Any, ttls: Mapping[str, float] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ttls = dict(ttls or DEFAULT_CACHE_TTLS_S)

    def cache_policy(self, path: str, params: Mapping[str, str | int]) -> CachePolicy | None:
        return policy_for(path, self.ttls)

    def cache_tags(self, path: str, params: Mapping[str, str | int], payload: Any) -> set[str]:
        return tags_for(path, params, payload)

    def endpoint_class(self, method: str, path: str) -> str:
        return classify_opensolar(method, path).value

    def error_from_body(self, status: int, headers: httpx.Headers, payload: Any) -> UpstreamError:
        """DRF bodies: ``{"detail": "..."}``, or ``{"<field>": ["msg", ...]}`` for validation errors.

        Only a 400 shows anything of the body (its field names and messages, redacted and capped);
        any other status gets the gateway's own message for it.
        """
        if status != 400 or not isinstance(payload, dict):
            return error_for_status(UPSTREAM, status)
        detail = redact(payload["detail"]) if isinstance(payload.get("detail"), str) else None
        fields = validation_fields({k: v for k, v in payload.items() if k != "detail"})
        error = error_for_status(UPSTREAM, status, fields=fields)
        summary = detail or "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in (fields or {}).items())
        if summary:
            error.message = f"{UPSTREAM}: {redact(summary, 2 * MAX_MESSAGE_CHARS)}"
            error.args = (error.message,)
        return error

    async def _get(self, token: str, path: str, params: Mapping[str, str | int] | None = None) -> Any:
        return await self.request("GET", path, params=params, headers=_auth(token))

    async def _one(self, model: type[R], token: str, path: str, params: Mapping[str, str | int] | None = None) -> R:
        record: R = await self.request("GET", path, params=params, headers=_auth(token), decode=one_of(model, UPSTREAM))
        return record

    async def _page(
        self,
        model: type[R],
        token: str,
        path: str,
        page: int,
        limit: int,
        params: Mapping[str, str | int] | None = None,
    ) -> list[R]:
        query: dict[str, str | int] = {**(params or {}), "page": page, "limit": limit}
        try:
            rows: list[R] = await self.request(
                "GET", path, params=query, headers=_auth(token), decode=list_of(model, UPSTREAM)
            )
        except UpstreamError as exc:
            if exc.status == 404 and page > 1:
                return []
            raise
        return rows

    async def org(self, token: str, org_id: int) -> OrgRecord:
        return await self._one(OrgRecord, token, f"/api/orgs/{org_id}/")

    async def contacts(
        self, token: str, org_id: int, page: int, limit: int, query: ListQuery | None = None
    ) -> list[ContactRecord]:
        params = query.params("contacts") if query else None
        return await self._page(ContactRecord, token, f"/api/orgs/{org_id}/contacts/", page, limit, params)

    async def contact(self, token: str, org_id: int, contact_id: int) -> ContactRecord:
        return await self._one(ContactRecord, token, f"/api/orgs/{org_id}/contacts/{contact_id}/")

    async def projects(
        self, token: str, org_id: int, page: int, limit: int, query: ListQuery | None = None
    ) -> list[ProjectRecord]:
        params = query.params("projects") if query else None
        return await self._page(ProjectRecord, token, f"/api/orgs/{org_id}/projects/", page, limit, params)

    async def project(self, token: str, org_id: int, project_id: int) -> ProjectRecord:
        return await self._one(ProjectRecord, token, f"/api/orgs/{org_id}/projects/{project_id}/")

    async def systems(
        self, token: str, org_id: int, page: int, limit: int, project_id: int | None = None
    ) -> list[SystemRecord]:
        params: dict[str, str | int] = {"fieldset": "list"}
        if project_id is not None:
            params["project"] = project_id
        return await self._page(SystemRecord, token, f"/api/orgs/{org_id}/systems/", page, limit, params)

    async def system(self, token: str, org_id: int, system_id: int) -> SystemRecord:
        return await self._one(SystemRecord, token, f"/api/orgs/{org_id}/systems/{system_id}/", {"fieldset": "list"})

    async def system_details(
        self,
        token: str,
        org_id: int,
        project_id: int,
        *,
        include_parts: tuple[str, ...] = (),
        exclude_parts: tuple[str, ...] = (),
        limit_to_sold: bool = False,
    ) -> list[SystemDetailsRecord]:
        params: dict[str, str | int] = {}
        if include_parts:
            params["include_parts"] = ",".join(include_parts)
        if exclude_parts:
            params["exclude_parts"] = ",".join(exclude_parts)
        if limit_to_sold:
            params["limit_to_sold"] = "true"
        path = f"/api/orgs/{org_id}/projects/{project_id}/systems/details/"
        return (await self._one(SystemDetailsEnvelope, token, path, params)).systems

    async def private_files(
        self, token: str, org_id: int, page: int, limit: int, filters: PrivateFileFilter
    ) -> list[PrivateFileRecord]:
        params: dict[str, str | int] = {}
        for key, value in (
            ("project", filters.project_id),
            ("search", filters.search),
            ("file_tags", filters.file_tag),
            ("file_tags_exclude", filters.file_tag_exclude),
            ("user_id", filters.user_id),
            ("ordering", filters.ordering),
        ):
            if value is not None:
                params[key] = value
        return await self._page(PrivateFileRecord, token, f"/api/orgs/{org_id}/private_files/", page, limit, params)

    async def private_file(self, token: str, org_id: int, file_id: int) -> PrivateFileRecord:
        return await self._one(PrivateFileRecord, token, f"/api/orgs/{org_id}/private_files/{file_id}/")

    async def proposal(self, token: str, project_id: int) -> ProposalRecord:
        # compress_data (documented): the design, bills and output arrive base64+gzip, not as megabytes of JSON
        payload = await self._get(token, "/api/user_logins/", {"project_ids": project_id, "compress_data": 1})
        return proposal_from(payload, project_id)

    async def webhooks(self, token: str, org_id: int, page: int, limit: int) -> list[WebhookRecord]:
        return await self._page(WebhookRecord, token, f"/api/orgs/{org_id}/webhooks/", page, limit)

    async def webhook(self, token: str, org_id: int, webhook_id: int) -> WebhookRecord:
        return await self._one(WebhookRecord, token, f"/api/orgs/{org_id}/webhooks/{webhook_id}/")

    async def webhook_logs(
        self, token: str, org_id: int, page: int, limit: int, search: str | None = None
    ) -> list[WebhookLogRecord]:
        params: dict[str, str | int] = {"search": search} if search else {}
        path = f"/api/orgs/{org_id}/webhook_process_logs/"
        try:
            return await self._page(WebhookLogRecord, token, path, page, limit, params)
        except UpstreamUnavailable as exc:
            if exc.status == 500 and page > 1:
                return []  # documented: a page past the end of the logs is an HTTP 500
            raise

    async def webhook_queue(self, token: str, org_id: int, page: int, limit: int) -> list[WebhookQueueRecord]:
        return await self._page(WebhookQueueRecord, token, f"/api/orgs/{org_id}/webhook_queue_models/", page, limit)

    async def roles(
        self, token: str, org_id: int, page: int, limit: int, ordering: str | None = None
    ) -> list[RoleRecord]:
        params: dict[str, str | int] = {"fieldset": "list", **({"ordering": ordering} if ordering else {})}
        return await self._page(RoleRecord, token, f"/api/orgs/{org_id}/roles/", page, limit, params)

    async def role(self, token: str, org_id: int, role_id: int) -> RoleRecord:
        return await self._one(RoleRecord, token, f"/api/orgs/{org_id}/roles/{role_id}/")

    async def workflows(
        self, token: str, org_id: int, page: int, limit: int, is_default: bool | None, is_archived: bool | None
    ) -> list[WorkflowRecord]:
        params: dict[str, str | int] = {}
        for key, value in (("is_default", is_default), ("is_archived", is_archived)):
            if value is not None:
                params[key] = "true" if value else "false"
        return await self._page(WorkflowRecord, token, f"/api/orgs/{org_id}/workflows/", page, limit, params)

    async def workflow(self, token: str, org_id: int, workflow_id: int) -> WorkflowRecord:
        return await self._one(WorkflowRecord, token, f"/api/orgs/{org_id}/workflows/{workflow_id}/")

    async def event(self, token: str, org_id: int, event_id: int) -> EventRecord:
        """Events are org-level (``/projects/:id/events/`` is a 404, checked live)."""
        return await self._one(EventRecord, token, f"/api/orgs/{org_id}/events/{event_id}/")

    async def system_image(
        self, token: str, org_id: int, project_id: int, uuid: str, width: int, height: int
    ) -> tuple[str, AsyncIterator[bytes]]:
        """The system image's content type and its bytes, streamed (redirects followed, size bounded).

        Paced like every call (10/min per user), never retried, never cached; an error status is read
        whole and mapped to the error tree before any byte is streamed.
        """
        path = f"/api/orgs/{org_id}/projects/{project_id}/systems/{uuid}/image/"
        headers = _auth(token)
        if self.pacer is not None:
            await self.pacer.acquire(fingerprint(headers["Authorization"]), "GET", path)
        request = self.http.build_request(
            "GET", f"{self.config.base_url}{path}", params={"width": width, "height": height}, headers=headers
        )
        try:
            response = await self.http.send(request, stream=True, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable(
                f"{UPSTREAM}: system image unreachable ({type(exc).__name__}).", upstream=UPSTREAM
            ) from None
        if response.status_code >= 400:
            body = await response.aread()
            await response.aclose()
            raise self._error(response.status_code, response.headers, self._decode(body, response.status_code))
        return response.headers.get("content-type", "image/jpeg"), self._bounded(response)

    async def _bounded(self, response: httpx.Response) -> AsyncIterator[bytes]:
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self.config.max_response_bytes:
                    return  # a truncated image rather than an unbounded one
                yield chunk
        finally:
            await response.aclose()

    async def create_webhook(self, token: str, org_id: int, body: Mapping[str, Any]) -> WebhookRecord:
        payload = await self.request(
            "POST", f"/api/orgs/{org_id}/webhooks/", json_body=dict(body), headers=_auth(token)
        )
        return parse_model(WebhookRecord, payload, UPSTREAM)

    async def update_webhook(self, token: str, org_id: int, webhook_id: int, body: Mapping[str, Any]) -> WebhookRecord:
        payload = await self.request(
            "PATCH", f"/api/orgs/{org_id}/webhooks/{webhook_id}/", json_body=dict(body), headers=_auth(token)
        )
        return parse_model(WebhookRecord, payload, UPSTREAM)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
