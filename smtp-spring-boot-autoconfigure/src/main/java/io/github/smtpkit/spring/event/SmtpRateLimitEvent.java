package io.github.smtpkit.spring.event;

import java.time.Duration;

import io.github.smtpkit.SmtpEndpoint;
import org.jspecify.annotations.Nullable;

/**
 * A send met the server's rate limit ({@code smtp.rate-limit.*}): it waited for its permits, or it
 * failed because none was due within its longest wait.
 */
public class SmtpRateLimitEvent extends SmtpEvent {

	private static final long serialVersionUID = 1L;

	/** What the rate limit did to the send. */
	public enum Kind {

		/** The send waited {@link SmtpRateLimitEvent#getDuration()} for its permits, and went on. */
		WAITED,

		/**
		 * No permit was due within the send's longest wait: the messages still to go failed with
		 * {@link io.github.smtpkit.SmtpRateLimitedException}, nothing of them sent; the next permit is
		 * due in {@link SmtpRateLimitEvent#getDuration()}.
		 */
		EXCEEDED

	}

	private final Kind kind;

	private final Duration duration;

	private final @Nullable Integer permits;

	/**
	 * @param duration how long the send waited ({@link Kind#WAITED}), or how long until the next
	 * permit is due ({@link Kind#EXCEEDED})
	 * @param permits how many messages the wait was for ({@link Kind#WAITED}), otherwise {@code null}
	 */
	public SmtpRateLimitEvent(String serverName, SmtpEndpoint endpoint, Kind kind, Duration duration,
			@Nullable Integer permits) {
		super(serverName, endpoint);
		this.kind = kind;
		this.duration = duration;
		this.permits = permits;
	}

	public Kind getKind() {
		return this.kind;
	}

	/**
	 * How long the send waited ({@link Kind#WAITED}), or how long until the next permit is due
	 * ({@link Kind#EXCEEDED}).
	 */
	public Duration getDuration() {
		return this.duration;
	}

	/** How many messages the wait was for ({@link Kind#WAITED}); otherwise {@code null}. */
	public @Nullable Integer getPermits() {
		return this.permits;
	}

	@Override
	protected String describe() {
		return (this.kind == Kind.WAITED) ? "WAITED " + this.duration + " for " + this.permits + " permit(s)"
				: "EXCEEDED, next permit in " + this.duration;
	}

}
