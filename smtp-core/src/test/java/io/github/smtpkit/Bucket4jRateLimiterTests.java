package io.github.smtpkit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.github.bucket4j.BlockingStrategy;
import io.github.bucket4j.TimeMeter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link Bucket4jRateLimiter} on a time meter the test owns: waiting "parks" by moving that
 * meter, so a wait of a minute takes no time and its length is exact.
 */
class Bucket4jRateLimiterTests {

	private static final Duration MINUTE = Duration.ofMinutes(1);

	private final FakeTime time = new FakeTime();

	private final Bucket4jRateLimiter limiter = Bucket4jRateLimiter.perPeriod(3, MINUTE, this.time, this.time);

	@Test
	void grantsUpToTheLimitAtOnceWithoutWaiting() throws Exception {
		SmtpRateLimiter.Permits first = this.limiter.acquire(2, Duration.ZERO);
		SmtpRateLimiter.Permits second = this.limiter.acquire(5, Duration.ZERO);

		assertThat(first).isEqualTo(SmtpRateLimiter.Permits.granted(2, Duration.ZERO));
		assertThat(second.count()).as("only one of the period's three was left").isEqualTo(1);
		assertThat(this.time.parked).hasValue(0);
	}

	@Test
	void waitsForTheNextPeriodWhenThatIsWithinTheLongestWait() throws Exception {
		this.limiter.acquire(3, Duration.ZERO);
		this.time.advance(Duration.ofSeconds(20));

		SmtpRateLimiter.Permits permits = this.limiter.acquire(2, Duration.ofSeconds(45));

		assertThat(permits.isGranted()).isTrue();
		assertThat(permits.waited()).isEqualTo(Duration.ofSeconds(40));
		assertThat(permits.count()).as("the one waited for and one more of the new period").isEqualTo(2);
	}

	@Test
	void deniesAtOnceWithTheTimeToTheNextPermitWhenThatIsBeyondTheLongestWait() throws Exception {
		this.limiter.acquire(3, Duration.ZERO);
		this.time.advance(Duration.ofSeconds(15));

		SmtpRateLimiter.Permits permits = this.limiter.acquire(1, Duration.ofSeconds(30));

		assertThat(permits.isGranted()).isFalse();
		assertThat(permits.retryAfter()).isEqualTo(Duration.ofSeconds(45));
		assertThat(permits.waited()).isZero();
		assertThat(this.time.parked).as("no waiting for a permit it could not get").hasValue(0);
		this.time.advance(Duration.ofSeconds(45));
		assertThat(this.limiter.acquire(3, Duration.ZERO).count()).isEqualTo(3);
	}

	@Test
	void eachPeriodCarriesTheLimitAndNoMore() throws Exception {
		long start = this.time.currentTimeNanos();
		long[] grantedPerPeriod = new long[11];
		// Ten minutes of callers asking every second, each willing to wait a second; bounded by count.
		for (int call = 0; call < 600 && this.time.currentTimeNanos() - start < Duration.ofMinutes(10).toNanos(); call++) {
			SmtpRateLimiter.Permits permits = this.limiter.acquire(10, Duration.ofSeconds(1));
			int period = (int) ((this.time.currentTimeNanos() - start) / MINUTE.toNanos());
			grantedPerPeriod[period] += permits.count();
			this.time.advance(Duration.ofSeconds(1));
		}
		assertThat(grantedPerPeriod).startsWith(3, 3, 3, 3, 3, 3, 3, 3, 3, 3);
	}

	@Test
	void rejectsALimitThatAllowsNothing() {
		assertThatIllegalArgumentException().isThrownBy(() -> Bucket4jRateLimiter.perPeriod(0, MINUTE))
			.withMessage("A rate limit's messages must be at least 1, but was 0");
		assertThatIllegalArgumentException().isThrownBy(() -> Bucket4jRateLimiter.perPeriod(5, Duration.ZERO))
			.withMessage("A rate limit's period must be positive, but was PT0S");
		assertThatIllegalArgumentException().isThrownBy(() -> this.limiter.acquire(0, MINUTE))
			.withMessage("wanted must be at least 1, but was 0");
	}

	/** A time meter whose parking moves it: Bucket4j waits without the test sleeping. */
	static final class FakeTime implements TimeMeter, BlockingStrategy {

		private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

		final AtomicLong parked = new AtomicLong();

		void advance(Duration duration) {
			this.nanos.addAndGet(duration.toNanos());
		}

		@Override
		public long currentTimeNanos() {
			return this.nanos.get();
		}

		@Override
		public boolean isWallClockBased() {
			return false;
		}

		@Override
		public void park(long nanosToPark) {
			this.parked.addAndGet(nanosToPark);
			this.nanos.addAndGet(nanosToPark);
		}

	}

}
