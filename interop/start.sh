#!/usr/bin/env bash
# Starts smtpkit's interop rig: a private Postfix (smtpd on 127.0.0.1:2525, [::1]:2525, 2526, 2527,
# 2587, 2588, 2589 and 4465), a private Dovecot (SASL for Postfix; LMTP on 127.0.0.1:2003 and $RUN/lmtp.sock),
# the OAuth introspection stand-in (127.0.0.1:2089) that Dovecot asks about bearer tokens and a
# private Redis (127.0.0.1:6390, password redis-pw, nothing persisted) for shared rate limits.
# See interop/README.md for what each endpoint offers and which users exist.
#
#   sudo interop/start.sh        (from the repository root; needs root: the daemons drop privileges)
#
# Idempotent: installs missing packages, (re)writes the run folder's certificate (once), configs
# and recipient table, starts what is not running and reloads what is, waits until every port
# answers and Postfix greets, then prints the PIDs and endpoints.
# Touches no system instance: nothing under /etc, no system service; all it writes is in $RUN.
# Env: INTEROP_RUN       the run folder (default /tmp/smtp-interop; the tests read the same variable)
#      INTEROP_NO_INSTALL=1 skips install.sh; INTEROP_SKIP_APT_UPDATE=1 skips its apt-get update.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
RUN="${INTEROP_RUN:-/tmp/smtp-interop}"
T0=$(date +%s%N)
on_err() {
  echo "start.sh: FAILED (line $1); last log lines:" >&2
  tail -n 15 "$RUN/log/postfix.log" "$RUN/log/dovecot.log" "$RUN/log/oauth.log" "$RUN/log/redis.log" >&2 2>/dev/null || true
}
trap 'on_err $LINENO' ERR

if [ "$(id -u)" -ne 0 ]; then echo "start.sh: must run as root (sudo $0)" >&2; exit 1; fi
if [ -z "${INTEROP_NO_INSTALL:-}" ]; then bash "$HERE/install.sh"; fi

# The run folder (configs, certificate, sockets, maildirs, logs) lives outside the checkout: the
# unprivileged postfix, dovecot and mail users must traverse every folder above it, and the unix
# socket paths under it must fit in sockaddr_un (107 bytes).
# Root writes configs and a private key there, chowns folders in it and the daemons trust what they
# find: in /tmp, where anyone may create the name first, refuse a folder or symlink that is not
# root's, or that others may write to.
if [ -e "$RUN" ] || [ -L "$RUN" ]; then
  if [ "$(stat -c %u "$RUN")" -ne 0 ] || [ "$(stat -L -c %u "$RUN")" -ne 0 ] \
      || [ -n "$(find -L "$RUN" -maxdepth 0 -perm /022)" ]; then
    echo "start.sh: $RUN exists and is not root's alone (owner or write permission); remove it or set INTEROP_RUN" >&2
    exit 1
  fi
