#!/usr/bin/env bash
# A real JavaScript client uploading through the GraphQL multipart request
# spec (clients/upload.mjs: extract-files, FormData, fetch):
#
#   ./scripts/js-upload.sh
#
# It builds the server, starts it on a free loopback port with a throwaway
# data folder and an admin of its own, waits for /readyz, and runs the
# client, which signs in, uploads generated PNGs and checks each returned
# asset's sha256 against the bytes it sent. The server and its data are
# removed however the script ends. Needs node and `npm ci --prefix clients`
# (run here when clients/node_modules is missing).
script=js-upload
# shellcheck source=lib/server.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/server.sh"
need_clients

admin_email=js-upload@example.com
admin_password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
start_server STILLROOM_ADMIN_EMAIL="$admin_email" STILLROOM_ADMIN_PASSWORD="$admin_password"
STILLROOM_ADMIN_EMAIL=$admin_email STILLROOM_ADMIN_PASSWORD=$admin_password \
	node clients/upload.mjs "http://127.0.0.1:$port" || server_failed "the JavaScript upload failed"
