package io.github.smtpkit;

import java.time.Duration;

/**
 * The server's rate limit ({@link SmtpClient.Builder#rateLimit}) had no permit for the message
 * within the pool's longest wait. Nothing was sent, so the message may be sent again after
 * {@link #retryAfter()}.
 */
public class SmtpRateLimitedException extends SmtpException {

	private static final long serialVersionUID = 1L;

	private final Duration retryAfter;

	public SmtpRateLimitedException(String message, Duration retryAfter) {
		super(message);
		this.retryAfter = retryAfter;
	}

	/** How long until the rate limit has a permit again, as it was estimated when this was thrown. */
	public Duration retryAfter() {
		return this.retryAfter;
	}

}
