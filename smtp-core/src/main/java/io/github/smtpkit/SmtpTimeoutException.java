package io.github.smtpkit;

/**
 * A wait on the server ran out of time: connecting, the TLS handshake, or a reply. The message
 * names the phase, the server and the timeout.
 *
 * <p>smtplib reports a read time-out as {@code SMTPServerDisconnected}, and this type extends
 * {@link SmtpServerDisconnectedException} so code written that way keeps working; like it, the
 * session is closed when this is raised, since a late reply would be read as the answer to the
 * next command.
 */
public class SmtpTimeoutException extends SmtpServerDisconnectedException {

	private static final long serialVersionUID = 1L;

	public SmtpTimeoutException(String message, Throwable cause) {
		super(message, cause);
	}

}
