#!/usr/bin/env bash
# What the starter's Spring application events cost on the sending thread: the smtpkit client with
# the listeners the starter gives it with the actuator (metrics, the mail.send observation), with
# events off, on with no listener, and on with one @EventListener, sending to Postfix's smtp-sink on
# 127.0.0.1, interleaved, each run after an in-process warm-up. Prints one RESULT line per run.
#
#   bash benchmarks/events.sh            (needs /usr/sbin/smtp-sink: see run.sh)
#
# Settings (environment): RUNS=3, MEASURE_SECONDS=3, WARMUP_SECONDS=3, CONNECTIONS=1, SIZE=1024,
# SKIP_BUILD=1 to use benchmarks/target as it is, JAVA_OPTS="-Xms256m -Xmx256m".
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
MEASURE_SECONDS=${MEASURE_SECONDS:-3}
WARMUP_SECONDS=${WARMUP_SECONDS:-3}
CONNECTIONS=${CONNECTIONS:-1}
SIZE=${SIZE:-1024}
JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx256m"}
SINK=/usr/sbin/smtp-sink
JAR=benchmarks/target/benchmarks.jar
[[ -x $SINK ]] || { echo "$SINK is missing (run.sh installs it)" >&2; exit 1; }
if [[ -z "${SKIP_BUILD:-}" ]]; then
	./mvnw -q -B -Pbenchmarks -pl benchmarks -am package -DskipTests
fi

PORT=$((20000 + RANDOM % 40000))
SINK_ARGS=()
if [[ $(id -u) -eq 0 ]]; then
	if id postfix >/dev/null 2>&1; then SINK_ARGS+=(-u postfix); else SINK_ARGS+=(-u nobody); fi
fi
"$SINK" "${SINK_ARGS[@]}" "127.0.0.1:$PORT" 256 >/dev/null 2>&1 &
SINK_PID=$!
trap 'kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
	ss -Hltn "sport = :$PORT" 2>/dev/null | grep -q . && break
	sleep 0.1
done

for round in $(seq 1 "$RUNS"); do
	for client in starter-quiet starter-events starter-events-listened; do
		# shellcheck disable=SC2086
		timeout -k 5 120 java $JAVA_OPTS -jar "$JAR" --client="$client" --host=127.0.0.1 --port="$PORT" \
			--connections="$CONNECTIONS" --size="$SIZE" --count=2000000 --warmup-count=2000000 \
			--seconds="$MEASURE_SECONDS" --warmup-seconds="$WARMUP_SECONDS" | grep '^RESULT ' | sed "s/^/round $round: /"
	done
done
