package io.github.smtpkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.smtpkit.SmtpClientTestSupport.MutableClock;
import io.github.smtpkit.pool.PoolConfig;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.GREETING;
import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.accepts;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.message;
import static io.github.smtpkit.SmtpClientTestSupport.opens;
import static io.github.smtpkit.SmtpClientTestSupport.quits;
import static io.github.smtpkit.SmtpClientTestSupport.received;
import static io.github.smtpkit.SmtpClientTestSupport.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * How {@link SmtpClient} backs off from a server that says "not now" while a connection is being
 * opened: no new connection until the interval is over (by the client's clock, which the tests
 * move), a wait within the send's longest wait or else a typed exception with nothing sent,
 * growth while the answers go on, and a fresh start after a connection opens.
 */
@Timeout(30)
class SmtpClientBackoffTests {

	private static final Instant START = Instant.parse("2025-01-01T00:00:00Z");

	@Test
	void serviceNotAvailableAtTheGreetingStopsNewConnectionsUntilTheIntervalIsOver() throws Exception {
		MutableClock clock = new MutableClock(START);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("421 4.7.0 too many connections, try later").awaitClose();
			quits(accepts(opens(server)));
			try (SmtpClient client = impatientClientFor(server).clock(clock).build()) {
				Throwable first = catchThrowable(() -> client.send(ENVELOPE, message(1)));
				assertThat(first).isInstanceOfSatisfying(SmtpConnectException.class,
						(ex) -> assertThat(ex.smtpCode()).isEqualTo(421));
				Instant until = client.backoffUntil().orElseThrow();
				// The first interval is 1 s by default, drawn between half and all of it.
				assertThat(until).isBetween(START.plusMillis(500), START.plusSeconds(1));

				clock.advance(Duration.ofMillis(499));
				Throwable meanwhile = catchThrowable(() -> client.send(ENVELOPE, message(1)));
				assertThat(meanwhile).isInstanceOfSatisfying(SmtpBackoffException.class, (ex) -> {
					assertThat(ex.retryAt()).isEqualTo(until);
					assertThat(ex).hasMessageContaining(client.endpoint().toString())
						.hasMessageContaining("longer than the send may wait")
						.hasMessageContaining("nothing was sent, try again after " + until);
				});
				assertThat(server.connectionCount()).isEqualTo(1);

				clock.advance(Duration.between(clock.instant(), until));
				assertThat(client.backoffUntil()).isEmpty();
				assertThat(client.send(ENVELOPE, message(1)).accepted()).containsExactly(SmtpClientTestSupport.TO);
				assertThat(client.backoffUntil()).isEmpty();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			assertThat(texts(server.messages())).containsExactly(received(1));
			server.assertNoFailures();
		}
	}

