package io.github.smtpkit;

/**
 * The server refused both EHLO and HELO: smtplib's {@code SMTPHeloError}.
 */
public class SmtpHeloException extends SmtpResponseException {

	private static final long serialVersionUID = 1L;

	public SmtpHeloException(int smtpCode, String smtpError) {
		super(smtpCode, smtpError);
	}

}
