package io.github.smtpkit.spring.event;

import java.time.Duration;

import io.github.smtpkit.SmtpEndpoint;
import org.jspecify.annotations.Nullable;

/** A client's pool opened, lent, took back or closed a session, or the client stopped pipelining to its server. */
public class SmtpPoolEvent extends SmtpEvent {

	private static final long serialVersionUID = 1L;

	/** What the pool did. */
	public enum Kind {

		/** It opened a ready session: connected, greeted, EHLO'd, encrypted, logged in. */
		SESSION_CREATED,

		/** It lent a session to a send. */
		SESSION_BORROWED,

		/** A session came back, healthy. */
		SESSION_RETURNED,

		/** It closed a session; {@link SmtpPoolEvent#getReason()} says why. */
		SESSION_DESTROYED,

		/**
		 * The server answered a pipelined group only in part, so every session sends one command
		 * at a time from now on.
		 */
		PIPELINING_DISABLED,

		/**
		 * {@code sendAsync} refused a message before it started, and nothing of it was sent;
		 * {@link SmtpPoolEvent#getReason()} says why ({@code QUEUE_FULL}, {@code CLIENT_CLOSED},
		 * {@code EXECUTOR_REJECTED}).
		 */
		ASYNC_SEND_REJECTED

	}

	private final Kind kind;

	private final @Nullable Duration duration;

	private final @Nullable String reason;

	public SmtpPoolEvent(String serverName, SmtpEndpoint endpoint, Kind kind, @Nullable Duration duration,
			@Nullable String reason) {
		super(serverName, endpoint);
		this.kind = kind;
		this.duration = duration;
		this.reason = reason;
	}

	public Kind getKind() {
		return this.kind;
	}

	/**
	 * How long opening the session took ({@link Kind#SESSION_CREATED}), or how long the send
	 * waited for it ({@link Kind#SESSION_BORROWED}); otherwise {@code null}.
	 */
	public @Nullable Duration getDuration() {
		return this.duration;
	}

	/**
	 * Why a session was closed ({@link Kind#SESSION_DESTROYED}), such as {@code "max lifetime"} or
	 * {@code "broken: ..."}, why pipelining was turned off ({@link Kind#PIPELINING_DISABLED}), or
	 * why a message was refused ({@link Kind#ASYNC_SEND_REJECTED}); otherwise {@code null}.
	 */
	public @Nullable String getReason() {
		return this.reason;
	}

	@Override
	protected String describe() {
		return this.kind + ((this.duration != null) ? " in " + this.duration : "")
				+ ((this.reason != null) ? " (" + this.reason + ")" : "");
	}

}
