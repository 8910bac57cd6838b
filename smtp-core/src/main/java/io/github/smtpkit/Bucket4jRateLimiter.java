package io.github.smtpkit;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BlockingStrategy;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;

/**
 * A {@link SmtpRateLimiter} on a Bucket4j bucket, one permit a message. Bucket4j is an optional
 * dependency of smtp-core: an application that uses this class adds
 * {@code com.bucket4j:bucket4j_jdk17-core}.
 *
 * <p>In one JVM, {@link #perPeriod(long, Duration)} allows at most that many messages in each
 * period. For a fleet of instances sharing one provider account, {@link RedisRateLimiter} keeps
 * the bucket in Redis; {@link #of(Bucket)} takes a bucket from any other of Bucket4j's proxy
 * managers (JCache, a database): the instances then draw on one limit.
 *
 * <p>A caller that would have to wait longer than its longest wait does not wait at all: it is
 * denied at once with the time until the next permit.
 */
public final class Bucket4jRateLimiter implements SmtpRateLimiter {

	private final Bucket bucket;

	private final TimeMeter timeMeter;

	private final BlockingStrategy blockingStrategy;

	private Bucket4jRateLimiter(Bucket bucket, TimeMeter timeMeter, BlockingStrategy blockingStrategy) {
		this.bucket = Objects.requireNonNull(bucket, "bucket");
		this.timeMeter = Objects.requireNonNull(timeMeter, "timeMeter");
		this.blockingStrategy = Objects.requireNonNull(blockingStrategy, "blockingStrategy");
	}

	/**
	 * At most {@code messages} messages in each {@code period}, in this JVM: the permits of a
	 * period all become available at its start (Bucket4j's intervally refill), so no window of one
	 * period, aligned to the first send, carries more.
	 * @throws IllegalArgumentException if messages is below 1 or the period is not positive
	 */
	public static Bucket4jRateLimiter perPeriod(long messages, Duration period) {
		return perPeriod(messages, period, TimeMeter.SYSTEM_NANOTIME, BlockingStrategy.PARKING);
	}

	/**
	 * As {@link #perPeriod(long, Duration)}, on this time source and waiting this way; for tests,
	 * which advance a time meter of their own instead of sleeping.
	 */
	public static Bucket4jRateLimiter perPeriod(long messages, Duration period, TimeMeter timeMeter,
			BlockingStrategy blockingStrategy) {
		Bucket bucket = Bucket.builder()
			.addLimit(limit(messages, period))
			.withCustomTimePrecision(timeMeter)
			.build();
		return new Bucket4jRateLimiter(bucket, timeMeter, blockingStrategy);
	}

	/**
	 * The one limit of {@link #perPeriod(long, Duration)}, in a bucket here or in Redis
	 * ({@link RedisRateLimiter}): {@code messages} permits, all of them again at the start of each
	 * period.
	 * @throws IllegalArgumentException if messages is below 1 or the period is not positive
	 */
	static Bandwidth limit(long messages, Duration period) {
		if (messages < 1) {
			throw new IllegalArgumentException("A rate limit's messages must be at least 1, but was " + messages);
		}
		if (period == null || period.isNegative() || period.isZero()) {
			throw new IllegalArgumentException("A rate limit's period must be positive, but was " + period);
		}
		return Bandwidth.builder().capacity(messages).refillIntervally(messages, period).build();
	}

	/**
	 * On any Bucket4j bucket, local or distributed; waits are measured with the system's nano
	 * time and spent parking the thread.
	 */
	public static Bucket4jRateLimiter of(Bucket bucket) {
		return new Bucket4jRateLimiter(bucket, TimeMeter.SYSTEM_NANOTIME, BlockingStrategy.PARKING);
	}

	@Override
	public Permits acquire(int wanted, Duration maxWait) throws InterruptedIOException {
		if (wanted < 1) {
			throw new IllegalArgumentException("wanted must be at least 1, but was " + wanted);
		}
		long start = this.timeMeter.currentTimeNanos();
		long taken = this.bucket.tryConsumeAsMuchAsPossible(wanted);
		if (taken > 0) {
			return Permits.granted((int) taken, Duration.ZERO);
		}
		boolean waitedForOne;
		try {
			// Reserves a permit and parks until it is due, or returns false at once when it is due
			// later than maxWait.
			waitedForOne = this.bucket.asBlocking().tryConsume(1, maxWait, this.blockingStrategy);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while waiting for the rate limit");
		}
		Duration waited = Duration.ofNanos(Math.max(0, this.timeMeter.currentTimeNanos() - start));
		if (waitedForOne) {
			long more = (wanted > 1) ? this.bucket.tryConsumeAsMuchAsPossible(wanted - 1L) : 0;
			return Permits.granted(1 + (int) more, waited);
		}
		long nanosToWait = this.bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
		return Permits.denied(Duration.ofNanos(Math.max(0, nanosToWait)), waited);
	}

	@Override
	public String toString() {
		return "Bucket4jRateLimiter(" + this.bucket.getAvailableTokens() + " permits available)";
	}

}
