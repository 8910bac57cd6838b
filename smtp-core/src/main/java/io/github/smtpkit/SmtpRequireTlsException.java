package io.github.smtpkit;

/**
 * A message that requires TLS all the way ({@link Envelope#requiringTls()}, or the
 * {@code REQUIRETLS} MAIL option, RFC 8689) was not sent, because this hop could not honour it:
 * the connection is not TLS, or its TLS did not verify the server's certificate and host name, or
 * the server does not advertise {@code REQUIRETLS}. Raised before anything of the transaction is
 * sent, not even MAIL, so the session stays usable; sending the message again to the same server
 * over the same kind of connection fails the same way. {@link #problem()} says which check
 * failed.
 */
public class SmtpRequireTlsException extends SmtpNotSupportedException {

	private static final long serialVersionUID = 1L;

	/** Which of RFC 8689's conditions for sending with {@code REQUIRETLS} was not met. */
	public enum Problem {

		/**
		 * The connection is in clear text: use {@link TlsMode#STARTTLS_REQUIRED} or implicit TLS
		 * ({@link SmtpProtocol#SMTPS}).
		 */
		NOT_TLS,

		/**
		 * The connection is TLS, but the server's certificate or host name was not verified: host
		 * name verification is off, or the TLS context is
		 * {@link SmtpTls#insecureTrustAllCertificates()}.
		 */
		CERTIFICATE_NOT_VERIFIED,

		/** The server's EHLO reply does not advertise {@code REQUIRETLS}. */
		NOT_ADVERTISED

	}

	private final Problem problem;

	/**
	 * @param message the message, naming the server and what is missing
	 * @param problem which condition was not met
	 */
	public SmtpRequireTlsException(String message, Problem problem) {
		super(message);
		this.problem = problem;
	}

	/** Which condition was not met. */
	public Problem problem() {
		return this.problem;
	}

}
