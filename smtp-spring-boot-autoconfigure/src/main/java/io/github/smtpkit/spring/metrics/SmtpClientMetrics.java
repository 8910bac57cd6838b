package io.github.smtpkit.spring.metrics;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

import io.github.smtpkit.SendOutcome;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.spring.SmtpEventListenerFactory;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Times every SMTP command and every send of each server's client:
 * <ul>
 * <li>{@value #COMMANDS}: from writing a command to reading its whole reply, tagged
 * {@code command} (the verb, {@code END-OF-DATA} for the reply after the message),
 * {@code reply.class} ({@code 2xx} ... {@code 5xx}) and {@code server} (its name);</li>
 * <li>{@value #SENDS}: from the call to its end, waiting for a session included, tagged
 * {@code outcome} ({@code accepted}, {@code partially_accepted}, {@code refused}, {@code failed},
 * {@code unknown}) and {@code server}.</li>
 * </ul>
 * Every tag has a small, fixed set of values: no address, subject or credential becomes a tag.
 */
public class SmtpClientMetrics implements SmtpEventListenerFactory {

	/** The timer of commands. */
	public static final String COMMANDS = "smtp.client.commands";

	/** The timer of sends. */
	public static final String SENDS = "smtp.client.sends";

	private final MeterRegistry registry;

	public SmtpClientMetrics(MeterRegistry registry) {
		this.registry = Objects.requireNonNull(registry, "registry");
	}

	@Override
	public SmtpEventListener create(String serverName) {
		return new Listener(serverName);
	}

	/** Records one server's timings; its timers' fixed parts are built once. */
	private final class Listener implements SmtpEventListener {

		private final Meter.MeterProvider<Timer> commands;

		private final Meter.MeterProvider<Timer> sends;

		Listener(String server) {
			this.commands = Timer.builder(COMMANDS)
				.description("SMTP commands, from writing the command to reading its reply")
				.tag("server", server)
				.withRegistry(SmtpClientMetrics.this.registry);
			this.sends = Timer.builder(SENDS)
				.description("Messages sent through the pool, from the call to its end")
				.tag("server", server)
				.withRegistry(SmtpClientMetrics.this.registry);
		}

		@Override
		public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
			this.commands.withTags("command", verb, "reply.class", reply.replyClass()).record(duration);
		}

		@Override
		public void sendFinished(SmtpEndpoint endpoint, SendOutcome outcome, int recipients, long messageSize,
				int attempts, Duration duration) {
			this.sends.withTags("outcome", outcome.name().toLowerCase(Locale.ROOT)).record(duration);
		}

	}

}
