package io.github.smtpkit;

import java.io.IOException;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What became of one message of {@link SmtpClient#sendAll(java.util.List)}: either its
 * {@link SendResult}, or the exception that {@link SmtpClient#send(Envelope, MessageSource)} would
 * have thrown for it.
 *
 * @param message the message, as given
 * @param result who accepted and who refused it, or {@code null} when it failed
 * @param failure why it failed, or {@code null} when it was sent: an {@link IOException} such as
 * {@link SmtpRecipientsRefusedException} or {@link SmtpAmbiguousOutcomeException}, or an
 * {@link IllegalArgumentException} for an address the session refused to send
 */
public record BatchResult(OutgoingMessage message, @Nullable SendResult result, @Nullable Exception failure) {

	public BatchResult {
		Objects.requireNonNull(message, "message");
		if ((result == null) == (failure == null)) {
			throw new IllegalArgumentException("A batch result has either a result or a failure, not "
					+ ((result == null) ? "neither" : "both"));
		}
		if (failure != null && !(failure instanceof IOException) && !(failure instanceof RuntimeException)) {
			throw new IllegalArgumentException("A failure is an IOException or a RuntimeException, not " + failure);
		}
	}

	/** Whether the message was sent: accepted by at least one recipient. */
	public boolean isSent() {
		return this.result != null;
	}

	/**
	 * The result, or else the failure, thrown as {@code send} would have thrown it.
	 * @throws IOException the failure, when it is one
	 * @throws RuntimeException the failure, when it is one
	 */
	public SendResult get() throws IOException {
		if (this.failure instanceof IOException io) {
			throw io;
		}
		if (this.failure instanceof RuntimeException runtime) {
			throw runtime;
		}
		return this.result;
	}

}
