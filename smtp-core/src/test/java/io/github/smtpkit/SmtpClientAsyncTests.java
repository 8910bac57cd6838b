package io.github.smtpkit;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpClientTestSupport.RecordingListener;
import io.github.smtpkit.SmtpSendRejectedException.Reason;
import io.github.smtpkit.pool.PoolConfig;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
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
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link SmtpClient#sendAsync(OutgoingMessage)}: the caller's thread only queues; the bounded
 * queue fails the future at once when full; messages start in the order accepted; a cancelled
 * message that has not started is never sent, and one under way is not interrupted; close() fails
 * what still waits, unsent. Most tests drive the sends with an executor the test runs by hand, so
 * that nothing depends on timing; the others use the client's own threads and await conditions.
 */
@Timeout(30)
class SmtpClientAsyncTests {

	@Test
	void returnsAtOnceWhileTheOnlySessionIsBusyAndSendsOnTheClientsOwnThreads() throws Exception {
		RecordingListener events = new RecordingListener();
		HeldMessage held = new HeldMessage(message(1));
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(opens(server))));
			SmtpEndpoint endpoint;
			try (SmtpClient client = clientFor(server).pool(PoolConfig.builder().maxTotal(1).build())
				.eventListener(events)
				.build()) {
				endpoint = client.endpoint();
				CompletableFuture<SendResult> first = client.sendAsync(ENVELOPE, held);
				held.awaitHalfWritten();

				CompletableFuture<SendResult> second = client.sendAsync(ENVELOPE, message(2));

				assertThat(second).isNotDone();
				assertThat(first).isNotDone();
				held.release();
				assertThat(first.get(5, TimeUnit.SECONDS).accepted()).containsExactly(TO);
				assertThat(second.get(5, TimeUnit.SECONDS).accepted()).containsExactly(TO);
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2));
			server.assertNoFailures();
			// close() shut the client's own executor down: its threads end.
			for (Thread thread : asyncThreads(endpoint)) {
				thread.join(WAIT.toMillis());
				assertThat(thread.isAlive()).as(thread.getName()).isFalse();
			}
		}
		assertThat(events.startThreads()).hasSize(2)
			.allSatisfy((thread) -> assertThat(thread.getName()).startsWith("smtpkit-async-"))
			.doesNotContain(Thread.currentThread());
	}

	@Test
	void aFullQueueFailsTheFutureAtOnceAndNothingOfThatMessageIsSent() throws Exception {
		ManualExecutor executor = new ManualExecutor();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(opens(server))));
			List<String> heard = new CopyOnWriteArrayList<>();
			try (SmtpClient client = clientFor(server).asyncExecutor(executor).asyncQueueCapacity(2)
				.eventListener(rejections(heard))
				.build()) {
				CompletableFuture<SendResult> first = client.sendAsync(ENVELOPE, message(1));
				CompletableFuture<SendResult> second = client.sendAsync(ENVELOPE, message(2));

				CompletableFuture<SendResult> third = client.sendAsync(ENVELOPE, message(3));

				assertThat(third).isCompletedExceptionally();
				assertThat(causeOf(third)).isInstanceOfSatisfying(SmtpSendRejectedException.class,
						(ex) -> assertThat(ex.reason()).isEqualTo(Reason.QUEUE_FULL))
					.hasMessage("The send queue for " + client.endpoint()
							+ " is full (2 messages waiting): the message was not sent");
				assertThat(heard).as("told to the listener, and never as a send").containsExactly("rejected QUEUE_FULL");
				executor.runAll();
				assertThat(first.get().accepted()).containsExactly(TO);
				assertThat(second.get().accepted()).containsExactly(TO);
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2));
			server.assertNoFailures();
		}
	}

	@Test
	void messagesStartInTheOrderTheyWereAcceptedWhateverOrderTheExecutorRunsItsTasksIn() throws Exception {
		ManualExecutor executor = new ManualExecutor();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(accepts(opens(server)))));
			try (SmtpClient client = clientFor(server).asyncExecutor(executor).build()) {
				List<CompletableFuture<SendResult>> futures = new ArrayList<>();
				for (int number = 1; number <= 3; number++) {
					futures.add(client.sendAsync(ENVELOPE, message(number)));
				}

				executor.runAllNewestFirst();

				assertThat(futures).allSatisfy((future) -> assertThat(future.get().accepted()).containsExactly(TO));
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>(List.of("EHLO client.test"));
			for (int number = 1; number <= 3; number++) {
				expected.addAll(transaction(number));
			}
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2), received(3));
			server.assertNoFailures();
		}
	}

	@Test
	void aMessageCancelledBeforeItStartedIsNeverSentAndFreesItsPlaceInTheQueue() throws Exception {
		ManualExecutor executor = new ManualExecutor();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).asyncExecutor(executor).asyncQueueCapacity(1).build()) {
				CompletableFuture<SendResult> cancelled = client.sendAsync(ENVELOPE, message(1));

				assertThat(cancelled.cancel(false)).isTrue();

				assertThat(cancelled).isCancelled();
				CompletableFuture<SendResult> next = client.sendAsync(ENVELOPE, message(2));
				assertThat(next).as("the cancelled message's place is free").isNotDone();
				executor.runAll();
				assertThat(next.get().accepted()).containsExactly(TO);
				assertThat(cancelled.cancel(true)).as("still cancelled").isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(2));
			server.assertNoFailures();
		}
	}

	@Test
	void cancellingAMessageUnderWayInterruptsNothingAndItsFutureGetsTheResult() throws Exception {
		HeldMessage held = new HeldMessage(message(1));
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).build()) {
				CompletableFuture<SendResult> future = client.sendAsync(ENVELOPE, held);
				held.awaitHalfWritten();

				boolean cancelled = future.cancel(true);

				assertThat(cancelled).isFalse();
				held.release();
				assertThat(future.get(5, TimeUnit.SECONDS).accepted()).containsExactly(TO);
				assertThat(future).isNotCancelled();
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1));
			server.assertNoFailures();
		}
	}

	@Test
	void closeFailsTheMessagesStillWaitingAndNothingOfThemIsSent() throws Exception {
		ManualExecutor executor = new ManualExecutor();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			List<String> heard = new CopyOnWriteArrayList<>();
			SmtpClient client = clientFor(server).asyncExecutor(executor).eventListener(rejections(heard)).build();
			CompletableFuture<SendResult> first = client.sendAsync(ENVELOPE, message(1));
			CompletableFuture<SendResult> second = client.sendAsync(ENVELOPE, message(2));

			client.close();

			assertThat(List.of(first, second)).allSatisfy((future) -> assertThat(causeOf(future))
				.isInstanceOfSatisfying(SmtpSendRejectedException.class,
						(ex) -> assertThat(ex.reason()).isEqualTo(Reason.CLIENT_CLOSED))
				.hasMessage("The SmtpClient for " + client.endpoint()
						+ " was closed before the message was sent: nothing of it was sent"));
			executor.runAll();
			CompletableFuture<SendResult> afterClose = client.sendAsync(ENVELOPE, message(3));
			assertThat(causeOf(afterClose)).isInstanceOfSatisfying(SmtpSendRejectedException.class,
					(ex) -> assertThat(ex.reason()).isEqualTo(Reason.CLIENT_CLOSED));
			assertThat(executor.pending()).as("no task for a message refused at once").isZero();
			assertThat(server.connectionCount()).isZero();
			assertThat(heard).containsExactly("rejected CLIENT_CLOSED", "rejected CLIENT_CLOSED",
					"rejected CLIENT_CLOSED");
		}
	}

	@Test
	void anExecutorThatRefusesTheTaskFailsTheMessageUnsent() throws Exception {
		Executor refusing = (task) -> {
			throw new RejectedExecutionException("shut down");
		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				SmtpClient client = clientFor(server).asyncExecutor(refusing).build()) {
			CompletableFuture<SendResult> future = client.sendAsync(ENVELOPE, message(1));

			assertThat(causeOf(future)).isInstanceOfSatisfying(SmtpSendRejectedException.class,
					(ex) -> assertThat(ex.reason()).isEqualTo(Reason.EXECUTOR_REJECTED))
				.hasCauseInstanceOf(RejectedExecutionException.class);
			assertThat(server.connectionCount()).isZero();
		}
	}

	@Test
	void aRefusedMessageFailsItsFutureWithWhatSendWouldHaveThrown() throws Exception {
		ManualExecutor executor = new ManualExecutor();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(opens(server).reply("550 5.7.1 sender refused").reply("250 reset"));
			try (SmtpClient client = clientFor(server).asyncExecutor(executor).build()) {
				CompletableFuture<SendResult> future = client.sendAsync(ENVELOPE, message(1));

				executor.runAll();

				assertThat(causeOf(future)).isInstanceOfSatisfying(SmtpSenderRefusedException.class,
						(ex) -> assertThat(ex.smtpCode()).isEqualTo(550));
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void theQueueHoldsAtLeastOneMessage() {
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpClient.builder().asyncQueueCapacity(0))
			.withMessage("asyncQueueCapacity must be at least 1, but was 0");
	}

	/** What the future failed with, as {@code send} would have thrown it. */
	private static Throwable causeOf(CompletableFuture<SendResult> future) {
		assertThat(future).isCompletedExceptionally();
		Throwable thrown = catchThrowable(future::get);
		assertThat(thrown).isInstanceOf(ExecutionException.class);
		return thrown.getCause();
	}

	private static List<Thread> asyncThreads(SmtpEndpoint endpoint) {
		String prefix = "smtpkit-async-" + endpoint + "-";
		return Thread.getAllStackTraces().keySet().stream().filter((t) -> t.getName().startsWith(prefix)).toList();
	}

	/** An executor whose tasks run on the test's thread, when the test says so. */
	/** A listener that records the rejections, and any send start, of the messages it hears of. */
	private static SmtpEventListener rejections(List<String> heard) {
		return new SmtpEventListener() {

			@Override
			public void asyncSendRejected(SmtpEndpoint endpoint, Reason reason) {
				heard.add("rejected " + reason);
			}

			@Override
			public void sendStarted(SmtpEndpoint endpoint, OutgoingMessage message) {
				heard.add("started");
			}

		};
	}

	private static final class ManualExecutor implements Executor {

		private final List<Runnable> tasks = Collections.synchronizedList(new ArrayList<>());

		@Override
		public void execute(Runnable task) {
			this.tasks.add(task);
		}

		int pending() {
			return this.tasks.size();
		}

		void runAll() {
			run(false);
		}

		void runAllNewestFirst() {
			run(true);
		}

		private void run(boolean newestFirst) {
			List<Runnable> batch = new ArrayList<>(this.tasks);
			this.tasks.clear();
			if (newestFirst) {
				Collections.reverse(batch);
			}
			batch.forEach(Runnable::run);
		}

	}

	/**
	 * A message that writes its first half, then waits (at most 5 s) until the test releases it:
	 * a send held in the middle of its data.
	 */
	private static final class HeldMessage implements MessageSource {

		private final byte[] bytes;

		private final CountDownLatch halfWritten = new CountDownLatch(1);

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
			out.write(Arrays.copyOfRange(this.bytes, 0, half));
			out.flush();
			this.halfWritten.countDown();
			try {
				if (!this.released.await(5, TimeUnit.SECONDS)) {
					throw new IOException("the test never released the message");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException("interrupted in the middle of the message", ex);
			}
			out.write(Arrays.copyOfRange(this.bytes, half, this.bytes.length));
		}

		void awaitHalfWritten() throws InterruptedException {
			assertThat(this.halfWritten.await(5, TimeUnit.SECONDS)).as("the message's data started").isTrue();
		}

		void release() {
			this.released.countDown();
		}

	}

}
