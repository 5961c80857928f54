"""The catalogue's descriptions of the roots (Query, Mutation, Subscription), the org, pagination and webhooks."""

from __future__ import annotations

from schema.descriptions.phrases import ORG_ARG, PAGE_AFTER, PAGE_FIRST

__all__ = ["DESCRIPTIONS"]

DESCRIPTIONS: dict[str, str] = {
    # --- roots ---------------------------------------------------------------------------------------------
    "Query": "Reads: an OpenSolar org and everything under it, and the Arcadia incentives catalogue.",
    "Query.org(id)": (
        "The org's global id or upstream integer id; defaults to OPENSOLAR_ORG_ID (the sandbox's Raw Data org 1001)."
    ),
    "Query.incentives(filter)": "Arcadia's search parameters (ZIP, state, customer class, dates, ...).",
    "Query.incentives(inputs)": "Applicability inputs (key=value) sent to Arcadia; they set each result's "
    "eligibility and never filter the list. Keys are letters and digits (e.g. 110percentAnnualConsumption).",
    "Query.incentives(first)": "Incentives per page, 1 to 100 (default 20); one Arcadia search call per page.",
    "Query.incentives(after)": PAGE_AFTER,
    "Query.incentive(id)": "The incentive's global id or its masterIncentiveId.",
    "Query.incentive(populateDetails)": "Ask Arcadia to include the applicabilities (populateDetails).",
    "Query.incentive(populateDocuments)": "Ask Arcadia to include document links (populateDocuments).",
    "Query.incentiveApplicabilities(filter)": "Arcadia's applicability search parameters (ZIP, state, ...).",
    "Mutation": "Writes to OpenSolar (throttled at 10/min per user for writes); never retried, never cached.",
    "Mutation.createWebhook(input)": "The webhook to register.",
    "Mutation.createWebhook(orgId)": ORG_ARG,
    "Mutation.updateWebhook(id)": "The webhook's global id or upstream integer id.",
    "Mutation.updateWebhook(input)": "The fields to change; omitted fields stay as they are.",
    "Mutation.updateWebhook(orgId)": ORG_ARG,
    "Mutation.disableWebhook(id)": "The webhook's global id or upstream integer id.",
    "Mutation.disableWebhook(orgId)": ORG_ARG,
    "Subscription": "Live changes over graphql-transport-ws, fed by OpenSolar's webhooks to this gateway's receiver.",
    "Subscription.projectChanged(orgId)": ORG_ARG + " The subscriber must be able to read it.",
    "ChangeEvent": "What happened to the record, as OpenSolar's webhook payload says (event).",
    "ChangeEvent.CREATE": "The record was created.",
    "ChangeEvent.UPDATE": "One or more watched fields changed (see changedFields).",
    "ChangeEvent.DELETE": "The record was deleted.",
    "ProjectChange.projectId": "The changed project's id (the webhook's model_id).",
    "ProjectChange.event": "CREATE, UPDATE or DELETE.",
    "ProjectChange.changedFields": "Names of the fields the webhook payload carried (filtered by the webhook's "
    "payload_fields); empty for DELETE.",
    # --- org -----------------------------------------------------------------------------------------------
    "Org.name": "The org's name. One org call (GET /api/orgs/:org_id/), cached for an hour.",
    "Org.contacts(first)": PAGE_FIRST,
    "Org.contacts(after)": PAGE_AFTER,
    "Org.projects": "The org's projects, in OpenSolar's order; one projects-list call per page (GET "
    "/api/orgs/:org_id/projects/?page=&limit=). No total count: OpenSolar gives none.",
    "Org.projects(first)": PAGE_FIRST,
    "Org.projects(after)": PAGE_AFTER,
    "Org.project": "One project by id: null with one error here, NOT_FOUND (404), FORBIDDEN (403: another org's "
    "or a lost-access project) or UNAUTHENTICATED. One project-detail call (GET /api/orgs/:org_id/projects/:id/, "
    "100/min per user), which every field but id needs anyway.",
    "Org.project(id)": (
        "The project's global id or upstream integer id (another type's or another org's global id is BAD_REQUEST)."
    ),
    "Org.contact": "One contact by id (one contact-detail call); null with NOT_FOUND or FORBIDDEN at this path.",
    "Org.contact(id)": "The contact's global id or upstream integer id.",
    "Org.system": "One system by id (GET /api/orgs/:org_id/systems/:id/?fieldset=list); null with NOT_FOUND "
    "or FORBIDDEN at this path.",
    "Org.system(id)": "The system's global id or upstream integer id.",
    "Org.privateFile": "One private file by id (GET /api/orgs/:org_id/private_files/:id/, 1000/hour per user); "
    "null with NOT_FOUND or FORBIDDEN at this path. Needs a Pro role in the org.",
    "Org.privateFile(id)": "The file's global id or upstream integer id.",
    "Org.privateFiles(first)": PAGE_FIRST,
    "Org.privateFiles(after)": PAGE_AFTER,
    "Org.privateFiles(projectId)": "Only the files of this project (global id or upstream integer id).",
    "Org.privateFiles(search)": "OpenSolar's search over title, system_uuid, status and hashes (first 200 "
    "characters are sent).",
    "Org.privateFiles(fileTag)": "Only files with this tag title, e.g. 'Extra File' (first 200 characters).",
    "Org.privateFiles(ordering)": "Sort order; OpenSolar's default is newest modified first.",
    "Org.webhooks": "The org's webhook registrations; one webhooks-list call per page.",
    "Org.webhooks(first)": PAGE_FIRST,
    "Org.webhooks(after)": PAGE_AFTER,
    # --- pagination ----------------------------------------------------------------------------------------
    "PageInfo.hasNextPage": "True whenever the upstream page came back full (the next page may then be empty).",
    "PageInfo.hasPreviousPage": "True when this page does not start at the first item.",
    "PageInfo.startCursor": "The first edge's cursor; null on an empty page.",
    "PageInfo.endCursor": "The last edge's cursor: pass it as after for the next page; null on an empty page.",
    # --- webhooks ------------------------------------------------------------------------------------------
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
}
