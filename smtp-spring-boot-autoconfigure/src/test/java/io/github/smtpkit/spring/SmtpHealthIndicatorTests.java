package io.github.smtpkit.spring;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.smtpkit.Envelope;
import io.github.smtpkit.MessageSource;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpConnectException;
import io.github.smtpkit.TlsMode;
import io.github.smtpkit.pool.PoolConfig;
import io.github.smtpkit.spring.health.SmtpHealthIndicator;
import io.github.smtpkit.testing.ScriptedSmtpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The health check under load and without it: a busy server with a recent answer is UP without a
 * command and without waiting; a pool whose sessions are all busy and whose server has not
 * answered lately is UNKNOWN at once, with no new connection; a pool emptied for idleness is
 * asked with NOOP over one new connection; a dead server is DOWN within the timeout. Time is a
 * clock the test moves; nothing sleeps.
 */
@Timeout(60)
class SmtpHealthIndicatorTests {

	private static final Duration HEALTH_TIMEOUT = Duration.ofMillis(500);

	private static final Envelope ENVELOPE = Envelope.of("app@example.test", "you@example.test");

	private final MutableClock clock = new MutableClock();

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void stopThreads() {
		this.threads.shutdownNow();
	}

	@Test
	void aSaturatedPoolWhoseServerAnsweredRecentlyIsUpAtOnceWithoutACommandOrAConnection() throws Exception {
		try (FakeSmtpServer server = FakeSmtpServer.refusing((line) -> false);
				SmtpClient client = client(server.port(), 1)) {
			client.send(ENVELOPE, message("first"));
			HeldMessage held = new HeldMessage();
			Future<SendResult> busy = this.threads.submit(() -> client.send(ENVELOPE, held));
			held.awaitWriting();
			this.clock.advance(Duration.ofSeconds(29));
			SmtpHealthIndicator indicator = new SmtpHealthIndicator("default", client, HEALTH_TIMEOUT);

			long started = System.nanoTime();
			Health health = indicator.health();
			Duration took = Duration.ofNanos(System.nanoTime() - started);

			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(took).isLessThan(HEALTH_TIMEOUT);
			assertThat(health.getDetails()).containsEntry("check", "recent-reply")
				.containsEntry("lastReply", this.clock.instant().minusSeconds(29).toString())
				.doesNotContainKey("reply")
				.hasEntrySatisfying("pool", (pool) -> assertThat(pool.toString()).contains("active=1", "idle=0", "max=1"));
			held.release();
			assertThat(busy.get(10, TimeUnit.SECONDS).isFullyAccepted()).isTrue();
			assertThat(server.connections()).isEqualTo(1);
			assertThat(server.commands()).doesNotContain("NOOP");
		}
	}

	@Test
	void aSaturatedPoolWhoseServerHasNotAnsweredLatelyIsUnknownAtOnceWithoutAConnection() throws Exception {
		try (FakeSmtpServer server = FakeSmtpServer.refusing((line) -> false);
				SmtpClient client = client(server.port(), 2)) {
			HeldMessage first = new HeldMessage();
			HeldMessage second = new HeldMessage();
			Future<SendResult> one = this.threads.submit(() -> client.send(ENVELOPE, first));
			Future<SendResult> two = this.threads.submit(() -> client.send(ENVELOPE, second));
			first.awaitWriting();
			second.awaitWriting();
			// Each data takes longer than the reply age: the sessions are busy, the server silent so far.
			this.clock.advance(Duration.ofSeconds(31));
			SmtpHealthIndicator indicator = new SmtpHealthIndicator("default", client, HEALTH_TIMEOUT);

			long started = System.nanoTime();
			Health health = indicator.health();
			Duration took = Duration.ofNanos(System.nanoTime() - started);

			assertThat(health.getStatus()).isEqualTo(Status.UNKNOWN);
			assertThat(took).isLessThan(HEALTH_TIMEOUT);
			assertThat(health.getDetails()).containsEntry("check", "skipped")
				.hasEntrySatisfying("reason", (reason) -> assertThat(reason.toString()).contains("busy"));
			first.release();
			second.release();
			assertThat(one.get(10, TimeUnit.SECONDS).isFullyAccepted()).isTrue();
			assertThat(two.get(10, TimeUnit.SECONDS).isFullyAccepted()).isTrue();
			assertThat(server.connections()).isEqualTo(2);
			assertThat(server.commands()).doesNotContain("NOOP");

			// The answers to those messages are the evidence now.
			assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
		}
	}

