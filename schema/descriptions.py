"""What every type, field, argument, input field and enum value means, written from the seeds and the reference.

Descriptions given in the code (``description=...``) win; this catalogue fills in the rest when the schema is
built, so the types' modules stay short. Keys are ``Type``, ``Type.field``, ``Type.field(argument)`` (also for
input fields: ``Input.field``) and ``Enum.VALUE``. Connections and edges are described from their node type.
A test walks the built schema and fails on anything left without a description.

Costs name the upstream call a field may make; every call is made at most once per request (DataLoaders)
and served from the gateway's cache when a fresh copy is there.
"""

from __future__ import annotations

from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema

__all__ = ["COSTS", "DESCRIPTIONS", "describe"]

_NULL = " Null when OpenSolar does not send it, or on an error at this path (see the error's extensions.code)."
_PROJECT = (
    " Served from the list row or inlined copy when it holds the key, else from one project-detail call "
    "(GET /api/orgs/:org_id/projects/:id/, throttled at 100/min per user and 10,000/day per org) shared by "
    "every field of the project."
)
_CONTACT = (
    " Served from the list row or a project's contacts_data when it holds the key, else from one contact-detail "
    "call (GET /api/orgs/:org_id/contacts/:id/)."
)
_SYSTEM = (
    " Served from the systems-list row or the entry inlined in project detail when it holds the key, else from "
    "the project's systems list (GET /api/orgs/:org_id/systems/?fieldset=list&project=:id) or one system call."
)
_DETAILS = (
    " From the project's one system-details call (GET /api/orgs/:org_id/projects/:id/systems/details/, "
    "60/min per user; experimental upstream, may time out as UPSTREAM_TIMEOUT)."
)
_FILE = (
    " Served from the list row or the project's private_files_data when it holds the key, else from one "
    "private-file call (GET /api/orgs/:org_id/private_files/:id/, 1000/hour per user, 1000/day per org)."
)
_PROPOSAL = (
    " From the project's one proposal-data call (GET /api/user_logins/?project_ids=:id, 100/min per user; "
    "Raw Data API Access plan only)."
)
_ARCADIA = " As Arcadia sends it (no further call); null when Arcadia omits it."
_PAGE_FIRST = "Items per page, 1 to 100 (default 20); one upstream list call per page."
_PAGE_AFTER = "An endCursor or cursor from a previous page of this connection; BAD_REQUEST otherwise."
_ORG_ARG = "The OpenSolar org; defaults to OPENSOLAR_ORG_ID."
_COMPONENT = "Null when OpenSolar does not send it."

