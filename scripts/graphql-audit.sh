#!/usr/bin/env bash
# GraphQL-over-HTTP compliance of the real server, checked by the
# graphql-http package's server audits (clients/audit.mjs):
#
#   ./scripts/graphql-audit.sh
#
# It builds the server, starts it on a free loopback port with a throwaway
# data folder (embedded database, local disk, development mode so that the
# audits' introspection query works), waits for /readyz, runs every audit
# against /graphql and fails when any MUST requirement fails; SHOULD and
# MAY findings are printed as warnings. The server and its data are removed
# however the script ends. Needs node and `npm ci --prefix clients` (run
# here when clients/node_modules is missing).
script=graphql-audit
# shellcheck source=lib/server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/server.sh"
need_clients

start_server
node clients/audit.mjs "http://127.0.0.1:$port/graphql" || server_failed "the audits failed"
