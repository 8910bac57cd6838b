#!/usr/bin/env bash
# smtpkit's send benchmark: SmtpClient (1 and 8 connections, pipelining on and off, send and
# sendAll batches) side by side with Postfix's smtp-source, a raw pipelining socket loop (the
# wire's limit for sendAll), Angus Mail (one reused Transport) and Spring's JavaMailSenderImpl; and
# the starter's injected MailSender (SmtpMailSender: SimpleMailMessage, and a multipart MimeMessage
# made with MimeMessageHelper; events, metrics and the mail.send observation on and off) beside
# JavaMailSenderImpl sending the same messages built by the same code. All send to Postfix's
# smtp-sink on 127.0.0.1, for 1 KiB and 100 KiB messages (the MailSender rows: 1 KiB only). And
# SmtpClient.send with DATA beside send with BDAT (one round trip: MAIL, RCPT, BDAT LAST and the
# message in one write) against a private Postfix smtpd with a discard transport, which offers
# CHUNKING where smtp-sink does not (1 KiB, one connection; benchmarks/smtpd.sh).
#
#   sudo bash benchmarks/run.sh        (or as root; installs Debian's postfix package if needed)
#
# Writes docs/benchmark.md (the table) and docs/benchmark.svg (the chart) and prints the table and
# the issues' targets. The run's raw results go to docs/benchmark-results-pinned.txt (PIN=1) or
# -unpinned.txt (PIN=0): run both into one OUT_DIR and the report puts the two side by side.
# smtp-sink and smtp-source are Postfix's test programs; the smtpd rows start a private Postfix
# instance from its own run folder (benchmarks/smtpd.sh, on SMTPD_PORT), never the system's, and
# stop it at the end. Bounded, each run under a hard timeout: about 25 minutes on 2 cores (with
# SIZES=1024 RUNS=3, about 12).
#
# Settings (environment):
#   RUNS=5               runs per configuration (the median is reported)
#   MEASURE_SECONDS=2    length of each measured run
#   WARMUP_COUNT=10000   in-process warm-up before each Java run: this many messages...
#   WARMUP_SECONDS=5     ...or this long, whichever comes first (enough for the JIT); the MailSender
#                        rows and their JavaMailSenderImpl peers, which build every message, warm
#                        up on 6 times the messages or for 3 times as long
#   RUN_TIMEOUT=40       hard limit on one run, in seconds
#   SIZES="1024 102400"  message body sizes in bytes
#   JAVA_OPTS            with PIN=1 "-Xms512m -Xmx512m"; with PIN=0 none (the JVM's default heap)
#   BENCH_MAVEN_ARGS="-pl benchmarks -am"   what to build (-pl benchmarks alone takes smtp-core from ~/.m2)
#   SKIP_BUILD=1         use benchmarks/target as it is
#   ONLY=regex           run only the Java clients whose name matches (smtp-source still runs),
#                        e.g. ONLY='^(smtpkit-batch|smtpkit-8threads)$' to compare those in one run
#   OUT_DIR=docs         where benchmark.md and benchmark.svg go
#   SMTPD=1              the smtpd rows (SMTPD=0 skips them; skipped with a message when not root)
#   SMTPD_PORT=2625      the private smtpd's port (not one of the interop rig's)
#   PIN=1                smtp-sink on CPU 0 and every client on CPU 1 (taskset); PIN=0 lets the
#                        scheduler place them and gives the JVM its default heap, as on users'
#                        machines. Unpinned figures on a 2-core VM are bimodal: a client
#                        that lands on the sink's core pays no cross-core wake-up per round trip
#                        (smtp-source: ~11,000 msg/s there, ~4,000 on the other core).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)