DESCRIPTIONS: dict[str, str] = {
    # --- roots ---------------------------------------------------------------------------------------------
    "Query": "Reads: an OpenSolar org and everything under it, and the Arcadia incentives catalogue.",
    "Query.org(id)": "The org's id; defaults to OPENSOLAR_ORG_ID (the sandbox's Raw Data org 1001).",
    "Query.incentives(filter)": "Arcadia's search parameters (ZIP, state, customer class, dates, ...).",
    "Query.incentives(inputs)": "Applicability inputs (key=value) sent to Arcadia; they set each result's "
    "eligibility and never filter the list. Keys are letters and digits (e.g. 110percentAnnualConsumption).",
    "Query.incentives(first)": "Incentives per page, 1 to 100 (default 20); one Arcadia search call per page.",
    "Query.incentives(after)": _PAGE_AFTER,
    "Query.incentive(id)": "The incentive's masterIncentiveId.",
    "Query.incentive(populateDetails)": "Ask Arcadia to include the applicabilities (populateDetails).",
    "Query.incentive(populateDocuments)": "Ask Arcadia to include document links (populateDocuments).",
    "Query.incentiveApplicabilities(filter)": "Arcadia's applicability search parameters (ZIP, state, ...).",
    "Mutation": "Writes to OpenSolar (throttled at 10/min per user for writes); never retried, never cached.",
    "Mutation.createWebhook(input)": "The webhook to register.",
    "Mutation.createWebhook(orgId)": _ORG_ARG,
    "Mutation.updateWebhook(id)": "The webhook's id.",
    "Mutation.updateWebhook(input)": "The fields to change; omitted fields stay as they are.",
    "Mutation.updateWebhook(orgId)": _ORG_ARG,
    "Mutation.disableWebhook(id)": "The webhook's id.",
    "Mutation.disableWebhook(orgId)": _ORG_ARG,
    "Subscription": "Live changes over graphql-transport-ws, fed by OpenSolar's webhooks to this gateway's receiver.",
    "Subscription.projectChanged(orgId)": _ORG_ARG + " The subscriber must be able to read it.",
    "ChangeEvent": "What happened to the record, as OpenSolar's webhook payload says (event).",
    "ChangeEvent.CREATE": "The record was created.",
    "ChangeEvent.UPDATE": "One or more watched fields changed (see changedFields).",
    "ChangeEvent.DELETE": "The record was deleted.",
    "ProjectChange.projectId": "The changed project's id (the webhook's model_id).",
    "ProjectChange.event": "CREATE, UPDATE or DELETE.",
    "ProjectChange.changedFields": "Names of the fields the webhook payload carried (filtered by the webhook's "
    "payload_fields); empty for DELETE.",
    # --- org -----------------------------------------------------------------------------------------------
    "Org.id": "The org's OpenSolar id (checked: org is null when OpenSolar does not show it to the caller).",
    "Org.name": "The org's name. One org call (GET /api/orgs/:org_id/), cached for an hour.",
    "Org.contacts(first)": _PAGE_FIRST,
    "Org.contacts(after)": _PAGE_AFTER,
    "Org.projects": "The org's projects, in OpenSolar's order; one projects-list call per page (GET "
    "/api/orgs/:org_id/projects/?page=&limit=). No total count: OpenSolar gives none.",
    "Org.projects(first)": _PAGE_FIRST,
    "Org.projects(after)": _PAGE_AFTER,
    "Org.project": "One project by id: null with one error here, NOT_FOUND (404), FORBIDDEN (403: another org's "
    "or a lost-access project) or UNAUTHENTICATED. One project-detail call (GET /api/orgs/:org_id/projects/:id/, "
    "100/min per user), which every field but id needs anyway.",
    "Org.project(id)": "The project's numeric id.",
    "Org.contact": "One contact by id (one contact-detail call); null with NOT_FOUND or FORBIDDEN at this path.",
    "Org.contact(id)": "The contact's numeric id.",
    "Org.system": "One system by id (GET /api/orgs/:org_id/systems/:id/?fieldset=list); null with NOT_FOUND "
    "or FORBIDDEN at this path.",
    "Org.system(id)": "The system's numeric id.",
    "Org.privateFile": "One private file by id (GET /api/orgs/:org_id/private_files/:id/, 1000/hour per user); "
    "null with NOT_FOUND or FORBIDDEN at this path. Needs a Pro role in the org.",
    "Org.privateFile(id)": "The file's numeric id.",
    "Org.privateFiles(first)": _PAGE_FIRST,
    "Org.privateFiles(after)": _PAGE_AFTER,
    "Org.privateFiles(projectId)": "Only the files of this project.",
    "Org.privateFiles(search)": "OpenSolar's search over title, system_uuid, status and hashes (first 200 "
    "characters are sent).",
    "Org.privateFiles(fileTag)": "Only files with this tag title, e.g. 'Extra File' (first 200 characters).",
    "Org.privateFiles(ordering)": "Sort order; OpenSolar's default is newest modified first.",
    "Org.webhooks": "The org's webhook registrations; one webhooks-list call per page.",
    "Org.webhooks(first)": _PAGE_FIRST,
    "Org.webhooks(after)": _PAGE_AFTER,
    # --- pagination ----------------------------------------------------------------------------------------
    "PageInfo.hasNextPage": "True whenever the upstream page came back full (the next page may then be empty).",
    "PageInfo.hasPreviousPage": "True when this page does not start at the first item.",
    "PageInfo.startCursor": "The first edge's cursor; null on an empty page.",
    "PageInfo.endCursor": "The last edge's cursor: pass it as after for the next page; null on an empty page.",
    # --- project -------------------------------------------------------------------------------------------
    "Project.id": "The project's numeric OpenSolar id.",
    "Project.identifier": "OpenSolar's external identifier (a UUID)." + _NULL + _PROJECT,
    "Project.title": "The project's title, usually its street address." + _NULL + _PROJECT,
    "Project.address": "Street address." + _NULL + _PROJECT,
    "Project.businessName": "The customer's business name, for commercial projects." + _NULL + _PROJECT,
    "Project.locality": "Suburb or city." + _NULL + _PROJECT,
    "Project.state": "State or region code, e.g. NY or NSW." + _NULL + _PROJECT,
    "Project.zip": "Postcode or ZIP code." + _NULL + _PROJECT,
    "Project.county": "County." + _NULL + _PROJECT,
    "Project.countryIso2": "ISO 3166-1 alpha-2 country code." + _NULL + _PROJECT,
    "Project.countryName": "Country name." + _NULL + _PROJECT,
    "Project.lat": "Latitude in degrees (WGS84)." + _NULL + _PROJECT,
    "Project.lon": "Longitude in degrees (WGS84)." + _NULL + _PROJECT,
    "Project.timezoneOffset": "Hours from UTC at the site, e.g. 11.0." + _NULL + _PROJECT,
    "Project.isResidential": "True for residential, false for commercial projects." + _NULL + _PROJECT,
    "Project.isLite": "True for an OpenSolar Lite project." + _NULL + _PROJECT,
    "Project.leadSource": "Where the lead came from (free text)." + _NULL + _PROJECT,
    "Project.notes": "Internal notes." + _NULL + _PROJECT,
    "Project.siteNotes": "Site notes." + _NULL + _PROJECT,
    "Project.priority": "Priority as OpenSolar numbers it (e.g. 1 low to 3 high)." + _NULL + _PROJECT,
    "Project.createdDate": "When the project was created (UTC)." + _NULL + _PROJECT,
    "Project.modifiedDate": "When the project last changed (UTC)." + _NULL + _PROJECT,
    "Project.soldDate": "The date it was sold; null until sold." + _PROJECT,
    "Project.installationDate": "The installation date; null until set." + _PROJECT,
    "Project.contractDate": "The contract date; null until set." + _PROJECT,
    "Project.validUntilDate": "The date the proposal's pricing is valid until." + _NULL + _PROJECT,
    "Project.shareLink": "The customer's online-proposal link (carries a share token)." + _NULL + _PROJECT,
    "Project.yearsToSimulate": "Years the financial simulation covers, e.g. 20." + _NULL + _PROJECT,
    "Project.language": "The proposal language, e.g. en." + _NULL + _PROJECT,
    "Project.numberOfPhases": "Electrical phases at the site (1 or 3)." + _NULL + _PROJECT,
    "Project.numberOfStoreys": "Storeys of the building." + _NULL + _PROJECT,
    "Project.customData": "Integration data (JSON). OpenSolar sends it only on the Raw Data API Access plan; "
    "null otherwise." + _PROJECT,
    "Project.workflow": "The project's workflow and active stage (replaces the deprecated stage)." + _PROJECT,
    "Project.assignedRole": "The team member assigned to the project; null when none." + _PROJECT,
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
    "TeamMember.id": "The role id (OpenSolar's assigned_role_id), not the user id.",
    "TeamMember.name": "The team member's display name; null when OpenSolar does not send it.",
    "TeamMember.email": "The email as OpenSolar masks it, e.g. g****@l*******.com; null when not sent.",
    "TeamMember.phone": "The phone as OpenSolar masks it; null when not sent.",
    # --- contact -------------------------------------------------------------------------------------------
    "Contact.id": "The contact's numeric OpenSolar id.",
    "Contact.firstName": "First name." + _NULL + _CONTACT,
    "Contact.familyName": "Family name." + _NULL + _CONTACT,
    "Contact.display": "The name as OpenSolar displays it." + _NULL + _CONTACT,
    "Contact.email": "Email; <digits>@os.code addresses are synthetic MyEnergy accounts that receive no mail."
    + _NULL
    + _CONTACT,
    "Contact.phone": "Phone number as entered." + _NULL + _CONTACT,
    "Contact.dateOfBirth": "Date of birth (contact detail only)." + _NULL + _CONTACT,
    "Contact.gender": "Gender as OpenSolar codes it." + _NULL + _CONTACT,
    "Contact.type": "Normal contact or proposal-share contact." + _NULL + _CONTACT,
    "Contact.identifier": "OpenSolar's external identifier." + _NULL + _CONTACT,
    "Contact.passportNumber": "Passport number." + _NULL + _CONTACT,
    "Contact.licenceNumber": "Licence number." + _NULL + _CONTACT,
    "Contact.customContactInfo1": "The org's first custom contact field." + _NULL + _CONTACT,
    "Contact.customContactInfo2": "The org's second custom contact field." + _NULL + _CONTACT,
    "Gender": "Gender as OpenSolar codes it (0, 1, 2).",
    "Gender.UNSET": "0: not set.",
    "Gender.FEMALE": "1: female.",
    "Gender.MALE": "2: male.",
    "ContactType": "OpenSolar's contact type (0, 1).",
    "ContactType.NORMAL": "0: a normal customer contact.",
    "ContactType.PROPOSAL_SHARE": "1: a contact created by sharing a proposal.",
    # --- systems -------------------------------------------------------------------------------------------
    "System.id": "The system's numeric OpenSolar id.",
    "System.uuid": "The system's UUID (upper case), shared with the design and system details." + _NULL + _SYSTEM,
    "System.name": "The system's name (often empty)." + _NULL + _SYSTEM,
    "System.order": "Position among the project's systems, from 0." + _NULL + _SYSTEM,
    "System.kwStc": "DC size in kW at standard test conditions." + _NULL + _SYSTEM,
    "System.moduleQuantity": "Number of modules (panels)." + _NULL + _SYSTEM,
    "System.batteryTotalKwh": "Total battery capacity in kWh (0 without batteries)." + _NULL + _SYSTEM,
    "System.priceIncludingTax": "Price including tax, in the org's currency." + _NULL + _SYSTEM,
    "System.priceExcludingTax": "Price excluding tax, in the org's currency." + _NULL + _SYSTEM,
    "System.netProfit": "The installer's net profit, in the org's currency." + _NULL + _SYSTEM,
    "System.outputAnnualKwh": "Modelled first-year output in kWh." + _NULL + _SYSTEM,
    "System.consumptionOffsetPercentage": "Share of the annual consumption the system covers, in percent."
    + _NULL
    + _SYSTEM,
    "System.co2TonsLifetime": "CO2 avoided over the system's lifetime, in tonnes." + _NULL + _SYSTEM,
    "System.systemLifetime": "Lifetime in years (0 when unset)." + _NULL + _SYSTEM,
    "System.discount": "Discount, in the org's currency." + _NULL + _SYSTEM,
    "System.showCustomer": "Whether the customer sees the system in the proposal." + _NULL + _SYSTEM,
    "System.isCurrent": "True for the customer's existing (current) system." + _NULL + _SYSTEM,
    "System.dcOptimizerActive": "Whether DC optimisers are used." + _NULL + _SYSTEM,
    "System.modules": "Module components and quantities." + _NULL + _SYSTEM,
    "System.inverters": "Inverter components and quantities." + _NULL + _SYSTEM,
    "System.batteries": "Battery components and quantities." + _NULL + _SYSTEM,
    "System.others": "Other components (e.g. isolators) and quantities." + _NULL + _SYSTEM,
    "System.project": "The project the system belongs to; no call when the system was reached from it.",
    "Component.manufacturerName": "The manufacturer, e.g. Jinko Solar Co., Ltd. " + _COMPONENT,
    "Component.code": "The product code, e.g. JKM285M-60. " + _COMPONENT,
    "Component.quantity": "How many. " + _COMPONENT,
    "SystemDetails.id": "The system's numeric id." + _DETAILS,
    "SystemDetails.uuid": "The system's UUID." + _DETAILS,
    "SystemDetails.name": 'The system\'s name, e.g. "System 1 (6.21 kW)".' + _DETAILS,
    "SystemDetails.kwStc": "DC size in kW at standard test conditions." + _DETAILS,
    "SystemDetails.totalModuleQuantity": "Number of modules." + _DETAILS,
    "SystemDetails.modules": "Modules with manufacturer, code and quantity." + _DETAILS,
    "SystemDetails.inverters": "Inverters with manufacturer, code and quantity." + _DETAILS,
    "SystemDetails.batteries": "Batteries with manufacturer, code and quantity." + _DETAILS,
    "SystemDetails.otherComponents": "Other components (e.g. DC isolators)." + _DETAILS,
    "SystemDetails.adders": "Price adders and discounts." + _DETAILS,
    "SystemDetails.moduleGroups": "Groups of modules with one orientation (azimuth, slope, layout)." + _DETAILS,
    "SystemDetails.incentives": "Incentives OpenSolar applied to the system." + _DETAILS,
    "Adder": "A price adder (or, with a negative value, a discount) of a system.",
    "Adder.label": "The adder's label.",
    "Adder.totalValue": "Price effect in the org's currency (negative for a discount).",
    "Adder.totalCost": "Cost to the installer in the org's currency.",
    "Adder.showCustomer": "Whether the customer sees it.",
    "Adder.quantity": "How many units it applies to.",
    "ModuleGroup.moduleQuantity": "Modules in the group.",
    "ModuleGroup.azimuth": "Azimuth in degrees clockwise from north.",
    "ModuleGroup.slope": "Tilt from horizontal, in degrees.",
    "ModuleGroup.layout": "portrait or landscape.",
    "SystemIncentive": "An incentive OpenSolar applied to a system (not Arcadia's catalogue).",
    "SystemIncentive.title": "The incentive's title.",
    "SystemIncentive.value": "Its value in the org's currency.",
    "SystemIncentive.paidToCustomer": "True when paid to the customer, false when to the installer.",
    # --- private files -------------------------------------------------------------------------------------
    "PrivateFile.id": "The file's numeric OpenSolar id.",
    "PrivateFile.title": "The file's title." + _NULL + _FILE,
    "PrivateFile.systemUuid": "The system the file belongs to, when any." + _FILE,
    "PrivateFile.status": 'Processing status ("created" or null).' + _FILE,
    "PrivateFile.statusMessage": "Processing message, when any." + _FILE,
    "PrivateFile.showCustomer": "Whether the customer sees the file." + _NULL + _FILE,
    "PrivateFile.createdDate": "When it was uploaded (UTC)." + _NULL + _FILE,
    "PrivateFile.modifiedDate": "When it last changed (UTC)." + _NULL + _FILE,
    "PrivateFile.tags": "The file's tags." + _NULL + _FILE,
    "PrivateFile.project": "The project the file is attached to; null for org-level files." + _FILE,
    "FileTag": "A file tag (OpenSolar's file_tags_data).",
    "FileTag.id": "The tag's id.",
    "FileTag.title": "The tag's title, e.g. Extra File.",
    "FileTag.type": "The tag's type, e.g. private.",
    "PrivateFileOrdering.CREATED_DATE": "Oldest uploaded first.",
    "PrivateFileOrdering.CREATED_DATE_DESC": "Newest uploaded first.",
    "PrivateFileOrdering.MODIFIED_DATE": "Least recently modified first.",
    "PrivateFileOrdering.MODIFIED_DATE_DESC": "Most recently modified first (OpenSolar's default).",
    "PrivateFileOrdering.TITLE": "By title, A to Z.",
    "PrivateFileOrdering.TITLE_DESC": "By title, Z to A.",
    "PrivateFileOrdering.STATUS": "By status, ascending.",
    "PrivateFileOrdering.STATUS_DESC": "By status, descending.",
    "PrivateFileOrdering.FILESIZE": "Smallest first.",
    "PrivateFileOrdering.FILESIZE_DESC": "Largest first.",
    # --- proposal ------------------------------------------------------------------------------------------
    "Proposal.projectId": "The project the proposal data is for.",
    "Proposal.usageAnnualKwh": "Annual consumption in kWh the proposal uses (usage_annual_or_guess)." + _PROPOSAL,
    "Proposal.validUntilDate": "The date the proposal's pricing is valid until." + _PROPOSAL,
    "Proposal.hasBattery": "Whether any proposed system has a battery." + _PROPOSAL,
    "Proposal.systems": "The systems the proposal shows." + _PROPOSAL,
    "ProposalSystem.uuid": "The system's UUID (matches System.uuid)." + _PROPOSAL,
    "ProposalSystem.title": 'The system\'s title, e.g. "System 1 (6.21 kW)".' + _PROPOSAL,
    "ProposalSystem.hasBattery": "Whether the system has a battery." + _PROPOSAL,
    "ProposalSystem.batteryTotalKwh": "Battery capacity in kWh." + _PROPOSAL,
    "ProposalSystem.moduleCodes": "Module product codes as OpenSolar shows them (undocumented shape: read "
    "leniently)." + _PROPOSAL,
    "ProposalSystem.inverterCodes": "Inverter product codes as OpenSolar shows them (undocumented shape)." + _PROPOSAL,
    "ProposalSystem.batteryCodes": "Battery product codes as OpenSolar shows them (undocumented shape)." + _PROPOSAL,
    # --- design --------------------------------------------------------------------------------------------
    "Design.systems": "The scene's OsSystem nodes, in scene order.",
    "Design.compressedBytes": "Size of the gzip data behind the base64 string OpenSolar sent, in bytes.",
    "Design.decompressedBytes": "Size of the decoded JSON, in bytes (bounded by GATEWAY_DESIGN_MAX_BYTES).",
    "Design.json(path)": "A dotted path (systems.0.pricing; list items by index) or a JSON Pointer "
    "(/object/userData); omitted for the whole document.",
    "GeoPoint": "A WGS84 position.",
    "GeoPoint.lat": "Latitude in degrees.",
    "GeoPoint.lon": "Longitude in degrees.",
    "DesignSystem.uuid": "The OsSystem's uuid (matches System.uuid).",
    "DesignSystem.kwStc": "DC size in kW (userData.kwStc).",
    "DesignSystem.annualOutputKwh": "Modelled annual output in kWh (userData.output.annual).",
    "DesignSystem.monthlyOutputKwh": "Twelve monthly kWh figures, when the design carries them.",
    "DesignSystem.moduleGroups": "The system's OsModuleGrid nodes.",
    "DesignSystem.inverters": "The system's inverters (userData.inverters).",
    "DesignSystem.priceIncludingTax": "Price including tax from the design's per-system data, in the org's currency.",
    "DesignSystem.incentiveToCustomerTotal": "Total of incentives paid to the customer, in the org's currency.",
    "DesignSystem.paymentOptions": "The system's payment options with their financial figures.",
    "DesignModuleGroup": "One OsModuleGrid node: modules sharing an orientation.",
    "DesignModuleGroup.uuid": "The node's uuid.",
    "DesignModuleGroup.azimuth": "Azimuth in degrees clockwise from north (userData.azimuth).",
    "DesignModuleGroup.slope": "Tilt from horizontal in degrees (userData.slope).",
    "DesignModuleGroup.moduleCount": "OsModule nodes under it.",
    "DesignInverter": "An inverter of a designed system.",
    "DesignInverter.manufacturerName": "The manufacturer; null when the design does not say.",
    "DesignInverter.code": "The product code; null when the design does not say.",
    "DesignInverter.quantity": "How many; null when the design does not say.",
    "DesignInverter.maxPowerRatingKw": "AC rating of one inverter in kW; null when the design does not say.",
    "DesignPaymentOption": "A payment option of a designed system.",
    "DesignPaymentOption.title": "The option's title, e.g. Cash.",
    "DesignPaymentOption.paymentType": "cash, loan, loan_advanced, ppa, regular_payment or lease.",
    "DesignPaymentOption.paybackYears": "Payback in years (payback_year).",
    "DesignPaymentOption.netPresentValue": "Net present value in the org's currency.",
    "DesignPaymentOption.internalRateOfReturn": "Internal rate of return as the design states it (a fraction, "
    "0.21 for 21%).",
    # --- webhooks ------------------------------------------------------------------------------------------
    "Webhook.id": "The webhook's id.",
    "Webhook.endpoint": "Where OpenSolar posts events.",
    "Webhook.enabled": "Whether OpenSolar sends events.",
    "Webhook.debug": "OpenSolar's debug flag (currently unused by OpenSolar).",
    "Webhook.triggerFields": "Field paths (model.field, model.* for all) whose change sends an event; a model "
    "not listed never triggers.",
    "Webhook.payloadFields": "Field paths included in each event; a model not listed sends all its fields.",
    "WebhookInput.enabled": "Whether OpenSolar sends events (required by OpenSolar).",
    "WebhookInput.debug": "OpenSolar's debug flag (required by OpenSolar; currently unused).",
    "WebhookInput.triggerFields": "Field paths whose change sends an event; omitted for OpenSolar's defaults.",
    "WebhookInput.payloadFields": "Field paths included in each event; omitted for OpenSolar's defaults.",
    "WebhookPatch.endpoint": "A new endpoint URL.",
    "WebhookPatch.enabled": "Turn sending on or off.",
    "WebhookPatch.debug": "OpenSolar's debug flag.",
    "WebhookPatch.triggerFields": "New trigger field paths (replaces the list).",
    "WebhookPatch.payloadFields": "New payload field paths (replaces the list).",
    "WebhookPatch.headers": "New headers OpenSolar sends to the endpoint, as an object of strings (replaces them).",
    # --- incentives (Arcadia) ------------------------------------------------------------------------------
    "Incentive.incentiveId": "Arcadia's id of this version of the incentive.",
    "Incentive.requiredData": "Applicabilities Arcadia still needs a value for (with COULD_BE_ELIGIBLE); empty "
    "otherwise.",
    "Incentive.tariffCode": "Arcadia's tariff code (often the string None)." + _ARCADIA,
    "Incentive.incentiveName": "The incentive's name." + _ARCADIA,
    "Incentive.projectType": "The project type; always solarPv." + _ARCADIA,
    "Incentive.incentiveType": "rebate, billCredit, taxCredit or discount." + _ARCADIA,
    "Incentive.state": "The state it is available in, when it applies." + _ARCADIA,
    "Incentive.lseId": "Arcadia's id of the load-serving entity (utility or government) managing it." + _ARCADIA,
    "Incentive.lseName": "The name of that entity." + _ARCADIA,
    "Incentive.lseCode": "The entity's short code." + _ARCADIA,
    "Incentive.serviceType": "The service type, e.g. SOLAR_PV." + _ARCADIA,
    "Incentive.customerClass": "The customer class it is for (Arcadia's are residential)." + _ARCADIA,
    "Incentive.startDate": "The date it became or becomes effective." + _ARCADIA,
    "Incentive.endDate": "The date it expires; null when open-ended.",
    "Incentive.isExhausted": "True when its funds are used up." + _ARCADIA,
    "Incentive.quantityKey": "The quantity the rate multiplies (e.g. systemSizeDcW, systemCost); null when none.",
    "Incentive.rate": "The rate: currency per unit of quantityKey (COST_PER_UNIT), percent (PERCENTAGE, 30 = "
    "30%) or a fixed amount (BLOCK)." + _ARCADIA,
    "Incentive.rateUnit": "How rate applies: COST_PER_UNIT or PERCENTAGE (the seed), or BLOCK." + _ARCADIA,
    "Incentive.percentCostCapKey": "The cost percentCostCap is a share of; null when none.",
    "Incentive.incentivePaidTo": "Who is paid, e.g. tenantOrOwner." + _ARCADIA,
    "Incentive.territoryId": "Arcadia's territory id, when it sends one.",
    "Incentive.summary": "Free-text overview for a user interface." + _ARCADIA,
    "Incentive.requirements": "Free-text requirements for a user interface." + _ARCADIA,
    "Incentive.applicabilities": "Conditions a customer must all meet; null when Arcadia did not populate them "
    "(Query.incentive without populateDetails).",
    "IncentiveType": "The kind of incentive (Arcadia's incentiveType).",
    "IncentiveType.REBATE": "rebate: a cash payment.",
    "IncentiveType.BILL_CREDIT": "billCredit: a credit on the energy bill.",
    "IncentiveType.TAX_CREDIT": "taxCredit: a local, state or federal tax credit.",
    "IncentiveType.DISCOUNT": "discount: subsidised project materials.",
    "RateUnit": "How an incentive's rate applies (Arcadia's rateUnit).",
    "RateUnit.COST_PER_UNIT": "Currency per unit of the quantity key (e.g. USD per W).",
    "RateUnit.PERCENTAGE": "Percent of the quantity key (rate 30 means 30%).",
    "RateUnit.BLOCK": "A fixed amount (not in the seed; read as a fixed payment).",
    "CustomerClass": "Arcadia's customer classes.",
    "CustomerClass.RESIDENTIAL": "Homes.",
    "CustomerClass.GENERAL": "General service (commercial).",
    "CustomerClass.SPECIAL_USE": "Special-use customers.",
    "Eligibility.ELIGIBLE": "Every applicability is met by the values supplied.",
    "Eligibility.INELIGIBLE": "A supplied value fails an applicability.",
    "Eligibility.COULD_BE_ELIGIBLE": "No supplied value fails, but some are missing (see requiredData).",
    "Applicability.applicabilityKey": "The variable it tests, e.g. systemOwnership, azimuth, tilt.",
    "Applicability.displayName": "A user-presentable name; null when Arcadia omits it.",
    "Applicability.description": "A user-presentable description; null when Arcadia omits it.",
    "Applicability.requiredValue": "The single allowed value, when there is one (e.g. host).",
    "Applicability.minValue": "For numeric applicabilities, the minimum allowed value.",
    "Applicability.maxValue": "For numeric applicabilities, the maximum allowed value.",
    "Applicability.operator": "For formula applicabilities, the relation to quantityKey (e.g. <).",
    "Applicability.quantityKey": "For formula applicabilities, the property key holding the formula (e.g. "
    "110percentAnnualConsumption).",
    "Applicability.quantityUnit": "The unit of the value, e.g. W.",
    "Applicability.choices": "For fixed-choice applicabilities, the allowed choices; null otherwise.",
    "Choice": "One allowed value of a fixed-choice applicability.",
    "Choice.displayValue": "The user-presentable label, e.g. Third Party.",
    "Choice.value": "The value to send, e.g. thirdParty.",
    "Choice.dataValue": "Arcadia's data value (usually equal to value).",
    "Choice.likelihood": "Arcadia's likelihood for the choice, when it gives one.",
    "PropertyKey.keyName": "The key's name, e.g. systemCost.",
    "PropertyKey.displayName": "A user-presentable name.",
    "PropertyKey.description": "A user-presentable description.",
    "PropertyKey.family": "Arcadia's key family, when sent.",
    "PropertyKey.keyspace": "Arcadia's keyspace, when sent.",
    "PropertyKey.dataType": "The value's data type, when sent (e.g. DECIMAL).",
    "PropertyKey.quantityUnit": "The unit, e.g. USD or W.",
    "PropertyKey.formulaDetail": "The formula, for formula keys.",
    "PropertyKey.privacy": "Arcadia's privacy class, when sent.",
    "ApplicabilityInput.key": "The applicability key: letters and digits, may start with a digit "
    "(110percentAnnualConsumption).",
    "ApplicabilityInput.value": "The value, as text (numbers in the key's unit, e.g. W for systemSizeDcW).",
    "IncentiveSearchInput.projectType": "Only this project type (solarPv).",
    "IncentiveSearchInput.incentiveType": "Only this kind of incentive.",
    "IncentiveSearchInput.customerClasses": "Only these customer classes.",
    "IncentiveSearchInput.countryCode": "Only this country (ISO code, e.g. US).",
    "IncentiveSearchInput.lseId": "Only this load-serving entity.",
    "IncentiveSearchInput.state": "Only this state, e.g. NY.",
    "IncentiveSearchInput.zipCode": "Only this ZIP code.",
    "IncentiveSearchInput.addressString": "Only this address (free text).",
    "IncentiveSearchInput.effectiveOn": "Only incentives available on this date.",
    "IncentiveSearchInput.fromDate": "Only incentives available after this date.",
    "IncentiveSearchInput.toDate": "Only incentives available before this date.",
    "IncentiveSearchInput.isExhausted": "Only exhausted (true) or not exhausted (false) incentives.",
    "ApplicabilitySearchInput.projectType": "Only this project type (solarPv).",
    "ApplicabilitySearchInput.incentiveType": "Only applicabilities of this kind of incentive.",
    "ApplicabilitySearchInput.country": "Only this country (ISO code, e.g. US).",
    "ApplicabilitySearchInput.lseId": "Only this load-serving entity.",
    "ApplicabilitySearchInput.customerClasses": "Only these customer classes.",
    "ApplicabilitySearchInput.state": "Only this state.",
    "ApplicabilitySearchInput.zipCode": "Only this ZIP code.",
    "ApplicabilitySearchInput.addressString": "Only this address (free text).",
    "ApplicabilitySearchInput.effectiveOn": "Only active incentives on this date (Arcadia's default: today).",
    "ApplicabilitySearchInput.isExhausted": "Exhausted (true) or not (false, Arcadia's default) incentives.",
    "IncentiveConnection.totalCount": "Arcadia's count: all matching incentives, not this page's.",
    "IncentiveDocument": "A document about an incentive (Query.incentive with populateDocuments).",
    "IncentiveDocument.id": "Arcadia's document id.",
    "IncentiveDocument.title": "The document's title.",
    "IncentiveDocument.url": "Where the document is (Arcadia's url, or documentUrl).",
    "IncentiveEstimate.uncappedAmount": "The total before percentCostCap and paymentCap, in USD; null when an "
    "input is missing.",
    "IncentiveEstimate.paymentYears": "Years the payment recurs (paymentDuration, at least 1).",
    "IncentiveEstimate.missingInputs": "Inputs the estimate needs but did not get (e.g. systemCost).",
    "IncentiveEstimate.assumptions": "Each rule the estimate had to choose where Arcadia leaves it open.",
    "EstimateAssumption": "A rule an estimate rests on (Arcadia does not document how to compute values).",
    "EstimateAssumption.code": "A stable code, e.g. PERCENT_RATE_IN_PERCENT.",
    "EstimateAssumption.message": "The rule in words.",
    # --- the stitch ----------------------------------------------------------------------------------------
    "ProjectIncentives.market": "The market searched: one Arcadia search per market per request, shared by "
    "every project in it.",
    "ProjectIncentives.systems": "Per system (or only the sold one): the inputs, incentives and totals.",
    "ProjectIncentives.warnings": "Inputs that could not be derived and why (e.g. system details failed).",
    "IncentiveMarket.zipCode": "The ZIP code searched (the project's, unless an input overrides it).",
    "IncentiveMarket.state": "The state searched.",
    "IncentiveMarket.customerClass": "RESIDENTIAL, or GENERAL for a non-residential project.",
    "IncentiveMarket.effectiveOn": "The date searched.",
    "SystemIncentives": "One system's incentives, the inputs they were evaluated with and the totals.",
    "SystemIncentives.system": "The system.",
    "SystemIncentives.inputs": "Every applicability input used, with where it came from.",
    "SystemIncentives.incentives": "Every incentive of the market, evaluated for this system.",
    "SystemIncentives.totals": "Estimated amounts summed per eligibility (only incentives counted in total).",
    "IncentiveInputUsed": "One applicability input and where it came from.",
    "IncentiveInputUsed.key": "The applicability key, e.g. systemSizeDcW.",
    "IncentiveInputUsed.value": "The value as sent to the evaluation (numbers in the key's unit).",
    "IncentiveInputUsed.source": "Where the value came from.",
    "IncentiveInputUsed.detail": "How it was derived, e.g. the OpenSolar field it was read from.",
    "InputSource.CALLER": "The caller's inputs argument.",
    "InputSource.PROJECT": "The project (address, usage).",
    "InputSource.SYSTEM": "The system (size, price, output).",
    "InputSource.SYSTEM_DETAILS": "The project's system details (largest module group's tilt and azimuth).",
    "InputSource.DESIGN": "The decoded design (inverter AC ratings; Raw Data plan).",
    "InputSource.DEFAULT": "The gateway's default (systemOwnership=host).",
    "ProjectIncentive.incentive": "The incentive as Arcadia sent it.",
    "ProjectIncentive.eligibility": "Evaluated by the gateway with Arcadia's documented rules for this system.",
    "ProjectIncentive.requiredData": "Applicabilities still lacking a value (with COULD_BE_ELIGIBLE).",
    "ProjectIncentive.failedApplicabilities": "Keys whose supplied value fails (with INELIGIBLE).",
    "ProjectIncentive.estimate": "The estimated value for this system.",
    "EligibilityTotal": "The estimated amount of one eligibility's incentives for one system.",
    "EligibilityTotal.eligibility": "Which incentives are summed.",
    "EligibilityTotal.amount": "Sum of their estimated amounts in USD (incentives without an estimate add 0).",
    "EligibilityTotal.incentiveCount": "Incentives counted.",
    "EligibilityTotal.unestimatedCount": "Counted incentives without an estimate (a missing input).",
    "StitchWarning": "Why some inputs were not derived.",
    "StitchWarning.code": "The error code of the failed call, e.g. UPSTREAM_TIMEOUT.",
    "StitchWarning.message": "What was left out and why.",
}


