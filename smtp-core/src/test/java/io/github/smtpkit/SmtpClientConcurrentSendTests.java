package io.github.smtpkit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpClientTestSupport.RecordingListener;
import io.github.smtpkit.SmtpClientTestSupport.SendFinished;
import io.github.smtpkit.pool.PoolConfig;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.GREETING;
import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.accepts;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.message;
import static io.github.smtpkit.SmtpClientTestSupport.quits;
import static io.github.smtpkit.SmtpClientTestSupport.received;
import static io.github.smtpkit.SmtpClientTestSupport.stackTrace;
import static io.github.smtpkit.SmtpClientTestSupport.texts;
import static io.github.smtpkit.SmtpClientTestSupport.transaction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * Concurrent {@link SmtpClient#send(Envelope, byte[])} calls sharing a pipelined session
 * ({@code PipelineCombiner}): while one caller's message is on the wire, the next waiting caller's
 * MAIL, RCPT and DATA go out with its end of data. Each test lines the callers up on a pool of one
 * session: the first caller's message is held half-written, each next caller is seen waiting in
 * {@link SmtpClient#poolStats()}, and only then is the first let go.
 *
 * <p>The server reads the next message's commands before it answers the end of the data before
 * them, as in {@code SmtpClientBatchTests}: a client that waited for that answer before sending
 * them would time out.
 */
@Timeout(30)
class SmtpClientConcurrentSendTests {

	private static final String EHLO_PIPELINING = "250-fake.test greets client.test\n250-PIPELINING\n"
			+ "250-SIZE 10240000\n250 8BITMIME";

	private static final Duration SHORT = Duration.ofMillis(500);

	private final ExecutorService threads = Executors.newCachedThreadPool();

	@AfterEach
	void stopThreads() throws InterruptedException {
		this.threads.shutdownNow();
		assertThat(this.threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void waitingSendsGoOutBehindTheEndOfDataBeforeThemInArrivalOrderEachWithItsOwnResult() throws Exception {
		RecordingListener events = new RecordingListener();
		List<Integer> permitsAsked = new CopyOnWriteArrayList<>();
		SmtpRateLimiter limiter = (wanted, maxWait) -> {
			permitsAsked.add(wanted);
			return SmtpRateLimiter.Permits.granted(wanted, Duration.ZERO);
		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			group(dataThen(server), "250 queued as 1", "250 sender ok", "250 recipient ok", "354 go ahead");
			group(dataThen(server), "250 queued as 2", "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 3"));
			try (SmtpClient client = clientFor(server).pool(oneSession(WAIT)).eventListener(events)
				.rateLimiter(limiter)
				.timeout(SHORT)
				.build()) {
				List<Future<SendResult>> sends = lineUp(client, 3);

				List<String> finalReplies = new ArrayList<>();
				for (Future<SendResult> send : sends) {
					finalReplies.add(send.get(10, TimeUnit.SECONDS).finalReply().message());
				}
				assertThat(finalReplies).containsExactly("queued as 1", "queued as 2", "queued as 3");
				assertThat(client.poolStats().waiting()).isZero();
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>(List.of("EHLO client.test"));
			expected.addAll(transaction(1));
			expected.addAll(transaction(2));
			expected.addAll(transaction(3));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2), received(3));
			assertThat(server.connectionCount()).isEqualTo(1);
			server.assertNoFailures();
		}
		assertThat(endsOfData(events)).containsExactly("commandSent: MAIL", "messageDataSent", "commandSent: MAIL",
				"replyReceived: END-OF-DATA", "messageDataSent", "commandSent: MAIL", "replyReceived: END-OF-DATA",
				"messageDataSent", "replyReceived: END-OF-DATA");
		assertThat(events.sends()).extracting(SendFinished::outcome, SendFinished::attempts)
			.containsOnly(tuple(SendOutcome.ACCEPTED, 1))
			.hasSize(3);
		assertThat(permitsAsked).containsExactly(1, 1, 1);
		assertThat(events.poolEvents()).filteredOn("sessionBorrowed"::equals).hasSize(1);
	}

	@Test
	void takenMessageThatFailsItsCheckFailsAloneWithItsOwnCallersStackAndTheNextOneTakesItsPlace() throws Exception {
		byte[] tooLarge = new byte[2000];
		Arrays.fill(tooLarge, (byte) 'x');
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply("250-fake.test\n250-PIPELINING\n250 SIZE 1000"), "250 sender ok",
					"250 recipient ok", "354 go ahead");
			group(dataThen(server), "250 queued as 1", "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 3"));
			try (SmtpClient client = clientFor(server).pool(oneSession(WAIT)).timeout(SHORT).build()) {
				Throwable failure = failureOfTheMiddleOfThree(client,
						() -> sendAsTheSecondCaller(client, ENVELOPE, tooLarge));

				assertThat(failure).isInstanceOf(SmtpMessageTooLargeException.class);
				// Made on the first caller's thread, it shows where the second caller waited too.
				assertThat(stackTrace(failure)).contains("sendAsTheSecondCaller");
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1), received(3));
			server.assertNoFailures();
		}
	}

	@Test
	void theCallerAheadWritesTheTakenMessagesDataAsSoonAsItHasItsOwnOutcome() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			group(dataThen(server), "250 queued as 1", "250 sender ok", "250 recipient ok", "354 go ahead");
			group(dataThen(server), "250 queued as 2", "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 3"));
			try (SmtpClient client = clientFor(server).pool(oneSession(WAIT)).timeout(SHORT).build()) {
				List<Thread> callers = new CopyOnWriteArrayList<>();
				List<WriterRecordingMessage> messages = List.of(new WriterRecordingMessage(message(2)),
						new WriterRecordingMessage(message(3)));
				HeldMessage held = new HeldMessage(message(1));
				List<Future<SendResult>> sends = new ArrayList<>();
				sends.add(this.threads.submit(() -> {
					callers.add(Thread.currentThread());
					return client.send(ENVELOPE, held);
				}));
				held.awaitWriting();
				for (WriterRecordingMessage message : messages) {
					int waiting = sends.size();
					sends.add(this.threads.submit(() -> {
						callers.add(Thread.currentThread());
						return client.send(ENVELOPE, message);
					}));
					await().atMost(WAIT).until(() -> client.poolStats().waiting() == waiting);
				}
				held.release();
				for (Future<SendResult> send : sends) {
					assertThat(send.get(10, TimeUnit.SECONDS).isFullyAccepted()).isTrue();
				}

				// Not the message's own caller: that one is woken only once its data is on the wire.
				assertThat(messages).extracting(WriterRecordingMessage::writer)
					.containsExactly(callers.get(0), callers.get(1));
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2), received(3));
			server.assertNoFailures();
		}
	}

	@Test
	void takenMessageWhoseRecipientIsRefusedFailsAloneWithItsOwnCallersStackAndTheNextStartsAfresh()
			throws Exception {
		Envelope refusedOnly = Envelope.of(SmtpClientTestSupport.FROM, "nobody@example.test");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			group(dataThen(server), "250 queued as 1", "250 sender ok", "550 5.1.1 no such user",
					"554 5.5.1 no valid recipients");
			server.reply("250 2.0.0 reset");
			group(server, "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 3"));
			try (SmtpClient client = clientFor(server).pool(oneSession(WAIT)).timeout(SHORT).build()) {
				Throwable failure = failureOfTheMiddleOfThree(client,
						() -> sendAsTheSecondCaller(client, refusedOnly, message(2)));

				assertThat(failure).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
						(ex) -> assertThat(ex.recipients()).containsOnlyKeys("nobody@example.test"));
				// Read on the first caller's thread, it shows where the second caller waited too.
				assertThat(stackTrace(failure)).contains("sendAsTheSecondCaller");
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>(List.of("EHLO client.test"));
			expected.addAll(transaction(1));
			expected.addAll(List.of("MAIL FROM:<app@example.test> SIZE=" + message(2).length,
					"RCPT TO:<nobody@example.test>", "DATA", "RSET"));
			expected.addAll(transaction(3));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			assertThat(texts(server.messages())).containsExactly(received(1), received(3));
			server.assertNoFailures();
		}
	}

	private static SendResult sendAsTheSecondCaller(SmtpClient client, Envelope envelope, byte[] message)
			throws Exception {
		return client.send(envelope, message);
	}

	/**
	 * Lines up three sends on the one session (the first held half-written, then {@code second},
	 * then message 3), lets them go, checks that the first and the third were delivered, and gives
	 * the failure of the second.
	 */
	private Throwable failureOfTheMiddleOfThree(SmtpClient client, Callable<SendResult> second) throws Exception {
		HeldMessage held = new HeldMessage(message(1));
		Future<SendResult> first = this.threads.submit(() -> client.send(ENVELOPE, held));
		held.awaitWriting();
		Future<SendResult> middle = this.threads.submit(second);
		await().atMost(WAIT).until(() -> client.poolStats().waiting() == 1);
		Future<SendResult> third = this.threads.submit(() -> client.send(ENVELOPE, message(3)));
		await().atMost(WAIT).until(() -> client.poolStats().waiting() == 2);
		held.release();

		assertThat(first.get(10, TimeUnit.SECONDS).finalReply().message()).isEqualTo("queued as 1");
		assertThat(third.get(10, TimeUnit.SECONDS).finalReply().message()).isEqualTo("queued as 3");
		return assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> middle.get(10, TimeUnit.SECONDS))
			.actual()
			.getCause();
	}

	@Test
	void sessionThatBreaksAfterTheDotLeavesThatMessageAmbiguousAndTheTakenOneIsSentOnceOnAnother() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			// The first message's data, then the server goes: the second's commands are not answered.
			server.disconnectAfterRead();
			quits(accepts(server.greet(GREETING).reply(EHLO_PIPELINING)));
			try (SmtpClient client = clientFor(server).pool(oneSession(WAIT)).eventListener(events)
				.timeout(SHORT)
				.build()) {
				List<Future<SendResult>> sends = lineUp(client, 2);

				assertThatExceptionOfType(ExecutionException.class)
					.isThrownBy(() -> sends.get(0).get(10, TimeUnit.SECONDS))
					.withCauseInstanceOf(SmtpAmbiguousOutcomeException.class);
				assertThat(sends.get(1).get(10, TimeUnit.SECONDS).finalReply().message()).isEqualTo("2.0.0 queued");
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2));
			assertThat(server.connectionCount()).isEqualTo(2);
			server.assertNoFailures();
		}
		assertThat(events.sends()).extracting(SendFinished::outcome, SendFinished::attempts)
			.containsExactlyInAnyOrder(tuple(SendOutcome.UNKNOWN, 1), tuple(SendOutcome.ACCEPTED, 1));
	}

	@Test
	void callerWhoseWaitEndsBeforeItsMessageIsTakenWithdrawsItAndNothingOfItIsSent() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 1"));
			try (SmtpClient client = clientFor(server).pool(oneSession(Duration.ofMillis(200))).timeout(WAIT)
				.build()) {
				HeldMessage held = new HeldMessage(message(1));
				Future<SendResult> first = this.threads.submit(() -> client.send(ENVELOPE, held));
				held.awaitWriting();
				Future<SendResult> second = this.threads.submit(() -> client.send(ENVELOPE, message(2)));
				assertThatExceptionOfType(ExecutionException.class)
					.isThrownBy(() -> second.get(10, TimeUnit.SECONDS))
					.withCauseInstanceOf(SmtpPoolTimeoutException.class);
				assertThat(client.poolStats().waiting()).isZero();
				held.release();

				assertThat(first.get(10, TimeUnit.SECONDS).finalReply().message()).isEqualTo("queued as 1");
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>(List.of("EHLO client.test"));
			expected.addAll(transaction(1));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			server.assertNoFailures();
		}
	}

	@Test
	void interruptedCallerWithdrawsItsWaitingMessage() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			group(server.greet(GREETING).reply(EHLO_PIPELINING), "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 1"));
			try (SmtpClient client = clientFor(server).pool(oneSession(WAIT)).timeout(WAIT).build()) {
				HeldMessage held = new HeldMessage(message(1));
				Future<SendResult> first = this.threads.submit(() -> client.send(ENVELOPE, held));
				held.awaitWriting();
				Future<SendResult> second = this.threads.submit(() -> client.send(ENVELOPE, message(2)));
				await().atMost(WAIT).until(() -> client.poolStats().waiting() == 1);
				second.cancel(true);
				await().atMost(WAIT).until(() -> client.poolStats().waiting() == 0);
				held.release();

				assertThat(first.get(10, TimeUnit.SECONDS).finalReply().message()).isEqualTo("queued as 1");
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1));
			server.assertNoFailures();
		}
	}

	@Test
	void serverWithoutPipeliningGetsOneMessageAfterAnother() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(server.greet(GREETING).reply(SmtpClientTestSupport.EHLO))));
			try (SmtpClient client = clientFor(server).pool(oneSession(WAIT)).eventListener(events).build()) {
				List<Future<SendResult>> sends = lineUp(client, 2);

				assertThat(sends.get(0).get(10, TimeUnit.SECONDS).isFullyAccepted()).isTrue();
				assertThat(sends.get(1).get(10, TimeUnit.SECONDS).isFullyAccepted()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2));
			server.assertNoFailures();
		}
		assertThat(endsOfData(events)).containsExactly("commandSent: MAIL", "messageDataSent",
				"replyReceived: END-OF-DATA", "commandSent: MAIL", "messageDataSent", "replyReceived: END-OF-DATA");
	}

	/**
	 * Starts {@code count} sends of messages 1, 2, ... in that order: the first is held while its
	 * data is being written (so it holds the one session), each next is started once the one
	 * before it is seen waiting; then the first is let go.
	 */
	private List<Future<SendResult>> lineUp(SmtpClient client, int count) throws InterruptedException {
		List<Future<SendResult>> sends = new ArrayList<>();
		HeldMessage held = new HeldMessage(message(1));
		sends.add(this.threads.submit(() -> client.send(ENVELOPE, held)));
		held.awaitWriting();
		for (int number = 2; number <= count; number++) {
			int waiting = number - 1;
			byte[] message = message(number);
			sends.add(this.threads.submit(() -> client.send(ENVELOPE, message)));
			await().atMost(WAIT).until(() -> client.poolStats().waiting() == waiting);
		}
		held.release();
		return sends;
	}

	private static PoolConfig oneSession(Duration maxWait) {
		return PoolConfig.builder().maxTotal(1).maxWait(maxWait).build();
	}

	/** Reads a message's data, which comes in one write with the next message's commands. */
	private static ScriptedSmtpServer dataThen(ScriptedSmtpServer server) {
		return server.read();
	}

	/** Reads MAIL and RCPT, then DATA, and answers with the replies. */
	private static ScriptedSmtpServer group(ScriptedSmtpServer server, String... replies) {
		return server.read().read().replies(replies);
	}

	/** The order of MAIL, the message data and the reply to it: shows what went out before which reply. */
	private static List<String> endsOfData(RecordingListener events) {
		return events.events()
			.stream()
			.filter((event) -> event.matches("(commandSent: MAIL|messageDataSent|replyReceived: END-OF-DATA)"))
			.toList();
	}

	/** A message that remembers the thread that wrote it onto the wire. */
	private static final class WriterRecordingMessage implements MessageSource {

		private final byte[] bytes;

		private volatile Thread writer;

		WriterRecordingMessage(byte[] bytes) {
			this.bytes = bytes;
		}

		@Override
		public long size() {
			return this.bytes.length;
		}

		@Override
		public void writeTo(OutputStream out) throws IOException {
			this.writer = Thread.currentThread();
			out.write(this.bytes);
		}

		Thread writer() {
			return this.writer;
		}

	}

	/**
	 * A message that stops half-way through being written until the test lets it go: its caller
	 * holds the session meanwhile. The same bytes as the message it is made from.
	 */
	private static final class HeldMessage implements MessageSource {

		private final byte[] bytes;

		private final CountDownLatch writing = new CountDownLatch(1);

		private final CountDownLatch released = new CountDownLatch(1);

		HeldMessage(byte[] bytes) {
			this.bytes = bytes;
		}

		@Override
		public long size() {
			return this.bytes.length;
		}

		@Override
		public void writeTo(OutputStream out) throws IOException {
			int half = this.bytes.length / 2;
			out.write(this.bytes, 0, half);
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
			out.write(this.bytes, half, this.bytes.length - half);
		}

		void awaitWriting() throws InterruptedException {
			assertThat(this.writing.await(10, TimeUnit.SECONDS)).as("the message is being written").isTrue();
		}

		void release() {
			this.released.countDown();
		}

	}

}
