package io.github.smtpkit.internal;

import java.time.Duration;
import java.time.Instant;

import io.github.smtpkit.SmtpSession;

/**
 * A ready session in a pool, with what the pool needs to know to decide whether to lend it
 * again: its age, its idle time, how many messages it carried, and why it is being closed.
 */
public final class PooledSession {

	private final SmtpSession session;

	private final Instant expiresAt;

	private Instant returnedAt;

	private int messagesSent;

	private int borrows;

	private volatile String destroyReason;

	/** Whether it is lent and holds one of the pool's permits, which goes back with it once. */
	private boolean holdsPermit;

	PooledSession(SmtpSession session, Instant createdAt, Duration lifetime) {
		this.session = session;
		this.expiresAt = createdAt.plus(lifetime);
	}

	/** The session; use it only while this is lent to you. */
	public SmtpSession session() {
		return this.session;
	}

	/** Whether it was lent before: a reused session may have been closed by the server meanwhile. */
	public boolean isReused() {
		return this.borrows > 1;
	}

	/** Counts a message sent over it. */
	public void messageSent() {
		this.messagesSent++;
	}

	int messagesSent() {
		return this.messagesSent;
	}

	void borrowed() {
		this.borrows++;
		this.holdsPermit = true;
	}

	/** Whether it held a permit, which the caller now gives back to the pool; false from then on. */
	boolean returnPermit() {
		boolean held = this.holdsPermit;
		this.holdsPermit = false;
		return held;
	}

	void returned(Instant now) {
		this.returnedAt = now;
	}

	boolean isExpired(Instant now) {
		return !now.isBefore(this.expiresAt);
	}

	/** Whether it has been in the pool since it was created, rather than fresh. */
	boolean wasReturned() {
		return this.returnedAt != null;
	}

	/** How long it has been idle in the pool, or zero if it was never returned. */
	Duration idleTime(Instant now) {
		return (this.returnedAt != null) ? Duration.between(this.returnedAt, now) : Duration.ZERO;
	}

	void destroyReason(String reason) {
		this.destroyReason = reason;
	}

	String destroyReason() {
		return this.destroyReason;
	}

	@Override
	public String toString() {
		return "PooledSession[" + this.session + ", messages=" + this.messagesSent + "]";
	}

}
