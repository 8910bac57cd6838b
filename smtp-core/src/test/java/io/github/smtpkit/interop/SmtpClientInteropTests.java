package io.github.smtpkit.interop;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import io.github.smtpkit.BatchResult;
import io.github.smtpkit.Envelope;
import io.github.smtpkit.OutgoingMessage;
import io.github.smtpkit.SendOutcome;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpAmbiguousOutcomeException;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpRecipientsRefusedException;
import io.github.smtpkit.TlsMode;
import io.github.smtpkit.pool.PoolConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link SmtpClient} under load against Postfix on 2525 (STARTTLS required, AUTH, PIPELINING
 * used): 4 threads through a pool of 2 sessions, every message delivered exactly once; and the same
 * while the rig's Postfix is stopped and started in the middle of the burst.
 *
 * <p>Counting is final only once Postfix's queue is empty: every accepted message has then left
 * for its maildir (over LMTP, which answers only once the message is saved).
 */
class SmtpClientInteropTests {

	private static final String SENDER = "alice@example.test";

	private static final String RECIPIENT = "postmaster@example.test";

	private static final Duration ALL_DELIVERED = Duration.ofMinutes(3);

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	@AfterEach
	void postfixIsRunningAndDeliveringForTheNextTest() throws Exception {
		InteropRig.ensurePostfixRunning();
		InteropRig.resumePostfixDelivery();
	}

	@Test
	void fourThreadsTimesTwoHundredMessagesThroughAPoolOfTwoArriveExactlyOnceEach() throws Exception {
		int threads = 4;
		int perThread = 200;
		String tag = InteropRig.uniqueId("load");
		Events events = new Events();
		List<String> sent = new ArrayList<>();
		try (SmtpClient client = client(events)) {
			ExecutorService pool = Executors.newFixedThreadPool(threads);
			try {
				List<Future<List<String>>> results = new ArrayList<>();
				for (int t = 0; t < threads; t++) {
					int thread = t;
					results.add(pool.submit(() -> {
						List<String> accepted = new ArrayList<>();
						for (int i = 0; i < perThread; i++) {
							String messageId = "<" + tag + "-" + thread + "-" + i + "@interop.test>";
							SendResult result = client.send(Envelope.of(SENDER, RECIPIENT),
									InteropRig.message(SENDER, RECIPIENT, messageId, "load " + thread + "/" + i));
							assertThat(result.isFullyAccepted()).isTrue();
							assertThat(result.finalReply().code()).isEqualTo(250);
							accepted.add(messageId);
						}
						return accepted;
					}));
				}
				for (Future<List<String>> result : results) {
					sent.addAll(result.get(5, TimeUnit.MINUTES));
				}
			}
			finally {
				pool.shutdownNow();
				assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
			}
			assertThat(client.poolStats().total()).isLessThanOrEqualTo(2);
		}
		assertThat(sent).hasSize(threads * perThread).doesNotHaveDuplicates();
		assertThat(events.outcomes.get(SendOutcome.ACCEPTED).get()).isEqualTo(threads * perThread);
		// Postfix advertises PIPELINING and SmtpClient pipelines: MAIL and RCPT went out together.
		assertThat(events.pipelinedTransactions.get()).isEqualTo(threads * perThread);
		// 100 messages per connection at most (the pool's default): at least 8 connections, all logged in.
		assertThat(events.sessionsCreated.get()).isGreaterThanOrEqualTo(8);
		assertThat(events.authSucceeded.get()).isEqualTo(events.sessionsCreated.get());

		Map<String, Integer> delivered = awaitDeliveries(tag, threads * perThread);
		assertThat(delivered.keySet()).containsExactlyInAnyOrderElementsOf(sent);
		assertThat(delivered).allSatisfy((messageId, copies) -> assertThat(copies).as(messageId).isEqualTo(1));
	}

