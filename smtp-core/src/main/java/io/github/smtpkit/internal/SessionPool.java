package io.github.smtpkit.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.NoSuchElementException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultEvictionPolicy;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpPoolTimeoutException;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpSession;
import io.github.smtpkit.pool.PoolConfig;
import io.github.smtpkit.pool.PoolStats;
import org.jspecify.annotations.Nullable;

/**
 * A bounded pool of ready sessions to one server, on commons-pool2 (which stays in here: no
 * commons-pool2 type leaves this class). Sessions are checked lazily when lent: too old, idle too
 * long, or (after {@link PoolConfig#validateAfterIdle()}) failing RSET/NOOP means closed, not lent.
 *
 * <p>The wait for a session is this class's own, not commons-pool2's: one fair semaphore with a
 * permit per session lent or being opened. commons-pool2 waits for sessions being opened by other
 * threads and then waits again for a returned one, each up to the maximum wait, so a caller could
 * wait twice as long as configured; a caller holding a permit always finds an idle session or
 * room for a new one, so {@code maxWait} is the caller's whole wait.
 */
public final class SessionPool implements AutoCloseable {

	/** How much shorter than the maximum a session's lifetime may be, at random (HikariCP's idea). */
	private static final double LIFETIME_JITTER = 0.025;

	/** Opens a ready session: connected, greeted, EHLO'd, TLS'd and authenticated. */
	@FunctionalInterface
	public interface SessionOpener {

		SmtpSession open() throws IOException;

	}

	private final SmtpEndpoint endpoint;

	private final PoolConfig config;

	private final Clock clock;

	private final SmtpEventListener listener;

	private final GenericObjectPool<PooledSession> pool;

	/** One permit per session that may be lent or opened: taken in arrival order, returned with it. */
	private final Semaphore permits;

	/** Set once by {@link #close()}, which then wakes every waiting caller. */
	private final AtomicBoolean closed = new AtomicBoolean();

	/** Told whenever a permit comes back, and counted as waiting. */
	private volatile OutsideWaiters outsideWaiters = new OutsideWaiters() {

		@Override
		public void sessionFreed() {
		}

		@Override
		public int count() {
			return 0;
		}

	};

	/** Set on a thread that may only take an idle session: the factory then opens none. */
	private final ThreadLocal<Boolean> idleOnly = new ThreadLocal<>();

	/**
	 * When, by the clock, the server last answered a session of this pool ({@link #replied()});
	 * {@link Long#MIN_VALUE} until it first did.
	 */
	private volatile long lastReplyMillis = Long.MIN_VALUE;

	public SessionPool(SmtpEndpoint endpoint, PoolConfig config, Clock clock, SmtpEventListener listener,
			SessionOpener opener) {
		this.endpoint = endpoint;
		this.config = config;
		this.clock = clock;
		this.listener = listener;
		GenericObjectPoolConfig<PooledSession> poolConfig = new GenericObjectPoolConfig<>();
		// An instance, not commons-pool2's default of a class name it loads by reflection, which a
		// native image would need a hint for.
		poolConfig.setEvictionPolicy(new DefaultEvictionPolicy<>());
		poolConfig.setMaxTotal(config.maxTotal());
		poolConfig.setMaxIdle(config.maxIdle());
		poolConfig.setMinIdle(config.minIdle());
		poolConfig.setMaxWait(config.maxWait());
		poolConfig.setBlockWhenExhausted(true);
		poolConfig.setFairness(true);
		poolConfig.setLifo(true);
		poolConfig.setTestOnBorrow(true);
		poolConfig.setTestOnCreate(false);
		poolConfig.setTestOnReturn(false);
		poolConfig.setTestWhileIdle(false);
		// The evictor closes sessions idle past the timeout even when nobody borrows, and keeps minIdle.
		poolConfig.setMinEvictableIdleDuration(config.idleTimeout());
		poolConfig.setTimeBetweenEvictionRuns(evictionInterval(config.idleTimeout()));
		poolConfig.setJmxEnabled(false);
		this.pool = new GenericObjectPool<>(new Factory(opener), poolConfig);
		this.permits = new Semaphore(config.maxTotal(), true);
	}

