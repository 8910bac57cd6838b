package io.github.smtpkit;

/**
 * The server refused the sender address in {@code MAIL FROM}: smtplib's
 * {@code SMTPSenderRefused}.
 */
public class SmtpSenderRefusedException extends SmtpResponseException {

	private static final long serialVersionUID = 1L;

	private final String sender;

	public SmtpSenderRefusedException(int smtpCode, String smtpError, String sender) {
		super(smtpCode, smtpError, "(" + smtpCode + ", " + smtpError + ", " + sender + ")");
		this.sender = sender;
	}

	/** The sender address as it was given to {@code sendmail}. */
	public String sender() {
		return this.sender;
	}

}
