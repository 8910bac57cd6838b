package io.github.smtpkit.spring.metrics;

import java.util.Map;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

import io.github.smtpkit.SmtpClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Gauges of each client's pool, tagged {@code server} (the server's name, as on every smtpkit meter):
 * {@code smtp.client.pool.active} (sessions lent out), {@code .idle} (ready in the pool),
 * {@code .waiting} (sends waiting for a session) and {@code .max} (the most sessions open at once).
 */
public class SmtpPoolMetrics implements MeterBinder {

	private static final String PREFIX = "smtp.client.pool.";

	private static final String SESSIONS = "sessions";

	private final Map<String, SmtpClient> clients;

	/**
	 * @param clients the clients by server name
	 */
	public SmtpPoolMetrics(Map<String, SmtpClient> clients) {
		this.clients = Map.copyOf(Objects.requireNonNull(clients, "clients"));
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.clients.forEach((name, client) -> {
			gauge(registry, "active", "Sessions lent out", SESSIONS, name, client, (c) -> c.poolStats().active());
			gauge(registry, "idle", "Sessions ready in the pool", SESSIONS, name, client, (c) -> c.poolStats().idle());
			gauge(registry, "waiting", "Sends waiting for a session", "threads", name, client,
					(c) -> c.poolStats().waiting());
			gauge(registry, "max", "The most sessions open at once", SESSIONS, name, client,
					(c) -> c.poolConfig().maxTotal());
		});
	}

	private static void gauge(MeterRegistry registry, String what, String description, String unit, String name,
			SmtpClient client, ToDoubleFunction<SmtpClient> value) {
		Gauge.builder(PREFIX + what, client, value)
			.description(description)
			.baseUnit(unit)
			.tag(SmtpClientMetrics.SERVER_TAG, name)
			.register(registry);
	}

}