	private static Duration evictionInterval(Duration idleTimeout) {
		Duration half = idleTimeout.dividedBy(2);
		return (half.compareTo(Duration.ofSeconds(30)) > 0) ? Duration.ofSeconds(30)
				: (half.compareTo(Duration.ofSeconds(1)) < 0) ? Duration.ofSeconds(1) : half;
	}

	/**
	 * Lends a ready session, opening one if none is idle and the pool has room.
	 * @throws SmtpPoolTimeoutException if none became free within the maximum wait
	 * @throws IOException if opening a session failed (connection, TLS, authentication)
	 * @throws IllegalStateException if the pool is closed
	 */
	public PooledSession borrow() throws IOException {
		return borrow(this.config.maxWait());
	}

	/**
	 * Lends a ready session as {@link #borrow()} does, waiting at most {@code maxWait} in all for a
	 * free one, sessions being opened by other callers included (opening a new session for this
	 * caller is bounded by the connection's own timeouts, not by this).
	 */
	public PooledSession borrow(Duration maxWait) throws IOException {
		requireOpen();
		long started = System.nanoTime();
		if (!acquirePermit(maxWait)) {
			throw timedOut(started);
		}
		return borrowWithPermit(maxWait, started, false);
	}

	/**
	 * Lends a session as {@link #borrow()} does if one may be had without waiting for a busy one
	 * (an idle session, or room to open one, which this caller then opens): the way back into the
	 * pool for a caller that waits for something else besides, told by
	 * {@link OutsideWaiters#sessionFreed()} when to try again. Fair: a caller waiting in
	 * {@link #borrow(Duration)} goes first.
	 * @return the session, or {@code null} when every session is lent or callers wait before this one
	 * @throws IOException if opening a session failed
	 * @throws IllegalStateException if the pool is closed
	 */
	public @Nullable PooledSession tryBorrow() throws IOException {
		requireOpen();
		long started = System.nanoTime();
		if (!acquirePermit(Duration.ZERO)) {
			return null;
		}
		return borrowWithPermit(Duration.ZERO, started, true);
	}

	/**
	 * Callers that wait for a session outside the pool, with {@link #tryBorrow()} and a signal
	 * rather than in {@link #borrow(Duration)}: {@code SmtpClient}'s queue of concurrent sends.
	 */
	public interface OutsideWaiters {

		/**
		 * A session's permit came back (a session given back, closed, or never opened), or the pool
		 * closed: the moment a {@link #tryBorrow()} may succeed. Quick, and never throws.
		 */
		void sessionFreed();

		/** How many callers wait now: counted in {@link PoolStats#waiting()}. */
		int count();

	}

	/** Sets the one {@link OutsideWaiters} of this pool. */
	public void outsideWaiters(OutsideWaiters waiters) {
		this.outsideWaiters = waiters;
	}

	/** Waits at most {@code maxWait} (zero: not at all, in fairness to waiting callers) for a permit. */
	private boolean acquirePermit(Duration maxWait) throws InterruptedIOException {
		try {
			return this.permits.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new InterruptedIOException("Interrupted while waiting for a session to " + this.endpoint);
		}
	}

	private void releasePermits(int count) {
		this.permits.release(count);
		this.outsideWaiters.sessionFreed();
	}

	/**
	 * @param orNull whether to give {@code null} rather than time out when the session the permit
	 * promised is gone (a race with the evictor)
	 */
	private @Nullable PooledSession borrowWithPermit(Duration maxWait, long started, boolean orNull)
			throws IOException {
		PooledSession lease;
		try {
			requireOpen();
			// With a permit there is an idle session or room for one: commons-pool2 waits only in a race
			// with its evictor, and no longer than what is left (at least 1 ms: zero would mean forever).
			Duration left = maxWait.minusNanos(System.nanoTime() - started);
			lease = this.pool.borrowObject((left.toMillis() < 1) ? Duration.ofMillis(1) : left);
		}
		catch (NoSuchElementException ex) {
			releasePermits(1);
			requireOpen();
			if (ex.getCause() instanceof IOException cause) {
				throw cause;
			}
			if (orNull) {
				return null;
			}
			throw timedOut(started);
		}
		catch (IOException | RuntimeException ex) {
			releasePermits(1);
			throw ex;
		}
		catch (Exception ex) {
			releasePermits(1);
			throw new SmtpException("Could not open a session to " + this.endpoint + ": " + ex.getMessage(), ex);
		}
		catch (Error error) {
			releasePermits(1);
			throw error;
		}
		lease.borrowed();
		if (this.listener != SmtpEventListener.NONE) {
			Duration waited = Duration.ofNanos(System.nanoTime() - started);
			Listeners.notify(this.listener, (l) -> l.sessionBorrowed(this.endpoint, waited));
		}
		return lease;
	}

