package io.github.smtpkit;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The server did not accept the message data: smtplib's {@code SMTPDataError}. Raised when the
 * {@code DATA} command is not answered with 354, or when the reply after the message is not 250.
 *
 * <p>For LMTP, where the server answers once per recipient after the data, this is raised only
 * when every recipient was refused, and {@link #recipientReplies()} holds each reply.
 */
public class SmtpDataException extends SmtpResponseException {

	private static final long serialVersionUID = 1L;

	private final Map<String, SmtpReply> recipientReplies;

	public SmtpDataException(int smtpCode, String smtpError) {
		this(smtpCode, smtpError, Map.of());
	}

	public SmtpDataException(int smtpCode, String smtpError, Map<String, SmtpReply> recipientReplies) {
		super(smtpCode, smtpError);
		this.recipientReplies = Collections.unmodifiableMap(new LinkedHashMap<>(recipientReplies));
	}

	/** For LMTP, each recipient's reply after the data, in order; empty for SMTP. */
	public Map<String, SmtpReply> recipientReplies() {
		return this.recipientReplies;
	}

}
