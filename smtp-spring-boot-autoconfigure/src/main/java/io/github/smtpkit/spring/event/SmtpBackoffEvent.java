package io.github.smtpkit.spring.event;

import java.time.Duration;
import java.time.Instant;

import io.github.smtpkit.SmtpEndpoint;
import org.jspecify.annotations.Nullable;

/**
 * The client backs off from a server that said "not now" ({@code smtp.backoff.*}): the back-off
 * started, or a send that needed a new connection waited it out or failed because it would not
 * end within the send's longest wait.
 */
public class SmtpBackoffEvent extends SmtpEvent {

	private static final long serialVersionUID = 1L;

	/** What happened. */
	public enum Kind {

		/**
		 * The server said "not now": no new connection is opened to it before
		 * {@link SmtpBackoffEvent#getUntil()}.
		 */
		STARTED,

		/** A send waited {@link SmtpBackoffEvent#getWaited()} for the back-off to end, and went on. */
		WAITED,

		/**
		 * A send failed at once with {@link io.github.smtpkit.SmtpBackoffException}, nothing of it
		 * sent: the back-off ends at {@link SmtpBackoffEvent#getUntil()}, later than it could wait.
		 */
		REFUSED

	}

	private final Kind kind;

	private final @Nullable Instant until;

	private final @Nullable Duration waited;

	/**
	 * @param until when the back-off ends ({@link Kind#STARTED}, {@link Kind#REFUSED}), otherwise
	 * {@code null}
	 * @param waited how long the send waited ({@link Kind#WAITED}), otherwise {@code null}
	 */
	public SmtpBackoffEvent(String serverName, SmtpEndpoint endpoint, Kind kind, @Nullable Instant until,
			@Nullable Duration waited) {
		super(serverName, endpoint);
		this.kind = kind;
		this.until = until;
		this.waited = waited;
	}

	public Kind getKind() {
		return this.kind;
	}

	/**
	 * When the back-off ends, by the client's clock ({@link Kind#STARTED}, {@link Kind#REFUSED}:
	 * when to try again); otherwise {@code null}.
	 */
	public @Nullable Instant getUntil() {
		return this.until;
	}

	/** How long the send waited ({@link Kind#WAITED}); otherwise {@code null}. */
	public @Nullable Duration getWaited() {
		return this.waited;
	}

	@Override
	protected String describe() {
		return this.kind + ((this.until != null) ? " until " + this.until : "")
				+ ((this.waited != null) ? " after waiting " + this.waited : "");
	}

}
