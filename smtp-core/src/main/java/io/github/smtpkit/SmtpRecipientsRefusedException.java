package io.github.smtpkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server refused every recipient (or answered 421 while they were being sent), so no mail
 * was sent: smtplib's {@code SMTPRecipientsRefused}.
 */
public class SmtpRecipientsRefusedException extends SmtpException {

	private static final long serialVersionUID = 1L;

	private final Map<String, SmtpReply> recipients;

	public SmtpRecipientsRefusedException(Map<String, SmtpReply> recipients) {
		super("All recipients were refused: " + recipients);
		this.recipients = Collections.unmodifiableMap(new LinkedHashMap<>(recipients));
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
