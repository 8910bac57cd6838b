package io.github.smtpkit.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

import io.github.smtpkit.SmtpBackoffException;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpResponseException;
import io.github.smtpkit.SmtpSession;
import org.jspecify.annotations.Nullable;

/**
 * Stops a client from opening new connections to a server that said "not now" while a connection
 * was being opened: a 421 at the greeting (or to EHLO, STARTTLS, AUTH), or a 450, 451, 452 or 454
 * to one of those commands. The interval grows exponentially with each such answer in a row, up to
 * a cap, with jitter (each interval is drawn between half and all of its nominal length, so that
 * many clients refused together do not come back together); a connection opened successfully
 * resets it. Sessions already open are not affected: only opening new ones is refused.
 *
 * <p>A send that needs a new connection meanwhile either waits for the back-off to end, when it
 * ends within what the send may still wait ({@link #awaitEnd(Duration)}), or fails at once.
 *
 * <p>Thread-safe.
 */
public final class ConnectBackoff {

	/** The replies that mean "not now" when opening a connection (RFC 5321 4.2.5, RFC 4954 6). */
	private static final Set<Integer> NOT_NOW = Set.of(421, 450, 451, 452, 454);

	/**
	 * The longest single sleep of {@link #awaitEnd}: the clock is read again after it, so that a
	 * clock that jumps (or a test's clock, moved by hand) is noticed within this.
	 */
	private static final Duration LONGEST_SLEEP = Duration.ofSeconds(1);

	/** The shortest single sleep of {@link #awaitEnd}, so that its loop takes time as it counts. */
	private static final Duration SHORTEST_SLEEP = Duration.ofMillis(1);

	/** Waits in real time: the thread sleeps. */
	public static final Sleeper THREAD_SLEEPER = (duration) -> TimeUnit.NANOSECONDS.sleep(duration.toNanos());

	/** How {@link #awaitEnd} passes time; tests give one that moves their clock instead of sleeping. */
	@FunctionalInterface
	public interface Sleeper {

		void sleep(Duration duration) throws InterruptedException;

	}

	private final SmtpEndpoint endpoint;

	private final Duration initial;

	private final Duration max;

	private final Clock clock;

	/** A number in [0, 1), for the jitter. */
	private final DoubleSupplier random;

	private final Sleeper sleeper;

	private final SmtpEventListener listener;

	/** The "not now" answers in a row, since the last connection opened successfully. */
	private int failures;

	/** When the back-off ends, or {@code null} when there is none. */
	private @Nullable Instant until;

	/**
	 * @param initial the first interval; each further "not now" in a row doubles it
	 * @param max the longest interval
	 * @param clock tells when a back-off ends
	 * @param random a number in [0, 1) per interval, for the jitter
	 * @param sleeper passes the time {@link #awaitEnd} waits
	 * @param listener told when a back-off starts
	 */
	public ConnectBackoff(SmtpEndpoint endpoint, Duration initial, Duration max, Clock clock, DoubleSupplier random,
			Sleeper sleeper, SmtpEventListener listener) {
		this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
		this.initial = Durations.requirePositive("backoff initial", initial);
		this.max = Durations.requirePositive("backoff max", max);
		if (max.compareTo(initial) < 0) {
			throw new IllegalArgumentException("backoff max (" + max + ") must not be shorter than its initial interval ("
					+ initial + ")");
		}
		this.clock = Objects.requireNonNull(clock, "clock");
		this.random = Objects.requireNonNull(random, "random");
		this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
		this.listener = Objects.requireNonNull(listener, "listener");
	}

	/** With a random jitter, sleeping threads, and no listener. */
	public ConnectBackoff(SmtpEndpoint endpoint, Duration initial, Duration max, Clock clock, DoubleSupplier random) {
		this(endpoint, initial, max, clock, random, THREAD_SLEEPER, SmtpEventListener.NONE);
	}

	/** With a random jitter and sleeping threads. */
	public ConnectBackoff(SmtpEndpoint endpoint, Duration initial, Duration max, Clock clock,
			SmtpEventListener listener) {
		this(endpoint, initial, max, clock, () -> ThreadLocalRandom.current().nextDouble(), THREAD_SLEEPER, listener);
	}

	/**
	 * Opens a session unless backing off: records a "not now" answer, and resets on success.
	 * @throws SmtpBackoffException if backing off; nothing was opened
	 * @throws IOException what opening the session raised
	 */
	public SmtpSession open(SessionPool.SessionOpener opener) throws IOException {
		SmtpBackoffException refusal = refusal();
		if (refusal != null) {
			throw refusal;
		}
		SmtpSession session;
		try {
			session = opener.open();
		}
		catch (IOException ex) {
			if (isNotNow(ex)) {
				notNow();
			}
			throw ex;
		}
		succeeded();
		return session;
	}

