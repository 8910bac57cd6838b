package io.github.smtpkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.github.smtpkit.SmtpClientTestSupport.RecordingListener;
import io.github.smtpkit.SmtpClientTestSupport.SendFinished;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.FROM;
import static io.github.smtpkit.SmtpClientTestSupport.TO;
import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.accepts;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.message;
import static io.github.smtpkit.SmtpClientTestSupport.opens;
import static io.github.smtpkit.SmtpClientTestSupport.quits;
import static io.github.smtpkit.SmtpClientTestSupport.received;
import static io.github.smtpkit.SmtpClientTestSupport.texts;
import static io.github.smtpkit.SmtpClientTestSupport.transaction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * How {@link SmtpClient} heals: a pooled session the server closed is replaced and the send
 * retried once, transparently; a session that saw a 421, a disconnect or a timeout is destroyed;
 * a connection lost after the final dot is reported as ambiguous and never retried; a definite
 * refusal leaves the session in the pool.
 */
@Timeout(30)
class SmtpClientHealingTests {

	private static final String EHLO_LINE = "EHLO client.test";

	private static final String SERVICE_CLOSING = "421 4.3.2 service shutting down";

	/** Where in a transaction the server answers 421. */
	enum Stage {

		MAIL, RCPT, DATA

	}

	// ---------------------------------------------------------------- stale pooled connections

