package io.github.smtpkit;

/** How a send ended, as reported to {@link SmtpEventListener#sendFinished}. */
public enum SendOutcome {

	/** Every recipient accepted the message. */
	ACCEPTED,

	/** Some recipients accepted the message, others refused it. */
	PARTIALLY_ACCEPTED,

	/**
	 * The server refused the sender, every recipient (or, for an envelope that
	 * {@linkplain Envelope#requiringAllRecipients() requires all}, any recipient) or the message:
	 * nothing was delivered.
	 */
	REFUSED,

	/** The send failed before the message could have been accepted: nothing was delivered. */
	FAILED,

	/** The connection broke after the message was sent and before its reply: it may have been delivered. */
	UNKNOWN

}
