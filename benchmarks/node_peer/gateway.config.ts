// Hive Gateway settings (gateway.config.ts is the name it looks for) for ./supergraph.graphql. From the environment:
//   PEER_SUPERGRAPH             the composed supergraph (mesh.config.ts writes it)
//   PEER_RESPONSE_CACHE_TTL_MS  response cache on with this TTL (per Authorization header); unset: off
//   PEER_INBOUND_DEDUP=true     identical in-flight requests (same headers, document, variables) execute once
import { defineConfig } from '@graphql-hive/gateway';

const ttl = Number(process.env.PEER_RESPONSE_CACHE_TTL_MS ?? '0');

export const gatewayConfig = defineConfig({
  supergraph: process.env.PEER_SUPERGRAPH ?? './supergraph.graphql', // it reloads when that file changes
  pollingInterval: 3_600_000,
  responseCaching: ttl > 0
    ? { ttl, session: (request: Request) => request.headers.get('authorization') ?? null }
    : undefined,
  maskedErrors: false, // a benchmark wants to see why a field failed
  inboundInflightRequestDeduplication: process.env.PEER_INBOUND_DEDUP === 'true',
});
