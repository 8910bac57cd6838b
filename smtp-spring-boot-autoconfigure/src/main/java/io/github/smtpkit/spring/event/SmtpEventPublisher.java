package io.github.smtpkit.spring.event;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import io.github.smtpkit.SendOutcome;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpSendRejectedException;
import io.github.smtpkit.spring.SmtpEventListenerFactory;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Publishes everything a client does as {@link SmtpEvent}s: one listener per server, each
 * publishing the core's events as they come, with the core's redaction of AUTH payloads.
 *
 * <p>Events are published on the sending thread, about a dozen per message (every command and
 * reply, the data, the pool's borrow and return, the send's end): measured at roughly 1 µs and
 * 2 KiB of garbage per message with no listener, 1.1 µs with one {@code @EventListener}
 * ({@code benchmarks/ListenerCost}), against some 40 to 80 µs of CPU for the send itself. On by
 * default, since an {@code @EventListener} that silently gets nothing is worse than that cost;
 * {@code smtp.events.enabled=false} saves it.
 *
 * <p>Stops publishing once the application context it publishes into is closing: the sessions
 * that the pools close then would otherwise publish into a context that is tearing its listeners
 * down. (A child context closing, such as a separate management context, does not stop it.)
 */
public class SmtpEventPublisher implements SmtpEventListenerFactory, ApplicationListener<ContextClosedEvent> {

	private final ApplicationEventPublisher publisher;

	private volatile boolean closed;

	public SmtpEventPublisher(ApplicationEventPublisher publisher) {
		this.publisher = Objects.requireNonNull(publisher, "publisher");
	}

	@Override
	public SmtpEventListener create(String serverName) {
		return new Listener(serverName);
	}

	@Override
	public void onApplicationEvent(ContextClosedEvent event) {
		if (event.getApplicationContext() == this.publisher) {
			this.closed = true;
		}
	}

	private void publish(SmtpEvent event) {
		if (!this.closed) {
			this.publisher.publishEvent(event);
		}
	}

	/** One server's events. */
	private final class Listener implements SmtpEventListener {

		private final String server;

		Listener(String server) {
			this.server = server;
		}

		@Override
		public void connectStart(SmtpEndpoint endpoint) {
			publish(new SmtpConnectionEvent(this.server, endpoint, SmtpConnectionEvent.Kind.STARTED, null, null, null));
		}

		@Override
		public void connectEnd(SmtpEndpoint endpoint, SmtpReply greeting, Duration duration) {
			publish(new SmtpConnectionEvent(this.server, endpoint, SmtpConnectionEvent.Kind.ESTABLISHED, greeting, null,
					duration));
		}

		@Override
		public void connectFailed(SmtpEndpoint endpoint, IOException failure, Duration duration) {
			publish(new SmtpConnectionEvent(this.server, endpoint, SmtpConnectionEvent.Kind.FAILED, null, failure,
					duration));
		}

		@Override
		public void connectionClosed(SmtpEndpoint endpoint) {
			publish(new SmtpConnectionEvent(this.server, endpoint, SmtpConnectionEvent.Kind.CLOSED, null, null, null));
		}

		@Override
		public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
			publish(new SmtpCommandEvent(this.server, endpoint, verb, line));
		}

		@Override
		public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
			publish(new SmtpReplyEvent(this.server, endpoint, verb, reply, duration));
		}

		@Override
		public void messageDataSent(SmtpEndpoint endpoint, long bytes) {
			publish(new SmtpMessageDataEvent(this.server, endpoint, bytes));
		}

		@Override
		public void tlsEstablished(SmtpEndpoint endpoint, String protocol, String cipherSuite, Duration duration) {
			publish(SmtpTlsEvent.established(this.server, endpoint, protocol, cipherSuite, duration));
		}

		@Override
		public void tlsFailed(SmtpEndpoint endpoint, IOException failure) {
			publish(SmtpTlsEvent.failed(this.server, endpoint, failure));
		}

		@Override
		public void authSucceeded(SmtpEndpoint endpoint, String mechanism) {
			publish(SmtpAuthenticationEvent.succeeded(this.server, endpoint, mechanism));
		}

		@Override
		public void authFailed(SmtpEndpoint endpoint, String mechanism, SmtpReply reply) {
			publish(SmtpAuthenticationEvent.failed(this.server, endpoint, mechanism, reply));
		}

		@Override
		public void sessionCreated(SmtpEndpoint endpoint, Duration duration) {
			publish(new SmtpPoolEvent(this.server, endpoint, SmtpPoolEvent.Kind.SESSION_CREATED, duration, null));
		}

		@Override
		public void sessionBorrowed(SmtpEndpoint endpoint, Duration waited) {
			publish(new SmtpPoolEvent(this.server, endpoint, SmtpPoolEvent.Kind.SESSION_BORROWED, waited, null));
		}

		@Override
		public void sessionReturned(SmtpEndpoint endpoint) {
			publish(new SmtpPoolEvent(this.server, endpoint, SmtpPoolEvent.Kind.SESSION_RETURNED, null, null));
		}

		@Override
		public void sessionDestroyed(SmtpEndpoint endpoint, String reason) {
			publish(new SmtpPoolEvent(this.server, endpoint, SmtpPoolEvent.Kind.SESSION_DESTROYED, null, reason));
		}

		@Override
		public void pipeliningDisabled(SmtpEndpoint endpoint) {
			publish(new SmtpPoolEvent(this.server, endpoint, SmtpPoolEvent.Kind.PIPELINING_DISABLED, null,
					"server mishandled PIPELINING"));
		}

		@Override
		public void asyncSendRejected(SmtpEndpoint endpoint, SmtpSendRejectedException.Reason reason) {
			publish(new SmtpPoolEvent(this.server, endpoint, SmtpPoolEvent.Kind.ASYNC_SEND_REJECTED, null,
					reason.name()));
		}

		@Override
		public void rateLimitWaited(SmtpEndpoint endpoint, Duration waited, int permits) {
			publish(new SmtpRateLimitEvent(this.server, endpoint, SmtpRateLimitEvent.Kind.WAITED, waited, permits));
		}

		@Override
		public void rateLimitExceeded(SmtpEndpoint endpoint, Duration retryAfter) {
			publish(new SmtpRateLimitEvent(this.server, endpoint, SmtpRateLimitEvent.Kind.EXCEEDED, retryAfter, null));
		}

		@Override
		public void backoffStarted(SmtpEndpoint endpoint, Instant until) {
			publish(new SmtpBackoffEvent(this.server, endpoint, SmtpBackoffEvent.Kind.STARTED, until, null));
		}

		@Override
		public void backoffWaited(SmtpEndpoint endpoint, Duration waited) {
			publish(new SmtpBackoffEvent(this.server, endpoint, SmtpBackoffEvent.Kind.WAITED, null, waited));
		}

		@Override
		public void backoffRefused(SmtpEndpoint endpoint, Instant retryAt) {
			publish(new SmtpBackoffEvent(this.server, endpoint, SmtpBackoffEvent.Kind.REFUSED, retryAt, null));
		}

		@Override
		public void sendFinished(SmtpEndpoint endpoint, SendOutcome outcome, int recipients, long messageSize,
				int attempts, Duration duration) {
			publish(new SmtpSendFinishedEvent(this.server, endpoint, outcome, recipients, messageSize, attempts,
					duration));
		}

	}

}
