package io.github.smtpkit;

/**
 * The server answered with an error code: smtplib's {@code SMTPResponseException}, the base of
 * every exception that carries an SMTP reply.
 */
public class SmtpResponseException extends SmtpException {

	private static final long serialVersionUID = 1L;

	private final int smtpCode;

	private final String smtpError;

	public SmtpResponseException(int smtpCode, String smtpError) {
		this(smtpCode, smtpError, "(" + smtpCode + ", " + smtpError + ")");
	}

	protected SmtpResponseException(int smtpCode, String smtpError, String message) {
		super(message);
		this.smtpCode = smtpCode;
		this.smtpError = smtpError;
	}

	/** The reply code, smtplib's {@code smtp_code}; {@code -1} for a malformed reply. */
	public int smtpCode() {
		return this.smtpCode;
	}

	/** The reply text, smtplib's {@code smtp_error}. */
	public String smtpError() {
		return this.smtpError;
	}

	@Override
	public boolean isServiceClosing() {
		return this.smtpCode == 421;
	}

	/** The code and the text as one reply. */
	public SmtpReply reply() {
		return new SmtpReply(this.smtpCode, this.smtpError);
	}

}
