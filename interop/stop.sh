#!/usr/bin/env bash
# Stops the interop rig that start.sh started, and only that: the Postfix master, Dovecot, the
# OAuth introspection stand-in and Redis named by the pid files in the run folder, each checked against its
# command line first (a pid file can outlive its process, and the pid be reused). Leaves the run
# folder (mail, logs, certificate) in place; --clean deletes it afterwards.
#
#   sudo interop/stop.sh [--clean]
#
# Env: INTEROP_RUN, as for start.sh. Exits 0 when there is nothing to stop.
set -uo pipefail
RUN="${INTEROP_RUN:-/tmp/smtp-interop}"
[ -e "$RUN" ] || { echo "stop.sh: nothing to stop (no run folder $RUN)"; exit 0; }
RUN="$(cd "$RUN" && pwd -P)"
PFCONF="$RUN/postfix/conf"
DPIDF="$RUN/dovecot/base/master.pid"
PPIDF="$RUN/postfix/queue/pid/master.pid"
OPIDF="$RUN/oauth_introspect.pid"
RPIDF="$RUN/redis/redis.pid"
pid_of() { [ -s "$1" ] && head -n1 "$1" | tr -d ' '; }
ours() { # pid, a word its command line must contain
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null && tr '\0' ' ' < "/proc/$1/cmdline" | grep -q -- "$2"
}
wait_gone() { # pid: up to 10 s
  for _ in $(seq 1 100); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.1
  done
  return 1
}

ppid=$(pid_of "$PPIDF" || true)
if ours "$ppid" master; then
  postfix -c "$PFCONF" stop || kill -TERM "$ppid"
  wait_gone "$ppid" || { echo "stop.sh: postfix master $ppid still alive, sending KILL"; kill -KILL "$ppid"; }
  echo "stop.sh: postfix (master pid $ppid) stopped"
else
  echo "stop.sh: postfix not running"
fi

dpid=$(pid_of "$DPIDF" || true)
if ours "$dpid" dovecot; then
  kill -TERM "$dpid"
  wait_gone "$dpid" || { echo "stop.sh: dovecot $dpid still alive, sending KILL"; kill -KILL "$dpid"; }
  echo "stop.sh: dovecot (master pid $dpid) stopped"
else
  echo "stop.sh: dovecot not running"
fi

opid=$(pid_of "$OPIDF" || true)
if ours "$opid" oauth_introspect; then
  kill -TERM "$opid"
  wait_gone "$opid" || kill -KILL "$opid"
  echo "stop.sh: oauth introspection stand-in (pid $opid) stopped"
fi

rpid=$(pid_of "$RPIDF" || true)
if ours "$rpid" redis-server; then
  kill -TERM "$rpid"
  wait_gone "$rpid" || { echo "stop.sh: redis $rpid still alive, sending KILL"; kill -KILL "$rpid"; }
  echo "stop.sh: redis (pid $rpid) stopped"
fi
rm -f "$OPIDF" "$RPIDF" "$RUN/pids"

if [ "${1:-}" = "--clean" ]; then
  rm -rf -- "$RUN"
  echo "stop.sh: removed $RUN"
fi
