#!/usr/bin/env bash
# Interop suite: serves the production bundle in plain workerd (npm run serve), then runs
# scripts/interop/run.mjs, which requests tokens with the CLI client for every combination and
# has xmlsec1, Apache Santuario and pysaml2 (and jwcrypto for JWTs) verify them; Apache WSS4J
# signs certificatemixed requests with the development alice-client key (wss4j.mjs).
#
# usage: bash scripts/interop/run.sh            (port 8788; INTEROP_PORT=N to change)
#        INTEROP_URL=http://127.0.0.1:8787 bash scripts/interop/run.sh   (use a running STS)
#        INTEROP_KEEP=1 ...                     (keep the work dir with tokens/responses)
# Ends with "N passed, M failed" and exits non-zero if M > 0.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/node_modules/.bin:$PATH"   # Node 22 from the "node" devDependency
export WRANGLER_SEND_METRICS=false

for tool in xmlsec1 xmllint javac java openssl /usr/bin/python3; do
  command -v "$tool" >/dev/null || { echo "interop: missing $tool (see .ci/run for the apt packages)"; exit 2; }
done

port=${INTEROP_PORT:-8788}
work=$(mktemp -d "${TMPDIR:-/tmp}/sts-interop.XXXXXX")
server_pid=""

cleanup() {
  local rc=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    # serve.mjs forwards SIGTERM to workerd; the whole process group goes when setsid was used.
    kill -TERM -- "-$server_pid" 2>/dev/null || kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$server_pid" 2>/dev/null || kill -KILL "$server_pid" 2>/dev/null || true
  fi
  if [ "$rc" -ne 0 ] && [ -f "$work/serve.log" ]; then
    echo "---- last lines of the server log ----"; tail -n 40 "$work/serve.log"
  fi
  if [ "${INTEROP_KEEP:-}" = 1 ]; then echo "interop: work dir kept at $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT INT TERM

if [ -n "${INTEROP_URL:-}" ]; then
  url=$INTEROP_URL
else
  url="http://127.0.0.1:$port"
  if curl -fsS -o /dev/null "$url/healthz" 2>/dev/null; then
    echo "interop: something already answers on $url; set INTEROP_PORT"; exit 2
  fi
  # Fresh Durable Object storage per run, so replay caches and revocations from earlier runs
  # cannot influence the result.
  if command -v setsid >/dev/null; then
    setsid node scripts/serve.mjs --port "$port" --state-dir "$work/state" >"$work/serve.log" 2>&1 &
  else
    node scripts/serve.mjs --port "$port" --state-dir "$work/state" >"$work/serve.log" 2>&1 &
  fi
  server_pid=$!
  echo "interop: starting the worker on $url (log: $work/serve.log)"
  for i in $(seq 1 240); do
    if curl -fsS -o /dev/null "$url/healthz" 2>/dev/null; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then echo "interop: the server exited"; exit 1; fi
    if [ "$i" = 240 ]; then echo "interop: $url/healthz not ready after 120 s"; exit 1; fi
    sleep 0.5
  done
fi
echo "interop: $url is up"

start_server() {
  if command -v setsid >/dev/null; then
    setsid node scripts/serve.mjs --port "$port" --state-dir "$work/state" >>"$work/serve.log" 2>&1 &
  else
    node scripts/serve.mjs --port "$port" --state-dir "$work/state" >>"$work/serve.log" 2>&1 &
  fi
  server_pid=$!
  for i in $(seq 1 240); do
    if curl -fsS -o /dev/null "$url/healthz" 2>/dev/null; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then echo "interop: the server exited"; return 1; fi
    sleep 0.5
  done
  echo "interop: $url/healthz not ready after 120 s"; return 1
}
stop_server() {
  kill -TERM -- "-$server_pid" 2>/dev/null || kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$server_pid" 2>/dev/null || kill -KILL "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do curl -fsS -o /dev/null "$url/healthz" 2>/dev/null || break; sleep 0.1; done
}

rc=0
node scripts/interop/run.mjs --url "$url" --work "$work" || rc=$?
if [ -z "${INTEROP_URL:-}" ]; then
  # Stop the runtime and start it again on the same storage: Cancel must survive the restart.
  echo "interop: restarting the worker on the same Durable Object storage"
  stop_server
  start_server
  node scripts/interop/restart-check.mjs --url "$url" --work "$work" || rc=$?
fi
exit "$rc"
