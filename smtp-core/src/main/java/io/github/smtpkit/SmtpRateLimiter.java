package io.github.smtpkit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;

/**
 * The rate limit of one server, asked by its {@link SmtpClient} before each message: every
 * connection of the pool takes its permits from the same limiter, so the limit holds for the
 * server as a whole. {@link Bucket4jRateLimiter} is the implementation in one JVM
 * ({@link Bucket4jRateLimiter#perPeriod(long, Duration)}) or on any Bucket4j bucket
 * ({@link Bucket4jRateLimiter#of(io.github.bucket4j.Bucket)}); {@link RedisRateLimiter} keeps the
 * bucket in Redis, shared by every instance of an application.
 *
 * <p>Implementations must be thread-safe and bounded in time: {@link #acquire} never waits
 * longer than it is told.
 */
@FunctionalInterface
public interface SmtpRateLimiter {

	/**
	 * Takes permits for up to {@code wanted} messages about to be sent, at least one, waiting for
	 * the first at most {@code maxWait}. A permit is spent whether or not the message is then
	 * accepted: a limit counts attempts, which is the safe side of a provider's limit.
	 * @param wanted the most permits the caller can use now, at least 1
	 * @param maxWait the longest to wait for the first permit
	 * @return the permits taken, or {@link Permits#denied} with when the next one is due if none
	 * could be had within {@code maxWait}
	 * @throws InterruptedIOException if the thread was interrupted while waiting (its interrupt
	 * flag is set again)
	 * @throws SmtpRateLimitUnavailableException if the limit is kept elsewhere (Redis) and could
	 * not be asked: the caller sends nothing
	 */
	Permits acquire(int wanted, Duration maxWait) throws IOException;

	/**
	 * What {@link #acquire} gave.
	 * @param count how many permits were taken, 0 when denied
	 * @param waited how long the caller waited for them
	 * @param retryAfter when denied, how long until a permit is due; zero when granted
	 */
	record Permits(int count, Duration waited, Duration retryAfter) {

		public Permits {
			if (count < 0) {
				throw new IllegalArgumentException("count must not be negative, but was " + count);
			}
			Objects.requireNonNull(waited, "waited");
			Objects.requireNonNull(retryAfter, "retryAfter");
		}

		/** {@code count} permits (at least 1), taken after this wait. */
		public static Permits granted(int count, Duration waited) {
			if (count < 1) {
				throw new IllegalArgumentException("A grant is at least 1 permit, but was " + count);
			}
			return new Permits(count, waited, Duration.ZERO);
		}

		/** None within the caller's longest wait; the next is due in {@code retryAfter}. */
		public static Permits denied(Duration retryAfter, Duration waited) {
			return new Permits(0, waited, retryAfter);
		}

		/** Whether any permit was taken. */
		public boolean isGranted() {
			return this.count > 0;
		}

	}

}
