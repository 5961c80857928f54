"""The catalogue's descriptions of projects and contacts."""

# Deliberate repetition (`duplicates` lists it): every catalogue module is a table of the same shape
# (GraphQL coordinate -> description), grouped with `ending()` where a group shares its closing phrases.

from __future__ import annotations

from schema.descriptions.phrases import CONTACT, NULL, PROJECT, ending

__all__ = ["DESCRIPTIONS"]

DESCRIPTIONS: dict[str, str] = {
    # --- project -------------------------------------------------------------------------------------------
    **ending(
        NULL + PROJECT,
        {
            "Project.identifier": "OpenSolar's external identifier (a UUID).",
            "Project.title": "The project's title, usually its street address.",
            "Project.address": "Street address.",
            "Project.businessName": "The customer's business name, for commercial projects.",
            "Project.locality": "Suburb or city.",
            "Project.state": "State or region code, e.g. NY or NSW.",
            "Project.zip": "Postcode or ZIP code.",
            "Project.county": "County.",
            "Project.countryIso2": "ISO 3166-1 alpha-2 country code.",
            "Project.countryName": "Country name.",
            "Project.lat": "Latitude in degrees (WGS84).",
            "Project.lon": "Longitude in degrees (WGS84).",
            "Project.timezoneOffset": "Hours from UTC at the site, e.g. 11.0.",
            "Project.isResidential": "True for residential, false for commercial projects.",
            "Project.isLite": "True for an OpenSolar Lite project.",
            "Project.leadSource": "Where the lead came from (free text).",
            "Project.notes": "Internal notes.",
            "Project.siteNotes": "Site notes.",
            "Project.priority": "Priority as OpenSolar numbers it (e.g. 1 low to 3 high).",
            "Project.createdDate": "When the project was created (UTC).",
            "Project.modifiedDate": "When the project last changed (UTC).",
        },
    ),
    "Project.soldDate": "The date it was sold; null until sold." + PROJECT,
    "Project.installationDate": "The installation date; null until set." + PROJECT,
    "Project.contractDate": "The contract date; null until set." + PROJECT,
    **ending(
        NULL + PROJECT,
        {
            "Project.validUntilDate": "The date the proposal's pricing is valid until.",
            "Project.shareLink": "The customer's online-proposal link (carries a share token).",
            "Project.yearsToSimulate": "Years the financial simulation covers, e.g. 20.",
            "Project.language": "The proposal language, e.g. en.",
            "Project.numberOfPhases": "Electrical phases at the site (1 or 3).",
            "Project.numberOfStoreys": "Storeys of the building.",
        },
    ),
    "Project.customData": "Integration data (JSON). OpenSolar sends it only on the Raw Data API Access plan; "
    "null otherwise." + PROJECT,
    "Project.workflow": "The project's workflow and active stage (replaces the deprecated stage)." + PROJECT,
    "Project.assignedRole": "The team member assigned to the project; null when none." + PROJECT,
    "Project.org": "The org the project belongs to (no call until one of its fields needs it).",
    "Project.systemDetails(includeParts)": "Only these parts in each system's data, e.g. mcs (letters, digits "
    "and _; up to 20). Cannot be combined with excludeParts.",
    "Project.systemDetails(excludeParts)": "Leave these parts out of each system's data. Cannot be combined "
    "with includeParts.",
    "Project.systemDetails(limitToSold)": "Only the sold system.",
    "Project.incentives(inputs)": "Applicability inputs that override the derived ones (key=value, e.g. "
    "incomeQualified=false).",
    "Project.incentives(effectiveOn)": "The date incentives must be in effect on; defaults to today (UTC).",
    "Project.incentives(soldOnly)": "Only the sold system (none when the project is not sold).",
    "DesignStatus.AVAILABLE": "OpenSolar sent the design; design decodes it.",
    "Workflow": "The project's workflow and where the project is in it.",
    "Workflow.id": "The project-workflow link's id.",
    "Workflow.workflowId": "The workflow's id (GET /api/orgs/:org_id/workflows/:id/).",
    "Workflow.activeStageId": "The id of the workflow stage the project is at.",
    "TeamMember.id": (
        "The role's upstream integer id (OpenSolar's assigned_role_id, not the user id; Org.role(id:) takes it). "
        "Not a global id: a team member is a masked copy of a role, not a Node."
    ),
    "TeamMember.name": "The team member's display name; null when OpenSolar does not send it.",
    "TeamMember.email": "The email as OpenSolar masks it, e.g. g****@l*******.com; null when not sent.",
    "TeamMember.phone": "The phone as OpenSolar masks it; null when not sent.",
    # --- contact -------------------------------------------------------------------------------------------
    **ending(
        NULL + CONTACT,
        {
            "Contact.firstName": "First name.",
            "Contact.familyName": "Family name.",
            "Contact.display": "The name as OpenSolar displays it.",
            "Contact.email": "Email; <digits>@os.code addresses are synthetic MyEnergy accounts that receive no mail.",
            "Contact.phone": "Phone number as entered.",
            "Contact.dateOfBirth": "Date of birth (contact detail only).",
            "Contact.gender": "Gender as OpenSolar codes it.",
            "Contact.type": "Normal contact or proposal-share contact.",
            "Contact.identifier": "OpenSolar's external identifier.",
            "Contact.passportNumber": "Passport number.",
            "Contact.licenceNumber": "Licence number.",
            "Contact.customContactInfo1": "The org's first custom contact field.",
            "Contact.customContactInfo2": "The org's second custom contact field.",
        },
    ),
    "Gender": "Gender as OpenSolar codes it (0, 1, 2).",
    "Gender.UNSET": "0: not set.",
    "Gender.FEMALE": "1: female.",
    "Gender.MALE": "2: male.",
    "ContactType": "OpenSolar's contact type (0, 1).",
    "ContactType.NORMAL": "0: a normal customer contact.",
    "ContactType.PROPOSAL_SHARE": "1: a contact created by sharing a proposal.",
}