	/** The exception that refuses a new connection while backing off, or {@code null} when not. */
	private synchronized @Nullable SmtpBackoffException refusal() {
		Optional<Instant> until = until();
		if (until.isEmpty()) {
			return null;
		}
		return new SmtpBackoffException("Not opening a connection to " + this.endpoint + ": backing off until "
				+ until.get() + " after the server said \"not now\" " + this.failures
				+ " time(s) in a row; nothing was sent, try again after that", until.get());
	}

	/**
	 * Waits for the back-off to end, if it ends within {@code maxWait}: a send that needs a new
	 * connection takes that wait rather than fail. Sleeps in steps, reading the clock after each,
	 * and never sleeps longer in all than {@code maxWait} (whatever the clock says).
	 * @return how long it slept: zero when not backing off
	 * @throws SmtpBackoffException at once (nothing slept) when the back-off ends later than
	 * {@code maxWait} from now, or once {@code maxWait} is slept and it has not ended; it says when
	 * to try again
	 * @throws InterruptedIOException if the thread was interrupted while it slept
	 */
	public Duration awaitEnd(Duration maxWait) throws IOException {
		Duration slept = Duration.ZERO;
		// Bounded: each pass sleeps at least SHORTEST_SLEEP out of maxWait, or returns or throws.
		while (true) {
			Instant now = this.clock.instant();
			Optional<Instant> until = until();
			if (until.isEmpty()) {
				return slept;
			}
			Duration left = Duration.between(now, until.get());
			Duration mayWait = maxWait.minus(slept);
			if (left.compareTo(mayWait) > 0) {
				throw outlasts(until.get(), maxWait, slept);
			}
			Duration step = (left.compareTo(LONGEST_SLEEP) > 0) ? LONGEST_SLEEP : left;
			if (step.compareTo(SHORTEST_SLEEP) < 0) {
				step = SHORTEST_SLEEP;
			}
			try {
				this.sleeper.sleep(step);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("Interrupted while waiting for the back-off from " + this.endpoint
						+ " to end at " + until.get() + "; nothing was sent");
			}
			slept = slept.plus(step);
		}
	}

	/** The refusal of a send that may not wait until the back-off ends. */
	private synchronized SmtpBackoffException outlasts(Instant until, Duration maxWait, Duration slept) {
		String waited = slept.isZero() ? "" : ", of which it waited " + Durations.describe(slept);
		return new SmtpBackoffException("Not opening a connection to " + this.endpoint + ": backing off until " + until
				+ " after the server said \"not now\" " + this.failures + " time(s) in a row, longer than the send"
				+ " may wait (" + Durations.describe(maxWait) + " of its maxWait left" + waited
				+ "); nothing was sent, try again after " + until, until);
	}

	/** When the back-off ends, by the clock, or empty when new connections may be opened now. */
	public synchronized Optional<Instant> until() {
		if (this.until == null || !this.until.isAfter(this.clock.instant())) {
			return Optional.empty();
		}
		return Optional.of(this.until);
	}

	/**
	 * Records a "not now": the next interval starts now. Also for a 421 in the middle of a session
	 * (RFC 5321 3.8: the server is closing the connection), which says the same about new ones.
	 */
	public void notNow() {
		Instant until;
		synchronized (this) {
			this.failures++;
			Duration nominal = nominal(this.failures);
			double share = 0.5 + 0.5 * this.random.getAsDouble();
			until = this.clock.instant().plusNanos((long) (nominal.toNanos() * share));
			this.until = until;
		}
		Listeners.notify(this.listener, (l) -> l.backoffStarted(this.endpoint, until));
	}

	/** A connection opened: the back-off is over and the next one starts from the initial interval. */
	synchronized void succeeded() {
		this.failures = 0;
		this.until = null;
	}

	/** The nominal interval after this many "not now" in a row: doubling, up to the cap. */
	private Duration nominal(int failures) {
		Duration grown = this.initial;
		// Bounded by the count and by the cap, so that doubling never overflows.
		for (int doubled = 1; doubled < failures && grown.compareTo(this.max) < 0; doubled++) {
			grown = grown.multipliedBy(2);
		}
		return (grown.compareTo(this.max) > 0) ? this.max : grown;
	}

	/** Whether opening a connection failed with a "not now" answer from the server. */
	static boolean isNotNow(IOException ex) {
		return ex instanceof SmtpResponseException response && NOT_NOW.contains(response.smtpCode());
	}

}
