package io.github.smtpkit;

/**
 * The three dialects {@link SmtpSession} speaks: smtplib's {@code SMTP}, {@code SMTP_SSL} and
 * {@code LMTP} classes are one session configured three ways.
 */
public enum SmtpProtocol {

	/** SMTP (RFC 5321), plain TCP, optionally upgraded with STARTTLS. Default port 25. */
	SMTP(25, "ehlo"),

	/** SMTP over implicit TLS (RFC 8314): TLS from the first byte. Default port 465. */
	SMTPS(465, "ehlo"),

	/**
	 * LMTP (RFC 2033): LHLO instead of EHLO and one reply per recipient after the message. TCP
	 * (default port 2003) or a unix-domain socket.
	 */
	LMTP(2003, "lhlo");

	private final int defaultPort;

	private final String helloCommand;

	SmtpProtocol(int defaultPort, String helloCommand) {
		this.defaultPort = defaultPort;
		this.helloCommand = helloCommand;
	}

	/** The port used when none is given: 25, 465 or 2003. */
	public int defaultPort() {
		return this.defaultPort;
	}

	/** The extended hello command: {@code ehlo}, or {@code lhlo} for LMTP (smtplib's {@code ehlo_msg}). */
	public String helloCommand() {
		return this.helloCommand;
	}

	/** Whether TLS starts before the greeting. */
	public boolean isImplicitTls() {
		return this == SMTPS;
	}

}
