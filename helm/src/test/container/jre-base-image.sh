#!/usr/bin/env bash
# Makes the JRE base image that the container test builds the node image on, from Debian's packages
# alone (no image registry is needed): a minimal Debian bookworm root filesystem with
# openjdk-17-jre-headless, made by debootstrap and imported into the engine as TAG.
#
#   jre-base-image.sh TAG
#
# Needs root, debootstrap and a running engine; the docker client is $VMGRID_DOCKER (default docker).
set -euo pipefail

tag=${1:?usage: jre-base-image.sh TAG}
docker=${VMGRID_DOCKER:-docker}
if [[ $(id -u) -ne 0 ]]; then
  echo "jre-base-image.sh: debootstrap needs root" >&2
  exit 1
fi
command -v debootstrap >/dev/null || { echo "jre-base-image.sh: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }

root=$(mktemp -d /var/tmp/vmgrid-jre-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$root" >"$root.log" 2>&1 \
  || { tail -20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
  "$root"/usr/share/man/*
tar -C "$root" -c . | "$docker" import -c 'ENV LANG=C.UTF-8' -c 'CMD ["/bin/bash"]' - "$tag" >/dev/null
echo "jre-base-image.sh: made $tag"
