"""Links back up the graph: the project a contact, file or system belongs to, and the org of a project.

``Project`` imports the types it lists (contacts, files, systems) and ``Org`` imports ``Project``; the
links back name their target through ``strawberry.lazy`` in the annotation and build it through the same
lazy reference here, so the package's imports run one way (``lint-imports``: no cycle between the modules
of ``schema/opensolar/``) while the graph keeps both directions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from strawberry import LazyType

if TYPE_CHECKING:
    from schema.opensolar.org import Org
    from schema.opensolar.projects import Project

__all__ = ["org_of", "project_of"]

_PROJECT: LazyType[str, str] = LazyType("Project", "schema.opensolar.projects")
_ORG: LazyType[str, str] = LazyType("Org", "schema.opensolar.org")


def project_of(org_id: int, project_id: int) -> Project:
    """The project ``project_id`` of ``org_id``, by id alone (its fields read it when asked)."""
    project: type[Project] = _PROJECT.resolve_type()
    return project.from_id(org_id, project_id)


def org_of(org_id: int) -> Org:
    """The org ``org_id`` (its fields read it when asked)."""
    org: type[Org] = _ORG.resolve_type()
    return org(org_id=org_id)
