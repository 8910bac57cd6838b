package io.github.smtpkit.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import io.github.smtpkit.SmtpBackoffException;
import io.github.smtpkit.SmtpConnectException;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpServerDisconnectedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The arithmetic of {@link ConnectBackoff}: growth, cap, jitter bounds and reset, by a fixed clock. */
class ConnectBackoffTests {

	private static final SmtpEndpoint ENDPOINT = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 25);

	private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");

	private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

	@Test
	void intervalsDoubleUpToTheCapWithAllOfTheNominalIntervalAtTheTopOfTheJitter() {
		ConnectBackoff backoff = new ConnectBackoff(ENDPOINT, Duration.ofSeconds(1), Duration.ofSeconds(10), CLOCK,
				() -> 0.999_999_999);
		long[] expectedSeconds = { 1, 2, 4, 8, 10, 10 };
		for (long seconds : expectedSeconds) {
			backoff.notNow();
			assertThat(Duration.between(NOW, backoff.until().orElseThrow()))
				.isBetween(Duration.ofSeconds(seconds).minusMillis(1), Duration.ofSeconds(seconds));
		}
	}

	@Test
	void theBottomOfTheJitterIsHalfTheNominalInterval() {
		ConnectBackoff backoff = new ConnectBackoff(ENDPOINT, Duration.ofSeconds(4), Duration.ofSeconds(10), CLOCK,
				() -> 0.0);
		backoff.notNow();
		assertThat(backoff.until()).contains(NOW.plusSeconds(2));
	}

	@Test
	void aConnectionOpenedResetsTheBackoffAndANotNowIsRecordedAndRethrown() throws IOException {
		Clock[] clock = { CLOCK };
		ConnectBackoff backoff = new ConnectBackoff(ENDPOINT, Duration.ofSeconds(1), Duration.ofSeconds(10),
				new Clock() {
					@Override
					public Instant instant() {
						return clock[0].instant();
					}

					@Override
					public java.time.ZoneId getZone() {
						return ZoneOffset.UTC;
					}

					@Override
					public Clock withZone(java.time.ZoneId zone) {
						return this;
					}
				}, () -> 0.999_999_999);
		SmtpConnectException notNow = new SmtpConnectException(421, "4.7.0 try later");
		assertThat(catchThrowable(() -> backoff.open(() -> {
			throw notNow;
		}))).isSameAs(notNow);
		assertThat(backoff.until()).isPresent();
		assertThat(catchThrowable(() -> backoff.open(() -> {
			throw new AssertionError("must not open while backing off");
		}))).isInstanceOf(SmtpBackoffException.class).hasMessageContaining("mail.example.test");

		clock[0] = Clock.offset(CLOCK, Duration.ofSeconds(1));
		assertThat(backoff.open(() -> null)).isNull();
		assertThat(backoff.until()).isEmpty();
		// Started over: the next interval is the initial one again.
		backoff.notNow();
		assertThat(Duration.between(clock[0].instant(), backoff.until().orElseThrow()))
			.isLessThanOrEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void aDisconnectOrAPermanentRefusalIsNotANotNow() {
		ConnectBackoff backoff = new ConnectBackoff(ENDPOINT, Duration.ofSeconds(1), Duration.ofSeconds(10), CLOCK);
		catchThrowable(() -> backoff.open(() -> {
			throw new SmtpServerDisconnectedException("Connection unexpectedly closed");
		}));
		catchThrowable(() -> backoff.open(() -> {
			throw new SmtpConnectException(554, "5.7.1 go away");
		}));
		assertThat(backoff.until()).isEmpty();
	}

}
