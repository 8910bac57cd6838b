package io.github.smtpkit.pool;

/**
 * A snapshot of a pool, for health checks and metrics.
 *
 * @param total sessions open now, lent or idle
 * @param active sessions lent out now
 * @param idle sessions ready in the pool now
 * @param waiting threads waiting for a session now
 * @param created sessions opened since the pool started
 * @param destroyed sessions closed since the pool started
 */
public record PoolStats(int total, int active, int idle, int waiting, long created, long destroyed) {

	/** {@code (total=, active=, idle=, waiting=)}, as timeouts report it. */
	@Override
	public String toString() {
		return "(total=" + this.total + ", active=" + this.active + ", idle=" + this.idle + ", waiting=" + this.waiting
				+ ")";
	}

}
