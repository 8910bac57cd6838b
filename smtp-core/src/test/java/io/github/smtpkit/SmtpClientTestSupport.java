package io.github.smtpkit;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.smtpkit.testing.ScriptedSmtpServer;

/**
 * What the {@code SmtpClient*Tests} share: a listener that records every event, a clock the test
 * moves, and the usual lines of a scripted server's dialogue.
 */
final class SmtpClientTestSupport {

	static final Duration WAIT = Duration.ofSeconds(5);

	static final String GREETING = "220 fake.test ESMTP ready";

	/** EHLO reply of a plain ESMTP server: no STARTTLS, no AUTH. */
	static final String EHLO = "250-fake.test greets client.test\n250-SIZE 10240000\n250 8BITMIME";

	static final String FROM = "app@example.test";

	static final String TO = "user@example.test";

	static final Envelope ENVELOPE = Envelope.of(FROM, TO);

	private SmtpClientTestSupport() {
	}

	/** A small message, distinct per number. */
	static byte[] message(int number) {
		return ("Subject: message " + number + "\r\n\r\nHello " + number + ".\r\n").getBytes(StandardCharsets.US_ASCII);
	}

	/** What the scripted server records as the message data of {@link #message(int)}. */
	static String received(int number) {
		return text(message(number)) + ".\r\n";
	}

	static String text(byte[] bytes) {
		return new String(bytes, StandardCharsets.ISO_8859_1);
	}

	static List<String> texts(List<byte[]> messages) {
		return messages.stream().map(SmtpClientTestSupport::text).toList();
	}

	/** A new connection: the greeting and the reply to EHLO. */
	static ScriptedSmtpServer opens(ScriptedSmtpServer server) {
		return server.greet(GREETING).reply(EHLO);
	}

	/** One accepted transaction with one recipient: MAIL, RCPT, DATA and the message. */
	static ScriptedSmtpServer accepts(ScriptedSmtpServer server) {
		return server.reply("250 2.1.0 sender ok")
			.reply("250 2.1.5 recipient ok")
			.reply("354 go ahead")
			.reply("250 2.0.0 queued");
	}

	/** The reply to QUIT. */
	static ScriptedSmtpServer quits(ScriptedSmtpServer server) {
		return server.reply("221 2.0.0 bye");
	}

	/** The command lines of one accepted transaction of {@link #ENVELOPE} with {@link #message(int)}. */
	static List<String> transaction(int number) {
		return List.of("MAIL FROM:<" + FROM + "> SIZE=" + message(number).length, "RCPT TO:<" + TO + ">", "DATA");
	}

	/**
	 * A client for a scripted server: no TLS, EHLO as {@code client.test}, 5 s timeouts, and a
	 * clock that stands still unless the test moves it (so no idle time passes by accident).
	 */
	static SmtpClient.Builder clientFor(ScriptedSmtpServer server) {
		return SmtpClient.builder()
			.host(server.host())
			.port(server.port())
			.tls(TlsMode.NONE)
			.localHostname("client.test")
			.timeout(WAIT)
			.connectTimeout(WAIT)
			.clock(new MutableClock());
	}

	static String stackTrace(Throwable throwable) {
		StringWriter out = new StringWriter();
		throwable.printStackTrace(new PrintWriter(out));
		return out.toString();
	}

	/** A clock that moves only when told: for max lifetime and idle times without sleeping. */
	static final class MutableClock extends Clock {

		private volatile Instant now;

		MutableClock() {
			this(Instant.parse("2025-01-01T00:00:00Z"));
		}

		MutableClock(Instant start) {
			this.now = start;
		}

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

	/** What one {@link SmtpEventListener#sendFinished(SmtpEndpoint, BatchResult, SendOutcome)} call reported, and where. */
	record SendEnded(BatchResult result, SendOutcome outcome, Thread thread) {
	}

	/** What one {@link SmtpEventListener#sendFinished} call reported. */
	record SendFinished(SendOutcome outcome, int recipients, long messageSize, int attempts, Duration duration) {
	}

	/**
	 * Records every callback: its name in {@link #events()} (with the reason of
	 * {@code sessionDestroyed} and the outcome and attempts of {@code sendFinished}), and every
	 * argument as text in {@link #arguments()} (a throwable with its whole stack trace and causes).
	 */
	static final class RecordingListener implements SmtpEventListener {

		private final List<String> events = new CopyOnWriteArrayList<>();

		private final List<String> arguments = new CopyOnWriteArrayList<>();

		private final List<SendFinished> sends = new CopyOnWriteArrayList<>();

		private final List<Duration> borrowWaits = new CopyOnWriteArrayList<>();

		private final List<OutgoingMessage> started = new CopyOnWriteArrayList<>();

		private final List<Thread> startThreads = new CopyOnWriteArrayList<>();

		private final List<SendEnded> ended = new CopyOnWriteArrayList<>();

		private final List<Duration> borrowTimeouts = new CopyOnWriteArrayList<>();

		private void record(String event, Object... args) {
			this.events.add(event);
			Arrays.stream(args)
				.map((arg) -> (arg instanceof Throwable throwable) ? stackTrace(throwable) : String.valueOf(arg))
				.forEach(this.arguments::add);
		}