fi
# The longest socket path under it (Dovecot's base_dir, Postfix's private/) is ~41 characters longer.
if [ $(( ${#RUN} + 41 )) -gt 107 ]; then
  echo "start.sh: $RUN is too long for the unix sockets under it; set INTEROP_RUN to a shorter path" >&2
  exit 1
fi
mkdir -p "$RUN"
RUN="$(cd "$RUN" && pwd -P)"
chmod 755 "$RUN"
mkdir -p "$RUN"/{certs,log,postfix/conf,postfix/queue,postfix/data,dovecot/base,dovecot/state,mail,redis}

# --- the self-signed certificate: generated once per run folder, never committed ---
if [ ! -s "$RUN/certs/cert.pem" ] || [ ! -s "$RUN/certs/key.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 \
    -subj "/CN=mx.example.test" \
    -addext "subjectAltName=DNS:mx.example.test,DNS:localhost,IP:127.0.0.1,IP:::1" \
    -keyout "$RUN/certs/key.pem" -out "$RUN/certs/cert.pem" 2>/dev/null
  chmod 600 "$RUN/certs/key.pem"
  chmod 644 "$RUN/certs/cert.pem"
fi

# --- configs from templates: @RUN@, @MAIL_UID@ and @MAIL_GID@ filled in ---
MAIL_UID=$(id -u mail)
MAIL_GID=$(id -g mail)
render() { # template output
  local esc
  esc=$(printf '%s' "$RUN" | sed 's/[&|\\]/\\&/g')
  sed -e "s|@RUN@|$esc|g" -e "s|@MAIL_UID@|$MAIL_UID|g" -e "s|@MAIL_GID@|$MAIL_GID|g" "$1" > "$2"
}
render "$HERE/templates/main.cf.in"      "$RUN/postfix/conf/main.cf"
render "$HERE/templates/master.cf.in"    "$RUN/postfix/conf/master.cf"
render "$HERE/templates/transport.in"    "$RUN/postfix/conf/transport"
render "$HERE/templates/dovecot.conf.in" "$RUN/dovecot/dovecot.conf"
render "$HERE/templates/oauth2.conf.in"  "$RUN/dovecot/oauth2.conf"
render "$HERE/templates/users.in"        "$RUN/dovecot/users"
chown root:dovecot "$RUN/dovecot/users"
chmod 640 "$RUN/dovecot/users"
# Without an IPv6 loopback, drop the [::1]:2525 listener (and the -o line under it) and let Postfix
# use IPv4 only. InteropRig.hasIpv6Listener() reads master.cf to know.
if ! python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
  sed -i '/^\[::1\]:2525 /,+1d' "$RUN/postfix/conf/master.cf"
  sed -i -e 's/^inet_protocols = all/inet_protocols = ipv4/' -e 's|^mynetworks = .*|mynetworks = 127.0.0.0/8|' \
    "$RUN/postfix/conf/main.cf"
  echo "start.sh: no IPv6 loopback; [::1]:2525 disabled"
fi
# Postfix's recipient table: every user of the Dovecot users file, "address localpart/Maildir/"
# (the value matters only to virtual(8), for the users transport.in routes there).
grep -v '^[[:space:]]*#' "$HERE/templates/users.in" | grep -v '^[[:space:]]*$' \
  | cut -d: -f1 | sed 's|^\(\([^@]*\)@.*\)$|\1 \2/Maildir/|' > "$RUN/postfix/conf/vmailbox"
chown mail:mail "$RUN/mail"
chmod 770 "$RUN/mail"
chown postfix "$RUN/postfix/data"
chmod 700 "$RUN/postfix/data"
touch "$RUN/log/postfix.log" "$RUN/log/dovecot.log"
# While Postfix's master is down, its commands write maillog_file themselves, as the mail owner:
# "postfix start" after a stop in the middle of a delivery (SmtpClientInteropTests restarts Postfix
# in a burst) runs postsuper, which warns of cleanup's half-written file in incoming/ and, unable to
# write the root-owned log, fails the start ("integrity check failed"). postlogd (root) appends too.
chown postfix "$RUN/log/postfix.log"

PFCONF="$RUN/postfix/conf"
DPIDF="$RUN/dovecot/base/master.pid"
PPIDF="$RUN/postfix/queue/pid/master.pid"
OPIDF="$RUN/oauth_introspect.pid"
RPIDF="$RUN/redis/redis.pid"
REDIS_PORT=6390
alive() { [ -s "$1" ] && kill -0 "$(head -n1 "$1" | tr -d ' ')" 2>/dev/null; }
# A port someone else holds would make the waits below succeed for the wrong server.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
refuse_busy() {
  for p in "$@"; do
    if port_busy "$p"; then echo "start.sh: 127.0.0.1:$p is already in use by another process" >&2; exit 1; fi
  done
}
alive "$OPIDF" || refuse_busy 2089
alive "$DPIDF" || refuse_busy 2003
alive "$PPIDF" || refuse_busy 2525 2526 2527 2587 2588 2589 4465
alive "$RPIDF" || refuse_busy "$REDIS_PORT"

# --- Redis, for rate limits shared by several client processes ---
# Our own redis-server, as user redis, on loopback only, from the command line (no config file, so
# nothing of /etc/redis), saving nothing; the system's redis service is never started or touched.
if ! alive "$RPIDF"; then
  chown redis:redis "$RUN/redis"
  touch "$RUN/log/redis.log"
  chown redis:redis "$RUN/log/redis.log"
  runuser -u redis -- redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
    --requirepass redis-pw --save '' --appendonly no --dir "$RUN/redis" \
    --daemonize yes --pidfile "$RPIDF" --logfile "$RUN/log/redis.log" </dev/null
fi

# --- the OAuth introspection stand-in (for Dovecot's oauth2 passdb) ---
if ! alive "$OPIDF"; then
  setsid python3 "$HERE/oauth_introspect.py" 2089 "$OPIDF" </dev/null >>"$RUN/log/oauth.log" 2>&1 &
fi

# --- Dovecot ---
if alive "$DPIDF"; then
  echo "start.sh: dovecot already running; reloading its config"
  kill -HUP "$(head -n1 "$DPIDF" | tr -d ' ')"
else
  # A fresh base_dir: a stale anvil-auth-penalty socket from an earlier run makes the auth process
  # retry it for 5 s (ECONNREFUSED) instead of failing fast (ENOENT).
  rm -rf "$RUN/dovecot/base"
  mkdir -p "$RUN/dovecot/base"
  # The daemons must not inherit our stdout/stderr: a caller's pipe would never close.
  dovecot -c "$RUN/dovecot/dovecot.conf" </dev/null >>"$RUN/log/dovecot.stderr" 2>&1 \
    || { cat "$RUN/log/dovecot.stderr" >&2; false; }
fi

# --- Postfix ---
if alive "$PPIDF"; then
  echo "start.sh: postfix already running; reloading its config"
  postfix -c "$PFCONF" reload </dev/null >>"$RUN/log/postfix.stderr" 2>&1
else
  postfix -c "$PFCONF" start </dev/null >>"$RUN/log/postfix.stderr" 2>&1
fi

# --- wait until everything answers (10 s each at most) ---
wait_tcp() { # port
  for _ in $(seq 1 100); do
    if port_busy "$1"; then return 0; fi
    sleep 0.1
  done
  echo "start.sh: port $1 did not open" >&2
  return 1
}
wait_sock() { # path
  for _ in $(seq 1 100); do
    if [ -S "$1" ]; then return 0; fi
    sleep 0.1
  done
  echo "start.sh: socket $1 did not appear" >&2
  return 1
}
for p in 2003 2089 2525 2526 2527 2587 2588 2589 4465; do wait_tcp "$p"; done
wait_sock "$RUN/lmtp.sock"
# PONG proves that our Redis answers, with our password.
for _ in $(seq 1 100); do
  if [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --no-auth-warning -a redis-pw ping 2>/dev/null)" = "PONG" ]; then break; fi
  sleep 0.1
done
[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" --no-auth-warning -a redis-pw ping 2>/dev/null)" = "PONG" ] \
  || { echo "start.sh: redis on 127.0.0.1:$REDIS_PORT did not answer PING" >&2; false; }
wait_sock "$RUN/dovecot/auth-postfix"
# A 220 greeting proves that smtpd answers, not only Postfix's master.
python3 - <<'PY'
import socket, sys
for port, code in ((2525, b"220"), (2526, b"220"), (2587, b"220"), (2527, b"421")):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    b = s.recv(512)
    try: s.sendall(b"QUIT\r\n")
    except OSError: pass  # 2527 hangs up after its 421
    s.close()
    if not b.startswith(code): sys.exit("start.sh: bad greeting on %d: %r" % (port, b))
PY

echo "dovecot_pid=$(head -n1 "$DPIDF" | tr -d ' ')" >  "$RUN/pids"
echo "postfix_pid=$(head -n1 "$PPIDF" | tr -d ' ')" >> "$RUN/pids"
echo "redis_pid=$(head -n1 "$RPIDF" | tr -d ' ')" >> "$RUN/pids"
cat "$RUN/pids"
echo "smtp 127.0.0.1:2525 (STARTTLS, AUTH after TLS) [::1]:2525, 127.0.0.1:2587 (AUTH without TLS), 127.0.0.1:4465 (implicit TLS)"
echo "smtp 127.0.0.1:2588 (STARTTLS; AUTH after TLS with SCRAM-SHA-1/256, XOAUTH2, OAUTHBEARER too; tokens 'valid:USER:x')"
echo "smtp 127.0.0.1:2589 (rate limited: 20 messages per 10 s, 3 connections at once, per client address)"
echo "smtp 127.0.0.1:2526 (plain, no STARTTLS/AUTH; delivers as 2525), 127.0.0.1:2527 (greets with 421: for failover)"
echo "lmtp 127.0.0.1:2003 and unix:$RUN/lmtp.sock; CA cert: $RUN/certs/cert.pem; logs: $RUN/log/"
echo "redis 127.0.0.1:$REDIS_PORT (password redis-pw; nothing persisted)"
ms=$(( ($(date +%s%N) - T0) / 1000000 ))
printf 'start.sh: ready in %d.%03d s\n' $((ms / 1000)) $((ms % 1000))
