package io.github.smtpkit;

import io.github.smtpkit.pool.PoolStats;

/**
 * No session of the pool became free within the configured maximum wait. The message names the
 * server and the pool's state, as {@code (total=, active=, idle=, waiting=)}; nothing was sent.
 */
public class SmtpPoolTimeoutException extends SmtpException {

	private static final long serialVersionUID = 1L;

	private final transient PoolStats stats;

	public SmtpPoolTimeoutException(String message, PoolStats stats) {
		super(message);
		this.stats = stats;
	}

	/** The pool's state when the wait ran out. */
	public PoolStats stats() {
		return this.stats;
	}

}
