package io.github.smtpkit;

import java.time.Instant;
import java.util.Objects;

/**
 * No new connection was opened because the server recently said "not now" (a 421, or a
 * 450/451/452/454 while a connection was being opened) and the client is backing off from it
 * until {@link #retryAt()}, later than the send could still wait (what was left of the pool's
 * {@link io.github.smtpkit.pool.PoolConfig#maxWait() maxWait}; a back-off that ends sooner is
 * waited out instead). Nothing was sent: the send may be tried again after that time.
 *
 * @see SmtpClient#backoffUntil()
 */
public class SmtpBackoffException extends SmtpException {

	private static final long serialVersionUID = 1L;

	private final Instant retryAt;

	public SmtpBackoffException(String message, Instant retryAt) {
		super(message);
		this.retryAt = Objects.requireNonNull(retryAt, "retryAt");
	}

	/** When, by the client's clock, the back-off ends and new connections are opened again. */
	public Instant retryAt() {
		return this.retryAt;
	}

}