	/**
	 * {@link SmtpClient#sendAll}: Postfix answers each end of data with the next message's MAIL,
	 * RCPT and DATA already read, over connections that carry 100 messages each; an unknown
	 * recipient in the middle fails only its own message.
	 */
	@Test
	void aBatchOfThreeHundredIsPipelinedAcrossMessagesAndEachArrivesExactlyOnce() throws Exception {
		int count = 300;
		int refusedIndex = 150;
		String tag = InteropRig.uniqueId("batch");
		Events events = new Events();
		List<OutgoingMessage> messages = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String messageId = "<" + tag + "-" + i + "@interop.test>";
			String recipient = (i == refusedIndex) ? InteropRig.uniqueId("nobody") + "@example.test" : RECIPIENT;
			messages.add(OutgoingMessage.of(Envelope.of(SENDER, recipient),
					InteropRig.message(SENDER, recipient, messageId, "batch " + i)));
		}
		List<BatchResult> results;
		try (SmtpClient client = client(events)) {
			results = client.sendAll(messages);
		}
		assertThat(results.get(refusedIndex).failure()).isInstanceOf(SmtpRecipientsRefusedException.class);
		List<String> sent = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			if (i != refusedIndex) {
				assertThat(results.get(i).get().finalReply().code()).as("message %d", i).isEqualTo(250);
				sent.add("<" + tag + "-" + i + "@interop.test>");
			}
		}
		assertThat(events.outcomes.get(SendOutcome.ACCEPTED).get()).isEqualTo(count - 1);
		assertThat(events.outcomes.get(SendOutcome.REFUSED).get()).isEqualTo(1);
		// 100 messages per connection: three connections. Nearly every message went out before the
		// previous one's end of data was answered; not the first of each batch part on a session,
		// nor the one after the refusal, which starts a group of its own.
		assertThat(events.sessionsCreated.get()).isEqualTo(3);
		assertThat(events.pipelinedAcrossMessages.get()).isBetween(count - 10, count - 4);

		Map<String, Integer> delivered = awaitDeliveries(tag, count - 1);
		assertThat(delivered.keySet()).containsExactlyInAnyOrderElementsOf(sent);
		assertThat(delivered).allSatisfy((messageId, copies) -> assertThat(copies).as(messageId).isEqualTo(1));
	}

	/**
	 * Stops and starts Postfix while 4 threads send. What must hold: every send that returned
	 * (ACCEPTED) was delivered exactly once; every send that failed failed with a typed exception,
	 * and was delivered never, unless it was {@link SmtpAmbiguousOutcomeException}, which says the
	 * message may or may not have been taken (at most once: nobody sends it again); no Message-ID
	 * arrives twice; and the client heals and goes on sending after the restart.
	 *
	 * <p>Typed means an {@link SmtpException}, or the {@link ConnectException} that SmtpClient
	 * documents for a server that refuses connections (while Postfix is down).
	 *
	 * <p>Postfix keeps the burst's mail queued until after the restart ({@code defer_transports}):
	 * stopping Postfix while it hands mail to Dovecot delivers some of it twice (Dovecot saved it,
	 * Postfix was killed before noting so, and delivers it again after the restart; seen here under
	 * load), which is Postfix's at-least-once queue, not the client. The queued mail must then survive
	 * the restart. Independently of that, each delivered copy names the Postfix queue ID of the SMTP
	 * transaction that brought it: one ID per Message-ID means the client handed each message over
	 * once.
	 */
	@Test
	void postfixStoppedAndStartedInTheMiddleOfABurstLosesNothingDuplicatesNothingAndFailsTyped() throws Exception {
		int threads = 4;
		int maxPerThread = 400;
		int acceptedBeforeRestart = 60;
		int acceptedAfterRestart = 60;
		String tag = InteropRig.uniqueId("restart");
		Events events = new Events();
		Queue<Attempt> attempts = new ConcurrentLinkedQueue<>();
		AtomicInteger accepted = new AtomicInteger();
		AtomicInteger acceptedSinceRestart = new AtomicInteger();
		CountDownLatch restartNow = new CountDownLatch(1);
		CountDownLatch restarted = new CountDownLatch(1);
		InteropRig.deferPostfixDelivery();
		try (SmtpClient client = client(events)) {
			ExecutorService pool = Executors.newFixedThreadPool(threads);
			try {
				List<Future<?>> senders = new ArrayList<>();
				for (int t = 0; t < threads; t++) {
					int thread = t;
					senders.add(pool.submit(() -> {
						for (int i = 0; i < maxPerThread; i++) {
							boolean afterRestart = restarted.getCount() == 0;
							if (afterRestart && acceptedSinceRestart.get() >= acceptedAfterRestart) {
								return null;
							}
							String messageId = "<" + tag + "-" + thread + "-" + i + "@interop.test>";
							try {
								SendResult result = client.send(Envelope.of(SENDER, RECIPIENT),
										InteropRig.message(SENDER, RECIPIENT, messageId, "restart " + thread + "/" + i));
								assertThat(result.isFullyAccepted()).isTrue();
								attempts.add(new Attempt(messageId, Outcome.ACCEPTED, null, afterRestart));
								if (accepted.incrementAndGet() >= acceptedBeforeRestart) {
									restartNow.countDown();
								}
								if (afterRestart) {
									acceptedSinceRestart.incrementAndGet();
								}
							}
							catch (SmtpAmbiguousOutcomeException ex) {
								attempts.add(new Attempt(messageId, Outcome.AMBIGUOUS, ex, afterRestart));
							}
							catch (Exception ex) {
								attempts.add(new Attempt(messageId, Outcome.FAILED, ex, afterRestart));
								// While Postfix is down, wait for it (bounded) instead of spinning through attempts.
								restarted.await(2, TimeUnit.MINUTES);
							}
						}
						return null;
					}));
				}
				assertThat(restartNow.await(2, TimeUnit.MINUTES)).as("%d messages accepted before the restart",
						acceptedBeforeRestart).isTrue();
				try {
					InteropRig.restartPostfix();
				}
				finally {
					restarted.countDown();
				}
				for (Future<?> sender : senders) {
					sender.get(5, TimeUnit.MINUTES);
				}
			}
			finally {
				pool.shutdownNow();
				assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
			}
		}
		finally {
			InteropRig.resumePostfixDelivery();
		}

		List<Attempt> all = List.copyOf(attempts);
		Map<Outcome, List<Attempt>> byOutcome = all.stream().collect(Collectors.groupingBy(Attempt::outcome));
		List<Attempt> acceptedAttempts = byOutcome.getOrDefault(Outcome.ACCEPTED, List.of());
		List<Attempt> ambiguous = byOutcome.getOrDefault(Outcome.AMBIGUOUS, List.of());
		List<Attempt> failed = byOutcome.getOrDefault(Outcome.FAILED, List.of());
		String summary = String.format("%d accepted, %d ambiguous, %d failed; failures: %s; sessions destroyed: %s",
				acceptedAttempts.size(), ambiguous.size(), failed.size(),
				failed.stream().map((attempt) -> attempt.failure().toString()).distinct().limit(10).toList(),
				events.destroyReasons());
		System.out.println("Postfix restart in a burst: " + summary);

		assertThat(all.stream().map(Attempt::messageId)).as(summary).doesNotHaveDuplicates();
		assertThat(failed).as("failures that are not typed: " + summary)
			.allSatisfy((attempt) -> assertThat(attempt.failure()).isInstanceOfAny(SmtpException.class,
					ConnectException.class));
		// The restart really hit the client: sessions broke (not just rotated), and it healed.
		assertThat(events.destroyReasons()).as(summary)
			.anySatisfy((reason) -> assertThat(reason).isNotIn("max messages per connection", "pool closed"));
		assertThat(acceptedAttempts.stream().filter(Attempt::afterRestart).count()).as(summary)
			.isGreaterThanOrEqualTo(acceptedAfterRestart);

		Set<String> acceptedIds = acceptedAttempts.stream().map(Attempt::messageId).collect(Collectors.toSet());
		Map<String, Integer> delivered = awaitDeliveries(tag, acceptedIds.size());
		assertThat(postfixQueueIds(tag)).as("Postfix transactions per Message-ID; " + summary)
			.allSatisfy((messageId, queueIds) -> assertThat(queueIds).as(messageId).hasSize(1));
		assertThat(delivered).as("delivered copies per Message-ID; " + summary)
			.allSatisfy((messageId, copies) -> assertThat(copies).as(messageId).isEqualTo(1));
		assertThat(delivered.keySet()).as("nothing accepted is lost; " + summary).containsAll(acceptedIds);
		for (Attempt attempt : failed) {
			assertThat(delivered).as("a definite failure was delivered: %s", attempt)
				.doesNotContainKey(attempt.messageId());
		}
		Set<String> ambiguousIds = ambiguous.stream().map(Attempt::messageId).collect(Collectors.toSet());
		assertThat(delivered.keySet()).as("only what was accepted or ambiguous arrives; " + summary)
			.allSatisfy((messageId) -> assertThat(acceptedIds.contains(messageId) || ambiguousIds.contains(messageId))
				.isTrue());
	}

	// ---------------------------------------------------------------- helpers

	private static SmtpClient client(Events events) throws IOException {
		return SmtpClient.builder()
			.host(InteropRig.HOST)
			.port(InteropRig.SMTP_PORT)
			.tls(TlsMode.STARTTLS_REQUIRED)
			.sslContext(InteropRig.trustingRigCertificate())
			.credentials("alice", "alice-pw")
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.connectTimeout(Duration.ofSeconds(5))
			.eventListener(events)
			.pool(PoolConfig.builder().maxTotal(2).maxWait(Duration.ofSeconds(60)).build())
			.build();
	}

	/**
	 * Waits until Postfix's queue is empty and at least {@code expected} messages with the tag are in
	 * the recipient's maildir, then counts the copies of each Message-ID.
	 */
	private static Map<String, Integer> awaitDeliveries(String tag, int expected) throws IOException {
		Maildir maildir = InteropRig.maildir("postmaster");
		String prefix = "<" + tag + "-";
		await("Postfix's queue empty and " + expected + " messages " + prefix + "... in " + maildir.root())
			.atMost(ALL_DELIVERED)
			.pollInterval(Duration.ofMillis(250))
			.until(() -> InteropRig.postfixQueueIsEmpty()
					&& maildir.matching((mail) -> mail.messageId() != null && mail.messageId().startsWith(prefix))
						.size() >= expected);
		Map<String, Integer> copies = new HashMap<>();
		for (Maildir.Delivered mail : maildir.matching(
				(mail) -> mail.messageId() != null && mail.messageId().startsWith(prefix))) {
			copies.merge(mail.messageId(), 1, Integer::sum);
		}
		return copies;
	}

	/**
	 * For each delivered Message-ID with the tag, the queue IDs Postfix gave the SMTP transactions
	 * that brought it ({@code by mx.example.test (Postfix) with ESMTPSA id 1A2B3C4D}).
	 */
	private static Map<String, Set<String>> postfixQueueIds(String tag) throws IOException {
		java.util.regex.Pattern queueId = java.util.regex.Pattern
			.compile("by mx\\.example\\.test \\(Postfix\\) with \\S+ id (\\S+)");
		Map<String, Set<String>> ids = new HashMap<>();
		for (Maildir.Delivered mail : InteropRig.maildir("postmaster")
			.matching((mail) -> mail.messageId() != null && mail.messageId().startsWith("<" + tag + "-"))) {
			Set<String> found = ids.computeIfAbsent(mail.messageId(), (key) -> new java.util.TreeSet<>());
			for (String received : mail.headers("Received")) {
				java.util.regex.Matcher matcher = queueId.matcher(received);
				if (matcher.find()) {
					found.add(matcher.group(1));
				}
			}
			assertThat(found).as("a Postfix queue ID in %s", mail).isNotEmpty();
		}
		return ids;
	}

	enum Outcome {

		ACCEPTED, AMBIGUOUS, FAILED

	}

	record Attempt(String messageId, Outcome outcome, Exception failure, boolean afterRestart) {
	}

	/**
	 * Counts outcomes, sessions and AUTH, the reasons sessions were closed, and transactions whose
	 * RCPT went out right after MAIL, before MAIL's reply: pipelined (a session is used by one thread
	 * at a time, and listeners are called on it).
	 */
	private static final class Events implements SmtpEventListener {

		final Map<SendOutcome, AtomicInteger> outcomes = new java.util.EnumMap<>(SendOutcome.class);

		final AtomicInteger sessionsCreated = new AtomicInteger();

		final AtomicInteger authSucceeded = new AtomicInteger();

		final AtomicInteger pipelinedTransactions = new AtomicInteger();

		/** MAIL sent while the previous message's end of data was still unanswered. */
		final AtomicInteger pipelinedAcrossMessages = new AtomicInteger();

		private final ThreadLocal<Boolean> awaitingEndOfData = ThreadLocal.withInitial(() -> false);

		private final Queue<String> destroyed = new ConcurrentLinkedQueue<>();

		private final ThreadLocal<String> previous = new ThreadLocal<>();

		Events() {
			for (SendOutcome outcome : SendOutcome.values()) {
				this.outcomes.put(outcome, new AtomicInteger());
			}
		}

		List<String> destroyReasons() {
			return List.copyOf(this.destroyed);
		}

		@Override
		public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
			if ("RCPT".equals(verb) && "MAIL".equals(this.previous.get())) {
				this.pipelinedTransactions.incrementAndGet();
			}
			if ("MAIL".equals(verb) && this.awaitingEndOfData.get()) {
				this.pipelinedAcrossMessages.incrementAndGet();
			}
			this.previous.set(verb);
		}

		@Override
		public void messageDataSent(SmtpEndpoint endpoint, long bytes) {
			this.awaitingEndOfData.set(true);
		}

		@Override
		public void replyReceived(SmtpEndpoint endpoint, String verb, io.github.smtpkit.SmtpReply reply,
				Duration duration) {
			this.previous.set("reply");
			if (SmtpEventListener.END_OF_DATA.equals(verb)) {
				this.awaitingEndOfData.set(false);
			}
		}

		@Override
		public void authSucceeded(SmtpEndpoint endpoint, String mechanism) {
			this.authSucceeded.incrementAndGet();
		}

		@Override
		public void sessionCreated(SmtpEndpoint endpoint, Duration duration) {
			this.sessionsCreated.incrementAndGet();
		}

		@Override
		public void sessionDestroyed(SmtpEndpoint endpoint, String reason) {
			this.destroyed.add(reason);
		}

		@Override
		public void sendFinished(SmtpEndpoint endpoint, SendOutcome outcome, int recipients, long messageSize,
				int attempts, Duration duration) {
			this.outcomes.get(outcome).incrementAndGet();
		}

	}

}