	@Test
	void aPoolEmptiedForIdlenessIsAskedWithNoopOverOneNewConnectionWhichThenAnswersForAWhile() throws Exception {
		try (FakeSmtpServer server = FakeSmtpServer.refusing((line) -> false);
				SmtpClient client = client(server.port(), 4)) {
			client.send(ENVELOPE, message("first"));
			// Past the pool's idle timeout (60 s): the idle session is closed, not asked.
			this.clock.advance(Duration.ofSeconds(61));
			SmtpHealthIndicator indicator = new SmtpHealthIndicator("default", client, HEALTH_TIMEOUT);

			Health health = indicator.health();

			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("check", "noop")
				.containsEntry("reply", "250 ok")
				.containsEntry("lastReply", this.clock.instant().toString());
			assertThat(client.poolStats().created()).isEqualTo(2);
			assertThat(client.poolStats().total()).isEqualTo(1);
			assertThat(server.commands()).containsSubsequence("QUIT", "EHLO app.example.test", "NOOP");

			// Its answer is evidence: the next checks within 30 s send nothing.
			this.clock.advance(Duration.ofSeconds(20));
			assertThat(indicator.health().getDetails()).containsEntry("check", "recent-reply");
			assertThat(server.commands().stream().filter("NOOP"::equals)).hasSize(1);
			assertThat(server.connections()).isEqualTo(2);
		}
	}

	@Test
	void anIdlePooledSessionIsAskedWithoutLoggingInAgain() throws Exception {
		try (FakeSmtpServer server = FakeSmtpServer.refusing((line) -> false);
				SmtpClient client = client(server.port(), 4)) {
			client.send(ENVELOPE, message("first"));
			this.clock.advance(Duration.ofSeconds(45));

			Health health = new SmtpHealthIndicator("default", client, HEALTH_TIMEOUT).health();

			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("check", "noop");
			assertThat(server.connections()).isEqualTo(1);
			// Idle for longer than validateAfterIdle: the pool checks with RSET, then the probe asks.
			assertThat(server.commands()).endsWith("RSET", "NOOP");
		}
	}

	@Test
	void aDeadServerIsDownWithinTheTimeout() throws Exception {
		FakeSmtpServer server = FakeSmtpServer.refusing((line) -> false);
		try (SmtpClient client = client(server.port(), 4)) {
			client.send(ENVELOPE, message("first"));
			server.close();
			this.clock.advance(Duration.ofSeconds(31));
			SmtpHealthIndicator indicator = new SmtpHealthIndicator("default", client, HEALTH_TIMEOUT);

			long started = System.nanoTime();
			Health health = indicator.health();
			Duration took = Duration.ofNanos(System.nanoTime() - started);

			assertThat(health.getStatus()).as(health.getDetails().toString()).isEqualTo(Status.DOWN);
			// Well under the client's own 5 s timeout, with room for a busy machine: the health
			// check's timeout bounds it, not the client's.
			assertThat(took).isLessThan(HEALTH_TIMEOUT.plusSeconds(2));
			assertThat(health.getDetails()).containsEntry("check", "noop").containsKey("error").containsKey("lastReply");
		}
	}

	@Test
	void aServerThatNeverAnswersIsDownWithinTheTimeoutAndIsCheckedOnceAtATime() throws Exception {
		try (FakeSmtpServer silent = FakeSmtpServer.silent();
				SmtpClient client = SmtpClient.builder()
					.host("127.0.0.1")
					.port(silent.port())
					.tls(TlsMode.NONE)
					.timeout(Duration.ofSeconds(10))
					.build()) {
			SmtpHealthIndicator indicator = new SmtpHealthIndicator("default", client, HEALTH_TIMEOUT);

			for (int probe = 0; probe < 2; probe++) {
				long started = System.nanoTime();
				Health health = indicator.health();
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(HEALTH_TIMEOUT.multipliedBy(4));
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat(health.getDetails()).containsEntry("error", "No reply to NOOP within " + HEALTH_TIMEOUT)
					.containsEntry("port", silent.port())
					.doesNotContainKey("lastReply");
			}
			// The second probe waited for the first check, still hanging, instead of connecting again.
			await().atMost(Duration.ofSeconds(5)).until(() -> silent.connections() == 1);
			assertThat(silent.connections()).isEqualTo(1);
		}
	}

