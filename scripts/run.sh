#!/usr/bin/env bash
# `make run`: Slate's two processes as the installed kiosk runs them, for someone trying it out
# on their own account: the session service (slated) on this account's data folder, its socket
# in the runtime folder, and the screen (slate) connected to it. Closing the screen stops the
# service, which ends and wipes a session still open. Arguments go to the screen.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
data="${SLATE_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/slate}"
made_runtime=
if [ -z "${XDG_RUNTIME_DIR:-}" ] || [ ! -w "$XDG_RUNTIME_DIR" ]; then
    XDG_RUNTIME_DIR=$(mktemp -d)
    made_runtime=$XDG_RUNTIME_DIR
    export XDG_RUNTIME_DIR
fi
socket="$XDG_RUNTIME_DIR/slate.sock"
"$root/target/debug/slated" --data-dir "$data" --socket "$socket" &
service=$!
trap 'kill -TERM "$service" 2>/dev/null; wait "$service" 2>/dev/null || true; [ -z "$made_runtime" ] || rm -rf "$made_runtime"' EXIT
for _ in $(seq 300); do
    [ -S "$socket" ] && break
    kill -0 "$service" 2>/dev/null || { echo "slated did not start (see above)." >&2; exit 1; }
    sleep 0.1
done
echo "Slate's data: $data. Administer it from another shell with: slatectl --socket $socket status"
"$root/target/debug/slate" --socket "$socket" "$@"