	/**
	 * The caller waited its whole wait, since {@code startedNanos} by {@link System#nanoTime()}:
	 * tells the listener, and says how long it really was.
	 */
	public SmtpPoolTimeoutException timedOut(long startedNanos) {
		Duration waited = Duration.ofNanos(System.nanoTime() - startedNanos);
		Listeners.notify(this.listener, (l) -> l.sessionBorrowTimedOut(this.endpoint, waited));
		PoolStats stats = stats();
		return new SmtpPoolTimeoutException("Timed out after " + Durations.describe(waited)
				+ " waiting for a session to " + this.endpoint + " " + stats, stats);
	}

	private void requireOpen() {
		if (this.closed.get() || this.pool.isClosed()) {
			throw new IllegalStateException("The pool of sessions to " + this.endpoint + " is closed");
		}
	}

	/**
	 * Lends an idle session at once, or none: never waits for a busy one and never opens a new
	 * one. The usual checks apply (a session idle too long is closed rather than lent), so an idle
	 * session that fails them is closed and the next idle one is tried.
	 * @return the session, or {@code null} when none is idle (or none of the idle ones passed the
	 * checks)
	 * @throws IllegalStateException if the pool is closed
	 */
	public PooledSession borrowIdle() {
		requireOpen();
		if (this.pool.getNumIdle() == 0 || !this.permits.tryAcquire()) {
			// Spares commons-pool2 a call that could only end in the factory's refusal.
			return null;
		}
		PooledSession lease = null;
		this.idleOnly.set(Boolean.TRUE);
		try {
			// 1 ms, not zero: commons-pool2 takes a zero wait for sessions being opened as no bound at all.
			lease = this.pool.borrowObject(Duration.ofMillis(1));
		}
		catch (NoIdleSession | NoSuchElementException ex) {
			return null;
		}
		catch (IllegalStateException ex) {
			throw new IllegalStateException("The pool of sessions to " + this.endpoint + " is closed", ex);
		}
		catch (Exception ex) {
			// Nothing else is thrown when no session is opened; a guard.
			return null;
		}
		finally {
			this.idleOnly.remove();
			if (lease == null) {
				releasePermits(1);
			}
		}
		lease.borrowed();
		if (this.listener != SmtpEventListener.NONE) {
			Listeners.notify(this.listener, (l) -> l.sessionBorrowed(this.endpoint, Duration.ZERO));
		}
		return lease;
	}

	/**
	 * Asks the server with NOOP without waiting behind sends, as
	 * {@link io.github.smtpkit.SmtpClient#tryPing(Duration)} documents: over an idle session, or a
	 * new one when the pool holds none; a pooled session that fails NOOP or answers anything but
	 * 2xx is closed and the next one asked, a new session's answer stands.
	 * @return the reply, or {@code null} when every session is busy
	 */
	public SmtpReply probe(Duration replyTimeout) throws IOException {
		while (true) {
			PooledSession lease = borrowIdle();
			boolean fresh = false;
			if (lease == null) {
				if (stats().total() > 0) {
					return null;
				}
				lease = borrow();
				fresh = !lease.isReused();
			}
			SmtpReply reply;
			try {
				reply = noop(lease.session(), replyTimeout);
			}
			catch (IOException | RuntimeException ex) {
				discard(lease, (ex instanceof SmtpException smtp && smtp.isServiceClosing()) ? "service closing"
						: "broken: " + ex.getClass().getSimpleName());
				if (fresh) {
					throw ex;
				}
				continue;
			}
			catch (Error error) {
				discard(lease, "broken: " + error.getClass().getSimpleName());
				throw error;
			}
			if (reply.isPositiveCompletion()) {
				replied();
				giveBack(lease);
				return reply;
			}
			if (reply.isServiceClosing()) {
				discard(lease, "service closing");
			}
			else if (fresh) {
				giveBack(lease);
			}
			else {
				discard(lease, "validation failed");
			}
			if (fresh) {
				return reply;
			}
		}
	}