	@Test
	void aServerBackedOffFromIsOutOfServiceUntilTheBackoffEndsWithoutAConnection() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("421 4.7.0 too many connections, try later").awaitClose();
			server.greet("220 fake.test ESMTP").reply("250 fake.test").reply("250 2.0.0 ok").reply("221 2.0.0 bye");
			try (SmtpClient client = client(server.port(), 4)) {
				assertThatExceptionOfType(SmtpConnectException.class).isThrownBy(() -> client.send(ENVELOPE, message("x")));
				Instant until = client.backoffUntil().orElseThrow();
				SmtpHealthIndicator indicator = new SmtpHealthIndicator("default", client, HEALTH_TIMEOUT);

				Health health = indicator.health();

				assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
				assertThat(health.getDetails()).containsEntry("check", "backoff")
					.containsEntry("backoffUntil", until.toString());
				assertThat(server.connectionCount()).isEqualTo(1);

				this.clock.advance(Duration.between(this.clock.instant(), until));
				Health after = indicator.health();
				assertThat(after.getStatus()).as(after.getDetails().toString()).isEqualTo(Status.UP);
				assertThat(after.getDetails()).containsEntry("check", "noop").doesNotContainKey("backoffUntil");
			}
			server.awaitScriptDone(Duration.ofSeconds(5));
			server.assertNoFailures();
		}
	}

	@Test
	void theTimeoutMustBePositiveAndTheReplyAgeNotNegative() {
		try (SmtpClient client = SmtpClient.builder().host("127.0.0.1").build()) {
			assertThatIllegalArgumentException().isThrownBy(() -> new SmtpHealthIndicator("default", client, Duration.ZERO));
			assertThatIllegalArgumentException()
				.isThrownBy(() -> new SmtpHealthIndicator("default", client, HEALTH_TIMEOUT, Duration.ofSeconds(-1)))
				.withMessageContaining("maxReplyAge");
		}
	}

	@Test
	void aZeroReplyAgeAsksEveryTime() throws Exception {
		try (FakeSmtpServer server = FakeSmtpServer.refusing((line) -> false);
				SmtpClient client = client(server.port(), 4)) {
			SmtpHealthIndicator indicator = new SmtpHealthIndicator("default", client, HEALTH_TIMEOUT, Duration.ZERO);
			assertThat(indicator.health().getDetails()).containsEntry("check", "noop");
			assertThat(indicator.health().getDetails()).containsEntry("check", "noop");
			assertThat(server.commands().stream().filter("NOOP"::equals)).hasSize(2);
			assertThat(server.connections()).isEqualTo(1);
		}
	}

	private SmtpClient client(int port, int maxTotal) {
		return SmtpClient.builder()
			.host("127.0.0.1")
			.port(port)
			.tls(TlsMode.NONE)
			.localHostname("app.example.test")
			.timeout(Duration.ofSeconds(5))
			.clock(this.clock)
			.pool(PoolConfig.builder().maxTotal(maxTotal).maxWait(Duration.ofSeconds(5)).build())
			.build();
	}

	private static byte[] message(String subject) {
		return ("Subject: " + subject + "\r\n\r\nHello.\r\n").getBytes(StandardCharsets.US_ASCII);
	}

	/** A clock that moves only when told. */
	static final class MutableClock extends Clock {

		private volatile Instant now = Instant.parse("2025-01-01T00:00:00Z");

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public Instant instant() {
			return this.now;
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

	}

	/**
	 * A message that holds its session: it writes its headers, then waits (bounded) until the test
	 * releases it, so that a session stays lent for as long as the test needs.
	 */
	static final class HeldMessage implements MessageSource {

		private final CountDownLatch writing = new CountDownLatch(1);

		private final CountDownLatch released = new CountDownLatch(1);

		@Override
		public long size() {
			return -1;
		}

		@Override
		public void writeTo(OutputStream out) throws IOException {
			out.write("Subject: held\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			this.writing.countDown();
			try {
				if (!this.released.await(8, TimeUnit.SECONDS)) {
					throw new IOException("The test did not release the message within 8 s");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new InterruptedIOException("Interrupted while held");
			}
			out.write("Held until released.\r\n".getBytes(StandardCharsets.US_ASCII));
		}

		void awaitWriting() throws InterruptedException {
			assertThat(this.writing.await(10, TimeUnit.SECONDS)).as("the message is being written").isTrue();
		}

		void release() {
			this.released.countDown();
		}

	}

}