RUNS=${RUNS:-5}
MEASURE_SECONDS=${MEASURE_SECONDS:-2}
WARMUP_COUNT=${WARMUP_COUNT:-10000}
WARMUP_SECONDS=${WARMUP_SECONDS:-5}
RUN_TIMEOUT=${RUN_TIMEOUT:-40}
SIZES=${SIZES:-"1024 102400"}
PIN=${PIN:-1}
BENCH_MAVEN_ARGS=${BENCH_MAVEN_ARGS:-"-pl benchmarks -am"}
OUT_DIR=${OUT_DIR:-docs}
SMTPD=${SMTPD:-1}
SMTPD_PORT=${SMTPD_PORT:-2625}
SINK=/usr/sbin/smtp-sink
SOURCE=/usr/sbin/smtp-source
HOST=127.0.0.1
FROM=from@example.com
TO=to@example.com
HELO=bench.example
# Each Java configuration: client, connection count and, for some, the largest message size to run
# it with. smtp-source runs with 1 and 8 sessions. smtpkit-8threads calls send() from 8 threads
# whatever the connections; it is measured against smtpkit-batch on as many connections.
JAVA_CONFIGS=("smtpkit 1" "smtpkit-batch 1" "raw-pipeline 1" "smtpkit-nopipe 1" "angus 1" "spring 1"
	"mailsender-simple 1 1024" "mailsender-simple-quiet 1 1024" "spring-simple 1 1024"
	"mailsender-mime 1 1024" "mailsender-mime-quiet 1 1024" "spring-mime 1 1024"
	"spring-mime-pinned 1 1024"
	"smtpkit 8" "smtpkit-batch 8" "raw-pipeline 8" "smtpkit-nopipe 8" "angus 8"
	"smtpkit-8threads 1 1024" "smtpkit-8threads 2 1024" "smtpkit-batch 2 1024")

STARTED=$SECONDS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smtpkit-bench.XXXXXX")
RESULTS=$WORK/results.txt
: >"$RESULTS"
SINK_PID=""
SMTPD_DIR=""
POLICY_RC_CREATED=""

log() { printf '[%3ds] %s\n' "$((SECONDS - STARTED))" "$*" >&2; }
die() { log "error: $*"; exit 1; }