# What a field costs upstream, appended to its description wherever that is written (here or in the code).
COSTS: dict[str, str] = {
    "Query.incentives": "One Arcadia search call per page (GET /rest/v1/incentives), cached for an hour.",
    "Query.incentive": "One Arcadia call (GET /rest/v1/incentives/:id), cached for an hour.",
    "Query.incentiveApplicabilities": "One Arcadia call (GET /rest/v1/incentives/applicabilities), cached a day.",
    "Org.contacts": "One contacts-list call per page (GET /api/orgs/:org_id/contacts/).",
    "Org.privateFiles": "One private-files list call per page (1000/hour per user, 1000/day per org).",
    "Project.contacts": "No call when the row inlines contacts_data; else the project-detail call (100/min per user).",
    "Project.systems": "No call when the project detail inlines them; else one systems-list call "
    "(GET /api/orgs/:org_id/systems/?fieldset=list&project=:id).",
    "Project.soldSystem": "The project-detail call if the row lacks system_sold, then the project's systems list.",
    "Project.systemDetails": "One system-details call per project and parts (60/min per user; experimental "
    "upstream, may time out as UPSTREAM_TIMEOUT).",
    "Project.privateFiles": "No call when the row inlines private_files_data; else the project-detail call.",
    "Project.designStatus": "No call when the row says; else the project-detail call (100/min per user).",
    "Project.design": "From the project-detail call (100/min per user); decoding costs gateway CPU, not calls.",
    "Project.proposal": "One proposal-data call (GET /api/user_logins/?project_ids=:id&compress_data=1, 100/min "
    "per user), cached for ten minutes.",
    "Project.incentives": "One Arcadia search per market per request (cached for an hour), the project's "
    "systems list, and system details or the design only when an incentive of the market needs their keys.",
    "System.details": "The project's one system-details call (60/min per user), shared by all its systems.",
}


