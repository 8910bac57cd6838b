package io.github.smtpkit.spring.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpSendRejectedException;
import io.github.smtpkit.spring.SmtpEventListenerFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Times every SMTP command and measures each server's pool, from the client's events; every meter
 * is tagged {@code server} (the server's name: {@code default}, or its name under
 * {@code smtp.servers}):
 * <ul>
 * <li>{@value #COMMANDS} (timer): from writing a command to reading its whole reply, tagged
 * {@code command} (the verb, {@code END-OF-DATA} for the reply after the message) and
 * {@code reply.class} ({@code 2xx} ... {@code 5xx});</li>
 * <li>{@value #POOL_ACQUIRE} (timer): how long a send (or a health check) waited for a session;</li>
 * <li>{@value #POOL_CREATED} (counter): sessions opened ready (connected, greeted, EHLO'd, TLS'd,
 * logged in);</li>
 * <li>{@value #POOL_DESTROYED} (counter): sessions closed, tagged {@code reason} ({@code max
 * lifetime}, {@code max messages per connection}, {@code max idle}, {@code idle timeout},
 * {@code disconnected}, {@code validation failed}, {@code service closing}, {@code pool closed}, or
 * {@code broken: } and an exception's simple class name);</li>
 * <li>{@value #POOL_TIMEOUTS} (counter): sends that found no free session within the pool's
 * maximum wait;</li>
 * <li>{@value #ASYNC_REJECTED} (counter): messages {@code sendAsync} refused before they started,
 * unsent, tagged {@code reason} ({@code queue_full}, {@code client_closed},
 * {@code executor_rejected});</li>
 * <li>{@value #RATE_LIMIT_WAITS} (timer): sends that waited for the server's rate limit, and how
 * long; registered on the first such wait;</li>
 * <li>{@value #RATE_LIMIT_EXCEEDED} (counter): sends that failed because the rate limit had no
 * permit within the pool's maximum wait; registered on the first;</li>
 * <li>{@value #BACKOFF_STARTED} (counter): "not now" answers that started (or prolonged) a
 * back-off from the server; registered on the first;</li>
 * <li>{@value #BACKOFF_WAITS} (timer): sends that waited for a back-off to end, and how long;
 * registered on the first;</li>
 * <li>{@value #BACKOFF_REFUSED} (counter): sends that failed at once because the back-off
 * outlasted their wait; registered on the first.</li>
 * </ul>
 * Sends are timed by the {@code mail.send} observation, not here (its {@code server.address} and
 * {@code server.port} name the host that took each message, the one failover chose). Every tag has a small, fixed set
 * of values: no address, subject or credential becomes a tag.
 */
public class SmtpClientMetrics implements SmtpEventListenerFactory {

	/** The timer of commands. */
	public static final String COMMANDS = "smtp.client.commands";

	/** The timer of the waits for a pooled session. */
	public static final String POOL_ACQUIRE = "smtp.client.pool.acquire";

	/** The counter of sessions opened. */
	public static final String POOL_CREATED = "smtp.client.pool.created";

	/** The counter of sessions closed, by reason. */
	public static final String POOL_DESTROYED = "smtp.client.pool.destroyed";

	/** The counter of waits for a session that timed out. */
	public static final String POOL_TIMEOUTS = "smtp.client.pool.timeouts";

	/** The counter of messages {@code sendAsync} refused before they started, by reason. */
	public static final String ASYNC_REJECTED = "smtp.client.async.rejected";

	/** The timer of the waits for the server's rate limit. */
	public static final String RATE_LIMIT_WAITS = "smtp.client.rate.limit.waits";

	/** The counter of sends refused by the server's rate limit. */
	public static final String RATE_LIMIT_EXCEEDED = "smtp.client.rate.limit.exceeded";

	/** The counter of "not now" answers that started a back-off. */
	public static final String BACKOFF_STARTED = "smtp.client.backoff.started";

	/** The timer of the waits for a back-off to end. */
	public static final String BACKOFF_WAITS = "smtp.client.backoff.waits";

	/** The counter of sends refused because the back-off outlasted their wait. */
	public static final String BACKOFF_REFUSED = "smtp.client.backoff.refused";

	/** The tag that names the server on every smtpkit meter. */
	public static final String SERVER_TAG = "server";

	private static final String SESSIONS = "sessions";

	/**
	 * The most command verbs whose timers a server's listener keeps at hand: the client's own verbs
	 * are a dozen, but {@code SmtpSession.docmd} can send any; past this many, the timer of a new
	 * verb is looked up in the registry on each reply, as Micrometer does, instead of kept.
	 */
	static final int MAX_CACHED_VERBS = 32;

	private final MeterRegistry registry;

	public SmtpClientMetrics(MeterRegistry registry) {
		this.registry = Objects.requireNonNull(registry, "registry");
	}

	@Override
	public SmtpEventListener create(String serverName) {
		return new Listener(serverName);
	}

	/** Records one server's meters; their fixed parts are built once, the untagged ones registered at once. */
	private final class Listener implements SmtpEventListener {

		private final Meter.MeterProvider<Timer> commands;

		/**
		 * The command timers already registered, by verb, then by reply class (index: the code's
		 * first digit, 0 for a malformed reply). Every reply of every message is timed, four or
		 * more per message: looking its timer up in the registry (sorting the tags, building a
		 * meter id, a map look-up) cost about as much as all the other meters of the message
		 * together. The registry hands out the same timer for the same tags, so keeping it changes
		 * nothing it records; Spring Boot applies its meter filters when it makes the registry,
		 * before any client is built.
		 */
		private final Map<String, AtomicReferenceArray<Timer>> commandTimers = new ConcurrentHashMap<>();

		private final Timer acquire;

		private final Counter created;

		private final Meter.MeterProvider<Counter> destroyed;

		private final Counter timeouts;

		private final Meter.MeterProvider<Counter> asyncRejected;

		/** Without tags to add: registered on first use, so a server without a rate limit has none. */
		private final Meter.MeterProvider<Timer> rateLimitWaits;

		private final Meter.MeterProvider<Counter> rateLimitExceeded;

		private final Meter.MeterProvider<Counter> backoffStarted;

		private final Meter.MeterProvider<Timer> backoffWaits;

		private final Meter.MeterProvider<Counter> backoffRefused;

		Listener(String server) {
			MeterRegistry registry = SmtpClientMetrics.this.registry;
			this.commands = Timer.builder(COMMANDS)
				.description("SMTP commands, from writing the command to reading its reply")
				.tag(SERVER_TAG, server)
				.withRegistry(registry);
			this.acquire = Timer.builder(POOL_ACQUIRE)
				.description("Waits for a pooled session")
				.tag(SERVER_TAG, server)
				.register(registry);
			this.created = Counter.builder(POOL_CREATED)
				.description("Sessions opened ready: connected, greeted, EHLO'd, TLS'd, logged in")
				.baseUnit(SESSIONS)
				.tag(SERVER_TAG, server)
				.register(registry);
			this.destroyed = Counter.builder(POOL_DESTROYED)
				.description("Sessions closed, by reason")
				.baseUnit(SESSIONS)
				.tag(SERVER_TAG, server)
				.withRegistry(registry);
			this.timeouts = Counter.builder(POOL_TIMEOUTS)
				.description("Waits for a session that ended without one, after the pool's maximum wait")
				.baseUnit("timeouts")
				.tag(SERVER_TAG, server)
				.register(registry);
			this.asyncRejected = Counter.builder(ASYNC_REJECTED)
				.description("Messages sendAsync refused before they started, unsent, by reason")
				.baseUnit("messages")
				.tag(SERVER_TAG, server)
				.withRegistry(registry);
			this.rateLimitWaits = Timer.builder(RATE_LIMIT_WAITS)
				.description("Waits for a permit of the server's rate limit")
				.tag(SERVER_TAG, server)
				.withRegistry(registry);
			this.rateLimitExceeded = Counter.builder(RATE_LIMIT_EXCEEDED)
				.description("Sends that failed because the server's rate limit had no permit within the maximum wait")
				.baseUnit("sends")
				.tag(SERVER_TAG, server)
				.withRegistry(registry);
			this.backoffStarted = Counter.builder(BACKOFF_STARTED)
				.description("\"Not now\" answers from the server that started or prolonged a back-off")
				.baseUnit("answers")
				.tag(SERVER_TAG, server)
				.withRegistry(registry);
			this.backoffWaits = Timer.builder(BACKOFF_WAITS)
				.description("Waits of sends for a back-off from the server to end")
				.tag(SERVER_TAG, server)
				.withRegistry(registry);
			this.backoffRefused = Counter.builder(BACKOFF_REFUSED)
				.description("Sends that failed at once because the back-off outlasted their maximum wait")
				.baseUnit("sends")
				.tag(SERVER_TAG, server)
				.withRegistry(registry);
		}

		@Override
		public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
			commandTimer(verb, reply).record(duration);
		}

		private Timer commandTimer(String verb, SmtpReply reply) {
			int code = reply.code();
			int replyClass = (code >= 100 && code <= 599) ? code / 100 : 0;
			AtomicReferenceArray<Timer> byClass = this.commandTimers.get(verb);
			if (byClass == null) {
				if (this.commandTimers.size() >= MAX_CACHED_VERBS) {
					return this.commands.withTags("command", verb, "reply.class", reply.replyClass());
				}
				byClass = this.commandTimers.computeIfAbsent(verb, (key) -> new AtomicReferenceArray<>(6));
			}
			Timer timer = byClass.get(replyClass);
			if (timer == null) {
				// Two threads may both register it: the registry gives both the same timer.
				timer = this.commands.withTags("command", verb, "reply.class", reply.replyClass());
				byClass.set(replyClass, timer);
			}
			return timer;
		}

		@Override
		public void sessionBorrowed(SmtpEndpoint endpoint, Duration waited) {
			this.acquire.record(waited);
		}

		@Override
		public void sessionCreated(SmtpEndpoint endpoint, Duration duration) {
			this.created.increment();
		}

		@Override
		public void sessionDestroyed(SmtpEndpoint endpoint, String reason) {
			this.destroyed.withTags("reason", reason).increment();
		}

		@Override
		public void sessionBorrowTimedOut(SmtpEndpoint endpoint, Duration waited) {
			this.timeouts.increment();
		}

		@Override
		public void asyncSendRejected(SmtpEndpoint endpoint, SmtpSendRejectedException.Reason reason) {
			this.asyncRejected.withTags("reason", reason.name().toLowerCase(Locale.ROOT)).increment();
		}

		@Override
		public void rateLimitWaited(SmtpEndpoint endpoint, Duration waited, int permits) {
			this.rateLimitWaits.withTags().record(waited);
		}

		@Override
		public void rateLimitExceeded(SmtpEndpoint endpoint, Duration retryAfter) {
			this.rateLimitExceeded.withTags().increment();
		}

		@Override
		public void backoffStarted(SmtpEndpoint endpoint, Instant until) {
			this.backoffStarted.withTags().increment();
		}

		@Override
		public void backoffWaited(SmtpEndpoint endpoint, Duration waited) {
			this.backoffWaits.withTags().record(waited);
		}

		@Override
		public void backoffRefused(SmtpEndpoint endpoint, Instant retryAt) {
			this.backoffRefused.withTags().increment();
		}

	}

}
