package io.github.smtpkit.spring.event;

import java.io.IOException;
import java.time.Duration;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpReply;
import org.jspecify.annotations.Nullable;

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

	private final transient @Nullable SmtpReply greeting;

	private final @Nullable IOException failure;

	private final @Nullable Duration duration;

	public SmtpConnectionEvent(String serverName, SmtpEndpoint endpoint, Kind kind, @Nullable SmtpReply greeting,
			@Nullable IOException failure, @Nullable Duration duration) {
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
	public @Nullable SmtpReply getGreeting() {
		return this.greeting;
	}

	/** Why it failed when {@link Kind#FAILED}, else {@code null}. */
	public @Nullable IOException getFailure() {
		return this.failure;
	}

	/** How long opening took (or took to fail); {@code null} for {@link Kind#STARTED} and {@link Kind#CLOSED}. */
	public @Nullable Duration getDuration() {
		return this.duration;
	}

	@Override
	protected String describe() {
		return this.kind + ((this.greeting != null) ? " " + this.greeting : "")
				+ ((this.failure != null) ? " " + this.failure : "") + ((this.duration != null) ? " in " + this.duration : "");
	}

}
