package io.github.smtpkit.pool;

import java.time.Duration;
import java.util.Objects;

import io.github.smtpkit.internal.Durations;
import org.jspecify.annotations.Nullable;

/**
 * How an {@link io.github.smtpkit.SmtpClient} pools its sessions. Immutable; made with
 * {@link #builder()}, which checks every value and names the bad one.
 *
 * <p>Connections are checked lazily: a session that was idle for longer than
 * {@link #validateAfterIdle()} is checked with one RSET (or NOOP) before it is lent, and one idle
 * for longer than {@link #idleTimeout()} is not lent at all, since servers close idle connections.
 */
public final class PoolConfig {

	/** The command that checks an idle session before it is lent. */
	public enum ValidationCommand {

		/** RSET: also ends any transaction a previous user left open. */
		RSET,

		/** NOOP: changes nothing on the server. */
		NOOP

	}

	private final int maxTotal;

	private final int maxIdle;

	private final int minIdle;

	private final Duration maxWait;

	private final Duration idleTimeout;

	private final Duration maxLifetime;

	private final int maxMessagesPerConnection;

	private final Duration validateAfterIdle;

	private final ValidationCommand validationCommand;

	private final Duration validationTimeout;

	private PoolConfig(Builder builder) {
		this.maxTotal = builder.maxTotal;
		this.maxIdle = (builder.maxIdle != null) ? builder.maxIdle : builder.maxTotal;
		this.minIdle = builder.minIdle;
		this.maxWait = builder.maxWait;
		this.idleTimeout = builder.idleTimeout;
		this.maxLifetime = builder.maxLifetime;
		this.maxMessagesPerConnection = builder.maxMessagesPerConnection;
		this.validateAfterIdle = builder.validateAfterIdle;
		this.validationCommand = builder.validationCommand;
		this.validationTimeout = builder.validationTimeout;
	}

	/** A builder with the defaults. */
	public static Builder builder() {
		return new Builder();
	}

	/** The defaults: see each accessor. */
	public static PoolConfig defaults() {
		return builder().build();
	}

	/** The most sessions open at once (default 8). */
	public int maxTotal() {
		return this.maxTotal;
	}

	/** The most idle sessions kept (default: {@link #maxTotal()}). */
	public int maxIdle() {
		return this.maxIdle;
	}

	/** The idle sessions kept ready in the background (default 0). */
	public int minIdle() {
		return this.minIdle;
	}

	/** The longest a send waits for a free session (default 30 s). */
	public Duration maxWait() {
		return this.maxWait;
	}

	/** An idle session older than this is closed rather than lent (default 60 s). */
	public Duration idleTimeout() {
		return this.idleTimeout;
	}

	/**
	 * The longest a session lives (default 10 min); each session's limit is up to 2.5% shorter, at
	 * random, so that sessions opened together do not all expire together.
	 */
	public Duration maxLifetime() {
		return this.maxLifetime;
	}

	/** The most messages sent over one connection before it is replaced (default 100). */
	public int maxMessagesPerConnection() {
		return this.maxMessagesPerConnection;
	}

	/** A session idle for longer than this is checked before it is lent (default 5 s). */
	public Duration validateAfterIdle() {
		return this.validateAfterIdle;
	}

	/** The command that checks it (default RSET). */
	public ValidationCommand validationCommand() {
		return this.validationCommand;
	}

	/**
	 * The longest the check waits for its reply (default 5 s), much shorter than a transaction's
	 * reply timeout: a connection silently dropped by a firewall must not hold up a send for long.
	 */
	public Duration validationTimeout() {
		return this.validationTimeout;
	}

	@Override
	public String toString() {
		return "PoolConfig[maxTotal=" + this.maxTotal + ", maxIdle=" + this.maxIdle + ", minIdle=" + this.minIdle
				+ ", maxWait=" + this.maxWait + ", idleTimeout=" + this.idleTimeout + ", maxLifetime=" + this.maxLifetime
				+ ", maxMessagesPerConnection=" + this.maxMessagesPerConnection + ", validateAfterIdle="
				+ this.validateAfterIdle + ", validationCommand=" + this.validationCommand + ", validationTimeout="
				+ this.validationTimeout + "]";
	}