	/** NOOP, its reply bounded by {@code replyTimeout} rather than the session's timeout. */
	private static SmtpReply noop(SmtpSession session, Duration replyTimeout) throws IOException {
		Duration timeout = session.timeout();
		session.setTimeout(replyTimeout);
		try {
			return session.noop();
		}
		finally {
			if (session.isConnected()) {
				session.setTimeout(timeout);
			}
		}
	}

	/**
	 * Notes that the server answered a session of this pool just now, showing that it is there and
	 * serving: see {@link #lastReply()}. Cheap enough for every message.
	 */
	public void replied() {
		long now = this.clock.millis();
		if (now != this.lastReplyMillis) {
			// Written over rather than kept as a maximum, so that a clock set back does not freeze it.
			this.lastReplyMillis = now;
		}
	}

	/**
	 * When, by the pool's clock, the server last answered: a session opened ready, a pooled
	 * session's check answered 2xx, or whatever the client told with {@link #replied()}.
	 * @return the time, or {@code null} if it never answered
	 */
	public Instant lastReply() {
		long millis = this.lastReplyMillis;
		return (millis != Long.MIN_VALUE) ? Instant.ofEpochMilli(millis) : null;
	}

	/**
	 * Takes a session back after a send. It is closed instead when it is no longer connected or has
	 * carried {@link PoolConfig#maxMessagesPerConnection()} messages.
	 */
	public void giveBack(PooledSession lease) {
		if (!lease.session().isConnected()) {
			destroy(lease, "disconnected");
		}
		else if (lease.messagesSent() >= this.config.maxMessagesPerConnection()) {
			destroy(lease, "max messages per connection");
		}
		else if (this.pool.getNumIdle() >= this.config.maxIdle()) {
			destroy(lease, "max idle");
		}
		else {
			lease.returned(this.clock.instant());
			if (this.listener != SmtpEventListener.NONE) {
				Listeners.notify(this.listener, (l) -> l.sessionReturned(this.endpoint));
			}
			try {
				this.pool.returnObject(lease);
			}
			finally {
				// After the pool took it: the next caller's permit then finds it idle.
				releasePermit(lease);
			}
		}
	}

	/** Gives back the permit a lent session held, once however often it is given back. */
	private void releasePermit(PooledSession lease) {
		if (lease.returnPermit()) {
			releasePermits(1);
		}
	}

	/**
	 * How many more messages a lent session may carry before {@link #giveBack} closes it for
	 * {@link PoolConfig#maxMessagesPerConnection()}: at least one.
	 */
	public int messagesLeft(PooledSession lease) {
		return Math.max(1, this.config.maxMessagesPerConnection() - lease.messagesSent());
	}

	/**
	 * Whether a lent session may carry {@code more} messages besides those it has carried, within
	 * {@link PoolConfig#maxMessagesPerConnection()}.
	 */
	public boolean mayCarry(PooledSession lease, int more) {
		return lease.messagesSent() + more <= this.config.maxMessagesPerConnection();
	}

	/** The server the pool's sessions go to. */
	public SmtpEndpoint endpoint() {
		return this.endpoint;
	}

	/**
	 * Closes a lent session that broke or whose server is closing it, without QUIT: a server that
	 * said 421 or stopped answering could keep QUIT waiting a whole reply timeout.
	 */
	public void discard(PooledSession lease, String reason) {
		lease.session().disconnect();
		destroy(lease, reason);
	}

	/** Closes a lent session instead of taking it back: it broke, or must not be used again. */
	public void destroy(PooledSession lease, String reason) {
		lease.destroyReason(reason);
		try {
			this.pool.invalidateObject(lease);
		}
		catch (Exception ex) {
			// Closing a broken session is best effort; the pool has forgotten it either way.
		}
		finally {
			// After the pool forgot it: the next caller's permit then finds room for a new one.
			releasePermit(lease);
		}
	}

	/** A snapshot of the pool's counts. */
	public PoolStats stats() {
		int active = this.pool.getNumActive();
		int idle = this.pool.getNumIdle();
		return new PoolStats(active + idle, active, idle, this.permits.getQueueLength() + this.pool.getNumWaiters()
				+ this.outsideWaiters.count(),
				this.pool.getCreatedCount(), this.pool.getDestroyedCount());
	}

