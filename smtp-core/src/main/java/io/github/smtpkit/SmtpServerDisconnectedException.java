package io.github.smtpkit;

/**
 * The server closed the connection unexpectedly, or the session was used before
 * {@code connect()}: smtplib's {@code SMTPServerDisconnected}. The session's socket is closed
 * when this is raised; connect again to go on.
 */
public class SmtpServerDisconnectedException extends SmtpException {

	private static final long serialVersionUID = 1L;

	public SmtpServerDisconnectedException(String message) {
		super(message);
	}

	public SmtpServerDisconnectedException(String message, Throwable cause) {
		super(message, cause);
	}

}
