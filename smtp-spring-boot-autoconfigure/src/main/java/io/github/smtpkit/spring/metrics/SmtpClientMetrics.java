package io.github.smtpkit.spring.metrics;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

import io.github.smtpkit.SendOutcome;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.spring.SmtpEventListenerFactory;
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

	/** Records one server's timings. */
	private final class Listener implements SmtpEventListener {

		private final String server;

		Listener(String server) {
			this.server = server;
		}

		@Override
		public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
			Timer.builder(COMMANDS)
				.description("SMTP commands, from writing the command to reading its reply")
				.tag("command", verb)
				.tag("reply.class", reply.replyClass())
				.tag("server", this.server)
				.register(SmtpClientMetrics.this.registry)
				.record(duration);
		}

		@Override
		public void sendFinished(SmtpEndpoint endpoint, SendOutcome outcome, int recipients, long messageSize,
				int attempts, Duration duration) {
			Timer.builder(SENDS)
				.description("Messages sent through the pool, from the call to its end")
				.tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
				.tag("server", this.server)
				.register(SmtpClientMetrics.this.registry)
				.record(duration);
		}

	}

}