cleanup() {
	# Only what this script started or created.
	if [[ -n "$SINK_PID" ]] && kill -0 "$SINK_PID" 2>/dev/null; then
		kill "$SINK_PID" 2>/dev/null || true
		wait "$SINK_PID" 2>/dev/null || true
	fi
	if [[ -n "$SMTPD_DIR" ]]; then
		bash "$ROOT/benchmarks/smtpd.sh" stop "$SMTPD_DIR" || true
		rm -rf "$SMTPD_DIR"
	fi
	if [[ -n "$POLICY_RC_CREATED" ]]; then
		rm -f /usr/sbin/policy-rc.d
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ------------------------------------------------------------------ 1. smtp-sink and smtp-source
if [[ ! -x $SINK || ! -x $SOURCE ]]; then
	[[ $(id -u) -eq 0 ]] || die "smtp-sink/smtp-source are missing; run as root (sudo bash benchmarks/run.sh) to install Debian's postfix package"
	log "installing Debian's postfix package for smtp-sink and smtp-source (Postfix itself is not started)"
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		# Tells the package scripts not to start any service (Debian's invoke-rc.d policy, exit 101).
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		POLICY_RC_CREATED=1
	fi
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends postfix; then
		apt-get update
		apt-get install -y --no-install-recommends postfix
	fi
	if [[ -n "$POLICY_RC_CREATED" ]]; then
		rm -f /usr/sbin/policy-rc.d
		POLICY_RC_CREATED=""
	fi
	[[ -x $SINK && -x $SOURCE ]] || die "the postfix package did not bring $SINK and $SOURCE"
fi
command -v java >/dev/null || die "java (17 or newer) is needed"

# ------------------------------------------------------------------ 2. build
JAR=$ROOT/benchmarks/target/benchmarks.jar
if [[ -z "${SKIP_BUILD:-}" ]]; then
	log "building: ./mvnw -q -B -Pbenchmarks $BENCH_MAVEN_ARGS package -DskipTests"
	# shellcheck disable=SC2086
	./mvnw -q -B -Pbenchmarks $BENCH_MAVEN_ARGS package -DskipTests
fi
[[ -f $JAR ]] || die "$JAR is missing"

# ------------------------------------------------------------------ 3. smtp-sink on a free port
SINK_PIN=()
CLIENT_PIN=()
if [[ $PIN == 1 ]] && command -v taskset >/dev/null && (($(nproc) >= 2)); then
	SINK_PIN=(taskset -c 0)
	CLIENT_PIN=(taskset -c 1)
	placement="smtp-sink pinned to CPU 0 and each client to CPU 1 (taskset)"
else
	PIN=0
	placement="smtp-sink and clients placed by the scheduler (not pinned)"
fi
if [[ $PIN == 1 ]]; then
	PLACEMENT=pinned
	JAVA_OPTS=${JAVA_OPTS-"-Xms512m -Xmx512m"}
else
	# As on users' machines: the JVM's default heap.
	PLACEMENT=unpinned
	JAVA_OPTS=${JAVA_OPTS-""}
fi
SINK_ARGS=()
if [[ $(id -u) -eq 0 ]]; then
	# smtp-sink refuses to run as root without a user to switch to after opening the socket.
	if id postfix >/dev/null 2>&1; then SINK_ARGS+=(-u postfix); else SINK_ARGS+=(-u nobody); fi
fi
# Defaults otherwise: PIPELINING, 8BITMIME, SIZE... advertised; up to 256 connections at once (-m).
port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
PORT=""
for attempt in $(seq 1 20); do
	candidate=$((20000 + RANDOM % 40000))
	port_in_use "$candidate" && continue
	"${SINK_PIN[@]}" "$SINK" "${SINK_ARGS[@]}" "$HOST:$candidate" 256 >"$WORK/sink.log" 2>&1 &
	SINK_PID=$!
	for _ in $(seq 1 50); do
		port_in_use "$candidate" && break
		kill -0 "$SINK_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$SINK_PID" 2>/dev/null && port_in_use "$candidate"; then
		PORT=$candidate
		break
	fi
	kill "$SINK_PID" 2>/dev/null || true
	wait "$SINK_PID" 2>/dev/null || true
	SINK_PID=""
done
[[ -n "$PORT" ]] || die "could not start smtp-sink: $(cat "$WORK/sink.log")"
log "smtp-sink (pid $SINK_PID) listening on $HOST:$PORT; $placement"

# ------------------------------------------------------------------ 3b. a private Postfix smtpd
# For the BDAT rows: smtp-sink does not offer CHUNKING. Placed like smtp-sink.
SMTPD_READY=""
if [[ $SMTPD != 1 ]]; then
	log "smtpd rows skipped (SMTPD=$SMTPD)"
elif [[ $(id -u) -ne 0 ]]; then
	log "smtpd rows skipped: starting Postfix's master needs root (sudo bash benchmarks/run.sh)"
elif [[ ! -x /usr/sbin/postfix ]]; then
	log "smtpd rows skipped: /usr/sbin/postfix is missing (Debian's postfix package brings it with smtp-sink)"
else
	SMTPD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/smtpkit-smtpd.XXXXXX")
	if bash "$ROOT/benchmarks/smtpd.sh" start "$SMTPD_DIR" "$SMTPD_PORT" "${SINK_PIN[@]}"; then
		SMTPD_READY=1
		log "Postfix smtpd (discard transport) listening on $HOST:$SMTPD_PORT, run folder $SMTPD_DIR"
	else
		log "smtpd rows skipped: the private Postfix did not start (see above)"
	fi
fi

# ------------------------------------------------------------------ 4. measure
# One smtp-source run: prints its RESULT line. Wall and CPU (user + system) from bash's time.
run_source() {
	local sessions=$1 size=$2 count=$3 rc=0 wall user sys
	local TIMEFORMAT='%R %U %S'
	{ time "${CLIENT_PIN[@]}" timeout -k 5 "$RUN_TIMEOUT" "$SOURCE" -s "$sessions" -m "$count" -l "$size" -d \
		-M "$HELO" -f "$FROM" -t "$TO" "$HOST:$PORT" >"$WORK/source.out" 2>&1 || rc=$?; } 2>"$WORK/time.out"
	if [[ $rc -ne 0 ]]; then
		log "smtp-source -s $sessions -l $size failed (exit $rc): $(head -c 300 "$WORK/source.out")"
		echo "FAILED client=smtp-source conns=$sessions size=$size"
		return 0
	fi
	read -r wall user sys < <(tail -n 1 "$WORK/time.out")
	awk -v n="$count" -v s="$sessions" -v z="$size" -v w="$wall" -v u="$user" -v y="$sys" 'BEGIN {
		if (w <= 0) w = 0.001
		printf "RESULT client=smtp-source conns=%d size=%d msgs=%d seconds=%.3f msgps=%.1f cpu_ms_per_1000=%.1f errors=0\n",
			s, z, n, w, n / w, (u + y) * 1000 / n * 1000 }'
}

