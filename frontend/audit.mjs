// graphql-http's GraphQL-over-HTTP audit suite (pinned by package-lock.json) against a running gateway.
// Usage: node frontend/audit.mjs http://127.0.0.1:8000/graphql  -> one JSON array of {id, name, status, reason}
import { serverAudits } from "graphql-http";

const url = process.argv[2];
const results = [];
for (const audit of serverAudits({ url })) {
  const result = await audit.fn();
  results.push({ id: audit.id, name: audit.name, status: result.status, reason: result.reason ?? null });
}
process.stdout.write(JSON.stringify(results) + "\n");
