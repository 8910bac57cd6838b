#!/usr/bin/env bash
# A/B of two builds of the benchmark, in one run: SmtpClient.send and sendAll (1 KiB, one
# connection) from an old and a new benchmarks.jar, alternating, against one smtp-sink, so that a
# refactoring can be shown not to cost speed ("figures within noise of before, same run").
#
#   sudo ROUNDS=3 bash benchmarks/compare.sh OLD_DIR/benchmarks.jar NEW_DIR/benchmarks.jar
#
# Each jar needs its lib/ folder beside it, as `./mvnw -Pbenchmarks -pl benchmarks -am package`
# leaves it in benchmarks/target (copy the folder away before building the other commit).
# PIN=1 (default): smtp-sink on CPU 0, the clients on CPU 1. Long warm-up by default (60,000
# messages or 12 s), since one pinned core makes the JIT's warm-up slow. Bounded: every run has a
# hard timeout, and ROUNDS x clients x 2 jars runs in all. Needs run.sh's smtp-sink.
# CLIENTS="smtpkit smtpkit-batch" by default; add raw-pipeline to see sendAll beside the wire's limit.
# CONNECTIONS=1 by default: the pool's size (smtpkit-8threads calls send() from 8 threads whatever it is).
set -euo pipefail
OLD=${1:?usage: compare.sh OLD_JAR NEW_JAR}
NEW=${2:?usage: compare.sh OLD_JAR NEW_JAR}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-"smtpkit smtpkit-batch"}
CONNECTIONS=${CONNECTIONS:-1}
PIN=${PIN:-1}
WARMUP_COUNT=${WARMUP_COUNT:-60000}
WARMUP_SECONDS=${WARMUP_SECONDS:-12}
MEASURE_SECONDS=${MEASURE_SECONDS:-3}
SINK=/usr/sbin/smtp-sink
[[ -x $SINK ]] || { echo "compare.sh: $SINK is missing: run benchmarks/run.sh once (it installs it)" >&2; exit 1; }
SINK_PIN=(); CLIENT_PIN=()
# Pinned runs get run.sh's fixed heap; unpinned ones the JVM's default, as run.sh's PIN=0.
HEAP=()
if [[ $PIN == 1 ]]; then SINK_PIN=(taskset -c 0); CLIENT_PIN=(taskset -c 1); HEAP=(-Xms512m -Xmx512m); fi
SINK_ARGS=()
if [[ $(id -u) -eq 0 ]]; then
	if id postfix >/dev/null 2>&1; then SINK_ARGS+=(-u postfix); else SINK_ARGS+=(-u nobody); fi
fi
PORT=$((20000 + RANDOM % 40000))
"${SINK_PIN[@]}" "$SINK" "${SINK_ARGS[@]}" "127.0.0.1:$PORT" 256 >/dev/null 2>&1 &
SINK_PID=$!
trap 'kill "$SINK_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
	ss -Hltn "sport = :$PORT" 2>/dev/null | grep -q . && break
	kill -0 "$SINK_PID" 2>/dev/null || { echo "compare.sh: smtp-sink did not start" >&2; exit 1; }
	sleep 0.1
done
for round in $(seq 1 "$ROUNDS"); do
	for client in $CLIENTS; do
		for side in old new; do
			jar=$OLD; [[ $side == new ]] && jar=$NEW
			line=$("${CLIENT_PIN[@]}" timeout -k 5 90 java "${HEAP[@]}" -jar "$jar" --client="$client" \
				--host=127.0.0.1 --port="$PORT" --connections="$CONNECTIONS" --size=1024 --count=2000000 \
				--warmup-count="$WARMUP_COUNT" --warmup-seconds="$WARMUP_SECONDS" --seconds="$MEASURE_SECONDS" \
				2>&1 | grep '^RESULT' | tail -1 || true)
			echo "round=$round side=$side ${line:-FAILED client=$client}"
		done
	done
done
