package io.github.smtpkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpClientPoolTests.HeldMessage;
import io.github.smtpkit.SmtpClientTestSupport.MutableClock;
import io.github.smtpkit.SmtpClientTestSupport.RecordingListener;
import io.github.smtpkit.pool.PoolConfig;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.accepts;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.message;
import static io.github.smtpkit.SmtpClientTestSupport.opens;
import static io.github.smtpkit.SmtpClientTestSupport.quits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * What a health check builds on: {@link SmtpClient#lastReplyTime()}, the evidence the pool already
 * has that the server answers, and {@link SmtpClient#tryPing(Duration)}, which asks with NOOP
 * without ever waiting behind sends or logging in while a session exists.
 */
@Timeout(30)
class SmtpClientProbeTests {

	private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private final MutableClock clock = new MutableClock();

	@AfterEach
	void stopThreads() {
		this.threads.shutdownNow();
	}

	// ---------------------------------------------------------------- the evidence

	@Test
	void lastReplyTimeIsEmptyUntilTheServerAnswersThenFollowsEveryAnsweredMessage() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			accepts(opens(server));
			// The second message is refused after its data: an answer all the same.
			quits(server.reply("250 2.1.0 sender ok")
				.reply("250 2.1.5 recipient ok")
				.reply("354 go ahead")
				.reply("554 5.7.1 looks like spam"));
			try (SmtpClient client = clientFor(server).clock(this.clock).build()) {
				assertThat(client.lastReplyTime()).isEmpty();
				assertThat(client.clock()).isSameAs(this.clock);
				Instant started = this.clock.instant();

				this.clock.advance(Duration.ofSeconds(1));
				client.send(ENVELOPE, message(1));
				assertThat(client.lastReplyTime()).contains(started.plusSeconds(1));

				// Less than validateAfterIdle (5 s): no RSET before the next message.
				this.clock.advance(Duration.ofSeconds(3));
				assertThatExceptionOfType(SmtpDataException.class).isThrownBy(() -> client.send(ENVELOPE, message(2)));
				assertThat(client.lastReplyTime()).contains(started.plusSeconds(4));
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void aSessionOpenedReadyIsEvidenceButAFailedConnectionIsNot() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		try (SmtpClient client = SmtpClient.builder().host("127.0.0.1").port(closedPort).tls(TlsMode.NONE)
			.clock(this.clock)
			.build()) {
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> client.send(ENVELOPE, message(1)));
			assertThat(client.lastReplyTime()).isEmpty();
		}
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			opens(server).reply("250 2.0.0 ok");
			quits(server);
			try (SmtpClient client = clientFor(server).clock(this.clock).build()) {
				assertThat(client.ping(WAIT).code()).isEqualTo(250);
				assertThat(client.lastReplyTime()).contains(this.clock.instant());
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	// ---------------------------------------------------------------- tryPing

	@Test
	void tryPingAsksAnIdleSessionWithNoopOverTheSameConnection() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			accepts(opens(server)).reply("250 2.0.0 still here");
			quits(server);
			try (SmtpClient client = clientFor(server).clock(this.clock).build()) {
				client.send(ENVELOPE, message(1));
				// Idle for less than validateAfterIdle (5 s): lent without RSET, so NOOP is the only check.
				this.clock.advance(Duration.ofSeconds(3));

				assertThat(client.tryPing(PROBE_TIMEOUT)).contains(new SmtpReply(250, "2.0.0 still here"));
				assertThat(client.lastReplyTime()).contains(this.clock.instant());
				assertThat(client.poolStats().idle()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(1);
			assertThat(server.commands()).contains("NOOP").doesNotContain("RSET").endsWith("NOOP", "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void tryPingAsksNothingAndOpensNothingWhileEverySessionIsBusy() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			accepts(opens(server));
			quits(server);
			try (SmtpClient client = clientFor(server).clock(this.clock)
				.eventListener(events)
				.pool(PoolConfig.builder().maxTotal(2).build())
				.build()) {
				HeldMessage held = new HeldMessage("held");
				Future<SendResult> send = this.threads.submit(() -> client.send(ENVELOPE, held));
				held.awaitWriting();
				// One session of two, lent: the pool has room, but a session exists.
				assertThat(client.poolStats().total()).isEqualTo(1);

				long started = System.nanoTime();
				Optional<SmtpReply> reply = client.tryPing(PROBE_TIMEOUT);
				Duration took = Duration.ofNanos(System.nanoTime() - started);

				assertThat(reply).isEmpty();
				assertThat(took).isLessThan(PROBE_TIMEOUT);
				assertThat(client.poolStats().created()).isEqualTo(1);
				held.release();
				assertThat(send.get(10, TimeUnit.SECONDS).isFullyAccepted()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(1);
			assertThat(server.commands()).doesNotContain("NOOP");
			server.assertNoFailures();
		}
		assertThat(events.count("sessionBorrowed")).isEqualTo(1);
		assertThat(events.count("sessionCreated")).isEqualTo(1);
	}

	@Test
	void tryPingClosesASessionIdlePastItsIdleTimeoutAndAsksOverANewOne() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(opens(server).reply("250 2.0.0 first"));
			quits(opens(server).reply("250 2.0.0 second"));
			try (SmtpClient client = clientFor(server).clock(this.clock)
				.eventListener(events)
				.pool(PoolConfig.builder().idleTimeout(Duration.ofSeconds(60)).build())
				.build()) {
				// An empty pool: a session is opened to ask, and stays.
				assertThat(client.tryPing(PROBE_TIMEOUT)).contains(new SmtpReply(250, "2.0.0 first"));
				assertThat(client.poolStats().idle()).isEqualTo(1);

				this.clock.advance(Duration.ofSeconds(61));
				assertThat(client.tryPing(PROBE_TIMEOUT)).contains(new SmtpReply(250, "2.0.0 second"));
				assertThat(client.poolStats().created()).isEqualTo(2);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP", "QUIT", "EHLO client.test", "NOOP",
					"QUIT");
			server.assertNoFailures();
		}
		assertThat(events.destroyReasons()).containsExactly("idle timeout", "pool closed");
	}

	@Test
	void tryPingClosesAPooledSessionTheServerDroppedAndAsksOverANewOneWhenNoneIsBusy() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			opens(server).reply("250 2.0.0 ok").disconnectAfterRead();
			quits(opens(server).reply("250 2.0.0 fresh"));
			try (SmtpClient client = clientFor(server).clock(this.clock).build()) {
				client.tryPing(PROBE_TIMEOUT);

				assertThat(client.tryPing(PROBE_TIMEOUT)).contains(new SmtpReply(250, "2.0.0 fresh"));
				assertThat(client.poolStats().created()).isEqualTo(2);
				assertThat(client.poolStats().destroyed()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void tryPingGivesUpOnASilentPooledSessionAfterItsTimeoutNotTheReplyTimeout() throws Exception {
		Duration probeTimeout = Duration.ofMillis(300);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			opens(server).reply("250 2.0.0 ok").stall();
			quits(opens(server).reply("250 2.0.0 fresh"));
			try (SmtpClient client = clientFor(server).clock(this.clock).timeout(Duration.ofSeconds(20)).build()) {
				client.tryPing(PROBE_TIMEOUT);

				long started = System.nanoTime();
				assertThat(client.tryPing(probeTimeout)).contains(new SmtpReply(250, "2.0.0 fresh"));
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void tryPingFailsWhenNoSessionExistsAndNoneCanBeOpened() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		try (SmtpClient client = SmtpClient.builder().host("127.0.0.1").port(closedPort).tls(TlsMode.NONE).build()) {
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> client.tryPing(PROBE_TIMEOUT))
				.withMessageContaining("127.0.0.1:" + closedPort);
			assertThatIllegalArgumentException().isThrownBy(() -> client.tryPing(Duration.ZERO))
				.withMessageContaining("replyTimeout");
		}
	}

}
