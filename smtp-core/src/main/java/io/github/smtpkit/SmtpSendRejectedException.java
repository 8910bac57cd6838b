package io.github.smtpkit;

import org.jspecify.annotations.Nullable;

/**
 * A message given to {@link SmtpClient#sendAsync(OutgoingMessage)} was not sent, and nothing of it
 * reached the server: the client's queue was full, the client was closed before the message's
 * turn came, or the executor refused the work. It is safe to send the message again, later or
 * through another client. {@link #reason()} says which.
 */
public class SmtpSendRejectedException extends SmtpException {

	private static final long serialVersionUID = 1L;

	/** Why the message was not sent. */
	public enum Reason {

		/**
		 * As many messages as the queue holds ({@link SmtpClient.Builder#asyncQueueCapacity(int)})
		 * were waiting to start: the caller is sending faster than the server takes mail.
		 */
		QUEUE_FULL,

		/** The client was closed before the message started. */
		CLIENT_CLOSED,

		/**
		 * The executor ({@link SmtpClient.Builder#asyncExecutor(java.util.concurrent.Executor)})
		 * refused the task, for example because it was shut down; its exception is the cause.
		 */
		EXECUTOR_REJECTED

	}

	private final Reason reason;

	/**
	 * @param message the message, naming the server and the reason
	 * @param reason why the message was not sent
	 * @param cause the executor's refusal, or {@code null}
	 */
	public SmtpSendRejectedException(String message, Reason reason, @Nullable Throwable cause) {
		super(message, cause);
		this.reason = reason;
	}

	/** Why the message was not sent. */
	public Reason reason() {
		return this.reason;
	}

}
