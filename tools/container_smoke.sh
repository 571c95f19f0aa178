#!/usr/bin/env bash
# Prove the Dockerfile where no image registry can be reached (only Debian's mirror and PyPI):
# make a minimal Debian base with Python from Debian packages (mmdebstrap), import it into
# podman, build the sotclinic image FROM it (the Dockerfile's PYTHON_IMAGE build argument),
# then run deploy/test-image.sh against it: a SQLite volume, /healthz through the published
# port, an unprivileged server, hashed static files and the image's own HEALTHCHECK.
#
#   tools/container_smoke.sh            # as root; needs podman, mmdebstrap (apt-get install
#                                       # podman mmdebstrap runc)
#
# Not part of the test suite: it takes minutes and a container engine. Elsewhere, with a
# registry, deploy/test-image.sh alone builds on python:3.11-slim-trixie.
#
# SUITE (trixie)   the Debian release of the base; the Dockerfile's default base is trixie too
# BASE             the local base image's name (localhost/sotclinic-base:$SUITE); built once
# MIRROR           the Debian mirror (http://deb.debian.org/debian)
set -euo pipefail
cd "$(dirname "$0")/.."

SUITE="${SUITE:-trixie}"
BASE="${BASE:-localhost/sotclinic-base:$SUITE}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
WORK="$(mktemp -d /tmp/sotclinic-container-smoke.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

command -v podman >/dev/null || { echo "container_smoke: podman is not installed" >&2; exit 2; }

# crun (podman's default runtime) refuses a host with cgroup v1 or hybrid cgroups; runc with
# the cgroupfs manager runs there. A pure cgroup v2 host keeps podman's own settings.
if [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
    command -v runc >/dev/null || {
        echo "container_smoke: this host has cgroup v1/hybrid cgroups; install runc" >&2
        exit 2
    }
    cat >"$WORK/containers.conf" <<'CONF'
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
fi
# Podman raises a container's open-files and process limits to 1048576; in a sandbox whose
# own hard limits are lower (and without CAP_SYS_RESOURCE) runc cannot set them, so
# containers get limits under the host's here (16384 each, or the host's if lower; the host's
# exact figure was refused too in such a sandbox).
hard_files="$(ulimit -Hn)" hard_procs="$(ulimit -Hu)"
if [ "$hard_files" != unlimited ] || [ "$hard_procs" != unlimited ]; then
    files=16384 procs=16384
    [ "$hard_files" != unlimited ] && [ "$hard_files" -lt "$files" ] && files="$hard_files"
    [ "$hard_procs" != unlimited ] && [ "$hard_procs" -lt "$procs" ] && procs="$hard_procs"
    printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n' \
        "$files" "$files" "$procs" "$procs" >>"$WORK/containers.conf"
fi
[ -s "$WORK/containers.conf" ] && export CONTAINERS_CONF="$WORK/containers.conf"

if ! podman image exists "$BASE"; then
    command -v mmdebstrap >/dev/null || {
        echo "container_smoke: mmdebstrap is not installed" >&2
        exit 2
    }
    echo "== making the base image $BASE from Debian $SUITE packages"
    # The host's own extra certificate authorities (/usr/local/share/ca-certificates) go into
    # the base too, so pip inside the build reaches PyPI through the same network as the host.
    mmdebstrap --variant=minbase \
        --include=python3,python3-venv,python-is-python3,ca-certificates,passwd \
        --customize-hook='copy-in /usr/local/share/ca-certificates /usr/local/share' \
        --customize-hook='chroot "$1" update-ca-certificates' \
        "$SUITE" "$WORK/base.tar" "$MIRROR"
    podman import --change 'CMD ["python3"]' "$WORK/base.tar" "$BASE"
fi

ENGINE="$(command -v podman)" PYTHON_IMAGE="$BASE" deploy/test-image.sh
