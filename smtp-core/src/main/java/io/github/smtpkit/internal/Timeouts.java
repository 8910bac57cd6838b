package io.github.smtpkit.internal;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon timer for the deadlines that blocking socket calls cannot enforce themselves: writes,
 * and whole message transfers. When a deadline passes, the connection is aborted and the
 * blocked call fails.
 */
final class Timeouts {

	private static final System.Logger LOGGER = System.getLogger(Timeouts.class.getName());

	private static final ScheduledThreadPoolExecutor TIMER = createTimer();

	private Timeouts() {
	}

	private static ScheduledThreadPoolExecutor createTimer() {
		ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, (task) -> {
			Thread thread = new Thread(task, "smtpkit-timeouts");
			thread.setDaemon(true);
			return thread;
		});
		// Nearly every deadline is cancelled in time: cancelled ones must not pile up in the queue.
		timer.setRemoveOnCancelPolicy(true);
		return timer;
	}

	/**
	 * Runs the action every interval, for as long as the JVM runs. A run that throws is logged
	 * and the next runs go on: an executor cancels a periodic task for good after one exception,
	 * which would end every write timeout in the JVM.
	 */
	static ScheduledFuture<?> scheduleAtFixedRate(Runnable action, Duration interval) {
		long nanos = interval.toNanos();
		Runnable guarded = () -> {
			try {
				action.run();
			}
			catch (RuntimeException ex) {
				LOGGER.log(Level.WARNING, "A periodic smtpkit timeout check failed; it runs again", ex);
			}
		};
		return TIMER.scheduleAtFixedRate(guarded, nanos, nanos, TimeUnit.NANOSECONDS);
	}

	/** Runs the action after the timeout unless the returned future is cancelled first. */
	static ScheduledFuture<?> schedule(Runnable action, Duration timeout) {
		return TIMER.schedule(action, timeout.toNanos(), TimeUnit.NANOSECONDS);
	}

}
