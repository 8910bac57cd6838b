package io.github.smtpkit;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.Bucket4jRateLimiterTests.FakeTime;
import io.github.smtpkit.pool.PoolConfig;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.accepts;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.message;
import static io.github.smtpkit.SmtpClientTestSupport.opens;
import static io.github.smtpkit.SmtpClientTestSupport.quits;
import static io.github.smtpkit.SmtpClientTestSupport.received;
import static io.github.smtpkit.SmtpClientTestSupport.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link SmtpClient.Builder#rateLimiter}: a send takes its permit before it borrows a session,
 * waits for one within the pool's longest wait, or fails with nothing sent. Time is the test's
 * ({@link FakeTime}): a wait moves it instead of sleeping.
 */
@Timeout(30)
class SmtpClientRateLimitTests {

	private static final Duration MINUTE = Duration.ofMinutes(1);

	private final FakeTime time = new FakeTime();

	private final RateLimitEvents events = new RateLimitEvents();

	@Test
	void aSendBeyondTheLimitFailsWithNothingSentAndSaysWhenToRetry() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(opens(server))));
			try (SmtpClient client = limitedClient(server, Duration.ofSeconds(10))) {
				client.send(ENVELOPE, message(1));
				this.time.advance(Duration.ofSeconds(15));
				client.send(ENVELOPE, message(2));

				assertThatExceptionOfType(SmtpRateLimitedException.class)
					.isThrownBy(() -> client.send(ENVELOPE, message(3)))
					.withMessage("The rate limit of " + server.host() + ":" + server.port() + " has no permit for"
							+ " another message within the longest wait (maxWait=PT10S): the next is due in PT45S;"
							+ " nothing was sent")
					.satisfies((ex) -> assertThat(ex.retryAfter()).isEqualTo(Duration.ofSeconds(45)));
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2));
			server.assertNoFailures();
		}
		assertThat(this.events.events).containsExactly("exceeded PT45S");
	}

	@Test
	void aSendWaitsForItsPermitWithinTheLongestWait() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(accepts(opens(server)))));
			try (SmtpClient client = limitedClient(server, MINUTE)) {
				client.send(ENVELOPE, message(1));
				client.send(ENVELOPE, message(2));
				this.time.advance(Duration.ofSeconds(20));
				SendResult third = client.send(ENVELOPE, message(3));

				assertThat(third.isFullyAccepted()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2), received(3));
			server.assertNoFailures();
		}
		assertThat(this.events.events).containsExactly("waited PT40S for 1");
	}

	@Test
	void aBatchGoesOutInPortionsThatTheLimitAllows() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(accepts(accepts(accepts(opens(server)))))));
			try (SmtpClient client = limitedClient(server, Duration.ofMinutes(2))) {
				List<BatchResult> results = client.sendAll(List.of(outgoing(1), outgoing(2), outgoing(3), outgoing(4),
						outgoing(5)));

				assertThat(results).allSatisfy((result) -> assertThat(result.isSent()).isTrue());
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2), received(3), received(4),
					received(5));
			server.assertNoFailures();
		}
		assertThat(this.events.events).containsExactly("waited PT1M for 2", "waited PT1M for 1");
	}

	@Test
	void clientsGivenOneLimiterShareItsLimit() throws Exception {
		// In one JVM, the fleet case: one limiter (for instances, a distributed bucket) behind two clients.
		Bucket4jRateLimiter shared = Bucket4jRateLimiter.perPeriod(2, MINUTE, this.time, this.time);
		PoolConfig pool = PoolConfig.builder().maxWait(Duration.ofSeconds(30)).build();
		try (ScriptedSmtpServer first = ScriptedSmtpServer.start();
				ScriptedSmtpServer second = ScriptedSmtpServer.start()) {
			quits(accepts(opens(first)));
			quits(accepts(opens(second)));
			try (SmtpClient one = clientFor(first).rateLimiter(shared).pool(pool).build();
					SmtpClient other = clientFor(second).rateLimiter(shared).pool(pool).build()) {
				one.send(ENVELOPE, message(1));
				other.send(ENVELOPE, message(2));

				assertThatExceptionOfType(SmtpRateLimitedException.class)
					.isThrownBy(() -> one.send(ENVELOPE, message(3)));
				assertThatExceptionOfType(SmtpRateLimitedException.class)
					.isThrownBy(() -> other.send(ENVELOPE, message(4)));
			}
			first.awaitScriptDone(WAIT);
			second.awaitScriptDone(WAIT);
			assertThat(texts(first.messages())).containsExactly(received(1));
			assertThat(texts(second.messages())).containsExactly(received(2));
		}
	}

	@Test
	void permitsBeyondOneAreLimitedToTheMessagesThatNeedThem() throws Exception {
		SmtpRateLimiter generous = (wanted, maxWait) -> SmtpRateLimiter.Permits.granted(wanted + 5, Duration.ZERO);
		List<Integer> asked = new CopyOnWriteArrayList<>();
		SmtpRateLimiter recording = (wanted, maxWait) -> {
			asked.add(wanted);
			return generous.acquire(wanted, maxWait);
		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(accepts(opens(server)))));
			try (SmtpClient client = clientFor(server).rateLimiter(recording).build()) {
				client.sendAll(List.of(outgoing(1), outgoing(2)));
				client.send(ENVELOPE, message(3));
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
		assertThat(asked).containsExactly(2, 1);
	}

	@Test
	void theRateLimitsWaitCountsAgainstTheLongestWaitForASession() throws Exception {
		Duration maxWait = Duration.ofMillis(1500);
		// The first send is granted at once. The second's grant takes all but 300 ms of maxWait to
		// come, yet says it waited for nothing, as a limiter in Redis does that had to connect first:
		// what counts is the time the limiter took, not what it reports.
		AtomicInteger calls = new AtomicInteger();
		CountDownLatch never = new CountDownLatch(1);
		SmtpRateLimiter slowSecond = (wanted, wait) -> {
			if (calls.incrementAndGet() > 1) {
				try {
					assertThat(never.await(wait.minusMillis(300).toMillis(), TimeUnit.MILLISECONDS)).isFalse();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new java.io.InterruptedIOException();
				}
			}
			return SmtpRateLimiter.Permits.granted(wanted, Duration.ZERO);
		};
		CountDownLatch writing = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		MessageSource held = new MessageSource() {

			@Override
			public long size() {
				return -1;
			}

			@Override
			public void writeTo(OutputStream out) throws IOException {
				writing.countDown();
				try {
					assertThat(release.await(10, TimeUnit.SECONDS)).as("released").isTrue();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new IOException(ex);
				}
				out.write(message(1));
			}

		};
		ExecutorService sender = Executors.newSingleThreadExecutor();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).rateLimiter(slowSecond)
				.pool(PoolConfig.builder().maxTotal(1).maxWait(maxWait).build())
				.build()) {
				Future<SendResult> first = sender.submit(() -> client.send(ENVELOPE, held));
				assertThat(writing.await(10, TimeUnit.SECONDS)).as("the only session is busy").isTrue();

				long started = System.nanoTime();
				Throwable second = catchThrowable(() -> client.send(ENVELOPE, message(2)));
				Duration took = Duration.ofNanos(System.nanoTime() - started);

				assertThat(second).isInstanceOf(SmtpPoolTimeoutException.class);
				// 300 ms were left of the 1.5 s; without counting the limiter's time it took 2.7 s.
				assertThat(took).isLessThan(Duration.ofMillis(2100));
				release.countDown();
				assertThat(first.get(10, TimeUnit.SECONDS).accepted()).isNotEmpty();
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
		finally {
			release.countDown();
			sender.shutdownNow();
		}
	}

	@Test
	void aGrantOfNothingIsNotAGrant() {
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpRateLimiter.Permits.granted(0, Duration.ZERO))
			.withMessage("A grant is at least 1 permit, but was 0");
	}

	/** Two messages a minute, sends waiting at most {@code maxWait}, on the test's time. */
	private SmtpClient limitedClient(ScriptedSmtpServer server, Duration maxWait) {
		return clientFor(server).rateLimiter(Bucket4jRateLimiter.perPeriod(2, MINUTE, this.time, this.time))
			.pool(PoolConfig.builder().maxWait(maxWait).build())
			.eventListener(this.events)
			.build();
	}

	private static OutgoingMessage outgoing(int number) {
		return OutgoingMessage.of(ENVELOPE, message(number));
	}

	private static final class RateLimitEvents implements SmtpEventListener {

		final List<String> events = new CopyOnWriteArrayList<>();

		@Override
		public void rateLimitWaited(SmtpEndpoint endpoint, Duration waited, int permits) {
			this.events.add("waited " + waited + " for " + permits);
		}

		@Override
		public void rateLimitExceeded(SmtpEndpoint endpoint, Duration retryAfter) {
			this.events.add("exceeded " + retryAfter);
		}

	}

}
