package io.github.smtpkit.spring.health;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.pool.PoolStats;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The health of one SMTP server, from what its pool already knows, and asked with NOOP only when
 * that is not enough: never waiting behind sends, never logging in while a session exists, never
 * holding the caller for longer than a timeout.
 * <ul>
 * <li><b>UP</b> when the server answered within the last {@code maxReplyAge}
 * ({@link SmtpClient#lastReplyTime()}: a session opened, a message accepted or refused, a check or
 * an earlier probe answered), with no command sent; otherwise when it answers this probe's NOOP
 * with 2xx within {@code timeout}.</li>
 * <li><b>DOWN</b> when, with no recent answer, the probe's NOOP got anything but 2xx, failed (no
 * connection could be opened, TLS or the login was refused, the connection broke), or got no reply
 * within {@code timeout}.</li>
 * <li><b>OUT_OF_SERVICE</b> while the client backs off from the server after it said "not now"
 * ({@link SmtpClient#backoffUntil()}): nothing is asked, and {@code backoffUntil} says until
 * when. See {@link #BACKING_OFF}.</li>
 * <li><b>UNKNOWN</b> when, with no recent answer, every session was busy sending: nothing was
 * asked, since asking would mean waiting behind the sends or opening (and logging in) another
 * connection. Spring Boot's default status order ranks it below UP, and maps it to HTTP 200.</li>
 * </ul>
 * The probe ({@link SmtpClient#tryPing(Duration)}) asks over an idle pooled session taken without
 * waiting or, when the pool holds no session at all (all closed for being idle, say), over a new
 * one, which then stays in the pool; its answer is itself an answer, so a steady stream of probes
 * sends at most one NOOP per {@code maxReplyAge}.
 *
 * <p>Details: {@code protocol}, {@code host} and {@code port} (or {@code unixSocket}),
 * {@code check} (how the status was decided: {@code recent-reply}, {@code noop} or
 * {@code skipped}, or {@code backoff} with {@code backoffUntil}), {@code lastReply} (when the
 * server last answered, ISO-8601, by the client's clock; absent if it never did), {@code reply} (the reply to this probe's NOOP), {@code error}
 * or {@code reason}, and {@code pool} ({@code total}, {@code active}, {@code idle},
 * {@code waiting}, {@code max}).
 *
 * <p>The probe runs on its own daemon thread, so that a server that does not answer cannot hold
 * the caller (the health endpoint) for longer than the timeout. At most one probe per indicator is
 * under way at a time: a call that comes while one is still waiting for the server waits for that
 * one instead of starting another, so a hanging server cannot pile up threads.
 */
public class SmtpHealthIndicator implements HealthIndicator {

	/**
	 * The status while the client backs off from the server ({@link SmtpClient#backoffUntil()}):
	 * {@link Status#OUT_OF_SERVICE}, which Spring Boot ranks with DOWN and maps to HTTP 503 by
	 * default. The server is there and answering, but it asked not to be sent to for now, which is
	 * what OUT_OF_SERVICE means; DOWN would claim it cannot be reached, and UP would hide that
	 * sends fail meanwhile.
	 */
	public static final Status BACKING_OFF = Status.OUT_OF_SERVICE;

	/** How recent an answer must be to make a server UP without asking it, by default. */
	public static final Duration DEFAULT_MAX_REPLY_AGE = Duration.ofSeconds(30);

	private final String serverName;

	private final SmtpClient client;

	private final Duration timeout;

	private final Duration maxReplyAge;

	private final AtomicReference<@Nullable CompletableFuture<Optional<SmtpReply>>> check = new AtomicReference<>();

	/**
	 * An indicator that takes an answer up to {@link #DEFAULT_MAX_REPLY_AGE} old as proof.
	 * @see #SmtpHealthIndicator(String, SmtpClient, Duration, Duration)
	 */
	public SmtpHealthIndicator(String serverName, SmtpClient client, Duration timeout) {
		this(serverName, client, timeout, DEFAULT_MAX_REPLY_AGE);
	}

	/**
	 * @param serverName the server's name, for the probing thread's name
	 * @param client the server's client
	 * @param timeout the longest a probe takes, from the caller's point of view, and the bound on
	 * the reply to its NOOP
	 * @param maxReplyAge how recent an answer from the server must be to make it UP without asking;
	 * zero to ask every time
	 */
	public SmtpHealthIndicator(String serverName, SmtpClient client, Duration timeout, Duration maxReplyAge) {
		this.serverName = Objects.requireNonNull(serverName, "serverName");
		this.client = Objects.requireNonNull(client, "client");
		if (timeout == null || timeout.isZero() || timeout.isNegative()) {
			throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
		}
		if (maxReplyAge == null || maxReplyAge.isNegative()) {
			throw new IllegalArgumentException("maxReplyAge must be zero or positive, but was " + maxReplyAge);
		}
		this.timeout = timeout;
		this.maxReplyAge = maxReplyAge;
	}

	@Override
	public Health health() {
		Optional<Instant> backoffUntil = this.client.backoffUntil();
		Health.Builder builder;
		if (backoffUntil.isPresent()) {
			builder = Health.status(BACKING_OFF)
				.withDetail("check", "backoff")
				.withDetail("backoffUntil", backoffUntil.get().toString());
		}
		else {
			builder = isRecent(this.client.lastReplyTime()) ? Health.up().withDetail("check", "recent-reply") : probe();
		}
		// Read again: the probe's own answer is the latest.
		this.client.lastReplyTime().ifPresent((time) -> builder.withDetail("lastReply", time.toString()));
		return builder.withDetails(describe()).build();
	}

	/** Whether the server answered within the last {@code maxReplyAge}, by the client's clock. */
	private boolean isRecent(Optional<Instant> lastReply) {
		if (lastReply.isEmpty() || this.maxReplyAge.isZero()) {
			return false;
		}
		Duration age = Duration.between(lastReply.get(), this.client.clock().instant());
		// A negative age is a clock set back: no proof of anything.
		return !age.isNegative() && age.compareTo(this.maxReplyAge) <= 0;
	}

	private Health.Builder probe() {
		try {
			Optional<SmtpReply> answer = currentCheck().get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
			if (answer.isEmpty()) {
				return Health.status(Status.UNKNOWN)
					.withDetail("check", "skipped")
					.withDetail("reason", "Every session is busy sending and the server has not answered for "
							+ this.maxReplyAge + ": not asked, so as not to wait behind the sends or open another"
							+ " connection");
			}
			SmtpReply reply = answer.get();
			return (reply.isPositiveCompletion() ? Health.up() : Health.down()).withDetail("check", "noop")
				.withDetail("reply", reply.toString());
		}
		catch (TimeoutException ex) {
			return Health.down().withDetail("check", "noop").withDetail("error", "No reply to NOOP within " + this.timeout);
		}
		catch (ExecutionException ex) {
			return Health.down(ex.getCause()).withDetail("check", "noop");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return Health.down(ex).withDetail("check", "noop");
		}
	}

	/** The probe under way, or a new one when none is. */
	private CompletableFuture<Optional<SmtpReply>> currentCheck() {
		while (true) {
			CompletableFuture<Optional<SmtpReply>> current = this.check.get();
			if (current != null && !current.isDone()) {
				return current;
			}
			CompletableFuture<Optional<SmtpReply>> next = new CompletableFuture<>();
			if (this.check.compareAndSet(current, next)) {
				Thread thread = new Thread(() -> ping(next), "smtp-health-" + this.serverName);
				thread.setDaemon(true);
				thread.start();
				return next;
			}
		}
	}

	private void ping(CompletableFuture<Optional<SmtpReply>> result) {
		try {
			result.complete(this.client.tryPing(this.timeout));
		}
		catch (Throwable ex) {
			result.completeExceptionally(ex);
		}
	}

	private Map<String, Object> describe() {
		SmtpEndpoint endpoint = this.client.endpoint();
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("protocol", endpoint.protocol().name().toLowerCase(Locale.ROOT));
		if (endpoint.isUnixSocket()) {
			details.put("unixSocket", String.valueOf(endpoint.unixSocket()));
		}
		else {
			details.put("host", endpoint.host());
			details.put("port", endpoint.port());
		}
		PoolStats stats = this.client.poolStats();
		Map<String, Object> pool = new LinkedHashMap<>();
		pool.put("total", stats.total());
		pool.put("active", stats.active());
		pool.put("idle", stats.idle());
		pool.put("waiting", stats.waiting());
		pool.put("max", this.client.poolConfig().maxTotal());
		details.put("pool", pool);
		return details;
	}

}
