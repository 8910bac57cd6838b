package io.github.smtpkit;

import java.io.IOException;

/**
 * The base of every exception smtpkit raises for a failed SMTP dialogue: smtplib's
 * {@code SMTPException}, which is an {@code OSError} in Python and so an {@link IOException} here.
 *
 * <p>Misuse of the API (a zero timeout, CR or LF inside a command argument, several Resent-
 * header blocks) is an {@link IllegalArgumentException} instead, as it is a {@code ValueError} in
 * smtplib.
 */
public class SmtpException extends IOException {

	private static final long serialVersionUID = 1L;

	public SmtpException(String message) {
		super(message);
	}

	public SmtpException(String message, Throwable cause) {
		super(message, cause);
	}

	/**
	 * Whether the server answered 421 ({@link SmtpReply#isServiceClosing()}): it is closing the
	 * connection, which is then of no further use.
	 */
	public boolean isServiceClosing() {
		return false;
	}

}
