"""OpenSolar writes: projects, contacts, private files and document generation.

Every write is one upstream call, never retried (``RetryPolicy`` retries only GET/HEAD), paced on
the documented write quotas (project create/update: 10/min per user) by the same ``Pacer`` as reads,
and never cached. Relations are sent as DRF hyperlinks, as the reference's create example does
(``assigned_role``, ``contacts``, ``shared_with``, ``file_tags``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.errors import PlanRequiredError, UpstreamError
from gateway.upstream.base import UpstreamClient
from gateway.upstream.opensolar.models import ContactRecord, PrivateFileRecord, ProjectRecord
from gateway.upstream.opensolar.people import WorkflowRecord
from gateway.upstream.tolerant import parse_model

__all__ = ["OpenSolarWrites", "Upload"]

UPSTREAM = "opensolar"
Upload = tuple[str, bytes, str]  # filename, content, content type


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class OpenSolarWrites(UpstreamClient):
    """The write half of ``OpenSolarClient``."""

    def link(self, org_id: int, kind: str, item_id: int) -> str:
        """The DRF hyperlink OpenSolar takes for a relation (``roles``, ``contacts``, ...)."""
        return f"{self.config.base_url}/api/orgs/{org_id}/{kind}/{item_id}/"

    def org_link(self, org_id: int) -> str:
        return f"{self.config.base_url}/api/orgs/{org_id}/"

    def file_tag_link(self, tag_id: int) -> str:
        return f"{self.config.base_url}/api/file_tags/{tag_id}/"

    async def _write(self, method: str, token: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        return await self.request(
            method, path, json_body=dict(body) if body is not None else None, headers=_auth(token)
        )

    async def create_project(self, token: str, org_id: int, body: Mapping[str, Any]) -> ProjectRecord:
        try:
            payload = await self._write("POST", token, f"/api/orgs/{org_id}/projects/", body)
        except PlanRequiredError as exc:
            raise _wallet_blocked(exc) from None
        return parse_model(ProjectRecord, payload, UPSTREAM)

    async def update_project(self, token: str, org_id: int, project_id: int, body: Mapping[str, Any]) -> ProjectRecord:
        payload = await self._write("PATCH", token, f"/api/orgs/{org_id}/projects/{project_id}/", body)
        return parse_model(ProjectRecord, payload, UPSTREAM)

    async def replace_project(self, token: str, org_id: int, project_id: int, body: Mapping[str, Any]) -> ProjectRecord:
        """PUT: how the reference shares a project (``shared_with``)."""
        payload = await self._write("PUT", token, f"/api/orgs/{org_id}/projects/{project_id}/", body)
        return parse_model(ProjectRecord, payload, UPSTREAM)

    async def delete_project(self, token: str, org_id: int, project_id: int) -> None:
        await self._write("DELETE", token, f"/api/orgs/{org_id}/projects/{project_id}/")

    async def create_contact(self, token: str, org_id: int, body: Mapping[str, Any]) -> ContactRecord:
        payload = await self._write("POST", token, f"/api/orgs/{org_id}/contacts/", body)
        return parse_model(ContactRecord, payload, UPSTREAM)

    async def update_contact(self, token: str, org_id: int, contact_id: int, body: Mapping[str, Any]) -> ContactRecord:
        """PUT, the documented verb; it keeps fields left out (it behaves like PATCH, checked live)."""
        payload = await self._write("PUT", token, f"/api/orgs/{org_id}/contacts/{contact_id}/", body)
        return parse_model(ContactRecord, payload, UPSTREAM)

    async def delete_contact(self, token: str, org_id: int, contact_id: int) -> None:
        await self._write("DELETE", token, f"/api/orgs/{org_id}/contacts/{contact_id}/")

    async def upload_private_file(
        self, token: str, org_id: int, form: Mapping[str, Any], upload: Upload
    ) -> PrivateFileRecord:
        """POST as multipart/form-data: the fields and ``file_contents`` (the reference's curl example)."""
        payload = await self.request(
            "POST",
            f"/api/orgs/{org_id}/private_files/",
            headers=_auth(token),
            form=form,
            files={"file_contents": upload},
        )
        return parse_model(PrivateFileRecord, payload, UPSTREAM)

    async def update_private_file(
        self, token: str, org_id: int, file_id: int, body: Mapping[str, Any]
    ) -> PrivateFileRecord:
        payload = await self._write("PATCH", token, f"/api/orgs/{org_id}/private_files/{file_id}/", body)
        return parse_model(PrivateFileRecord, payload, UPSTREAM)

    async def delete_private_file(self, token: str, org_id: int, file_id: int) -> None:
        await self._write("DELETE", token, f"/api/orgs/{org_id}/private_files/{file_id}/")

    async def create_workflow(self, token: str, org_id: int, body: Mapping[str, Any]) -> WorkflowRecord:
        payload = await self._write("POST", token, f"/api/orgs/{org_id}/workflows/", body)
        return parse_model(WorkflowRecord, payload, UPSTREAM)

    async def replace_workflow(
        self, token: str, org_id: int, workflow_id: int, body: Mapping[str, Any]
    ) -> WorkflowRecord:
        """PUT replaces the whole workflow (stages left out are removed)."""
        payload = await self._write("PUT", token, f"/api/orgs/{org_id}/workflows/{workflow_id}/", body)
        return parse_model(WorkflowRecord, payload, UPSTREAM)

    async def delete_workflow(self, token: str, org_id: int, workflow_id: int) -> None:
        await self._write("DELETE", token, f"/api/orgs/{org_id}/workflows/{workflow_id}/")

    async def generate_document(
        self, token: str, org_id: int, project_id: int, document_type: str, params: Mapping[str, str | int]
    ) -> PrivateFileRecord:
        """POST .../generate_document/:document_type/ with its query parameters; the saved private file."""
        payload = await self.request(
            "POST",
            f"/api/orgs/{org_id}/projects/{project_id}/generate_document/{document_type}/",
            params=params,
            headers=_auth(token),
        )
        return parse_model(PrivateFileRecord, payload, UPSTREAM)


def _wallet_blocked(exc: UpstreamError) -> PlanRequiredError:
    """A 402 on project create: the API Access wallet cannot pay for a new project (the FAQ: "API
    access will continue to function, but new project creation will be blocked")."""
    return PlanRequiredError(
        "opensolar: new project creation is blocked: the org's API Access wallet balance is empty "
        "(top it up, or enable auto top-up, in Control > Wallet).",
        upstream=UPSTREAM,
        status=exc.status,
        plan="API_ACCESS",
        reason="WALLET_EMPTY",
    )
