package io.github.smtpkit.internal;

import java.time.Duration;

/** Durations as error messages show them. */
public final class Durations {

	private Durations() {
	}

	/** {@code 30 s}, {@code 1.5 s}, {@code 250 ms}. */
	public static String describe(Duration duration) {
		long millis = duration.toMillis();
		if (millis < 1000) {
			return millis + " ms";
		}
		if (millis % 1000 == 0) {
			return (millis / 1000) + " s";
		}
		return String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
	}

	/**
	 * Checks a timeout given by a user.
	 * @throws IllegalArgumentException naming the setting when it is missing, zero or negative
	 */
	public static Duration requirePositive(String name, Duration duration) {
		if (duration == null || duration.isZero() || duration.isNegative()) {
			throw new IllegalArgumentException(name + " must be positive, but was " + duration
					+ " (a non-blocking or unbounded wait is not supported)");
		}
		return duration;
	}

}