	@Test
	void idleSessionClosedByTheServerIsReplacedAndTheSendSucceedsOnceOnANewConnection() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			accepts(opens(server)).disconnect();
			try (SmtpClient client = clientFor(server).eventListener(events).build()) {
				client.send(ENVELOPE, message(1));
				// The server has hung up on the idle pooled session; the client does not know yet.
				server.awaitScriptDone(WAIT);
				quits(accepts(opens(server)));

				SendResult result = client.send(ENVELOPE, message(2));

				assertThat(result.accepted()).containsExactly(TO);
				assertThat(result.isFullyAccepted()).isTrue();
				assertThat(result.finalReply().code()).isEqualTo(250);
				assertThat(client.poolStats()).satisfies((stats) -> {
					assertThat(stats.created()).isEqualTo(2);
					assertThat(stats.destroyed()).isEqualTo(1);
					assertThat(stats.idle()).isEqualTo(1);
					assertThat(stats.active()).isZero();
				});
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2));
			server.assertNoFailures();
			assertThat(server.unexpectedCommands()).isEmpty();
		}
		assertThat(events.destroyReasons()).first().asString().startsWith("broken: SmtpServerDisconnectedException");
		assertThat(events.sends()).extracting(SendFinished::outcome, SendFinished::attempts)
			.containsExactly(tuple(SendOutcome.ACCEPTED, 1),
					tuple(SendOutcome.ACCEPTED, 2));
	}

	@Test
	void serverThatAnswersMailWithEndOfStreamOnAReusedSessionGetsTheMessageOnceOnANewConnection()
			throws Exception {
		RecordingListener events = new RecordingListener();
		AtomicInteger opened = new AtomicInteger();
		MessageSource streamed = MessageSource.of(() -> {
			opened.incrementAndGet();
			return new ByteArrayInputStream(message(2));
		}, message(2).length);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			accepts(opens(server)).disconnectAfterRead();
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).eventListener(events).build()) {
				client.send(ENVELOPE, message(1));
				SendResult result = client.send(ENVELOPE, streamed);
				assertThat(result.accepted()).containsExactly(TO);
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>();
			expected.add(EHLO_LINE);
			expected.addAll(transaction(1));
			expected.add(transaction(2).get(0));
			expected.add(EHLO_LINE);
			expected.addAll(transaction(2));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2));
			assertThat(server.connectionCount()).isEqualTo(2);
			server.assertNoFailures();
			assertThat(server.unexpectedCommands()).isEmpty();
		}
		assertThat(opened).as("the message source was opened for the one attempt that got to DATA").hasValue(1);
		assertThat(events.destroyReasons()).hasSize(2)
			.first()
			.asString()
			.startsWith("broken: SmtpServerDisconnectedException");
		assertThat(events.sends()).last().satisfies((send) -> {
			assertThat(send.outcome()).isEqualTo(SendOutcome.ACCEPTED);
			assertThat(send.attempts()).isEqualTo(2);
		});
	}

	// ---------------------------------------------------------------- 421

	@ParameterizedTest
	@EnumSource(Stage.class)
	void serviceClosingOnAReusedSessionIsRetriedOnceOnAFreshConnection(Stage stage) throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			closes(accepts(opens(server)), stage);
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).eventListener(events).build()) {
				client.send(ENVELOPE, message(1));
				SendResult result = client.send(ENVELOPE, message(2));
				assertThat(result.accepted()).containsExactly(TO);
				assertThat(client.poolStats().created()).isEqualTo(2);
				assertThat(client.poolStats().idle()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>();
			expected.add(EHLO_LINE);
			expected.addAll(transaction(1));
			expected.addAll(transaction(2).subList(0, stage.ordinal() + 1));
			// No QUIT after the 421: the server is closing the connection (RFC 5321 3.8).
			expected.add(EHLO_LINE);
			expected.addAll(transaction(2));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2));
			server.assertNoFailures();
			assertThat(server.unexpectedCommands()).isEmpty();
		}
		assertThat(events.destroyReasons()).first().isEqualTo("service closing");
		assertThat(events.sends()).last().satisfies((send) -> {
			assertThat(send.outcome()).isEqualTo(SendOutcome.ACCEPTED);
			assertThat(send.attempts()).isEqualTo(2);
		});
	}

	@ParameterizedTest
	@EnumSource(Stage.class)
	void serviceClosingOnAFreshSessionIsNotRetriedAndTheSessionIsDestroyed(Stage stage) throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			closes(opens(server), stage);
			try (SmtpClient client = clientFor(server).eventListener(events).build()) {
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(1)));

				switch (stage) {
					case MAIL -> assertThat(thrown).isInstanceOfSatisfying(SmtpSenderRefusedException.class, (ex) -> {
						assertThat(ex.smtpCode()).isEqualTo(421);
						assertThat(ex.sender()).isEqualTo(FROM);
					});
					case RCPT -> assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
							(ex) -> assertThat(ex.recipients()).containsOnlyKeys(TO)
								.extractingByKey(TO)
								.extracting(SmtpReply::code)
								.isEqualTo(421));
					case DATA -> assertThat(thrown).isInstanceOfSatisfying(SmtpDataException.class,
							(ex) -> assertThat(ex.smtpCode()).isEqualTo(421));
				}
				assertThat(client.poolStats()).satisfies((stats) -> {
					assertThat(stats.idle()).isZero();
					assertThat(stats.total()).isZero();
					assertThat(stats.created()).isEqualTo(1);
					assertThat(stats.destroyed()).isEqualTo(1);
				});
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>();
			expected.add(EHLO_LINE);
			expected.addAll(transaction(1).subList(0, stage.ordinal() + 1));
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			assertThat(server.connectionCount()).isEqualTo(1);
			assertThat(server.messages()).isEmpty();
			server.assertNoFailures();
			assertThat(server.unexpectedCommands()).isEmpty();
		}
		assertThat(events.destroyReasons()).singleElement().isEqualTo("service closing");
		assertThat(events.count("connectStart")).isEqualTo(1);
		assertThat(events.sends()).singleElement().satisfies((send) -> {
			assertThat(send.outcome()).isEqualTo(SendOutcome.REFUSED);
			assertThat(send.attempts()).isEqualTo(1);
		});
	}

	// ---------------------------------------------------------------- after the final dot

	@Test
	void connectionLostAfterTheFinalDotIsAmbiguousAndNeverRetried() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			accepts(opens(server)).reply("250 2.1.0 sender ok")
				.reply("250 2.1.5 recipient ok")
				.reply("354 go ahead")
				.disconnectAfterRead();
			try (SmtpClient client = clientFor(server).eventListener(events).build()) {
				client.send(ENVELOPE, message(1));
				// A reused session, the case where a lost connection before the dot would be retried.
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(2)));

				assertThat(thrown).isInstanceOf(SmtpAmbiguousOutcomeException.class)
					.hasMessageContaining("may have been delivered")
					.hasCauseInstanceOf(SmtpServerDisconnectedException.class);
				assertThat(client.poolStats().idle()).isZero();
				assertThat(client.poolStats().created()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(1);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2));
			server.assertNoFailures();
		}
		assertThat(events.count("connectStart")).as("no second connection for a retry").isEqualTo(1);
		assertThat(events.destroyReasons()).singleElement().asString().startsWith("broken: ");
		assertThat(events.sends()).last().satisfies((send) -> {
			assertThat(send.outcome()).isEqualTo(SendOutcome.UNKNOWN);
			assertThat(send.attempts()).isEqualTo(1);
		});
	}

	@Test
	void serverThatNeverAnswersTheFinalDotMakesTheOutcomeAmbiguousWithinTheTimeout() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			opens(server).reply("250 2.1.0 sender ok").reply("250 2.1.5 recipient ok").reply("354 go ahead").stall();
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(Duration.ofMillis(500)).build()) {
				Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(10),
						() -> catchThrowable(() -> client.send(ENVELOPE, message(1))));

				assertThat(thrown).isInstanceOf(SmtpAmbiguousOutcomeException.class)
					.hasCauseInstanceOf(SmtpTimeoutException.class);
				assertThat(client.poolStats().idle()).isZero();
			}
			assertThat(server.connectionCount()).isEqualTo(1);
			assertThat(texts(server.messages())).containsExactly(received(1));
			server.assertNoFailures();
		}
		assertThat(events.count("connectStart")).isEqualTo(1);
		assertThat(events.sends()).singleElement().extracting(SendFinished::outcome).isEqualTo(SendOutcome.UNKNOWN);
	}

	// ---------------------------------------------------------------- servers that do not answer

	@Test
	void serverThatStopsAnsweringFailsTheSendWithinTheTimeout() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			opens(server).stall();
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(Duration.ofMillis(500)).build()) {
				Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(10),
						() -> catchThrowable(() -> client.send(ENVELOPE, message(1))));

				assertThat(thrown).isInstanceOf(SmtpTimeoutException.class)
					.hasMessageContaining("MAIL")
					.hasMessageContaining(server.host() + ":" + server.port());
				assertThat(client.poolStats().idle()).isZero();
				assertThat(client.poolStats().destroyed()).isEqualTo(1);
			}
			assertThat(server.commands()).containsExactly(EHLO_LINE, transaction(1).get(0));
			server.assertNoFailures();
		}
		assertThat(events.destroyReasons()).singleElement().asString().startsWith("broken: SmtpTimeoutException");
		assertThat(events.sends()).singleElement().satisfies((send) -> {
			assertThat(send.outcome()).isEqualTo(SendOutcome.FAILED);
			assertThat(send.attempts()).isEqualTo(1);
		});
	}

	@Test
	void serverThatNeverGreetsFailsTheSendWithinTheTimeout() throws Exception {
		RecordingListener events = new RecordingListener();
		// No script: the server accepts the connection and says nothing.
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(Duration.ofMillis(500)).build()) {
				Throwable thrown = assertTimeoutPreemptively(Duration.ofSeconds(10),
						() -> catchThrowable(() -> client.send(ENVELOPE, message(1))));

				assertThat(thrown).isInstanceOf(SmtpTimeoutException.class).hasMessageContaining("greeting");
				assertThat(client.poolStats().total()).isZero();
				assertThat(client.poolStats().created()).isZero();
			}
			assertThat(server.commands()).isEmpty();
			server.assertNoFailures();
		}
		assertThat(events.sends()).singleElement().extracting(SendFinished::outcome).isEqualTo(SendOutcome.FAILED);
	}

	// ---------------------------------------------------------------- definite refusals keep the session

	@Test
	void refusedOnlyRecipientKeepsTheSessionInThePoolForTheNextSend() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			opens(server).reply("250 2.1.0 sender ok").reply("550 5.1.1 no such user").reply("250 2.0.0 reset");
			quits(accepts(server));
			try (SmtpClient client = clientFor(server).eventListener(events).build()) {
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(1)));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
						(ex) -> assertThat(ex.recipients()).extractingByKey(TO)
							.extracting(SmtpReply::code)
							.isEqualTo(550));
				assertThat(client.poolStats().idle()).isEqualTo(1);
				assertThat(client.poolStats().destroyed()).isZero();

				SendResult result = client.send(ENVELOPE, message(2));

				assertThat(result.accepted()).containsExactly(TO);
				assertThat(client.poolStats().created()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(1);
			List<String> expected = new ArrayList<>();
			expected.add(EHLO_LINE);
			expected.addAll(transaction(1).subList(0, 2));
			expected.add("RSET");
			expected.addAll(transaction(2));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			server.assertNoFailures();
			assertThat(server.unexpectedCommands()).isEmpty();
		}
		assertThat(events.sends()).extracting(SendFinished::outcome)
			.containsExactly(SendOutcome.REFUSED, SendOutcome.ACCEPTED);
		assertThat(events.destroyReasons()).containsExactly("pool closed");
	}

	@Test
	void messageRefusedAfterTheFinalDotIsADefiniteRefusalNotAnAmbiguousOne() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			opens(server).reply("250 2.1.0 sender ok")
				.reply("250 2.1.5 recipient ok")
				.reply("354 go ahead")
				.reply("554 5.7.1 rejected as spam")
				.reply("250 2.0.0 reset");
			quits(server);
			try (SmtpClient client = clientFor(server).eventListener(events).build()) {
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(1)));

				assertThat(thrown).isExactlyInstanceOf(SmtpDataException.class);
				assertThat(((SmtpDataException) thrown).smtpCode()).isEqualTo(554);
				assertThat(client.poolStats().idle()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).endsWith("DATA", "RSET", "QUIT");
			server.assertNoFailures();
		}
		assertThat(events.sends()).singleElement().satisfies((send) -> {
			assertThat(send.outcome()).isEqualTo(SendOutcome.REFUSED);
			assertThat(send.attempts()).isEqualTo(1);
		});
	}

	@Test
	void somethingThatIsNotAReplyAfterTheFinalDotIsAmbiguousNotARefusal() throws Exception {
		for (String notAReply : List.of("ok, got it", "2_5 queued", "354 go ahead again")) {
			RecordingListener events = new RecordingListener();
			try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
				// The server has the whole message: a caller told "refused" would send it twice.
				opens(server).reply("250 2.1.0 sender ok")
					.reply("250 2.1.5 recipient ok")
					.reply("354 go ahead")
					.reply(notAReply)
					.awaitClose();
				try (SmtpClient client = clientFor(server).eventListener(events).build()) {
					Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(1)));

					assertThat(thrown).as(notAReply).isInstanceOf(SmtpAmbiguousOutcomeException.class)
						.hasMessageContaining("may have accepted it");
					assertThat(client.poolStats().idle()).isZero();
				}
				server.awaitScriptDone(WAIT);
				assertThat(server.connectionCount()).isEqualTo(1);
				server.assertNoFailures();
			}
			assertThat(events.sends()).singleElement().satisfies((send) -> {
				assertThat(send.outcome()).as(notAReply).isEqualTo(SendOutcome.UNKNOWN);
				assertThat(send.attempts()).isEqualTo(1);
			});
		}
	}

	@Test
	void dataCommandRefusedIsResetBeforeTheSessionServesTheNextSend() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// Without the RSET the session would go back mid-transaction, and the next MAIL would be
			// refused as a nested one (503) through no fault of its message.
			opens(server).reply("250 2.1.0 sender ok")
				.reply("250 2.1.5 recipient ok")
				.reply("451 4.3.0 try again later")
				.reply("250 2.0.0 reset");
			quits(accepts(server));
			try (SmtpClient client = clientFor(server).build()) {
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(1)));
				SendResult next = client.send(ENVELOPE, message(2));

				assertThat(thrown).isInstanceOfSatisfying(SmtpDataException.class,
						(ex) -> assertThat(ex.smtpCode()).isEqualTo(451));
				assertThat(next.isFullyAccepted()).isTrue();
				assertThat(client.poolStats().created()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>();
			expected.add(EHLO_LINE);
			expected.addAll(transaction(1));
			expected.add("RSET");
			expected.addAll(transaction(2));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			assertThat(texts(server.messages())).containsExactly(received(2));
			server.assertNoFailures();
		}
	}

	@Test
	void serviceClosingAfterTheFinalDotOnAReusedSessionIsNotRetried() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			accepts(opens(server)).reply("250 2.1.0 sender ok")
				.reply("250 2.1.5 recipient ok")
				.reply("354 go ahead")
				.reply(SERVICE_CLOSING);
			try (SmtpClient client = clientFor(server).eventListener(events).build()) {
				client.send(ENVELOPE, message(1));
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(2)));

				// Retrying only happens before the dot: afterwards, even a definite refusal is the caller's call.
				assertThat(thrown).isExactlyInstanceOf(SmtpDataException.class);
				assertThat(((SmtpDataException) thrown).smtpCode()).isEqualTo(421);
				assertThat(client.poolStats().total()).isZero();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(1);
			assertThat(server.commands()).endsWith("DATA");
			assertThat(server.messages()).hasSize(2);
			server.assertNoFailures();
		}
		assertThat(events.destroyReasons()).containsExactly("service closing");
		assertThat(events.sends()).last().satisfies((send) -> assertThat(send.attempts()).isEqualTo(1));
	}

	// ---------------------------------------------------------------- the caller's message source fails

	@Test
	void messageSourceThrowingAnErrorGivesItsPoolSlotBack() throws Exception {
		MessageSource broken = new MessageSource() {

			@Override
			public long size() {
				return -1;
			}

			@Override
			public void writeTo(OutputStream out) {
				throw new StackOverflowError("a message source's own bug");
			}

		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			opens(server).reply("250 2.1.0 sender ok").reply("250 2.1.5 recipient ok").reply("354 go ahead");
			try (SmtpClient client = clientFor(server).build()) {
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, broken));

				assertThat(thrown).isInstanceOf(StackOverflowError.class);
				assertThat(client.poolStats()).satisfies((stats) -> {
					assertThat(stats.active()).isZero();
					assertThat(stats.destroyed()).isEqualTo(1);
				});
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void failingMessageSourceFailsTheSendWithoutRetryAndDropsTheUnfinishedMessage() throws Exception {
		RecordingListener events = new RecordingListener();
		AtomicInteger writes = new AtomicInteger();
		MessageSource failing = new MessageSource() {

			@Override
			public long size() {
				return -1;
			}

			@Override
			public void writeTo(OutputStream out) throws IOException {
				writes.incrementAndGet();
				out.write("Subject: half a message\r\n".getBytes(StandardCharsets.US_ASCII));
				throw new IOException("disk gone");
			}

		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			accepts(opens(server)).reply("250 2.1.0 sender ok").reply("250 2.1.5 recipient ok").reply("354 go ahead");
			try (SmtpClient client = clientFor(server).eventListener(events).build()) {
				client.send(ENVELOPE, message(1));
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, failing));

				assertThat(thrown).isInstanceOf(IOException.class)
					.isNotInstanceOf(SmtpException.class)
					.hasMessageContaining("disk gone");
				assertThat(client.poolStats().idle()).isZero();
				assertThat(client.poolStats().created()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			// The unfinished message is never completed by a dot: the server discards it.
			assertThat(texts(server.messages())).containsExactly(received(1));
			assertThat(server.connectionCount()).isEqualTo(1);
			server.assertNoFailures();
		}
		assertThat(writes).hasValue(1);
		assertThat(events.sends()).last().satisfies((send) -> {
			assertThat(send.outcome()).isEqualTo(SendOutcome.FAILED);
			assertThat(send.attempts()).isEqualTo(1);
		});
	}

	/** The server answers 421 at this stage of a transaction of {@code message(2)} or {@code message(1)}. */
	private static ScriptedSmtpServer closes(ScriptedSmtpServer server, Stage stage) {
		return switch (stage) {
			case MAIL -> server.reply(SERVICE_CLOSING);
			case RCPT -> server.reply("250 2.1.0 sender ok").reply(SERVICE_CLOSING);
			case DATA -> server.reply("250 2.1.0 sender ok").reply("250 2.1.5 recipient ok").reply(SERVICE_CLOSING);
		};
	}

}
