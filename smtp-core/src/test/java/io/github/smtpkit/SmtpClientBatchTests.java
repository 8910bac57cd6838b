package io.github.smtpkit;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpClientTestSupport.RecordingListener;
import io.github.smtpkit.SmtpClientTestSupport.SendFinished;
import io.github.smtpkit.pool.PoolConfig;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.GREETING;
import static io.github.smtpkit.SmtpClientTestSupport.TO;
import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.message;
import static io.github.smtpkit.SmtpClientTestSupport.quits;
import static io.github.smtpkit.SmtpClientTestSupport.received;
import static io.github.smtpkit.SmtpClientTestSupport.texts;
import static io.github.smtpkit.SmtpClientTestSupport.transaction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * {@link SmtpClient#sendAll(List)}: with PIPELINING, each message's end of data and the next
 * message's MAIL, RCPT and DATA go out in one write, and each message's outcome comes back on its
 * own. The scripted server proves the pipelining: it answers a message's end of data only after
 * it has read the next message's DATA, so a client that waited for that reply first would time
 * out (the timeout is short).
 */
@Timeout(30)
class SmtpClientBatchTests {

	private static final String EHLO_PIPELINING = "250-fake.test greets client.test\n250-PIPELINING\n"
			+ "250-SIZE 10240000\n250 8BITMIME";

	private static final Duration SHORT = Duration.ofMillis(500);

	@Test
	void eachEndOfDataGoesOutWithTheNextMessagesCommandsAndEachMessageGetsItsOwnReply() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			group(dataThen(server), "250 queued as 1", "250 sender ok", "250 recipient ok", "354 go ahead");
			group(dataThen(server), "250 queued as 2", "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 3"));
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(SHORT).build()) {
				List<OutgoingMessage> messages = outgoing(1, 2, 3);
				List<BatchResult> results = client.sendAll(messages);

				assertThat(results).extracting((result) -> result.get().finalReply().message())
					.containsExactly("queued as 1", "queued as 2", "queued as 3");
				assertThat(results).allSatisfy((result) -> assertThat(result.get().accepted()).containsExactly(TO));
				assertThat(results).extracting(BatchResult::message).containsExactlyElementsOf(messages);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(commands(1, 2, 3));
			assertThat(texts(server.messages())).containsExactly(received(1), received(2), received(3));
			server.assertNoFailures();
		}
		List<String> order = events.events()
			.stream()
			.filter((event) -> event.matches("(commandSent: MAIL|messageDataSent|replyReceived: END-OF-DATA)"))
			.toList();
		assertThat(order).containsExactly("commandSent: MAIL", "messageDataSent", "commandSent: MAIL",
				"replyReceived: END-OF-DATA", "messageDataSent", "commandSent: MAIL", "replyReceived: END-OF-DATA",
				"messageDataSent", "replyReceived: END-OF-DATA");
		assertThat(events.sends()).extracting(SendFinished::outcome, SendFinished::attempts)
			.containsOnly(tuple(SendOutcome.ACCEPTED, 1))
			.hasSize(3);
		assertThat(events.poolEvents()).filteredOn("sessionBorrowed"::equals).hasSize(1);
	}

	@Test
	void messageRefusedAfterItsDataDoesNotStopTheNextWhoseCommandsAreAlreadyOnTheirWay() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			group(dataThen(server), "554 5.7.1 looks like spam", "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 2"));
			try (SmtpClient client = clientFor(server).timeout(SHORT).build()) {
				List<BatchResult> results = client.sendAll(outgoing(1, 2));

				assertThat(results.get(0).isSent()).isFalse();
				assertThat(results.get(0).failure()).isInstanceOfSatisfying(SmtpDataException.class,
						(ex) -> assertThat(ex.smtpCode()).isEqualTo(554));
				assertThat(results.get(1).get().finalReply().message()).isEqualTo("queued as 2");
			}
			server.awaitScriptDone(WAIT);
			// No RSET after the refusal: the transaction is over, and the next one's commands are out.
			assertThat(server.commands()).containsExactlyElementsOf(commands(1, 2));
			server.assertNoFailures();
		}
	}

	@Test
	void messageWhoseRecipientsAreAllRefusedIsResetAndTheNextStartsAGroupOfItsOwn() throws Exception {
		Envelope refusedOnly = Envelope.of(SmtpClientTestSupport.FROM, "nobody@example.test");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			group(dataThen(server), "250 queued as 1", "250 sender ok", "550 5.1.1 no such user",
					"554 5.5.1 no valid recipients");
			server.reply("250 2.0.0 reset");
			group(server, "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 3"));
			try (SmtpClient client = clientFor(server).timeout(SHORT).build()) {
				List<BatchResult> results = client.sendAll(List.of(OutgoingMessage.of(ENVELOPE, message(1)),
						OutgoingMessage.of(refusedOnly, message(2)), OutgoingMessage.of(ENVELOPE, message(3))));

				assertThat(results).extracting(BatchResult::isSent).containsExactly(true, false, true);
				assertThat(results.get(1).failure()).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
						(ex) -> assertThat(ex.recipients()).containsOnlyKeys("nobody@example.test"));
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>(transaction(1));
			expected.addAll(List.of("MAIL FROM:<app@example.test> SIZE=" + message(2).length,
					"RCPT TO:<nobody@example.test>", "DATA", "RSET"));
			expected.addAll(transaction(3));
			expected.add(0, "EHLO client.test");
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			assertThat(texts(server.messages())).containsExactly(received(1), received(3));
			server.assertNoFailures();
		}
	}

	@Test
	void dataRefusedLeavesNoTransactionOpenForTheNextMessage() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok",
					"451 4.3.0 try again later");
			server.reply("250 2.0.0 reset");
			group(server, "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 2"));
			try (SmtpClient client = clientFor(server).timeout(SHORT).build()) {
				List<BatchResult> results = client.sendAll(outgoing(1, 2));

				assertThat(results.get(0).failure()).isInstanceOfSatisfying(SmtpDataException.class,
						(ex) -> assertThat(ex.smtpCode()).isEqualTo(451));
				assertThat(results.get(1).isSent()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>(List.of("EHLO client.test"));
			expected.addAll(transaction(1));
			expected.add("RSET");
			expected.addAll(transaction(2));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			server.assertNoFailures();
		}
	}

	@Test
	void messageThatFailsItsChecksSendsNothingAndTheOthersArePipelinedAcrossIt() throws Exception {
		byte[] large = new byte[200];
		Arrays.fill(large, (byte) 'x');
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply("250-fake.test\n250-PIPELINING\n250 SIZE 100"), "250 sender ok",
					"250 recipient ok", "354 go ahead");
			group(dataThen(server), "250 queued as 1", "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 3"));
			try (SmtpClient client = clientFor(server).timeout(SHORT).build()) {
				List<BatchResult> results = client.sendAll(List.of(OutgoingMessage.of(ENVELOPE, message(1)),
						OutgoingMessage.of(ENVELOPE, large), OutgoingMessage.of(ENVELOPE, message(3))));

				assertThat(results.get(1).failure()).isInstanceOf(SmtpMessageTooLargeException.class);
				assertThat(results.get(2).get().finalReply().message()).isEqualTo("queued as 3");
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>(List.of("EHLO client.test"));
			expected.addAll(transaction(1));
			expected.addAll(transaction(3));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			server.assertNoFailures();
		}
	}

	@Test
	void everyMessageStartsInOrderBeforeAnyGoesOutAndEndsOnceOnTheCallersThreadWithItsResult() throws Exception {
		byte[] large = new byte[200];
		Arrays.fill(large, (byte) 'x');
		RecordingListener events = new RecordingListener();
		List<OutgoingMessage> messages = List.of(OutgoingMessage.of(ENVELOPE, message(1)),
				OutgoingMessage.of(ENVELOPE, large), OutgoingMessage.of(ENVELOPE, message(3)));
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply("250-fake.test\n250-PIPELINING\n250 SIZE 100"), "250 sender ok",
					"250 recipient ok", "354 go ahead");
			group(dataThen(server), "250 queued as 1", "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 3"));
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(SHORT).build()) {
				client.sendAll(messages);
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
		assertThat(events.started()).containsExactlyElementsOf(messages);
		assertThat(events.startThreads()).containsOnly(Thread.currentThread());
		List<String> all = events.events();
		assertThat(all.lastIndexOf("sendStarted")).isLessThan(all.indexOf("sessionBorrowed"));
		// Each message ends once, with the very instance that started; not necessarily in order.
		assertThat(events.ended()).extracting((ended) -> ended.result().message())
			.usingElementComparator((a, b) -> (a == b) ? 0 : 1)
			.containsExactlyInAnyOrderElementsOf(messages);
		assertThat(events.ended()).allSatisfy((ended) -> assertThat(ended.thread()).isSameAs(Thread.currentThread()));
		assertThat(events.ended()).filteredOn((ended) -> ended.result().message() == messages.get(1))
			.singleElement()
			.satisfies((ended) -> {
				assertThat(ended.outcome()).isEqualTo(SendOutcome.FAILED);
				assertThat(ended.result().failure()).isInstanceOf(SmtpMessageTooLargeException.class);
			});
		assertThat(events.ended()).filteredOn((ended) -> ended.result().message() != messages.get(1))
			.allSatisfy((ended) -> {
				assertThat(ended.outcome()).isEqualTo(SendOutcome.ACCEPTED);
				assertThat(ended.result().get().accepted()).containsExactly(TO);
			});
		// The figures of the other sendFinished come first, with the same outcomes.
		assertThat(all.stream().filter((event) -> event.startsWith("send")).toList()).containsSubsequence(
				"sendFinished: ACCEPTED attempts=1", "sendResult: ACCEPTED");
		assertThat(events.sends()).extracting(SendFinished::outcome)
			.containsExactlyElementsOf(events.ended().stream().map((ended) -> ended.outcome()).toList());
	}

	@Test
	void messagesOfASendAbandonedOnAnErrorEndAsUnknown() throws Exception {
		RecordingListener events = new RecordingListener();
		MessageSource failing = new MessageSource() {

			@Override
			public long size() {
				return -1;
			}

			@Override
			public void writeTo(java.io.OutputStream out) {
				throw new TestError();
			}

		};
		List<OutgoingMessage> messages = List.of(new OutgoingMessage(ENVELOPE, failing),
				OutgoingMessage.of(ENVELOPE, message(2)));
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			server.disconnectAfterRead();
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(SHORT).build()) {
				org.assertj.core.api.Assertions.assertThatExceptionOfType(TestError.class)
					.isThrownBy(() -> client.sendAll(messages));
			}
			server.awaitScriptDone(WAIT);
		}
		assertThat(events.started()).hasSize(2);
		assertThat(events.ended()).extracting(SmtpClientTestSupport.SendEnded::outcome)
			.containsExactly(SendOutcome.UNKNOWN, SendOutcome.UNKNOWN);
		assertThat(events.ended()).allSatisfy((ended) -> assertThat(ended.result().failure())
			.isInstanceOf(SmtpException.class)
			.hasMessageContaining("abandoned")
			.hasCauseInstanceOf(TestError.class));
	}

	/** An error from a message source, which the client lets through. */
	private static final class TestError extends Error {

		TestError() {
			super("from the message source");
		}

	}

	@Test
	void connectionLostBeforeAnEndOfDataWasAnsweredMakesThatMessageAmbiguousAndSendsTheNextOnceElsewhere()
			throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			// It reads the data of message 1 and the commands of message 2, and hangs up unanswered.
			dataThen(server).disconnectAfterRead();
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 2"));
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(SHORT).build()) {
				List<BatchResult> results = client.sendAll(outgoing(1, 2));

				assertThat(results.get(0).failure()).isInstanceOf(SmtpAmbiguousOutcomeException.class)
					.hasMessageContaining("may have been delivered");
				assertThat(results.get(1).get().finalReply().message()).isEqualTo("queued as 2");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			assertThat(texts(server.messages())).as("message 1 once, unanswered; message 2 once, on the new connection")
				.containsExactly(received(1), received(2));
			server.assertNoFailures();
		}
		assertThat(events.sends()).extracting(SendFinished::outcome, SendFinished::attempts)
			.containsExactly(tuple(SendOutcome.UNKNOWN, 1), tuple(SendOutcome.ACCEPTED, 1));
	}

	@Test
	void messageSettledEarlyIsNotSentAgainWhenTheOneAheadOfItBreaksTheConnection() throws Exception {
		byte[] large = new byte[200];
		Arrays.fill(large, (byte) 'x');
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			String ehlo = "250-fake.test\n250-PIPELINING\n250 SIZE 100";
			group(server.greet(GREETING).reply(ehlo), "250 sender ok", "250 recipient ok", "354 go ahead");
			// Message 2 fails its SIZE check while message 1 is under way; then the connection breaks.
			dataThen(server).read().read().disconnectAfterRead();
			group(server.greet(GREETING).reply(ehlo), "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 3"));
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(SHORT).build()) {
				List<BatchResult> results = client.sendAll(List.of(OutgoingMessage.of(ENVELOPE, message(1)),
						OutgoingMessage.of(ENVELOPE, large), OutgoingMessage.of(ENVELOPE, message(3))));

				assertThat(results.get(0).failure()).isInstanceOf(SmtpAmbiguousOutcomeException.class);
				assertThat(results.get(1).failure()).isInstanceOf(SmtpMessageTooLargeException.class);
				assertThat(results.get(2).get().finalReply().message()).isEqualTo("queued as 3");
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1), received(3));
			server.assertNoFailures();
		}
		// One outcome each, told as it came: message 2's check failed before message 1 was settled.
		assertThat(events.sends()).extracting(SendFinished::outcome)
			.containsExactly(SendOutcome.FAILED, SendOutcome.UNKNOWN, SendOutcome.ACCEPTED);
	}

	@Test
	void serverThatAnswersAnEndOfDataButNotTheCommandsAfterItGetsTheRestWithoutPipelining() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			// It answers the end of message 1, having read message 2's commands, and then nothing.
			dataThen(server).replies("250 queued as 1").awaitClose();
			server.greet(GREETING)
				.reply(EHLO_PIPELINING)
				.reply("250 sender ok")
				.reply("250 recipient ok")
				.reply("354 go ahead")
				.reply("250 queued as 2");
			quits(server);
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(SHORT).build()) {
				List<BatchResult> results = client.sendAll(outgoing(1, 2));

				assertThat(results).extracting((result) -> result.get().finalReply().message())
					.containsExactly("queued as 1", "queued as 2");
				assertThat(client.toString()).contains("no pipelining");
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2));
			server.assertNoFailures();
		}
		assertThat(events.count("pipeliningDisabled")).isEqualTo(1);
		assertThat(events.sends()).extracting(SendFinished::outcome, SendFinished::attempts)
			.containsExactly(tuple(SendOutcome.ACCEPTED, 1), tuple(SendOutcome.ACCEPTED, 2));
	}

	@Test
	void aBatchLongerThanTheMessagesAllowedPerConnectionGoesOnOverANewOne() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			group(dataThen(server), "250 queued as 1", "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 2"));
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 3"));
			PoolConfig pool = PoolConfig.builder().maxMessagesPerConnection(2).build();
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(SHORT).pool(pool).build()) {
				List<BatchResult> results = client.sendAll(outgoing(1, 2, 3));

				assertThat(results).extracting((result) -> result.get().finalReply().message())
					.containsExactly("queued as 1", "queued as 2", "queued as 3");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			server.assertNoFailures();
		}
		assertThat(events.destroyReasons()).first().isEqualTo("max messages per connection");
	}

	@Test
	void lmtpAnswersEachRecipientOfAMessageBeforeTheNextMessagesCommands() throws Exception {
		Envelope two = Envelope.of(SmtpClientTestSupport.FROM, "ann@example.test", "bob@example.test");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test LMTP")
				.reply("250-fake.test\n250-PIPELINING\n250 ENHANCEDSTATUSCODES")
				.read()
				.read()
				.read()
				.replies("250 sender ok", "250 ann ok", "250 bob ok", "354 go ahead");
			group(dataThen(server), "250 ann delivered", "452 bob over quota", "250 sender ok", "250 recipient ok",
					"354 go ahead");
			quits(server.reply("250 user delivered"));
			try (SmtpClient client = clientFor(server).protocol(SmtpProtocol.LMTP).timeout(SHORT).build()) {
				List<BatchResult> results = client.sendAll(
						List.of(OutgoingMessage.of(two, message(1)), OutgoingMessage.of(ENVELOPE, message(2))));

				SendResult first = results.get(0).get();
				assertThat(first.accepted()).containsExactly("ann@example.test");
				assertThat(first.refused()).containsOnlyKeys("bob@example.test");
				assertThat(first.recipientReplies().get("bob@example.test").code()).isEqualTo(452);
				assertThat(results.get(1).get().finalReply().message()).isEqualTo("user delivered");
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void lmtpServerClosingAfterDeliveringToSomeRecipientsIsNoPipeliningFaultAndTheNextGoesOnElsewhere()
			throws Exception {
		Envelope two = Envelope.of(SmtpClientTestSupport.FROM, "ann@example.test", "bob@example.test");
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test LMTP")
				.reply("250-fake.test\n250 PIPELINING")
				.read()
				.read()
				.read()
				.replies("250 sender ok", "250 ann ok", "250 bob ok", "354 go ahead");
			// Ann has the message; then the server closes, with message 2's commands unanswered.
			dataThen(server).replies("250 ann delivered", "421 4.3.2 shutting down");
			group(server.greet("220 fake.test LMTP").reply("250-fake.test\n250 PIPELINING"), "250 sender ok",
					"250 recipient ok", "354 go ahead");
			quits(server.reply("250 user delivered"));
			try (SmtpClient client = clientFor(server).protocol(SmtpProtocol.LMTP)
				.eventListener(events)
				.timeout(SHORT)
				.build()) {
				List<BatchResult> results = client.sendAll(
						List.of(OutgoingMessage.of(two, message(1)), OutgoingMessage.of(ENVELOPE, message(2))));

				SendResult first = results.get(0).get();
				assertThat(first.accepted()).containsExactly("ann@example.test");
				assertThat(first.refused().get("bob@example.test").code()).isEqualTo(421);
				assertThat(results.get(1).get().finalReply().message()).isEqualTo("user delivered");
				assertThat(client.toString()).doesNotContain("no pipelining");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2));
			server.assertNoFailures();
		}
		assertThat(events.count("pipeliningDisabled")).isZero();
	}

	@Test
	void serverWithoutPipeliningGetsTheBatchOneCommandAtATime() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(SmtpClientTestSupport.EHLO);
			for (int i = 1; i <= 2; i++) {
				server.reply("250 sender ok").reply("250 recipient ok").reply("354 go ahead").reply("250 queued as " + i);
			}
			quits(server);
			try (SmtpClient client = clientFor(server).build()) {
				assertThat(client.sendAll(outgoing(1, 2))).allMatch(BatchResult::isSent);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(commands(1, 2));
			server.assertNoFailures();
		}
	}

	@Test
	void whenNoConnectionCanBeOpenedEveryMessageFailsSayingWhy() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closedPort = socket.getLocalPort();
		}
		try (SmtpClient client = SmtpClient.builder()
			.host("127.0.0.1")
			.port(closedPort)
			.tls(TlsMode.NONE)
			.connectTimeout(WAIT)
			.build()) {
			List<BatchResult> results = client.sendAll(outgoing(1, 2));

			assertThat(results).hasSize(2).allSatisfy((result) -> {
				assertThat(result.isSent()).isFalse();
				assertThat(result.failure()).hasMessageContaining("127.0.0.1:" + closedPort);
			});
		}
	}

	@Test
	void closedClientAndMissingMessagesAreRefusedUpFront() {
		SmtpClient client = SmtpClient.builder().host("127.0.0.1").build();
		assertThatNullPointerException().isThrownBy(() -> client.sendAll(Arrays.asList(outgoing(1).get(0), null)))
			.withMessage("messages[1]");
		client.close();
		assertThatIllegalStateException().isThrownBy(() -> client.sendAll(outgoing(1))).withMessageContaining("closed");
		// send() says the same, before anything reaches the pool or the listener.
		assertThatIllegalStateException().isThrownBy(() -> client.send(ENVELOPE, message(1)))
			.withMessageContaining("SmtpClient for 127.0.0.1:25 is closed");
	}

	@Test
	void eachMessageIsPreparedWhileItsCommandsAreAnsweredAndBeforeItIsWritten() throws Exception {
		List<String> steps = new CopyOnWriteArrayList<>();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			group(dataThen(server), "250 queued as 1", "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 2"));
			try (SmtpClient client = clientFor(server).timeout(WAIT).build()) {
				List<BatchResult> results = client.sendAll(List.of(
						new OutgoingMessage(ENVELOPE, new PreparedMessage(1, server, steps)),
						new OutgoingMessage(ENVELOPE, new PreparedMessage(2, server, steps))));

				assertThat(results).allSatisfy((result) -> assertThat(result.isSent()).isTrue());
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(commands(1, 2));
			assertThat(texts(server.messages())).containsExactly(received(1), received(2));
			server.assertNoFailures();
		}
		// The second is prepared once its commands went out behind the first one's data.
		assertThat(steps).containsExactly("message 1 prepared after DATA 1", "message 1 written",
				"message 2 prepared after DATA 2", "message 2 written");
	}

	/**
	 * A message that, asked to prepare, waits until the server has read the DATA command of its
	 * own transaction: a client that prepared it before its commands went out would wait in vain.
	 */
	private static final class PreparedMessage implements MessageSource {

		private final int number;

		private final byte[] bytes;

		private final ScriptedSmtpServer server;

		private final List<String> steps;

		PreparedMessage(int number, ScriptedSmtpServer server, List<String> steps) {
			this.number = number;
			this.bytes = message(number);
			this.server = server;
			this.steps = steps;
		}

		@Override
		public long size() {
			return this.bytes.length;
		}

		@Override
		public MessageSource preparedToWrite() {
			await().atMost(WAIT).until(() -> dataCommandsRead() >= this.number);
			this.steps.add("message " + this.number + " prepared after DATA " + dataCommandsRead());
			return this;
		}

		private long dataCommandsRead() {
			return this.server.commands().stream().filter("DATA"::equals).count();
		}

		@Override
		public void writeTo(OutputStream out) throws IOException {
			this.steps.add("message " + this.number + " written");
			out.write(this.bytes);
		}

	}

	/** Reads a group of MAIL, RCPT and DATA, and answers them together after DATA. */
	private static ScriptedSmtpServer group(ScriptedSmtpServer server, String... replies) {
		return server.read().read().replies(replies);
	}

	/** Reads a message's data, which comes in one write with the next message's commands. */
	private static ScriptedSmtpServer dataThen(ScriptedSmtpServer server) {
		return server.read();
	}

	private static List<OutgoingMessage> outgoing(int... numbers) {
		return Arrays.stream(numbers).mapToObj((number) -> OutgoingMessage.of(ENVELOPE, message(number))).toList();
	}

	/** EHLO, then each message's MAIL, RCPT and DATA, then QUIT. */
	private static List<String> commands(int... numbers) {
		List<String> commands = new ArrayList<>(List.of("EHLO client.test"));
		for (int number : numbers) {
			commands.addAll(transaction(number));
		}
		commands.add("QUIT");
		return commands;
	}

}
