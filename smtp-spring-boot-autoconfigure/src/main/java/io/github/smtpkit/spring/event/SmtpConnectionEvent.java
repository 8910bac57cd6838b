package io.github.smtpkit.spring.event;

import java.io.IOException;
import java.time.Duration;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpReply;

/** A connection was being opened, was opened, failed to open, or was closed. */
public class SmtpConnectionEvent extends SmtpEvent {

	private static final long serialVersionUID = 1L;

	/** What happened to the connection. */
	public enum Kind {

		/** A connection is about to be opened (smtplib's {@code smtplib.connect} audit event). */
		STARTED,

		/** The connection is open and the server greeted. */
		ESTABLISHED,

		/** Opening it, its TLS handshake or reading the greeting failed. */
		FAILED,

		/** It was closed, after QUIT or not. */
		CLOSED

	}

	private final Kind kind;

	private final transient SmtpReply greeting;

	private final IOException failure;

	private final Duration duration;

	public SmtpConnectionEvent(String serverName, SmtpEndpoint endpoint, Kind kind, SmtpReply greeting,
			IOException failure, Duration duration) {
		super(serverName, endpoint);
		this.kind = kind;
		this.greeting = greeting;
		this.failure = failure;
		this.duration = duration;
	}

	public Kind getKind() {
		return this.kind;
	}

	/** The server's greeting when {@link Kind#ESTABLISHED}, else {@code null}. */
	public SmtpReply getGreeting() {
		return this.greeting;
	}

	/** Why it failed when {@link Kind#FAILED}, else {@code null}. */
	public IOException getFailure() {
		return this.failure;
	}

	/** How long opening took (or took to fail); {@code null} for {@link Kind#STARTED} and {@link Kind#CLOSED}. */
	public Duration getDuration() {
		return this.duration;
	}

	@Override
	protected String describe() {
		return this.kind + ((this.greeting != null) ? " " + this.greeting : "")
				+ ((this.failure != null) ? " " + this.failure : "") + ((this.duration != null) ? " in " + this.duration : "");
	}

}
