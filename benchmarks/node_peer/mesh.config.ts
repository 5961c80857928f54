// GraphQL Mesh composition of the sandbox's OpenSolar and Arcadia REST endpoints (the Node peer of issue 16).
// `SANDBOX_URL` is the running sandbox, `PEER_SUPERGRAPH` the file written (one per running peer); `ARCADIA_APP_ID`/`ARCADIA_APP_KEY` its Basic credentials. Types come from
// the response samples in ./samples (trimmed to what the benchmark operations select); links between sources are
// `@resolveTo` fields. The caller's Authorization header is passed through to OpenSolar, as ours does.
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadJSONSchemaSubgraph } from '@omnigraph/json-schema';

const sandbox = process.env.SANDBOX_URL ?? 'http://127.0.0.1:8001';
const basic = Buffer.from(`${process.env.ARCADIA_APP_ID}:${process.env.ARCADIA_APP_KEY}`).toString('base64');
const sample = (name: string) => `./samples/${name}.json`;
const org = '/api/orgs/{args.orgId}';
const INT = { type: 'integer' } as const;
const STR = { type: 'string' } as const;

export const composeConfig = defineConfig({
  output: process.env.PEER_SUPERGRAPH ?? 'supergraph.graphql',
  subgraphs: [
    {
      sourceHandler: loadJSONSchemaSubgraph('OpenSolar', {
        endpoint: sandbox,
        operationHeaders: { Authorization: '{context.headers.authorization}' },
        operations: [
          { type: 'Query', field: 'org', path: `${org}/`, method: 'GET', argTypeMap: { orgId: INT },
            requiredArgs: ['orgId'], responseSample: sample('org'), responseTypeName: 'Org' },
          { type: 'Query', field: 'projects', path: `${org}/projects/?page=1&limit={args.limit}`, method: 'GET',
            argTypeMap: { orgId: INT, limit: INT }, requiredArgs: ['orgId'],
            responseSample: sample('projects'), responseTypeName: 'ProjectList' },
          { type: 'Query', field: 'project', path: `${org}/projects/{args.projectId}/`, method: 'GET',
            argTypeMap: { orgId: INT, projectId: INT }, requiredArgs: ['orgId', 'projectId'],
            responseSample: sample('project'), responseTypeName: 'ProjectDetail' },
          { type: 'Query', field: 'systems', path: `${org}/systems/?fieldset=list&project={args.project}&limit=100`,
            method: 'GET', argTypeMap: { orgId: INT, project: INT }, requiredArgs: ['orgId', 'project'],
            responseSample: sample('systems'), responseTypeName: 'SystemList' },
          { type: 'Query', field: 'systemDetails', path: `${org}/projects/{args.projectId}/systems/details/`,
            method: 'GET', argTypeMap: { orgId: INT, projectId: INT },
            requiredArgs: ['orgId', 'projectId'], responseSample: sample('system_details'),
            responseTypeName: 'SystemDetails' },
          { type: 'Query', field: 'proposal', path: '/api/user_logins/?project_ids={args.projectId}', method: 'GET',
            argTypeMap: { projectId: INT }, requiredArgs: ['projectId'],
            responseSample: sample('user_logins'), responseTypeName: 'UserLogins' },
        ],
      }),
    },
    {
      sourceHandler: loadJSONSchemaSubgraph('Arcadia', {
        endpoint: sandbox,
        operationHeaders: { Authorization: `Basic ${basic}` },
        operations: [
          { type: 'Query', field: 'incentives',
            path: '/rest/v1/incentives?zipCode={args.zipCode}&customerClasses=RESIDENTIAL&pageCount=100&fields=ext',
            method: 'GET', argTypeMap: { zipCode: STR }, requiredArgs: ['zipCode'],
            responseSample: sample('incentives'), responseTypeName: 'IncentiveSearch' },
        ],
      }),
    },
  ],
  additionalTypeDefs: /* GraphQL */ `
    extend type Org {
      projectPage(first: Int): [query_projects_items] @resolveTo(sourceName: "OpenSolar", sourceTypeName: "Query",
        sourceFieldName: "projects", requiredSelectionSet: "{ id }", sourceArgs: { orgId: "{root.id}", limit: "{args.first}" })
      projectById(id: Int!): ProjectDetail @resolveTo(sourceName: "OpenSolar", sourceTypeName: "Query",
        sourceFieldName: "project", requiredSelectionSet: "{ id }", sourceArgs: { orgId: "{root.id}", projectId: "{args.id}" })
    }
    extend type query_projects_items {
      systems: [query_systems_items] @resolveTo(sourceName: "OpenSolar", sourceTypeName: "Query", sourceFieldName: "systems",
        requiredSelectionSet: "{ id org_id }", sourceArgs: { orgId: "{root.org_id}", project: "{root.id}" })
      incentives: IncentiveSearch @resolveTo(sourceName: "Arcadia", sourceTypeName: "Query", sourceFieldName: "incentives",
        requiredSelectionSet: "{ zip }", sourceArgs: { zipCode: "{root.zip}" })
    }
    extend type ProjectDetail {
      systemDetails: SystemDetails @resolveTo(sourceName: "OpenSolar", sourceTypeName: "Query",
        sourceFieldName: "systemDetails", requiredSelectionSet: "{ id org_id }",
        sourceArgs: { orgId: "{root.org_id}", projectId: "{root.id}" })
      proposal: [query_proposal_items] @resolveTo(sourceName: "OpenSolar", sourceTypeName: "Query", sourceFieldName: "proposal",
        requiredSelectionSet: "{ id }", sourceArgs: { projectId: "{root.id}" })
      incentives: IncentiveSearch @resolveTo(sourceName: "Arcadia", sourceTypeName: "Query", sourceFieldName: "incentives",
        requiredSelectionSet: "{ zip }", sourceArgs: { zipCode: "{root.zip}" })
    }
  `,
});