		@Override
		public void connectStart(SmtpEndpoint endpoint) {
			record("connectStart", endpoint);
		}

		@Override
		public void connectEnd(SmtpEndpoint endpoint, SmtpReply greeting, Duration duration) {
			record("connectEnd", endpoint, greeting, duration);
		}

		@Override
		public void connectFailed(SmtpEndpoint endpoint, IOException failure, Duration duration) {
			record("connectFailed", endpoint, failure, duration);
		}

		@Override
		public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
			record("commandSent: " + verb, endpoint, verb, line);
		}

		@Override
		public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
			record("replyReceived: " + verb, endpoint, verb, reply, duration);
		}

		@Override
		public void messageDataSent(SmtpEndpoint endpoint, long bytes) {
			record("messageDataSent", endpoint, bytes);
		}

		@Override
		public void tlsEstablished(SmtpEndpoint endpoint, String protocol, String cipherSuite, Duration duration) {
			record("tlsEstablished", endpoint, protocol, cipherSuite, duration);
		}

		@Override
		public void tlsFailed(SmtpEndpoint endpoint, IOException failure) {
			record("tlsFailed", endpoint, failure);
		}

		@Override
		public void authSucceeded(SmtpEndpoint endpoint, String mechanism) {
			record("authSucceeded: " + mechanism, endpoint, mechanism);
		}

		@Override
		public void authFailed(SmtpEndpoint endpoint, String mechanism, SmtpReply reply) {
			record("authFailed: " + mechanism, endpoint, mechanism, reply);
		}

		@Override
		public void connectionClosed(SmtpEndpoint endpoint) {
			record("connectionClosed", endpoint);
		}

		@Override
		public void sessionCreated(SmtpEndpoint endpoint, Duration duration) {
			record("sessionCreated", endpoint, duration);
		}

		@Override
		public void sessionBorrowed(SmtpEndpoint endpoint, Duration waited) {
			this.borrowWaits.add(waited);
			record("sessionBorrowed", endpoint, waited);
		}

		@Override
		public void sessionBorrowTimedOut(SmtpEndpoint endpoint, Duration waited) {
			this.borrowTimeouts.add(waited);
			record("borrowTimedOut", endpoint, waited);
		}

		@Override
		public void sendStarted(SmtpEndpoint endpoint, OutgoingMessage message) {
			this.started.add(message);
			this.startThreads.add(Thread.currentThread());
			// Only the name: the message carries addresses, which the other events never show.
			record("sendStarted");
		}

		@Override
		public void sendFinished(SmtpEndpoint endpoint, BatchResult result, SendOutcome outcome) {
			this.ended.add(new SendEnded(result, outcome, Thread.currentThread()));
			record("sendResult: " + outcome);
		}

		@Override
		public void sessionReturned(SmtpEndpoint endpoint) {
			record("sessionReturned", endpoint);
		}

		@Override
		public void sessionDestroyed(SmtpEndpoint endpoint, String reason) {
			record("sessionDestroyed: " + reason, endpoint, reason);
		}

		@Override
		public void pipeliningDisabled(SmtpEndpoint endpoint) {
			record("pipeliningDisabled", endpoint);
		}

		@Override
		public void sendFinished(SmtpEndpoint endpoint, SendOutcome outcome, int recipients, long messageSize,
				int attempts, Duration duration) {
			this.sends.add(new SendFinished(outcome, recipients, messageSize, attempts, duration));
			record("sendFinished: " + outcome + " attempts=" + attempts, endpoint, outcome, recipients, messageSize,
					attempts, duration);
		}

		/** Every callback so far, in order. */
		List<String> events() {
			return List.copyOf(this.events);
		}

		/** The pool and send events only: {@code session*} and {@code sendFinished}. */
		List<String> poolEvents() {
			return this.events.stream()
				.filter((event) -> event.startsWith("session") || event.startsWith("sendFinished"))
				.toList();
		}

		/** The reasons of every {@code sessionDestroyed}, in order. */
		List<String> destroyReasons() {
			return this.events.stream()
				.filter((event) -> event.startsWith("sessionDestroyed: "))
				.map((event) -> event.substring("sessionDestroyed: ".length()))
				.toList();
		}

		long count(String event) {
			return this.events.stream().filter(event::equals).count();
		}

		/** Every argument of every callback, as text. */
		List<String> arguments() {
			return List.copyOf(this.arguments);
		}

		List<SendFinished> sends() {
			return List.copyOf(this.sends);
		}

		List<Duration> borrowWaits() {
			return List.copyOf(this.borrowWaits);
		}

		/** The messages {@code sendStarted} told of, in order. */
		List<OutgoingMessage> started() {
			return List.copyOf(this.started);
		}

		List<Thread> startThreads() {
			return List.copyOf(this.startThreads);
		}

		/** What {@code sendFinished} with a result told, in order. */
		List<SendEnded> ended() {
			return List.copyOf(this.ended);
		}

		List<Duration> borrowTimeouts() {
			return List.copyOf(this.borrowTimeouts);
		}

	}

}
