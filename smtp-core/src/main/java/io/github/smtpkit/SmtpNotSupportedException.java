package io.github.smtpkit;

/**
 * The command or option is not supported by the server: smtplib's {@code SMTPNotSupportedError}.
 * Raised before anything is sent, for example for {@code STARTTLS}, {@code AUTH} or the
 * {@code SMTPUTF8} option when the server's EHLO reply does not advertise them.
 */
public class SmtpNotSupportedException extends SmtpException {

	private static final long serialVersionUID = 1L;

	public SmtpNotSupportedException(String message) {
		super(message);
	}

}
