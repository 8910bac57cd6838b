package io.github.smtpkit.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;

/** The shared timer's periodic checks outlive a failing run. */
class TimeoutsTests {

	@Test
	void aPeriodicActionThatThrowsOnceRunsAgain() {
		AtomicInteger runs = new AtomicInteger();
		ScheduledFuture<?> task = Timeouts.scheduleAtFixedRate(() -> {
			if (runs.incrementAndGet() == 1) {
				throw new IllegalStateException("the first run fails");
			}
		}, Duration.ofMillis(10));
		try {
			await().atMost(Duration.ofSeconds(5)).until(() -> runs.get() >= 3);
		}
		finally {
			task.cancel(false);
		}
	}

}
