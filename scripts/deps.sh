#!/bin/sh
# Install the Debian packages sysg builds and tests with, if any is missing.
# Does nothing when everything is present.
set -eu
pkgs="make gcc pkg-config libevent-dev libyaml-dev libcap-dev libbsd-dev
libseccomp-dev libjansson-dev libmd-dev libcmocka-dev python3 python3-croniter mandoc
tzdata iproute2 procps"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing
