package io.github.smtpkit;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.smtpkit.SmtpClientTestSupport.MutableClock;
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
 * move), a typed exception meanwhile with nothing sent, growth while the answers go on, and a
 * fresh start after a connection opens.
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
			try (SmtpClient client = clientFor(server).clock(clock).build()) {
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
					assertThat(ex).hasMessageContaining(client.endpoint().toString()).hasMessageContaining("nothing was sent");
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

	@ParameterizedTest
	@ValueSource(ints = { 421, 450, 451, 452, 454 })
	void aTransientFailureToEhloAndHeloIsANotNow(int code) throws Exception {
		MutableClock clock = new MutableClock(START);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// As smtplib, the client falls back to HELO when EHLO is refused.
			server.greet(GREETING).reply(code + " 4.3.2 not now").reply(code + " 4.3.2 not now").awaitClose();
			try (SmtpClient client = clientFor(server).clock(clock).build()) {
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
			try (SmtpClient client = clientFor(server).clock(clock).build()) {
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
