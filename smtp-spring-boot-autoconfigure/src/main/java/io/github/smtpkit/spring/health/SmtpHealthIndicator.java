package io.github.smtpkit.spring.health;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.pool.PoolStats;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The health of one SMTP server, checked with NOOP through a pooled session: no new login on
 * every probe, unlike Spring Boot's mail health indicator, and never longer than a timeout.
 *
 * <p>UP when the server answers NOOP with 2xx; DOWN with the error when it cannot be reached or
 * answers otherwise, and DOWN when no answer came within the timeout. Details: protocol, host and
 * port (or unix socket), the reply, and the pool's counts.
 *
 * <p>The check runs on its own daemon thread so that a server that does not answer cannot hold
 * the caller (the health endpoint) for longer than the timeout. At most one check per indicator
 * is under way at a time: a probe that comes while one is still waiting for the server waits for
 * that one instead of starting another, so a hanging server cannot pile up threads.
 */
public class SmtpHealthIndicator implements HealthIndicator {

	private final String serverName;

	private final SmtpClient client;

	private final Duration timeout;

	private final AtomicReference<CompletableFuture<SmtpReply>> check = new AtomicReference<>();

	/**
	 * @param serverName the server's name, for the checking thread's name
	 * @param client the server's client
	 * @param timeout the longest a check takes, from the caller's point of view
	 */
	public SmtpHealthIndicator(String serverName, SmtpClient client, Duration timeout) {
		this.serverName = Objects.requireNonNull(serverName, "serverName");
		this.client = Objects.requireNonNull(client, "client");
		if (timeout == null || timeout.isZero() || timeout.isNegative()) {
			throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
		}
		this.timeout = timeout;
	}

	@Override
	public Health health() {
		Health.Builder builder;
		try {
			SmtpReply reply = currentCheck().get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
			builder = reply.isPositiveCompletion() ? Health.up() : Health.down();
			builder.withDetail("reply", reply.toString());
		}
		catch (TimeoutException ex) {
			builder = Health.down().withDetail("error", "No reply to NOOP within " + this.timeout);
		}
		catch (ExecutionException ex) {
			builder = Health.down(ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			builder = Health.down(ex);
		}
		return builder.withDetails(describe()).build();
	}

	/** The check under way, or a new one when none is. */
	private CompletableFuture<SmtpReply> currentCheck() {
		while (true) {
			CompletableFuture<SmtpReply> current = this.check.get();
			if (current != null && !current.isDone()) {
				return current;
			}
			CompletableFuture<SmtpReply> next = new CompletableFuture<>();
			if (this.check.compareAndSet(current, next)) {
				Thread thread = new Thread(() -> ping(next), "smtp-health-" + this.serverName);
				thread.setDaemon(true);
				thread.start();
				return next;
			}
		}
	}

	private void ping(CompletableFuture<SmtpReply> result) {
		try {
			result.complete(this.client.ping(this.timeout));
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
			details.put("unixSocket", endpoint.unixSocket().toString());
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