	/** Builds a {@link PoolConfig}; each setter checks its value. */
	public static final class Builder {

		private int maxTotal = 8;

		private @Nullable Integer maxIdle;

		private int minIdle;

		private Duration maxWait = Duration.ofSeconds(30);

		private Duration idleTimeout = Duration.ofSeconds(60);

		private Duration maxLifetime = Duration.ofMinutes(10);

		private int maxMessagesPerConnection = 100;

		private Duration validateAfterIdle = Duration.ofSeconds(5);

		private ValidationCommand validationCommand = ValidationCommand.RSET;

		private Duration validationTimeout = Duration.ofSeconds(5);

		private Builder() {
		}

		public Builder maxTotal(int maxTotal) {
			this.maxTotal = requireAtLeast("maxTotal", maxTotal, 1);
			return this;
		}

		public Builder maxIdle(int maxIdle) {
			this.maxIdle = requireAtLeast("maxIdle", maxIdle, 0);
			return this;
		}

		public Builder minIdle(int minIdle) {
			this.minIdle = requireAtLeast("minIdle", minIdle, 0);
			return this;
		}

		public Builder maxWait(Duration maxWait) {
			this.maxWait = Durations.requirePositive("maxWait", maxWait);
			return this;
		}

		public Builder idleTimeout(Duration idleTimeout) {
			this.idleTimeout = Durations.requirePositive("idleTimeout", idleTimeout);
			return this;
		}

		public Builder maxLifetime(Duration maxLifetime) {
			this.maxLifetime = Durations.requirePositive("maxLifetime", maxLifetime);
			return this;
		}

		public Builder maxMessagesPerConnection(int maxMessagesPerConnection) {
			this.maxMessagesPerConnection = requireAtLeast("maxMessagesPerConnection", maxMessagesPerConnection, 1);
			return this;
		}

		/** A session idle for longer than this is checked before it is lent; zero checks every time. */
		public Builder validateAfterIdle(Duration validateAfterIdle) {
			Objects.requireNonNull(validateAfterIdle, "validateAfterIdle");
			if (validateAfterIdle.isNegative()) {
				throw new IllegalArgumentException("validateAfterIdle must not be negative, but was " + validateAfterIdle);
			}
			this.validateAfterIdle = validateAfterIdle;
			return this;
		}

		public Builder validationCommand(ValidationCommand validationCommand) {
			this.validationCommand = Objects.requireNonNull(validationCommand, "validationCommand");
			return this;
		}

		public Builder validationTimeout(Duration validationTimeout) {
			this.validationTimeout = Durations.requirePositive("validationTimeout", validationTimeout);
			return this;
		}

		/**
		 * @throws IllegalArgumentException if the values contradict each other (minIdle above
		 * maxIdle or maxTotal, maxIdle above maxTotal)
		 */
		public PoolConfig build() {
			int effectiveMaxIdle = (this.maxIdle != null) ? this.maxIdle : this.maxTotal;
			if (effectiveMaxIdle > this.maxTotal) {
				throw new IllegalArgumentException("maxIdle (" + effectiveMaxIdle + ") must not exceed maxTotal ("
						+ this.maxTotal + ")");
			}
			if (this.minIdle > effectiveMaxIdle) {
				throw new IllegalArgumentException("minIdle (" + this.minIdle + ") must not exceed maxIdle ("
						+ effectiveMaxIdle + ")");
			}
			return new PoolConfig(this);
		}

		private static int requireAtLeast(String name, int value, int minimum) {
			if (value < minimum) {
				throw new IllegalArgumentException(name + " must be at least " + minimum + ", but was " + value);
			}
			return value;
		}

	}

}
