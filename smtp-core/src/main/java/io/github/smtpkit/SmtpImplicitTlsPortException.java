package io.github.smtpkit;

/**
 * A plain SMTP session connected to a port where servers speak TLS from the first byte (465,
 * RFC 8314 section 3.3) and got no greeting within the connect timeout: the server is most likely
 * waiting for a TLS handshake, and both sides would stay silent until the reply timeout ran out.
 * The message says so and names the way out, {@link SmtpProtocol#SMTPS} ({@link SmtpSession#smtps()}).
 *
 * <p>It is a kind of {@link SmtpTimeoutException}, so code that handles time-outs keeps working;
 * as with any time-out, the session is closed.
 */
public class SmtpImplicitTlsPortException extends SmtpTimeoutException {

	private static final long serialVersionUID = 1L;

	public SmtpImplicitTlsPortException(String message, Throwable cause) {
		super(message, cause);
	}

}
