package io.github.smtpkit;

/**
 * The server's greeting was not 220: smtplib's {@code SMTPConnectError}. The connection is closed.
 */
public class SmtpConnectException extends SmtpResponseException {

	private static final long serialVersionUID = 1L;

	public SmtpConnectException(int smtpCode, String smtpError) {
		super(smtpCode, smtpError);
	}

}