# One Java run: prints its RESULT (or FAILED) line.
run_java() {
	local client=$1 conns=$2 size=$3 port=${4:-$PORT} rc=0 warmup_count=$WARMUP_COUNT warmup_seconds=$WARMUP_SECONDS
	case $client in
	mailsender-* | spring-simple | spring-mime*)
		# These build every message with Spring and Jakarta Mail, and with the starter's listeners:
		# far more code for the JIT. Measured: after 10,000 messages SmtpMailSender ran at half the
		# rate it reached after 60,000.
		warmup_count=$((WARMUP_COUNT * 6))
		warmup_seconds=$(awk -v w="$WARMUP_SECONDS" 'BEGIN { print w * 3 }') ;;
	esac
	# shellcheck disable=SC2086
	"${CLIENT_PIN[@]}" timeout -k 5 "$RUN_TIMEOUT" java $JAVA_OPTS -jar "$JAR" --client="$client" --host="$HOST" --port="$port" \
		--connections="$conns" --size="$size" --count=2000000 --warmup-count="$warmup_count" \
		--seconds="$MEASURE_SECONDS" --warmup-seconds="$warmup_seconds" >"$WORK/java.out" 2>&1 || rc=$?
	if [[ $rc -ne 0 ]] || ! grep -q '^RESULT ' "$WORK/java.out"; then
		log "$client x$conns ${size}B failed (exit $rc): $(grep -v '^\s*at ' "$WORK/java.out" | head -c 400)"
		echo "FAILED client=$client conns=$conns size=$size"
		return 0
	fi
	grep '^RESULT ' "$WORK/java.out" | tail -1
}

# smtp-source sends a fixed count: calibrate it once per configuration to about MEASURE_SECONDS.
declare -A SOURCE_COUNT
for size in $SIZES; do
	for sessions in 1 8; do
		# About half a second's worth, whatever the machine.
		if ((size > 10240)); then probe=$((300 + 100 * sessions)); else probe=$((1000 + 1000 * sessions)); fi
		line=$(run_source "$sessions" "$size" "$probe")
		rate=$(sed -n 's/.* msgps=\([0-9.]*\).*/\1/p' <<<"$line")
		[[ -n "$rate" ]] || die "smtp-source calibration failed: $line"
		SOURCE_COUNT[$size/$sessions]=$(awk -v r="$rate" -v t="$MEASURE_SECONDS" -v s="$sessions" 'BEGIN {
			n = int(r * t); if (n < 50 * s) n = 50 * s; if (n > 1000000) n = 1000000; print n }')
		log "smtp-source -s $sessions -l $size: ~$rate msg/s, will send ${SOURCE_COUNT[$size/$sessions]} per run"
	done
