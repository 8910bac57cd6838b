package io.github.smtpkit;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

import io.github.smtpkit.internal.Listeners;

/**
 * Hands every event to several listeners in turn, each isolated as {@link Listeners#notify} does,
 * so that one that throws neither breaks the session nor keeps the others from the event. Made by
 * {@link SmtpEventListener#composite(List)}; beside the interface, not in {@code internal}, so that
 * the public listener type depends on nothing internal.
 */
final class CompositeSmtpEventListener implements SmtpEventListener {

	private final List<SmtpEventListener> delegates;

	private CompositeSmtpEventListener(List<SmtpEventListener> delegates) {
		this.delegates = delegates;
	}

	/** One listener for all: {@link SmtpEventListener#NONE} for none, the listener itself for one. */
	static SmtpEventListener of(List<? extends SmtpEventListener> listeners) {
		List<SmtpEventListener> delegates = listeners.stream()
			.filter((l) -> l != SmtpEventListener.NONE)
			.map(SmtpEventListener.class::cast)
			.toList();
		if (delegates.isEmpty()) {
			return SmtpEventListener.NONE;
		}
		return (delegates.size() == 1) ? delegates.get(0) : new CompositeSmtpEventListener(delegates);
	}

	private void each(Consumer<SmtpEventListener> event) {
		for (SmtpEventListener delegate : this.delegates) {
			Listeners.notify(delegate, event);
		}
	}

	@Override
	public void connectStart(SmtpEndpoint endpoint) {
		each((l) -> l.connectStart(endpoint));
	}

	@Override
	public void connectEnd(SmtpEndpoint endpoint, SmtpReply greeting, Duration duration) {
		each((l) -> l.connectEnd(endpoint, greeting, duration));
	}

	@Override
	public void connectFailed(SmtpEndpoint endpoint, IOException failure, Duration duration) {
		each((l) -> l.connectFailed(endpoint, failure, duration));
	}

	@Override
	public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
		each((l) -> l.commandSent(endpoint, verb, line));
	}

	@Override
	public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
		each((l) -> l.replyReceived(endpoint, verb, reply, duration));
	}

	@Override
	public void messageDataSent(SmtpEndpoint endpoint, long bytes) {
		each((l) -> l.messageDataSent(endpoint, bytes));
	}

	@Override
	public void tlsEstablished(SmtpEndpoint endpoint, String protocol, String cipherSuite, Duration duration) {
		each((l) -> l.tlsEstablished(endpoint, protocol, cipherSuite, duration));
	}

	@Override
	public void tlsFailed(SmtpEndpoint endpoint, IOException failure) {
		each((l) -> l.tlsFailed(endpoint, failure));
	}

	@Override
	public void authSucceeded(SmtpEndpoint endpoint, String mechanism) {
		each((l) -> l.authSucceeded(endpoint, mechanism));
	}

	@Override
	public void authFailed(SmtpEndpoint endpoint, String mechanism, SmtpReply reply) {
		each((l) -> l.authFailed(endpoint, mechanism, reply));
	}

	@Override
	public void connectionClosed(SmtpEndpoint endpoint) {
		each((l) -> l.connectionClosed(endpoint));
	}

	@Override
	public void sessionCreated(SmtpEndpoint endpoint, Duration duration) {
		each((l) -> l.sessionCreated(endpoint, duration));
	}

	@Override
	public void sessionBorrowed(SmtpEndpoint endpoint, Duration waited) {
		each((l) -> l.sessionBorrowed(endpoint, waited));
	}

	@Override
	public void sessionBorrowTimedOut(SmtpEndpoint endpoint, Duration waited) {
		each((l) -> l.sessionBorrowTimedOut(endpoint, waited));
	}

	@Override
	public void asyncSendRejected(SmtpEndpoint endpoint, SmtpSendRejectedException.Reason reason) {
		each((l) -> l.asyncSendRejected(endpoint, reason));
	}

	@Override
	public void sessionReturned(SmtpEndpoint endpoint) {
		each((l) -> l.sessionReturned(endpoint));
	}

	@Override
	public void sessionDestroyed(SmtpEndpoint endpoint, String reason) {
		each((l) -> l.sessionDestroyed(endpoint, reason));
	}

	@Override
	public void pipeliningDisabled(SmtpEndpoint endpoint) {
		each((l) -> l.pipeliningDisabled(endpoint));
	}

	@Override
	public void rateLimitWaited(SmtpEndpoint endpoint, Duration waited, int permits) {
		each((l) -> l.rateLimitWaited(endpoint, waited, permits));
	}

	@Override
	public void rateLimitExceeded(SmtpEndpoint endpoint, Duration retryAfter) {
		each((l) -> l.rateLimitExceeded(endpoint, retryAfter));
	}

	@Override
	public void backoffStarted(SmtpEndpoint endpoint, Instant until) {
		each((l) -> l.backoffStarted(endpoint, until));
	}

	@Override
	public void backoffWaited(SmtpEndpoint endpoint, Duration waited) {
		each((l) -> l.backoffWaited(endpoint, waited));
	}

	@Override
	public void backoffRefused(SmtpEndpoint endpoint, Instant retryAt) {
		each((l) -> l.backoffRefused(endpoint, retryAt));
	}

	@Override
	public void sendFinished(SmtpEndpoint endpoint, SendOutcome outcome, int recipients, long messageSize,
			int attempts, Duration duration) {
		each((l) -> l.sendFinished(endpoint, outcome, recipients, messageSize, attempts, duration));
	}

	@Override
	public void sendStarted(SmtpEndpoint endpoint, OutgoingMessage message) {
		each((l) -> l.sendStarted(endpoint, message));
	}

	@Override
	public void sendFinished(SmtpEndpoint endpoint, BatchResult result, SendOutcome outcome) {
		each((l) -> l.sendFinished(endpoint, result, outcome));
	}

}
