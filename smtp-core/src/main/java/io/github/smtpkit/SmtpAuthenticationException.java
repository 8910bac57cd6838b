package io.github.smtpkit;

/**
 * The server did not accept the credentials, or the AUTH exchange broke down: smtplib's
 * {@code SMTPAuthenticationError}.
 */
public class SmtpAuthenticationException extends SmtpResponseException {

	private static final long serialVersionUID = 1L;

	public SmtpAuthenticationException(int smtpCode, String smtpError) {
		super(smtpCode, smtpError);
	}

}
