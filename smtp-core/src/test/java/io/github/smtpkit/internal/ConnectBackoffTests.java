package io.github.smtpkit.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.smtpkit.SmtpBackoffException;
import io.github.smtpkit.SmtpConnectException;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpServerDisconnectedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The arithmetic of {@link ConnectBackoff}: growth, cap, jitter bounds and reset, by a fixed clock;
 * and its wait, by a clock that its sleeper moves instead of sleeping.
 */
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
		ConnectBackoff backoff = new ConnectBackoff(ENDPOINT, Duration.ofSeconds(1), Duration.ofSeconds(10), CLOCK,
				SmtpEventListener.NONE);
		catchThrowable(() -> backoff.open(() -> {
			throw new SmtpServerDisconnectedException("Connection unexpectedly closed");
		}));
		catchThrowable(() -> backoff.open(() -> {
			throw new SmtpConnectException(554, "5.7.1 go away");
		}));
		assertThat(backoff.until()).isEmpty();
	}

	@Test
	void awaitEndSleepsUntilTheBackoffEndsByTheClockInStepsOfAtMostASecond() throws IOException {
		ManualTime time = new ManualTime();
		ConnectBackoff backoff = time.backoff(Duration.ofMillis(2500));
		backoff.notNow();

		Duration slept = backoff.awaitEnd(Duration.ofSeconds(3));

		assertThat(slept).isEqualTo(Duration.ofMillis(2500));
		assertThat(time.sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(500));
		assertThat(backoff.until()).isEmpty();
		assertThat(time.started).containsExactly(NOW.plusMillis(2500));
	}

	@Test
	void awaitEndFailsAtOnceWhenTheBackoffOutlastsTheWaitAndReturnsAtOnceWhenThereIsNone() throws IOException {
		ManualTime time = new ManualTime();
		ConnectBackoff backoff = time.backoff(Duration.ofSeconds(4));
		assertThat(backoff.awaitEnd(Duration.ofSeconds(1))).isZero();
		backoff.notNow();

		Throwable thrown = catchThrowable(() -> backoff.awaitEnd(Duration.ofMillis(3500)));

		assertThat(thrown).isInstanceOfSatisfying(SmtpBackoffException.class, (ex) -> {
			assertThat(ex.retryAt()).isEqualTo(NOW.plusSeconds(4));
			assertThat(ex).hasMessage("Not opening a connection to mail.example.test:25: backing off until "
					+ NOW.plusSeconds(4) + " after the server said \"not now\" 1 time(s) in a row, longer than the send"
					+ " may wait (3.5 s of its maxWait left); nothing was sent, try again after " + NOW.plusSeconds(4));
		});
		assertThat(time.sleeps).isEmpty();
	}

	@Test
	void awaitEndSleepsNoLongerThanTheWaitWhenTheClockStandsStill() {
		ManualTime time = new ManualTime();
		time.frozen = true;
		ConnectBackoff backoff = time.backoff(Duration.ofMillis(800));
		backoff.notNow();

		Throwable thrown = catchThrowable(() -> backoff.awaitEnd(Duration.ofSeconds(2)));

		assertThat(thrown).isInstanceOf(SmtpBackoffException.class).hasMessageContaining("of which it waited 1.6 s");
		assertThat(time.sleeps).containsExactly(Duration.ofMillis(800), Duration.ofMillis(800));
	}

	/** A clock that its sleeper moves (unless frozen), and the back-off events. */
	private static final class ManualTime extends Clock {

		final List<Duration> sleeps = new ArrayList<>();

		final List<Instant> started = new ArrayList<>();

		boolean frozen;

		private Instant now = NOW;

		/** A back-off whose first interval is exactly {@code interval}: the top of the jitter. */
		ConnectBackoff backoff(Duration interval) {
			return new ConnectBackoff(ENDPOINT, interval, interval.multipliedBy(2), this, () -> 1.0, (duration) -> {
				this.sleeps.add(duration);
				if (!this.frozen) {
					this.now = this.now.plus(duration);
				}
			}, new SmtpEventListener() {
				@Override
				public void backoffStarted(SmtpEndpoint endpoint, Instant until) {
					ManualTime.this.started.add(until);
				}
			});
		}

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

	}

}
