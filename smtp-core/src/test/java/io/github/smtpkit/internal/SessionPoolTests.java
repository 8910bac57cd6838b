package io.github.smtpkit.internal;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpPoolTimeoutException;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.pool.PoolConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The pool's own wait: {@code maxWait} is a caller's whole wait, also while other callers are
 * opening the sessions it could have had.
 */
@Timeout(30)
class SessionPoolTests {

	private static final SmtpEndpoint ENDPOINT = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 25);

	private final ExecutorService executor = Executors.newCachedThreadPool();

	/** Holds the opening of a session until released, bounded so that no test can hang on it. */
	private final CountDownLatch openingMayEnd = new CountDownLatch(1);

	private final CountDownLatch openingStarted = new CountDownLatch(1);

	@AfterEach
	void releaseAndStop() throws InterruptedException {
		this.openingMayEnd.countDown();
		this.executor.shutdown();
		assertThat(this.executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void maxWaitIsTheCallersWholeWaitWhileAnotherCallerIsOpeningTheOnlySession() throws Exception {
		Duration maxWait = Duration.ofSeconds(1);
		try (SessionPool pool = pool(PoolConfig.builder().maxTotal(1).maxWait(maxWait).build())) {
			CompletableFuture<Throwable> opener = CompletableFuture.supplyAsync(() -> catchThrowable(pool::borrow),
					this.executor);
			assertThat(this.openingStarted.await(10, TimeUnit.SECONDS)).isTrue();

			long started = System.nanoTime();
			Throwable thrown = catchThrowable(pool::borrow);
			Duration waited = Duration.ofNanos(System.nanoTime() - started);

			// commons-pool2 alone waits maxWait for the opening to end, then maxWait again for a return.
			assertThat(thrown).isInstanceOf(SmtpPoolTimeoutException.class)
				.hasMessageStartingWith("Timed out after 1")
				.hasMessageContaining("waiting for a session to " + ENDPOINT);
			assertThat(waited).isGreaterThanOrEqualTo(maxWait).isLessThan(maxWait.multipliedBy(3).dividedBy(2));
			this.openingMayEnd.countDown();
			assertThat(opener.get(10, TimeUnit.SECONDS)).isInstanceOf(ConnectException.class);
		}
	}

	@Test
	void theTimeOutSaysHowLongTheCallerReallyWaited() throws Exception {
		Duration maxWait = Duration.ofMillis(300);
		try (SessionPool pool = pool(PoolConfig.builder().maxTotal(1).maxWait(maxWait).build())) {
			CompletableFuture.runAsync(() -> catchThrowable(pool::borrow), this.executor);
			assertThat(this.openingStarted.await(10, TimeUnit.SECONDS)).isTrue();

			Throwable thrown = catchThrowable(() -> pool.borrow(Duration.ofMillis(1500)));

			assertThat(thrown).isInstanceOf(SmtpPoolTimeoutException.class).hasMessageStartingWith("Timed out after 1.");
			assertThat(((SmtpPoolTimeoutException) thrown).stats().total()).isZero();
		}
	}

	@Test
	void closingThePoolWakesACallerWaitingForASession() throws Exception {
		SessionPool pool = pool(PoolConfig.builder().maxTotal(1).maxWait(Duration.ofSeconds(20)).build());
		CompletableFuture.runAsync(() -> catchThrowable(pool::borrow), this.executor);
		assertThat(this.openingStarted.await(10, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<Throwable> waiter = CompletableFuture.supplyAsync(() -> catchThrowable(pool::borrow),
				this.executor);
		await().atMost(Duration.ofSeconds(10)).until(() -> pool.stats().waiting() == 1);

		pool.close();

		assertThat(waiter.get(5, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("is closed");
	}

	/** A pool whose sessions take until {@link #openingMayEnd} (at most 10 s) to fail opening. */
	private SessionPool pool(PoolConfig config) {
		return new SessionPool(ENDPOINT, config, Clock.systemUTC(), SmtpEventListener.NONE, () -> {
			this.openingStarted.countDown();
			try {
				this.openingMayEnd.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			throw new ConnectException("Could not connect to " + ENDPOINT + ": refused (scripted)");
		});
	}

}
