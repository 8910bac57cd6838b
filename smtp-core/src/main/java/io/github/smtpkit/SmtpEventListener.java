package io.github.smtpkit;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Receives what a session does, for audit logs, metrics and tracing. Every method does nothing by
 * default, so a listener overrides only what it needs.
 *
 * <p>It carries smtplib's two audit events: {@code smtplib.connect} is
 * {@link #connectStart(SmtpEndpoint)}, and {@code smtplib.send} is
 * {@link #commandSent(SmtpEndpoint, String, String)} for command lines and
 * {@link #messageDataSent(SmtpEndpoint, long)} for message data (its size only: message
 * content never reaches a listener).
 *
 * <p>The contract:
 * <ul>
 * <li>Methods are called on the thread that drives the session, in order, and should return
 * quickly: they sit on the send path.</li>
 * <li>A listener must not throw. If it does anyway, the exception is logged and ignored: a
 * listener never breaks a session.</li>
 * <li>No credential reaches a listener: the payload of {@code AUTH} and every line sent during an
 * AUTH exchange arrive as {@code <redacted>}.</li>
 * <li>A listener must not call back into the session that notifies it.</li>
 * </ul>
 */
public interface SmtpEventListener {

	/** A listener that ignores everything. */
	SmtpEventListener NONE = new SmtpEventListener() {
	};

	/**
	 * One listener that hands every event to each of these in turn. A listener that throws is
	 * logged and skipped, and the others still get the event.
	 * @return {@link #NONE} for none (or only {@code NONE}), the listener itself for one
	 */
	static SmtpEventListener composite(List<? extends SmtpEventListener> listeners) {
		return CompositeSmtpEventListener.of(listeners);
	}

	/** The verb reported for the reply that follows the message data (after {@code DATA}'s 354). */
	String END_OF_DATA = "END-OF-DATA";

	/** A connection is about to be opened (smtplib's {@code smtplib.connect} audit event). */
	default void connectStart(SmtpEndpoint endpoint) {
	}

	/** The connection is open (and for implicit TLS, encrypted) and the server greeted. */
	default void connectEnd(SmtpEndpoint endpoint, SmtpReply greeting, Duration duration) {
	}

	/** Opening the connection, its TLS handshake or reading the greeting failed. */
	default void connectFailed(SmtpEndpoint endpoint, IOException failure, Duration duration) {
	}

	/**
	 * A command line was written (smtplib's {@code smtplib.send} audit event for commands).
	 * @param verb the command's verb in upper case, such as {@code MAIL}
	 * @param line the line without its CRLF, with any AUTH payload replaced by {@code <redacted>}
	 */
	default void commandSent(SmtpEndpoint endpoint, String verb, String line) {
	}

	/**
	 * The reply to a command arrived.
	 * @param verb the verb of the command it answers, or {@link #END_OF_DATA} for the reply after
	 * the message data
	 * @param duration from writing the command to reading the whole reply
	 */
	default void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
	}

	/**
	 * The message data and its terminating {@code .} were written (smtplib's {@code smtplib.send}
	 * audit event for the message, without its content).
	 * @param bytes the number of bytes written, dot-stuffing and terminator included
	 */
	default void messageDataSent(SmtpEndpoint endpoint, long bytes) {
	}

	/** A TLS handshake (STARTTLS or implicit TLS) succeeded. */
	default void tlsEstablished(SmtpEndpoint endpoint, String protocol, String cipherSuite, Duration duration) {
	}

	/** A TLS handshake failed, for example because the certificate could not be verified. */
	default void tlsFailed(SmtpEndpoint endpoint, IOException failure) {
	}

	/** The server accepted the credentials with this mechanism. */
	default void authSucceeded(SmtpEndpoint endpoint, String mechanism) {
	}

	/** The server refused the credentials with this mechanism. */
	default void authFailed(SmtpEndpoint endpoint, String mechanism, SmtpReply reply) {
	}

	/**
	 * A connection that {@link #connectEnd} reported is closed, after QUIT or not. A connection that
	 * failed to open gets {@link #connectFailed} instead.
	 */
	default void connectionClosed(SmtpEndpoint endpoint) {
	}

	// Pool and send events, from SmtpClient.

	/** A pool opened a new, ready session (connected, greeted, EHLO'd, TLS'd, authenticated). */
	default void sessionCreated(SmtpEndpoint endpoint, Duration duration) {
	}

	/** A pool lent a session after this wait. */
	default void sessionBorrowed(SmtpEndpoint endpoint, Duration waited) {
	}

	/**
	 * A send (or a {@link SmtpClient#ping ping}) waited the pool's longest wait for a session and
	 * got none: it fails with {@link SmtpPoolTimeoutException}.
	 * @param waited how long it waited
	 */
	default void sessionBorrowTimedOut(SmtpEndpoint endpoint, Duration waited) {
	}

	/** A session went back to its pool, healthy. */
	default void sessionReturned(SmtpEndpoint endpoint) {
	}

	/**
	 * A pool closed a session.
	 * @param reason why, one of a fixed set fit for a metric tag: {@code "max lifetime"},
	 * {@code "max messages per connection"}, {@code "max idle"}, {@code "idle timeout"},
	 * {@code "disconnected"}, {@code "validation failed"}, {@code "service closing"},
	 * {@code "pool closed"}, or {@code "broken: "} and the simple name of the exception
	 */
	default void sessionDestroyed(SmtpEndpoint endpoint, String reason) {
	}

	/**
	 * The server answered a pipelined group only in part, so the client sends one command at a
	 * time to it from now on. Told once per client.
	 */
	default void pipeliningDisabled(SmtpEndpoint endpoint) {
	}

	/**
	 * A message given to {@link SmtpClient#sendAsync(OutgoingMessage)} was refused before it
	 * started, and nothing of it was sent: its future failed with {@link SmtpSendRejectedException}.
	 * Such a message is never told to {@link #sendStarted}.
	 * @param reason why: the queue was full, the client closed, or the executor refused the task
	 */
	default void asyncSendRejected(SmtpEndpoint endpoint, SmtpSendRejectedException.Reason reason) {
	}

	/**
	 * A send waited this long for the server's rate limit ({@link SmtpClient.Builder#rateLimit})
	 * and got its permits. Told only when it waited.
	 * @param permits how many messages the wait was for
	 */
	default void rateLimitWaited(SmtpEndpoint endpoint, Duration waited, int permits) {
	}

	/**
	 * The server's rate limit had no permit within the pool's longest wait: the messages still to
	 * go fail with {@link SmtpRateLimitedException}, nothing of them sent.
	 * @param retryAfter how long until the next permit is due
	 */
	default void rateLimitExceeded(SmtpEndpoint endpoint, Duration retryAfter) {
	}

	/**
	 * The server said "not now" (see {@link SmtpClient#backoffUntil()}): the client opens no new
	 * connection to it before {@code until}, by its clock. Told once per such answer; each one in a
	 * row moves {@code until} further.
	 */
	default void backoffStarted(SmtpEndpoint endpoint, Instant until) {
	}

	/**
	 * A send that needed a new connection waited this long for the back-off to end, and then went
	 * on. Told only when it waited; the wait counts against the pool's longest wait.
	 */
	default void backoffWaited(SmtpEndpoint endpoint, Duration waited) {
	}

	/**
	 * A send that needed a new connection failed at once with {@link SmtpBackoffException},
	 * nothing of it sent: the back-off ends later than the send may wait (what is left of the
	 * pool's longest wait).
	 * @param retryAt when the back-off ends, by the client's clock
	 */
	default void backoffRefused(SmtpEndpoint endpoint, Instant retryAt) {
	}

	/**
	 * A send through a client ended, successfully or not: as soon as its outcome is known, before
	 * its session goes back to the pool. Once per message, for {@code sendAll} too. Carries no
	 * message content, no address and no credential.
	 * @param endpoint the server the message went to: with {@link SmtpClient.Builder#hosts(List)}, the
	 * host that took (or refused) it; the client's first host when it never reached one
	 * @param outcome how it ended
	 * @param recipients the number of envelope recipients
	 * @param messageSize the message size in bytes, or {@code -1} when it was streamed with an
	 * unknown size
	 * @param attempts 1, or 2 when it was retried on a fresh connection
	 * @param duration from the call to its end, including waiting for a session (for a message
	 * of {@code sendAll}, from the call to this message's end)
	 */
	default void sendFinished(SmtpEndpoint endpoint, SendOutcome outcome, int recipients, long messageSize,
			int attempts, Duration duration) {
	}

	/**
	 * A send through a client starts: its message is about to wait for a session and go out. Told
	 * on the caller's thread when {@code send} or {@code sendAll} is called, before any session is
	 * borrowed, once per message: for {@code sendAll}, for every message of the batch, in order,
	 * before the first goes out. Each message's end follows on the same thread as
	 * {@link #sendFinished(SmtpEndpoint, BatchResult, SendOutcome)} with the same
	 * {@link OutgoingMessage} instance, once, whatever happens (the messages of a batch do not
	 * necessarily end in order); so a listener can time or trace each message, for example as a
	 * span whose parent is whatever the caller's thread is doing.
	 *
	 * <p>Unlike the other events, this one and its end carry the message as the caller gave it, its
	 * envelope's addresses included: keep them out of metric tags, and never write the message (its
	 * source may be read once per attempt).
	 * @param message the message as given to {@code sendAll} (the same instance), or as
	 * {@code send} wrapped it
	 */
	default void sendStarted(SmtpEndpoint endpoint, OutgoingMessage message) {
	}

	/**
	 * A send through a client ended: the message {@link #sendStarted} told of (the same instance,
	 * as {@link BatchResult#message()}) and what became of it. Told right after
	 * {@link #sendFinished(SmtpEndpoint, SendOutcome, int, long, int, Duration)}, with the same
	 * outcome, on the same thread as its start.
	 * @param endpoint as for {@link #sendFinished(SmtpEndpoint, SendOutcome, int, long, int, Duration)}:
	 * the host that took the message, which may differ from the one its start was told with
	 * @param result its {@link SendResult} or its failure, as {@code sendAll} returns it
	 * @param outcome how it ended
	 */
	default void sendFinished(SmtpEndpoint endpoint, BatchResult result, SendOutcome outcome) {
	}

}
