#!/usr/bin/env bash
# A private Postfix for the benchmark: its smtpd on 127.0.0.1:PORT (it offers PIPELINING and
# CHUNKING, which smtp-sink does not), every message accepted, queued and then thrown away by the
# discard transport. Everything lives in RUN_DIR (configuration, queue, data, log): the system's
# Postfix (/etc/postfix, /var/spool/postfix) is neither read for settings nor touched, and nothing
# here is a system service. run.sh starts and stops it around the smtpd rows.
#
#   bash benchmarks/smtpd.sh start RUN_DIR PORT [taskset args...]   (as root)
#   bash benchmarks/smtpd.sh stop RUN_DIR
#
# RUN_DIR must be a fresh folder of root's (run.sh makes one with mktemp): the unprivileged postfix
# user must be able to traverse it. start waits (10 s at most) until the port answers with 220.
set -euo pipefail

usage() { echo "usage: smtpd.sh start RUN_DIR PORT [taskset args...] | stop RUN_DIR" >&2; exit 2; }
[[ $# -ge 2 ]] || usage
ACTION=$1
RUN=$2
CONF=$RUN/conf
PIDFILE=$RUN/queue/pid/master.pid

master_pid() { [[ -s $PIDFILE ]] && head -n1 "$PIDFILE" | tr -d ' '; }

case $ACTION in
start)
	[[ $# -ge 3 ]] || usage
	PORT=$3
	shift 3
	PIN=("$@")
	[[ $(id -u) -eq 0 ]] || { echo "smtpd.sh: Postfix's master must be started as root" >&2; exit 1; }
	[[ -x /usr/sbin/postfix ]] || { echo "smtpd.sh: /usr/sbin/postfix is missing" >&2; exit 1; }
	id postfix >/dev/null 2>&1 || { echo "smtpd.sh: there is no postfix user (install Debian's postfix package)" >&2; exit 1; }
	if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
		echo "smtpd.sh: 127.0.0.1:$PORT is already in use" >&2
		exit 1
	fi
	mkdir -p "$CONF" "$RUN/queue" "$RUN/data" "$RUN/log"
	chmod 755 "$RUN"
	chown postfix "$RUN/data"
	chmod 700 "$RUN/data"
	touch "$RUN/log/postfix.log"
	cat >"$CONF/main.cf" <<-EOF
		# The benchmark's private Postfix (benchmarks/smtpd.sh): accept all from loopback, discard it.
		compatibility_level = 3.6
		queue_directory = $RUN/queue
		data_directory = $RUN/data
		mail_owner = postfix
		setgid_group = postdrop
		maillog_file = $RUN/log/postfix.log
		maillog_file_prefixes = $RUN/log
		import_environment = MAIL_CONFIG MAIL_DEBUG MAIL_LOGTAG TZ LANG=C
		myhostname = smtpd.bench.example
		mydomain = bench.example
		mydestination =
		inet_interfaces = loopback-only
		inet_protocols = ipv4
		mynetworks = 127.0.0.0/8
		smtpd_banner = \$myhostname ESMTP
		biff = no
		alias_maps =
		alias_database =
		local_recipient_maps =
		smtpd_relay_restrictions = permit_mynetworks, reject
		smtpd_recipient_restrictions =
		default_transport = discard:benchmark
		relay_transport = discard:benchmark
		local_transport = discard:benchmark
		message_size_limit = 10240000
		smtpd_client_connection_rate_limit = 0
		smtpd_error_sleep_time = 0
	EOF
	cat >"$CONF/master.cf" <<-EOF
		# service type  private unpriv  chroot  wakeup  maxproc command + args
		127.0.0.1:$PORT inet n - n - - smtpd
		pickup    unix  n       -       n       60      1       pickup
		cleanup   unix  n       -       n       -       0       cleanup
		qmgr      unix  n       -       n       300     1       qmgr
		rewrite   unix  -       -       n       -       -       trivial-rewrite
		bounce    unix  -       -       n       -       0       bounce
		defer     unix  -       -       n       -       0       bounce
		trace     unix  -       -       n       -       0       bounce
		verify    unix  -       -       n       -       1       verify
		flush     unix  n       -       n       1000?   0       flush
		proxymap  unix  -       -       n       -       -       proxymap
		proxywrite unix -       -       n       -       1       proxymap
		showq     unix  n       -       n       -       -       showq
		error     unix  -       -       n       -       -       error
		retry     unix  -       -       n       -       -       error
		discard   unix  -       -       n       -       -       discard
		anvil     unix  -       -       n       -       1       anvil
		scache    unix  -       -       n       -       1       scache
		postlog   unix-dgram n  -       n       -       1       postlogd
	EOF
	# The daemons must not inherit the caller's stdout/stderr: a pipe would never close.
	"${PIN[@]}" /usr/sbin/postfix -c "$CONF" start </dev/null >>"$RUN/log/start.out" 2>&1 \
		|| { echo "smtpd.sh: postfix start failed: $(tail -n 5 "$RUN/log/start.out" "$RUN/log/postfix.log")" >&2; exit 1; }
	for _ in $(seq 1 100); do
		if exec 3<>"/dev/tcp/127.0.0.1/$PORT" 2>/dev/null; then
			if IFS= read -r -t 2 greeting <&3 && [[ $greeting == 220* ]]; then
				printf 'QUIT\r\n' >&3
				exec 3<&- 3>&-
				exit 0
			fi
			exec 3<&- 3>&-
		fi
		sleep 0.1
	done
	echo "smtpd.sh: smtpd did not greet on 127.0.0.1:$PORT within 10 s: $(tail -n 5 "$RUN/log/postfix.log")" >&2
	exit 1
	;;
stop)
	pid=$(master_pid || true)
	# Only the master this folder's pid file names, and only if it is a Postfix master.
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q master; then
		/usr/sbin/postfix -c "$CONF" stop </dev/null >>"$RUN/log/start.out" 2>&1 || kill -TERM "$pid"
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || exit 0
			sleep 0.1
		done
		echo "smtpd.sh: postfix master $pid still alive after 10 s, sending KILL" >&2
		kill -KILL "$pid"
	fi
	;;
*)
	usage
	;;
esac
