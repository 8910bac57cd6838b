package io.github.smtpkit;

import javax.net.ssl.SSLHandshakeException;

/**
 * The TLS handshake failed because the server's certificate could not be verified: it is not
 * issued by an authority the session trusts (or it expired, or its chain is otherwise invalid),
 * or it does not name the host connected to. The message says which, with the JDK's reason, and
 * names the ways out.
 *
 * <p>It is an {@link SSLHandshakeException}, as every failed handshake of a session is (smtplib
 * raises {@code ssl.SSLCertVerificationError}, an {@code SSLError}), not an {@link SmtpException}:
 * code that catches the JDK's type keeps working, and code that must tell a certificate problem
 * from another TLS failure catches this type and asks {@link #problem()} and {@link #isStarttls()}.
 * The JDK's exception is the cause. The connection is closed.
 */
public class SmtpTlsCertificateException extends SSLHandshakeException {

	private static final long serialVersionUID = 1L;

	/** Why the certificate was refused. */
	public enum Problem {

		/**
		 * The chain does not lead to a trusted authority, or is otherwise invalid (expired, for
		 * example): trust the issuer with an {@link javax.net.ssl.SSLContext}
		 * ({@link SmtpTls#trusting}, {@link SmtpTls#trustingPem}).
		 */
		UNTRUSTED,

		/**
		 * The certificate is trusted but names another host: connect to a name it holds, or turn
		 * host name verification off.
		 */
		HOSTNAME_MISMATCH

	}

	private final Problem problem;

	private final boolean starttls;

	/**
	 * @param message the message, naming the server, the problem and the ways out
	 * @param problem why the certificate was refused
	 * @param starttls whether the handshake followed STARTTLS ({@code false}: implicit TLS)
	 * @param cause the JDK's exception
	 */
	public SmtpTlsCertificateException(String message, Problem problem, boolean starttls, Throwable cause) {
		super(message);
		this.problem = problem;
		this.starttls = starttls;
		initCause(cause);
	}

	/** Why the certificate was refused. */
	public Problem problem() {
		return this.problem;
	}

	/**
	 * Whether the handshake followed STARTTLS, so that not upgrading ({@link TlsMode#NONE}) is a
	 * way out too; {@code false} for implicit TLS ({@link SmtpProtocol#SMTPS}).
	 */
	public boolean isStarttls() {
		return this.starttls;
	}

}
