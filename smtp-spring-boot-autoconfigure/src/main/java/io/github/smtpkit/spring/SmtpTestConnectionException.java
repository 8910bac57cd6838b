package io.github.smtpkit.spring;

import io.github.smtpkit.SmtpEndpoint;

/**
 * A server did not answer at start-up, where {@code test-connection} asked for it to be checked:
 * thrown while its client bean is made, so start-up fails. Spring Boot's failure analysis explains
 * it (the server, its endpoint, what failed and the properties to check); the cause is what
 * failed.
 */
public final class SmtpTestConnectionException extends IllegalStateException {

	private static final long serialVersionUID = 1L;

	private final String server;

	private final transient SmtpEndpoint endpoint;

	SmtpTestConnectionException(String server, SmtpEndpoint endpoint, Exception cause) {
		super("SMTP server '" + server + "' at " + endpoint + " did not answer NOOP at start-up ("
				+ SmtpServers.propertyPrefix(server) + ".test-connection=true): " + cause.getMessage(), cause);
		this.server = server;
		this.endpoint = endpoint;
	}

	/** The server's name: {@code default}, or its name under {@code smtp.servers}. */
	public String server() {
		return this.server;
	}

	/** Where the server's properties are: {@code smtp}, or {@code smtp.servers.<name>}. */
	public String propertyPrefix() {
		return SmtpServers.propertyPrefix(this.server);
	}

	/** Where the client connected to. */
	public SmtpEndpoint endpoint() {
		return this.endpoint;
	}

}
