#!/usr/bin/env bash
# Copy the pinned npm packages' browser bundles next to the gateway's own GraphiQL page.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
vendor="$here/../gateway/graphiql/vendor"
mkdir -p "$vendor"
cp "$here/node_modules/graphiql/graphiql.min.js" "$here/node_modules/graphiql/graphiql.min.css" "$vendor/"
cp "$here/node_modules/react/umd/react.production.min.js" "$vendor/"
cp "$here/node_modules/react-dom/umd/react-dom.production.min.js" "$vendor/"
cp "$here/node_modules/graphql-ws/umd/graphql-ws.min.js" "$vendor/"
cp "$here/node_modules/@graphiql/plugin-explorer/dist/index.umd.js" "$vendor/plugin-explorer.umd.js"
cp "$here/node_modules/@graphiql/plugin-explorer/dist/style.css" "$vendor/plugin-explorer.css"
