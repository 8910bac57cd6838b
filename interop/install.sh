#!/usr/bin/env bash
# Installs the Debian packages the interop rig needs; does nothing when they are all there.
#
#   postfix                    the SMTP server (and its queue tools, which the tests call)
#   dovecot-core dovecot-lmtpd SASL for Postfix, LMTP delivery, the oauth2 passdb
#   redis-server               the Redis that FleetRateLimitInteropTests' client processes share a
#                              rate limit in (start.sh runs a private one; the system's stays off)
#   openssl                    the rig's self-signed certificate
#   python3                    oauth_introspect.py, start.sh's banner check, and EhloInteropTests,
#                              which compares our EHLO parsing with CPython's smtplib
#   swaks libnet-ssleay-perl   for people: talk to the rig by hand (swaks --tls needs Net::SSLeay)
#
# Never starts a system service: postinst scripts ask /usr/sbin/policy-rc.d, which Debian
# containers ship as "exit 101"; when it is missing we put one there for the install and remove it
# again on every way out. Retries while another apt/dpkg holds the lock.
# Env: INTEROP_SKIP_APT_UPDATE=1 skips apt-get update; INTEROP_APT_OPTS adds apt-get options
# (e.g. "-o Dir::Cache::archives=/some/empty/dir" to time a cold download).
set -euo pipefail
PKGS=(postfix dovecot-core dovecot-lmtpd redis-server openssl python3 swaks libnet-ssleay-perl)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install.sh: all packages present"
  exit 0
fi
echo "install.sh: installing ${missing[*]}"

SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)
read -r -a APT_OPTS <<< "${INTEROP_APT_OPTS:-}"

added_policy=""
remove_policy() {
  if [ -n "$added_policy" ]; then "${SUDO[@]}" rm -f /usr/sbin/policy-rc.d; fi
}
trap remove_policy EXIT
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
  "${SUDO[@]}" chmod +x /usr/sbin/policy-rc.d
  added_policy=1
fi

retry() {
  local n=0
  until "$@"; do
    n=$((n + 1))
    if [ "$n" -ge 10 ]; then echo "install.sh: giving up: $*" >&2; return 1; fi
    echo "install.sh: apt busy or failed, retry $n in 30 s" >&2
    sleep 30
  done
}

# Postfix's postinst asks debconf questions: "No configuration" leaves /etc/postfix alone.
echo "postfix postfix/main_mailer_type select No configuration" | "${SUDO[@]}" debconf-set-selections
if [ -z "${INTEROP_SKIP_APT_UPDATE:-}" ]; then
  retry "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=60 "${APT_OPTS[@]}" update -qq
fi
retry "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get -o DPkg::Lock::Timeout=60 "${APT_OPTS[@]}" install -y -qq --no-install-recommends "${missing[@]}"
echo "install.sh: done"