	/** The pool's configuration. */
	public PoolConfig config() {
		return this.config;
	}

	/** Closes idle sessions with QUIT; sessions still lent are closed when they come back. */
	@Override
	public void close() {
		this.pool.close();
		if (this.closed.compareAndSet(false, true)) {
			// Wakes every caller still waiting: each then finds the pool closed.
			releasePermits(Integer.MAX_VALUE / 2);
		}
	}

	/** Whether {@link #close()} was called. */
	public boolean isClosed() {
		return this.closed.get() || this.pool.isClosed();
	}

	/** The factory's refusal to open a session for {@link #borrowIdle()}; no stack trace. */
	private static final class NoIdleSession extends RuntimeException {

		NoIdleSession() {
			super("no idle session", null, false, false);
		}

	}

	private final class Factory extends BasePooledObjectFactory<PooledSession> {

		private final SessionOpener opener;

		Factory(SessionOpener opener) {
			this.opener = opener;
		}

		@Override
		public PooledSession create() throws IOException {
			if (SessionPool.this.idleOnly.get() != null) {
				throw new NoIdleSession();
			}
			long started = System.nanoTime();
			SmtpSession session = this.opener.open();
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			replied();
			Listeners.notify(SessionPool.this.listener, (l) -> l.sessionCreated(SessionPool.this.endpoint, took));
			return new PooledSession(session, SessionPool.this.clock.instant(), lifetimeWithJitter());
		}

		private Duration lifetimeWithJitter() {
			Duration max = SessionPool.this.config.maxLifetime();
			double shorter = LIFETIME_JITTER * ThreadLocalRandom.current().nextDouble();
			return max.minusNanos((long) (max.toNanos() * shorter));
		}

		@Override
		public PooledObject<PooledSession> wrap(PooledSession session) {
			return new DefaultPooledObject<>(session);
		}

		@Override
		public boolean validateObject(PooledObject<PooledSession> pooled) {
			PooledSession lease = pooled.getObject();
			String problem = problemWith(lease);
			if (problem != null) {
				lease.destroyReason(problem);
				return false;
			}
			return true;
		}

		private String problemWith(PooledSession lease) {
			PoolConfig config = SessionPool.this.config;
			Instant now = SessionPool.this.clock.instant();
			if (!lease.session().isConnected()) {
				return "disconnected";
			}
			if (lease.isExpired(now)) {
				return "max lifetime";
			}
			Duration idle = lease.idleTime(now);
			if (idle.compareTo(config.idleTimeout()) > 0) {
				return "idle timeout";
			}
			if (lease.wasReturned() && idle.compareTo(config.validateAfterIdle()) >= 0) {
				try {
					SmtpReply reply = check(lease.session(), config);
					if (!reply.isPositiveCompletion()) {
						if (reply.isServiceClosing()) {
							// The server is closing the connection (RFC 5321 3.8): drop it without QUIT.
							lease.session().disconnect();
							return "service closing";
						}
						return "validation failed";
					}
					replied();
				}
				catch (IOException ex) {
					return "validation failed";
				}
			}
			return null;
		}

		/** The validation command, bounded by the validation timeout rather than the reply timeout. */
		private SmtpReply check(SmtpSession session, PoolConfig config) throws IOException {
			Duration replyTimeout = session.timeout();
			session.setTimeout(config.validationTimeout());
			try {
				return (config.validationCommand() == PoolConfig.ValidationCommand.NOOP) ? session.noop()
						: session.rset();
			}
			finally {
				session.setTimeout(replyTimeout);
			}
		}

		@Override
		public void destroyObject(PooledObject<PooledSession> pooled, DestroyMode mode) {
			PooledSession lease = pooled.getObject();
			String reason = (lease.destroyReason() != null) ? lease.destroyReason()
					: SessionPool.this.pool.isClosed() ? "pool closed" : "idle timeout";
			SmtpSession session = lease.session();
			if (session.isConnected()) {
				try {
					session.close();
				}
				catch (IOException ex) {
					// QUIT is a courtesy: the socket is released either way.
				}
			}
			Listeners.notify(SessionPool.this.listener, (l) -> l.sessionDestroyed(SessionPool.this.endpoint, reason));
		}

	}

}
