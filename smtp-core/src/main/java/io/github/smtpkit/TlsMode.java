package io.github.smtpkit;

/** How an {@link SmtpClient} protects its connections. */
public enum TlsMode {

	/** No TLS. Credentials are then allowed only to loopback servers, or when explicitly allowed. */
	NONE,

	/** STARTTLS when the server advertises it, plain text when it does not. */
	STARTTLS_OPPORTUNISTIC,

	/** STARTTLS, and fail when the server does not advertise it (RFC 8314's recommendation). */
	STARTTLS_REQUIRED,

	/** TLS from the first byte: the {@link SmtpProtocol#SMTPS} protocol, port 465. */
	IMPLICIT

}
