#!/usr/bin/env bash
# Build the sotclinic image and check it: /healthz answers 200 through the container's
# published port, the server runs as an unprivileged user, static files are served under
# hashed names and the image's own HEALTHCHECK reports healthy.
#
#   deploy/test-image.sh            # with podman, or docker when podman is missing
#   ENGINE=docker deploy/test-image.sh
#
# Needs a container engine that can pull python:3.11-slim-trixie (or PYTHON_IMAGE=...).
set -euo pipefail
cd "$(dirname "$0")/.."

ENGINE="${ENGINE:-$(command -v podman || command -v docker || true)}"
if [ -z "$ENGINE" ]; then
    echo "test-image: no container engine (podman or docker) found" >&2
    exit 2
fi
IMAGE="${IMAGE:-sotclinic:test}"
PORT="${PORT:-18000}"
NAME="sotclinic-test-$$"
VOLUME="sotclinic-test-var-$$"

cleanup() {
    "$ENGINE" rm -f "$NAME" "$NAME-worker" >/dev/null 2>&1 || true
    "$ENGINE" volume rm -f "$VOLUME" >/dev/null 2>&1 || true
}
trap cleanup EXIT

fail() {
    echo "test-image: FAILED: $*" >&2
    "$ENGINE" logs "$NAME" 2>&1 | tail -40 >&2 || true
    exit 1
}

echo "== building $IMAGE with $ENGINE"
build_args=()
[ -n "${PYTHON_IMAGE:-}" ] && build_args+=(--build-arg "PYTHON_IMAGE=$PYTHON_IMAGE")
# podman writes OCI images by default, which have no HEALTHCHECK; the Docker format keeps it.
case "$ENGINE" in *podman) build_args+=(--format docker) ;; esac
"$ENGINE" build "${build_args[@]}" -t "$IMAGE" .

echo "== migrating a fresh SQLite database in a volume"
"$ENGINE" volume create "$VOLUME" >/dev/null
"$ENGINE" run --rm -v "$VOLUME:/var/lib/sotclinic" "$IMAGE" \
    sotclinic manage migrate --noinput --verbosity 0

echo "== serving"
"$ENGINE" run -d --name "$NAME" -p "127.0.0.1:$PORT:8000" \
    -e ALLOWED_HOSTS=localhost,127.0.0.1 \
    -v "$VOLUME:/var/lib/sotclinic" "$IMAGE" >/dev/null
# The background worker beside it, on the same volume: /healthz reports "worker" ok only
# once a worker has been seen (HEALTH_WORKER_SILENCE_SECONDS).
"$ENGINE" run -d --name "$NAME-worker" -v "$VOLUME:/var/lib/sotclinic" "$IMAGE" \
    sotclinic worker >/dev/null

body=""
for _ in $(seq 1 60); do
    if body="$(curl -fsS "http://127.0.0.1:$PORT/healthz" 2>/dev/null)"; then break; fi
    sleep 1
done
echo "/healthz: $body"
[ "$(echo "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null)" = ok ] \
    || fail "/healthz did not answer ok"

uid="$("$ENGINE" exec "$NAME" id -u)"
[ "$uid" != 0 ] || fail "the server runs as root"

css="$(curl -fsS "http://127.0.0.1:$PORT/accounts/login/" | grep -o '/static/sotclinic/app\.[0-9a-f]\{12\}\.css' | head -1)"
[ -n "$css" ] || fail "the login page does not link a hashed stylesheet"
curl -fsSI "http://127.0.0.1:$PORT$css" | grep -qi '^cache-control: .*immutable' \
    || fail "$css is not served as immutable"

echo "== waiting for the image's HEALTHCHECK"
health=""
for _ in $(seq 1 60); do
    # Without systemd timers podman runs a container's health check only when asked.
    case "$ENGINE" in *podman) "$ENGINE" healthcheck run "$NAME" >/dev/null 2>&1 || true ;; esac
    health="$("$ENGINE" inspect --format '{{.State.Health.Status}}' "$NAME" 2>/dev/null || true)"
    [ "$health" = healthy ] && break
    sleep 2
done
[ "$health" = healthy ] || fail "HEALTHCHECK says '${health:-nothing}'"

echo "test-image: OK ($IMAGE: /healthz ok, uid $uid, $css immutable, healthy)"