def _connection_description(name: str) -> str | None:
    for suffix, text in (
        ("Connection", "A page of {0} nodes (Relay connection); page forward with first and after."),
        ("Edge", "One {0} of a page and its cursor."),
    ):
        if name.endswith(suffix) and len(name) > len(suffix):
            return text.format(name[: -len(suffix)])
    return None


_GENERIC_FIELDS = {
    "edges": "The page's items with their cursors.",
    "nodes": "The page's items.",
    "pageInfo": "Where the page sits and the cursor to the next.",
    "node": "The item.",
    "cursor": "Pass as after to continue after this item.",
}


def _fill(owner: object, key: str, generic: str | None = None) -> None:
    text = getattr(owner, "description", None) or DESCRIPTIONS.get(key, generic)
    cost = COSTS.get(key)
    if cost and text and cost not in text:
        text = f"{text.rstrip()} {cost}"
    if text:
        owner.description = text  # type: ignore[attr-defined]


def describe(schema: GraphQLSchema) -> None:
    """Give every undescribed part of ``schema`` its catalogue description (in place)."""
    for name, gql_type in schema.type_map.items():
        if name.startswith("__"):
            continue
        wrapper = _connection_description(name)
        _fill(gql_type, name, wrapper)
        if isinstance(gql_type, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in gql_type.fields.items():
                _fill(field, f"{name}.{field_name}", _GENERIC_FIELDS.get(field_name) if wrapper else None)
                for arg_name, arg in field.args.items():
                    _fill(arg, f"{name}.{field_name}({arg_name})")
        elif isinstance(gql_type, GraphQLInputObjectType):
            for field_name, field in gql_type.fields.items():
                _fill(field, f"{name}.{field_name}")
        elif isinstance(gql_type, GraphQLEnumType):
            for value_name, value in gql_type.values.items():
                _fill(value, f"{name}.{value_name}")