done

for round in $(seq 1 "$RUNS"); do
	for size in $SIZES; do
		for sessions in 1 8; do
			line=$(run_source "$sessions" "$size" "${SOURCE_COUNT[$size/$sessions]}")
			echo "$line placement=$PLACEMENT" >>"$RESULTS"
			log "round $round/$RUNS: $line"
		done
		for config in "${JAVA_CONFIGS[@]}"; do
			read -r client conns max_size <<<"$config"
			if [[ -n "$max_size" ]] && ((size > max_size)); then continue; fi
			if [[ -n "${ONLY:-}" ]] && ! [[ $client =~ $ONLY ]]; then continue; fi
			line=$(run_java "$client" "$conns" "$size")
			echo "$line placement=$PLACEMENT" >>"$RESULTS"
			log "round $round/$RUNS: $line"
		done
		if [[ -n $SMTPD_READY ]] && ((size == 1024)); then
			# The same send() with DATA and with BDAT, to smtpd; named apart from the smtp-sink rows.
			for pair in "smtpkit smtpd-data" "smtpkit-bdat smtpd-bdat"; do
				read -r client name <<<"$pair"
				line=$(run_java "$client" 1 "$size" "$SMTPD_PORT" | sed "s/client=$client /client=$name /")
				echo "$line placement=$PLACEMENT" >>"$RESULTS"
				log "round $round/$RUNS: $line"
			done
		fi
	done
done

# ------------------------------------------------------------------ 5./6. table, Markdown, SVG
cores=$(nproc)
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
java_version=$(java -version 2>&1 | head -1)
postfix_version=$(dpkg-query -W -f='${Version}' postfix 2>/dev/null || echo unknown)
commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
machine="${PLACEMENT^} run of $(date -u '+%Y-%m-%d %H:%M UTC'): ${cores} cores (${cpu_model:-unknown CPU}), $(uname -sr), ${java_version}, JVM options \`${JAVA_OPTS}\`, Postfix ${postfix_version} \`smtp-sink\` on ${HOST}${SMTPD_READY:+ (the smtpd rows: a private Postfix smtpd, discard transport, on port ${SMTPD_PORT})}, ${placement}, smtpkit at commit ${commit} (plus any uncommitted changes). Each run measured ${MEASURE_SECONDS} s; each Java run after an in-process warm-up of ${WARMUP_COUNT} messages or ${WARMUP_SECONDS} s, whichever came first (6 times the messages or 3 times as long for the MailSender rows and their JavaMailSenderImpl peers)."
mkdir -p "$OUT_DIR"
# This run's results and setup, kept beside the report: a run with the other PIN into the same
# OUT_DIR puts both placements side by side.
cp "$RESULTS" "$OUT_DIR/benchmark-results-$PLACEMENT.txt"
echo "$machine" >"$OUT_DIR/benchmark-run-$PLACEMENT.txt"
results=("$OUT_DIR/benchmark-results-$PLACEMENT.txt")
other=unpinned
[[ $PLACEMENT == unpinned ]] && other=pinned
if [[ -f "$OUT_DIR/benchmark-results-$other.txt" ]]; then
	log "adding the $other figures of an earlier run from $OUT_DIR/benchmark-results-$other.txt"
	results+=("$OUT_DIR/benchmark-results-$other.txt")
	machine="$machine $(cat "$OUT_DIR/benchmark-run-$other.txt" 2>/dev/null || true)"
fi
java -cp "$JAR" io.github.smtpkit.benchmarks.BenchmarkReport "$(IFS=,; echo "${results[*]}")" "$OUT_DIR/benchmark.md" \
	"$OUT_DIR/benchmark.svg" "$machine"
log "wrote $OUT_DIR/benchmark.md and $OUT_DIR/benchmark.svg in $((SECONDS - STARTED)) s"
