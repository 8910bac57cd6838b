package io.github.smtpkit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.smtpkit.SmtpClientTestSupport.MutableClock;
import io.github.smtpkit.SmtpClientTestSupport.RecordingListener;
import io.github.smtpkit.SmtpClientTestSupport.SendFinished;
import io.github.smtpkit.pool.PoolConfig;
import io.github.smtpkit.pool.PoolConfig.ValidationCommand;
import io.github.smtpkit.pool.PoolStats;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.TO;
import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.accepts;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.message;
import static io.github.smtpkit.SmtpClientTestSupport.opens;
import static io.github.smtpkit.SmtpClientTestSupport.quits;
import static io.github.smtpkit.SmtpClientTestSupport.transaction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The pool behind {@link SmtpClient}: bounded waits, connection rotation by message count, age
 * and idle time (with an injected clock, no sleeping), validation after idle time, statistics
 * and closing.
 */
@Timeout(30)
class SmtpClientPoolTests {

	private static final String EHLO_LINE = "EHLO client.test";

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private GreenMail greenMail;

	@AfterEach
	void stopEverything() {
		this.threads.shutdownNow();
		if (this.greenMail != null) {
			this.greenMail.stop();
		}
	}

	// ---------------------------------------------------------------- exhaustion

	@Test
	void exhaustedPoolFailsWithinMaxWaitSayingWhyAndRecoversOnceASessionIsFree() throws Exception {
		startGreenMail();
		RecordingListener events = new RecordingListener();
		try (SmtpClient client = greenMailClient(events, PoolConfig.builder().maxTotal(1).maxWait(Duration.ofMillis(200)))) {
			HeldMessage held = new HeldMessage("held");
			Future<SendResult> holder = this.threads.submit(() -> client.send(ENVELOPE, held));
			held.awaitWriting();

			long started = System.nanoTime();
			Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(2)));
			Duration waited = Duration.ofNanos(System.nanoTime() - started);