	@Test
	void aSendWaitsForABackoffThatEndsWithinItsLongestWaitThenDelivers() throws Exception {
		BackoffEvents events = new BackoffEvents(Clock.systemUTC());
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("421 4.7.0 too many connections, try later").awaitClose();
			quits(accepts(opens(server)));
			// The real clock: the send really waits, and the test only measures.
			try (SmtpClient client = clientFor(server).clock(Clock.systemUTC())
				.backoff(Duration.ofMillis(300), Duration.ofMillis(300))
				.eventListener(events)
				.build()) {
				assertThat(catchThrowable(() -> client.send(ENVELOPE, message(1)))).isInstanceOf(SmtpConnectException.class);
				Instant until = client.backoffUntil().orElseThrow();
				assertThat(events.started).containsExactly(until);

				SendResult result = client.send(ENVELOPE, message(2));

				assertThat(result.accepted()).containsExactly(SmtpClientTestSupport.TO);
				assertThat(events.connectsAt).hasSize(2);
				assertThat(events.connectsAt.get(1)).as("no connection before the back-off ended").isAfterOrEqualTo(until);
				assertThat(events.waited).singleElement().satisfies((waited) -> assertThat(waited).isPositive());
				assertThat(events.refused).isEmpty();
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(2));
			server.assertNoFailures();
		}
	}

	@Test
	void aBackoffThatOutlastsTheLongestWaitFailsAtOnceSayingWhenToTryAgain() throws Exception {
		MutableClock clock = new MutableClock(START);
		BackoffEvents events = new BackoffEvents(clock);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("421 4.7.0 try later").awaitClose();
			try (SmtpClient client = clientFor(server).clock(clock)
				.backoff(Duration.ofMinutes(1), Duration.ofMinutes(1))
				.pool(PoolConfig.builder().maxWait(Duration.ofSeconds(20)).build())
				.eventListener(events)
				.build()) {
				assertThat(catchThrowable(() -> client.send(ENVELOPE, message(1)))).isInstanceOf(SmtpConnectException.class);
				Instant until = client.backoffUntil().orElseThrow();
				long started = System.nanoTime();

				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(2)));

				Duration took = Duration.ofNanos(System.nanoTime() - started);
				assertThat(thrown).isInstanceOfSatisfying(SmtpBackoffException.class, (ex) -> {
					assertThat(ex.retryAt()).isEqualTo(until);
					assertThat(ex).hasMessageContaining("longer than the send may wait (")
						.hasMessageContaining(" of its maxWait left); nothing was sent, try again after " + until);
				});
				assertThat(took).as("failed at once, not after waiting").isLessThan(Duration.ofSeconds(5));
				assertThat(events.refused).containsExactly(until);
				assertThat(events.waited).isEmpty();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(1);
			assertThat(server.messages()).isEmpty();
		}
	}

	@Test
	void theWaitForABackoffNeverOutlastsTheLongestWaitEvenWhenTheClockStandsStill() throws Exception {
		// The client's clock never moves, so by it the back-off never ends: the wait stops at maxWait.
		MutableClock clock = new MutableClock(START);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("421 4.7.0 try later").awaitClose();
			try (SmtpClient client = clientFor(server).clock(clock)
				.backoff(Duration.ofMillis(400), Duration.ofMillis(400))
				.pool(PoolConfig.builder().maxWait(Duration.ofMillis(600)).build())
				.build()) {
				assertThat(catchThrowable(() -> client.send(ENVELOPE, message(1)))).isInstanceOf(SmtpConnectException.class);
				long started = System.nanoTime();

				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(2)));

				Duration took = Duration.ofNanos(System.nanoTime() - started);
				assertThat(thrown).isInstanceOfSatisfying(SmtpBackoffException.class,
						(ex) -> assertThat(ex).hasMessageContaining("of which it waited"));
				assertThat(took).isBetween(Duration.ofMillis(200), Duration.ofMillis(600).plusSeconds(2));
			}
			assertThat(server.connectionCount()).isEqualTo(1);
		}
	}

	@Test
	void theRateLimitsWaitCountsAgainstTheWaitForABackoff() throws Exception {
		MutableClock clock = new MutableClock(START);
		// The rate limit says each grant took all but 200 ms of the send's 20 s.
		SmtpRateLimiter slow = (wanted, wait) -> SmtpRateLimiter.Permits.granted(wanted, wait.minusMillis(200));
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("421 4.7.0 try later").awaitClose();
			try (SmtpClient client = clientFor(server).clock(clock)
				.rateLimiter(slow)
				.pool(PoolConfig.builder().maxWait(Duration.ofSeconds(20)).build())
				.build()) {
				assertThat(catchThrowable(() -> client.send(ENVELOPE, message(1)))).isInstanceOf(SmtpConnectException.class);
				// At most 1 s away: well within 20 s, but not within the 200 ms the rate limit left.
				Instant until = client.backoffUntil().orElseThrow();
				long started = System.nanoTime();

				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(2)));

				Duration took = Duration.ofNanos(System.nanoTime() - started);
				assertThat(thrown).isInstanceOfSatisfying(SmtpBackoffException.class, (ex) -> {
					assertThat(ex.retryAt()).isEqualTo(until);
					assertThat(ex.getMessage()).containsPattern("\\((1\\d\\d|200) ms of its maxWait left\\)");
				});
				// Without counting the rate limit's wait, the standing clock would keep it sleeping 20 s.
				assertThat(took).isLessThan(Duration.ofSeconds(5));
			}
			assertThat(server.connectionCount()).isEqualTo(1);
		}
	}

	@Test
	void aMessageSentAfterWaitingOutABackoffIsNotSentAgainWhenItsOutcomeIsAmbiguous() throws Exception {
		BackoffEvents events = new BackoffEvents(Clock.systemUTC());
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("421 4.7.0 try later").awaitClose();
			// After the back-off: the message goes out, and the connection is lost before the reply.
			opens(server).reply("250 2.1.0 sender ok")
				.reply("250 2.1.5 recipient ok")
				.reply("354 go ahead")
				.disconnectAfterRead();
			try (SmtpClient client = clientFor(server).clock(Clock.systemUTC())
				.backoff(Duration.ofMillis(200), Duration.ofMillis(200))
				.eventListener(events)
				.build()) {
				assertThat(catchThrowable(() -> client.send(ENVELOPE, message(1)))).isInstanceOf(SmtpConnectException.class);

				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(2)));

				assertThat(thrown).isInstanceOf(SmtpAmbiguousOutcomeException.class)
					.hasMessageContaining("may have been delivered");
				assertThat(events.waited).hasSize(1);
				assertThat(events.outcomes).containsExactly(SendOutcome.FAILED, SendOutcome.UNKNOWN);
				assertThat(events.attempts).containsExactly(1, 1);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).as("no third connection to send it again").isEqualTo(2);
			assertThat(texts(server.messages())).containsExactly(received(2));
			server.assertNoFailures();
		}
	}

	@ParameterizedTest
	@ValueSource(ints = { 421, 450, 451, 452, 454 })
	void aTransientFailureToEhloAndHeloIsANotNow(int code) throws Exception {
		MutableClock clock = new MutableClock(START);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// As smtplib, the client falls back to HELO when EHLO is refused.
			server.greet(GREETING).reply(code + " 4.3.2 not now").reply(code + " 4.3.2 not now").awaitClose();
			try (SmtpClient client = impatientClientFor(server).clock(clock).build()) {
				assertThat(catchThrowable(() -> client.send(ENVELOPE, message(1)))).isInstanceOf(SmtpHeloException.class);
				assertThat(client.backoffUntil()).isPresent();
				assertThat(catchThrowable(() -> client.send(ENVELOPE, message(1))))
					.isInstanceOf(SmtpBackoffException.class);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(1);
		}
	}

	@Test
	void serviceClosingInTheMiddleOfASessionIsANotNowWhenNoRetryHealsIt() throws Exception {
		MutableClock clock = new MutableClock(START);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// A fresh session: a 421 to MAIL is not retried, and says the server is not taking mail.
			opens(server).reply("421 4.3.2 shutting down").awaitClose();
			try (SmtpClient client = impatientClientFor(server).clock(clock).build()) {
				assertThat(catchThrowable(() -> client.send(ENVELOPE, message(1))))
					.isInstanceOfSatisfying(SmtpSenderRefusedException.class, (ex) -> assertThat(ex.smtpCode()).isEqualTo(421));
				assertThat(client.backoffUntil()).isPresent();
				assertThat(catchThrowable(() -> client.send(ENVELOPE, message(2))))
					.isInstanceOf(SmtpBackoffException.class);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(1);
			assertThat(server.messages()).isEmpty();
		}
	}

	@Test
	void aPermanentFailureIsNoReasonToBackOff() throws Exception {
		MutableClock clock = new MutableClock(START);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("554 5.7.1 no service for you").awaitClose();
			try (SmtpClient client = clientFor(server).clock(clock).build()) {
				assertThat(catchThrowable(() -> client.send(ENVELOPE, message(1))))
					.isInstanceOf(SmtpConnectException.class);
				assertThat(client.backoffUntil()).isEmpty();
			}
		}
	}

	@Test
	void theIntervalGrowsWhileTheServerKeepsSayingNotNowUpToTheCap() throws Exception {
		MutableClock clock = new MutableClock(START);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			for (int refusal = 0; refusal < 4; refusal++) {
				server.greet("421 4.7.0 try later").awaitClose();
			}
			try (SmtpClient client = clientFor(server).clock(clock)
				.backoff(Duration.ofSeconds(2), Duration.ofSeconds(5))
				.build()) {
				// Nominal intervals 2 s, 4 s, 5 s (capped), 5 s; each drawn between half and all of it.
				Duration[] nominal = { Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(5),
						Duration.ofSeconds(5) };
				for (Duration interval : nominal) {
					Instant now = clock.instant();
					assertThat(catchThrowable(() -> client.send(ENVELOPE, message(1))))
						.isInstanceOf(SmtpConnectException.class);
					Instant until = client.backoffUntil().orElseThrow();
					assertThat(until).isBetween(now.plus(interval.dividedBy(2)), now.plus(interval));
					clock.advance(Duration.between(now, until));
				}
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(4);
		}
	}

	/** A client whose sends may wait 100 ms: shorter than any back-off here, so they fail at once. */
	private static SmtpClient.Builder impatientClientFor(ScriptedSmtpServer server) {
		return clientFor(server).pool(PoolConfig.builder().maxWait(Duration.ofMillis(100)).build());
	}

	/** Records the back-off events, the connections' start times by a clock, and each send's end. */
	private static final class BackoffEvents implements SmtpEventListener {

		final List<Instant> started = new CopyOnWriteArrayList<>();

		final List<Duration> waited = new CopyOnWriteArrayList<>();

		final List<Instant> refused = new CopyOnWriteArrayList<>();

		final List<Instant> connectsAt = new CopyOnWriteArrayList<>();

		final List<SendOutcome> outcomes = new CopyOnWriteArrayList<>();

		final List<Integer> attempts = new CopyOnWriteArrayList<>();

		private final Clock clock;

		BackoffEvents(Clock clock) {
			this.clock = clock;
		}

		@Override
		public void backoffStarted(SmtpEndpoint endpoint, Instant until) {
			this.started.add(until);
		}

		@Override
		public void backoffWaited(SmtpEndpoint endpoint, Duration waited) {
			this.waited.add(waited);
		}

		@Override
		public void backoffRefused(SmtpEndpoint endpoint, Instant retryAt) {
			this.refused.add(retryAt);
		}

		@Override
		public void connectStart(SmtpEndpoint endpoint) {
			this.connectsAt.add(this.clock.instant());
		}

		@Override
		public void sendFinished(SmtpEndpoint endpoint, SendOutcome outcome, int recipients, long messageSize,
				int attempts, Duration duration) {
			this.outcomes.add(outcome);
			this.attempts.add(attempts);
		}

	}

	@Test
	void builderRefusesABackoffThatCannotGrow() {
		SmtpClient.Builder builder = SmtpClient.builder();
		assertThat(catchThrowable(() -> builder.backoff(Duration.ZERO, Duration.ofSeconds(1))))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("backoff initial");
		assertThat(catchThrowable(() -> builder.backoff(Duration.ofSeconds(2), Duration.ofSeconds(1))))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("backoff max");
	}

}
