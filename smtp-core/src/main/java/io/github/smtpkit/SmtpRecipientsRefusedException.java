package io.github.smtpkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server refused every recipient (or answered 421 while they were being sent), so no mail
 * was sent: smtplib's {@code SMTPRecipientsRefused}.
 *
 * <p>For an envelope that {@linkplain Envelope#requiringAllRecipients() requires all recipients}
 * it also means that the server refused some of them at RCPT, perhaps not all: the message was
 * then sent to nobody (no DATA), and {@link #recipients()} holds only those refused.
 */
public class SmtpRecipientsRefusedException extends SmtpException {

	private static final long serialVersionUID = 1L;

	private final Map<String, SmtpReply> recipients;

	public SmtpRecipientsRefusedException(Map<String, SmtpReply> recipients) {
		this("All recipients were refused: " + recipients, recipients);
	}

	private SmtpRecipientsRefusedException(String message, Map<String, SmtpReply> recipients) {
		super(message);
		this.recipients = Collections.unmodifiableMap(new LinkedHashMap<>(recipients));
	}

	/**
	 * Some recipients of an envelope that requires all of them were refused: nothing was sent.
	 * @param total how many recipients the envelope has
	 */
	static SmtpRecipientsRefusedException notAllAccepted(Map<String, SmtpReply> refused, int total) {
		return new SmtpRecipientsRefusedException("Nothing was sent: every recipient was required, and "
				+ refused.size() + " of " + total + " were refused: " + refused, refused);
	}

	/**
	 * Each refused recipient, in the order they were sent, with the server's reply: the same kind
	 * of map {@code sendmail} returns.
	 */
	public Map<String, SmtpReply> recipients() {
		return this.recipients;
	}

	/** Whether a recipient was answered with 421, which ends the dialogue. */
	@Override
	public boolean isServiceClosing() {
		return this.recipients.values().stream().anyMatch(SmtpReply::isServiceClosing);
	}

}