			assertThat(thrown).isInstanceOfSatisfying(SmtpPoolTimeoutException.class, (ex) -> {
				assertThat(ex).hasMessageContaining("(total=1, active=1, idle=0, waiting=")
					.hasMessageContaining("127.0.0.1:" + this.greenMail.getSmtp().getPort());
				assertThat(ex.stats().active()).isEqualTo(1);
				assertThat(ex.stats().total()).isEqualTo(1);
			});
			assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(100)).isLessThan(Duration.ofSeconds(5));

			held.release();
			assertThat(holder.get(10, TimeUnit.SECONDS).accepted()).containsExactly(TO);
			assertThat(client.send(ENVELOPE, message(3)).accepted()).containsExactly(TO);
			assertThat(client.poolStats().created()).isEqualTo(1);
		}
		assertThat(this.greenMail.waitForIncomingEmail(5000, 2)).isTrue();
		assertThat(this.greenMail.getReceivedMessages()).extracting(MimeMessage::getSubject)
			.containsExactlyInAnyOrder("held", "message 3");
		assertThat(events.sends()).extracting(SendFinished::outcome)
			.containsExactlyInAnyOrder(SendOutcome.FAILED, SendOutcome.ACCEPTED, SendOutcome.ACCEPTED);
		// The real wait, at least maxWait, not the configured value.
		assertThat(events.borrowTimeouts()).singleElement()
			.satisfies((waited) -> assertThat(waited).isBetween(Duration.ofMillis(200), Duration.ofSeconds(5)));
	}

	@Test
	void sessionsBeyondMaxIdleAreClosedWhenTheyComeBack() throws Exception {
		startGreenMail();
		RecordingListener events = new RecordingListener();
		try (SmtpClient client = greenMailClient(events, PoolConfig.builder().maxTotal(2).maxIdle(1))) {
			HeldMessage first = new HeldMessage("first");
			HeldMessage second = new HeldMessage("second");
			Future<SendResult> firstSend = this.threads.submit(() -> client.send(ENVELOPE, first));
			Future<SendResult> secondSend = this.threads.submit(() -> client.send(ENVELOPE, second));
			first.awaitWriting();
			second.awaitWriting();
			assertThat(client.poolStats().active()).isEqualTo(2);

			first.release();
			firstSend.get(10, TimeUnit.SECONDS);
			second.release();
			secondSend.get(10, TimeUnit.SECONDS);

			assertThat(client.poolStats()).satisfies((stats) -> {
				assertThat(stats.idle()).isEqualTo(1);
				assertThat(stats.total()).isEqualTo(1);
				assertThat(stats.created()).isEqualTo(2);
				assertThat(stats.destroyed()).isEqualTo(1);
			});
		}
		assertThat(events.destroyReasons()).containsExactly("max idle", "pool closed");
	}

	// ---------------------------------------------------------------- rotation

	@Test
	void maxMessagesPerConnectionRotatesTheConnection() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(opens(server))));
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).eventListener(events)
				.pool(PoolConfig.builder().maxMessagesPerConnection(2).build())
				.build()) {
				for (int i = 1; i <= 3; i++) {
					assertThat(client.send(ENVELOPE, message(i)).accepted()).containsExactly(TO);
				}
				assertThat(client.poolStats().created()).isEqualTo(2);
				assertThat(client.poolStats().destroyed()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			assertThat(server.commands()).containsExactlyElementsOf(dialogue(List.of(1, 2), List.of(3)));
			server.assertNoFailures();
			assertThat(server.unexpectedCommands()).isEmpty();
		}
		assertThat(events.destroyReasons()).containsExactly("max messages per connection", "pool closed");
		assertThat(events.sends()).extracting(SendFinished::attempts).containsExactly(1, 1, 1);
	}

	@Test
	void maxLifetimeRotatesTheConnection() throws Exception {
		RecordingListener events = new RecordingListener();
		MutableClock clock = new MutableClock();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(opens(server))));
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).eventListener(events)
				.clock(clock)
				.pool(PoolConfig.builder()
					.maxLifetime(Duration.ofMinutes(10))
					.idleTimeout(Duration.ofHours(1))
					.validateAfterIdle(Duration.ofHours(1))
					.build())
				.build()) {
				client.send(ENVELOPE, message(1));
				// Younger than the lifetime even with its jitter (at most 2.5% shorter): reused.
				clock.advance(Duration.ofMinutes(9));
				client.send(ENVELOPE, message(2));
				clock.advance(Duration.ofMinutes(2));
				client.send(ENVELOPE, message(3));
				assertThat(client.poolStats().created()).isEqualTo(2);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			assertThat(server.commands()).containsExactlyElementsOf(dialogue(List.of(1, 2), List.of(3)));
			server.assertNoFailures();
		}
		assertThat(events.destroyReasons()).containsExactly("max lifetime", "pool closed");
		assertThat(events.sends()).extracting(SendFinished::attempts).containsExactly(1, 1, 1);
	}

	@Test
	void sessionIdleLongerThanIdleTimeoutIsReplacedByANewConnection() throws Exception {
		RecordingListener events = new RecordingListener();
		MutableClock clock = new MutableClock();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(opens(server))));
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).eventListener(events)
				.clock(clock)
				.pool(PoolConfig.builder()
					.idleTimeout(Duration.ofSeconds(30))
					.validateAfterIdle(Duration.ofHours(1))
					.build())
				.build()) {
				client.send(ENVELOPE, message(1));
				clock.advance(Duration.ofSeconds(20));
				client.send(ENVELOPE, message(2));
				// Idle time counts from the last return, not from creation.
				clock.advance(Duration.ofSeconds(31));
				client.send(ENVELOPE, message(3));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			assertThat(server.commands()).containsExactlyElementsOf(dialogue(List.of(1, 2), List.of(3)));
			server.assertNoFailures();
		}
		assertThat(events.destroyReasons()).containsExactly("idle timeout", "pool closed");
	}

	// ---------------------------------------------------------------- validation after idle time

	@ParameterizedTest
	@EnumSource(ValidationCommand.class)
	void sessionIdleLongerThanValidateAfterIdleIsCheckedBeforeTheNextTransaction(ValidationCommand command)
			throws Exception {
		MutableClock clock = new MutableClock();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			accepts(opens(server)).reply("250 2.0.0 ok");
			quits(accepts(server));
			try (SmtpClient client = clientFor(server).clock(clock)
				.pool(PoolConfig.builder()
					.validateAfterIdle(Duration.ofSeconds(5))
					.validationCommand(command)
					.build())
				.build()) {
				client.send(ENVELOPE, message(1));
				clock.advance(Duration.ofSeconds(6));
				client.send(ENVELOPE, message(2));
				assertThat(client.poolStats().created()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>();
			expected.add(EHLO_LINE);
			expected.addAll(transaction(1));
			expected.add(command.name());
			expected.addAll(transaction(2));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			server.assertNoFailures();
			assertThat(server.unexpectedCommands()).isEmpty();
		}
	}

	@Test
	void sessionIdleShorterThanValidateAfterIdleIsLentWithoutACheck() throws Exception {
		MutableClock clock = new MutableClock();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(opens(server))));
			try (SmtpClient client = clientFor(server).clock(clock)
				.pool(PoolConfig.builder().validateAfterIdle(Duration.ofSeconds(5)).build())
				.build()) {
				client.send(ENVELOPE, message(1));
				clock.advance(Duration.ofSeconds(4));
				client.send(ENVELOPE, message(2));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(dialogue(List.of(1, 2)));
			assertThat(server.commands()).doesNotContain("RSET", "NOOP");
			server.assertNoFailures();
		}
	}

	@Test
	void sessionThatFailsItsValidationIsReplacedWithoutCountingAsARetry() throws Exception {
		RecordingListener events = new RecordingListener();
		MutableClock clock = new MutableClock();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// The server closed the idle connection: RSET meets end of stream.
			accepts(opens(server)).disconnectAfterRead();
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).eventListener(events)
				.clock(clock)
				.pool(PoolConfig.builder().validateAfterIdle(Duration.ofSeconds(5)).build())
				.build()) {
				client.send(ENVELOPE, message(1));
				clock.advance(Duration.ofSeconds(10));
				assertThat(client.send(ENVELOPE, message(2)).accepted()).containsExactly(TO);
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>();
			expected.add(EHLO_LINE);
			expected.addAll(transaction(1));
			expected.add("RSET");
			expected.add(EHLO_LINE);
			expected.addAll(transaction(2));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			server.assertNoFailures();
		}
		assertThat(events.destroyReasons()).hasSize(2).first().asString().startsWith("validation failed");
		assertThat(events.sends()).extracting(SendFinished::attempts).containsExactly(1, 1);
	}

	@Test
	void validationOfASilentlyDeadSessionGivesUpAfterTheValidationTimeoutNotTheReplyTimeout() throws Exception {
		RecordingListener events = new RecordingListener();
		MutableClock clock = new MutableClock();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// A connection a firewall dropped without a word: the RSET is never answered.
			accepts(opens(server)).stall();
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).eventListener(events)
				.clock(clock)
				.timeout(Duration.ofSeconds(60))
				.pool(PoolConfig.builder()
					.validateAfterIdle(Duration.ofSeconds(5))
					.validationTimeout(Duration.ofMillis(300))
					.build())
				.build()) {
				client.send(ENVELOPE, message(1));
				clock.advance(Duration.ofSeconds(10));

				// Bounded far below the 60 s reply timeout: the check alone may take 300 ms.
				SendResult result = assertTimeoutPreemptively(Duration.ofSeconds(15),
						() -> client.send(ENVELOPE, message(2)));

				assertThat(result.accepted()).containsExactly(TO);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			server.assertNoFailures();
		}
		assertThat(events.destroyReasons()).first().isEqualTo("validation failed");
	}

	@Test
	void sessionWhoseValidationIsAnswered421IsDroppedWithoutQuit() throws Exception {
		RecordingListener events = new RecordingListener();
		MutableClock clock = new MutableClock();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// The server says it is closing the idle connection, but has not closed it yet.
			accepts(opens(server)).reply("421 4.4.2 idle too long, closing");
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).eventListener(events)
				.clock(clock)
				.pool(PoolConfig.builder().validateAfterIdle(Duration.ofSeconds(5)).build())
				.build()) {
				client.send(ENVELOPE, message(1));
				clock.advance(Duration.ofSeconds(10));
				assertThat(client.send(ENVELOPE, message(2)).accepted()).containsExactly(TO);
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>();
			expected.add(EHLO_LINE);
			expected.addAll(transaction(1));
			expected.add("RSET");
			// No QUIT to the closing server: it would wait a whole reply timeout for nothing.
			expected.add(EHLO_LINE);
			expected.addAll(transaction(2));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			server.assertNoFailures();
			assertThat(server.unexpectedCommands()).isEmpty();
		}
		assertThat(events.destroyReasons()).hasSize(2).first().isEqualTo("service closing");
	}

	// ---------------------------------------------------------------- statistics and closing

	@Test
	void poolStatsCountCreatedDestroyedIdleActiveAndWaitingSessions() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(opens(server))));
			SmtpClient client = clientFor(server)
				.pool(PoolConfig.builder().maxTotal(1).maxWait(Duration.ofSeconds(10)).build())
				.build();
			try {
				assertThat(client.poolStats()).isEqualTo(new PoolStats(0, 0, 0, 0, 0, 0));

				HeldMessage held = new HeldMessage("held");
				Future<SendResult> first = this.threads.submit(() -> client.send(ENVELOPE, held));
				held.awaitWriting();
				assertThat(client.poolStats()).isEqualTo(new PoolStats(1, 1, 0, 0, 1, 0));

				Future<SendResult> second = this.threads.submit(() -> client.send(ENVELOPE, message(2)));
				await().atMost(WAIT).until(() -> client.poolStats().waiting() == 1);
				assertThat(client.poolStats().toString()).isEqualTo("(total=1, active=1, idle=0, waiting=1)");

				held.release();
				first.get(10, TimeUnit.SECONDS);
				second.get(10, TimeUnit.SECONDS);
				assertThat(client.poolStats()).isEqualTo(new PoolStats(1, 0, 1, 0, 1, 0));
			}
			finally {
				client.close();
			}
			assertThat(client.poolStats()).isEqualTo(new PoolStats(0, 0, 0, 0, 1, 1));
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void closeEndsIdleSessionsWithQuitAndLaterSendsAreRefused() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(opens(server)));
			SmtpClient client = clientFor(server).eventListener(events).build();
			client.send(ENVELOPE, message(1));

			client.close();

			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).last().isEqualTo("QUIT");
			assertThat(client.isClosed()).isTrue();
			assertThat(client.poolStats().total()).isZero();
			assertThatIllegalStateException().isThrownBy(() -> client.send(ENVELOPE, message(2)));
			client.close();
			assertThat(server.connectionCount()).isEqualTo(1);
			server.assertNoFailures();
			assertThat(server.unexpectedCommands()).isEmpty();
		}
		assertThat(events.destroyReasons()).containsExactly("pool closed");
	}

	@Test
	void sessionLentWhenTheClientIsClosedIsEndedWhenItComesBack() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(opens(server)));
			SmtpClient client = clientFor(server).eventListener(events).build();
			HeldMessage held = new HeldMessage("held");
			Future<SendResult> inFlight = this.threads.submit(() -> client.send(ENVELOPE, held));
			held.awaitWriting();

			client.close();
			assertThatIllegalStateException().isThrownBy(() -> client.send(ENVELOPE, message(2)));
			held.release();

			assertThat(inFlight.get(10, TimeUnit.SECONDS).accepted()).containsExactly(TO);
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).last().isEqualTo("QUIT");
			assertThat(client.poolStats().total()).isZero();
			assertThat(client.poolStats().destroyed()).isEqualTo(1);
			server.assertNoFailures();
		}
		assertThat(events.destroyReasons()).containsExactly("pool closed");
	}

	// ---------------------------------------------------------------- helpers

	private void startGreenMail() {
		this.greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
		this.greenMail.start();
	}

	private SmtpClient greenMailClient(SmtpEventListener listener, PoolConfig.Builder pool) {
		return SmtpClient.builder()
			.host("127.0.0.1")
			.port(this.greenMail.getSmtp().getPort())
			.tls(TlsMode.NONE)
			.localHostname("client.test")
			.timeout(WAIT)
			.eventListener(listener)
			.pool(pool.build())
			.build();
	}

	/** The commands of connections that each carried these messages, each connection ended by QUIT. */
	@SafeVarargs
	private static List<String> dialogue(List<Integer>... connections) {
		List<String> commands = new ArrayList<>();
		for (List<Integer> messages : connections) {
			commands.add(EHLO_LINE);
			messages.forEach((number) -> commands.addAll(transaction(number)));
			commands.add("QUIT");
		}
		return commands;
	}

	/**
	 * A message that holds its session: it writes its headers, then waits (bounded) until the test
	 * releases it, so a test can keep a session lent for as long as it needs.
	 */
	static final class HeldMessage implements MessageSource {

		private final String subject;

		private final CountDownLatch writing = new CountDownLatch(1);

		private final CountDownLatch released = new CountDownLatch(1);

		HeldMessage(String subject) {
			this.subject = subject;
		}

		@Override
		public long size() {
			return -1;
		}

		@Override
		public void writeTo(OutputStream out) throws IOException {
			out.write(("Subject: " + this.subject + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
			this.writing.countDown();
			try {
				if (!this.released.await(10, TimeUnit.SECONDS)) {
					throw new IOException("The test did not release the message within 10 s");
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
