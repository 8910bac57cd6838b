package io.github.smtpkit;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLHandshakeException;

import io.github.smtpkit.testing.ScriptedSmtpServer;
import io.github.smtpkit.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * smtplib's debug output ({@code set_debuglevel}) in Python's repr style, and the events that carry
 * smtplib's audit events and more to an {@link SmtpEventListener}.
 */
@Timeout(20)
class SmtpSessionDebugAndEventsTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	// ---------------------------------------------------------------- debug output

	@Test
	void debugLevelOnePrintsTheConnectionAndEveryLine() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test ESMTP").reply("250-first\n250 second").reply("221 bye").awaitClose();
			List<String> lines = new ArrayList<>();
			SmtpSession session = client(server).debugOutput(lines::add).build();
			session.setDebugLevel(1);

			session.connect();
			session.noop();
			session.quit();

			server.awaitScriptDone(WAIT);
			assertThat(lines).containsExactly("connect: to 127.0.0.1:" + server.port(),
					"reply: '220 fake.test ESMTP\\r\\n'", "reply: retcode (220); Msg: 'fake.test ESMTP'",
					"connect: 'fake.test ESMTP'", "send: 'NOOP\\r\\n'", "reply: '250-first\\r\\n'",
					"reply: '250 second\\r\\n'", "reply: retcode (250); Msg: 'first\\nsecond'", "send: 'QUIT\\r\\n'",
					"reply: '221 bye\\r\\n'", "reply: retcode (221); Msg: 'bye'");
		}
	}

	@Test
	void debugOutputEscapesQuotesControlsAndRawBytesButShowsDecodedTextAsPythonReprDoes() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250 it's \"ok\" \\ é\tdone").awaitClose();
			List<String> lines = new ArrayList<>();
			SmtpSession session = client(server).debugOutput(lines::add).connect();
			session.setDebugLevel(1);

			session.docmd("XTEST", "it's");

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(lines).containsExactly("send: 'XTEST it\\'s\\r\\n'",
					"reply: '250 it\\'s \"ok\" \\\\ \\xc3\\xa9\\tdone\\r\\n'",
					"reply: retcode (250); Msg: 'it\\'s \"ok\" \\\\ é\\tdone'");
		}
	}

	@Test
	void debugLevelTwoPrefixesTheTimeFromTheClock() throws Exception {
		Clock clock = Clock.fixed(Instant.parse("2024-05-06T07:08:09.123456Z"), ZoneOffset.UTC);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250 ok").awaitClose();
			List<String> lines = new ArrayList<>();
			SmtpSession session = client(server).debugOutput(lines::add).clock(clock).debugLevel(2).build();

			session.connect();
			session.noop();

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(lines).isNotEmpty().allSatisfy((line) -> assertThat(line).startsWith("07:08:09.123456 "));
			assertThat(lines).first().isEqualTo("07:08:09.123456 connect: to 127.0.0.1:" + server.port());
			assertThat(lines).contains("07:08:09.123456 send: 'NOOP\\r\\n'",
					"07:08:09.123456 reply: retcode (250); Msg: 'ok'");
		}
	}

	@Test
	void debugLevelZeroPrintsNothing() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250 ok").reply("250 ok").awaitClose();
			List<String> lines = new ArrayList<>();
			SmtpSession quiet = client(server).debugOutput(lines::add).connect();

			quiet.noop();
			assertThat(lines).isEmpty();

			quiet.setDebugLevel(1);
			quiet.setDebugLevel(0);
			quiet.noop();

			quiet.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(lines).isEmpty();
		}
	}

	@Test
	void negativeDebugLevelIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpSession.smtp().build().setDebugLevel(-1))
			.withMessageContaining("-1");
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpSession.smtp().debugLevel(-2))
			.withMessageContaining("debugLevel");
	}

	@Test
	void debugOutputShowsAtMostFourKibibytesOfMessageData() throws Exception {
		byte[] message = ("Subject: big\r\n\r\n" + "x".repeat(10_000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("354 go ahead").reply("250 queued").awaitClose();
			List<String> lines = new ArrayList<>();
			SmtpSession session = client(server).debugOutput(lines::add).connect();
			session.setDebugLevel(1);

			session.data(message);

			session.disconnect();
			server.awaitScriptDone(WAIT);
			int written = server.messages().get(0).length;
			String shown = "'Subject: big\\r\\n\\r\\n" + "x".repeat(4096 - 16) + "'";
			assertThat(lines).containsExactly("send: 'DATA\\r\\n'", "reply: '354 go ahead\\r\\n'",
					"reply: retcode (354); Msg: 'go ahead'", "data: (354, 'go ahead')",
					"send: " + shown + " ... (" + written + " bytes written in all)", "reply: '250 queued\\r\\n'",
					"reply: retcode (250); Msg: 'queued'", "data: (250, 'queued')");
		}
	}

	@Test
	void debugOutputOfAStreamedMessageShowsItsSize() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("354 go ahead").reply("250 queued").awaitClose();
			List<String> lines = new ArrayList<>();
			SmtpSession session = client(server).debugOutput(lines::add).debugLevel(1).build();
			session.connect();

			session.data(new ByteArrayInputStream("hi\r\n".getBytes(StandardCharsets.US_ASCII)));

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(lines).contains("send: <7 bytes of message data from a stream>");
		}
	}

	// ---------------------------------------------------------------- events

	@Test
	void listenerFollowsAWholeTransaction() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250 8BITMIME")
				.reply("250 2.1.0 ok")
				.reply("250 2.1.5 ok")
				.reply("354 go ahead")
				.reply("250 2.0.0 queued")
				.reply("221 bye")
				.awaitClose();
			RecordingListener listener = new RecordingListener();
			SmtpSession session = client(server).eventListener(listener).build();
			String endpoint = "127.0.0.1:" + server.port();

			session.connect();
			session.ehlo();
			session.mail("a@x.test");
			session.rcpt("b@y.test");
			session.data("Subject: dots\r\n\r\n.dot\r\n");
			session.quit();

			server.awaitScriptDone(WAIT);
			int written = server.messages().get(0).length;
			assertThat(written).isEqualTo("Subject: dots\r\n\r\n..dot\r\n.\r\n".length());
			assertThat(listener.events).containsExactly("connectStart " + endpoint,
					"connectEnd " + endpoint + " 220 fake.test", "commandSent EHLO EHLO client.test",
					"replyReceived EHLO 250 fake.test\n8BITMIME", "commandSent MAIL MAIL FROM:<a@x.test>",
					"replyReceived MAIL 250 2.1.0 ok", "commandSent RCPT RCPT TO:<b@y.test>",
					"replyReceived RCPT 250 2.1.5 ok", "commandSent DATA DATA", "replyReceived DATA 354 go ahead",
					"messageDataSent " + written, "replyReceived END-OF-DATA 250 2.0.0 queued",
					"commandSent QUIT QUIT", "replyReceived QUIT 221 bye", "connectionClosed " + endpoint);
			assertThat(listener.durations).hasSize(7).allSatisfy((duration) -> assertThat(duration).isGreaterThanOrEqualTo(Duration.ZERO));
			assertThat(listener.endpoints).containsOnly(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "127.0.0.1", server.port()));
		}
	}

	@Test
	void listenerHearsOfStarttls() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250 STARTTLS")
				.startTls(TestCertificates.serverContext(), "220 ready")
				.awaitClose();
			RecordingListener listener = new RecordingListener();
			SmtpSession session = client(server).sslContext(TestCertificates.clientContextTrustingCa())
				.eventListener(listener)
				.connect();

			session.starttls();

			session.disconnect();
			server.awaitScriptDone(WAIT);
			String endpoint = "127.0.0.1:" + server.port();
			assertThat(listener.events).containsSubsequence("commandSent STARTTLS STARTTLS",
					"replyReceived STARTTLS 220 ready", "tlsEstablished " + endpoint, "connectionClosed " + endpoint);
			assertThat(listener.tlsProtocols).singleElement().asString().startsWith("TLSv1");
			assertThat(listener.cipherSuites).singleElement().asString().isNotBlank();
			server.assertNoFailures();
		}
	}

	@Test
	void listenerHearsOfAFailedHandshake() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250 STARTTLS")
				.startTls(TestCertificates.serverContext(), "220 ready");
			RecordingListener listener = new RecordingListener();
			SmtpSession session = client(server).eventListener(listener).connect();

			SSLHandshakeException thrown = null;
			try {
				session.starttls();
			}
			catch (SSLHandshakeException ex) {
				thrown = ex;
			}

			assertThat(thrown).isNotNull();
			String endpoint = "127.0.0.1:" + server.port();
			assertThat(listener.events).containsSubsequence("tlsFailed " + endpoint, "connectionClosed " + endpoint)
				.doesNotContain("tlsEstablished " + endpoint);
			assertThat(listener.failures).containsExactly(thrown);
			assertThat(session.isConnected()).isFalse();
		}
	}

	@Test
	void listenerHearsOfARefusedConnection() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			closedPort = socket.getLocalPort();
		}
		RecordingListener listener = new RecordingListener();
		SmtpSession session = SmtpSession.smtp().host("127.0.0.1").port(closedPort).eventListener(listener)
			.timeout(WAIT).build();

		IOException thrown = null;
		try {
			session.connect();
		}
		catch (ConnectException ex) {
			thrown = ex;
		}

		assertThat(thrown).isNotNull();
		String endpoint = "127.0.0.1:" + closedPort;
		assertThat(listener.events).containsExactly("connectStart " + endpoint,
				"connectFailed " + endpoint + " ConnectException");
		assertThat(listener.failures).containsExactly(thrown);
		assertThat(listener.durations).singleElement().satisfies((duration) -> assertThat(duration).isGreaterThanOrEqualTo(Duration.ZERO));
	}

	@Test
	void listenerHearsOfARefusingGreeting() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("554 go away").awaitClose();
			RecordingListener listener = new RecordingListener();
			SmtpSession session = client(server).eventListener(listener).build();

			SmtpConnectException thrown = null;
			try {
				session.connect();
			}
			catch (SmtpConnectException ex) {
				thrown = ex;
			}

			assertThat(thrown).isNotNull();
			String endpoint = "127.0.0.1:" + server.port();
			assertThat(listener.events).startsWith("connectStart " + endpoint)
				.contains("connectFailed " + endpoint + " SmtpConnectException")
				.noneMatch((event) -> event.startsWith("connectEnd"));
			assertThat(listener.failures).containsExactly(thrown);
			server.awaitScriptDone(WAIT);
		}
	}

	@Test
	void listenerThatAlwaysThrowsDoesNotBreakSendmail() throws Exception {
		AtomicInteger calls = new AtomicInteger();
		SmtpEventListener throwing = new SmtpEventListener() {

			@Override
			public void connectStart(SmtpEndpoint endpoint) {
				throw boom();
			}

			@Override
			public void connectEnd(SmtpEndpoint endpoint, SmtpReply greeting, Duration duration) {
				throw boom();
			}

			@Override
			public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
				throw boom();
			}

			@Override
			public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
				throw boom();
			}

			@Override
			public void messageDataSent(SmtpEndpoint endpoint, long bytes) {
				throw boom();
			}

			@Override
			public void connectionClosed(SmtpEndpoint endpoint) {
				throw boom();
			}

			private RuntimeException boom() {
				calls.incrementAndGet();
				return new IllegalStateException("listener failure " + calls.get());
			}

		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250 8BITMIME")
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye")
				.awaitClose();
			SmtpSession session = client(server).eventListener(throwing).connect();

			assertThat(session.sendmail("a@x.test", List.of("b@y.test"), "Subject: hi\r\n\r\nhello\r\n")).isEmpty();
			assertThat(session.quit()).isEqualTo(new SmtpReply(221, "bye"));

			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@x.test>",
					"RCPT TO:<b@y.test>", "DATA", "QUIT");
			assertThat(new String(server.messages().get(0), StandardCharsets.US_ASCII))
				.isEqualTo("Subject: hi\r\n\r\nhello\r\n.\r\n");
			assertThat(calls.get()).isEqualTo(15);
			server.assertNoFailures();
		}
	}

	// ---------------------------------------------------------------- no secrets

	@Test
	void toStringShowsProtocolAndEndpoint() throws Exception {
		SmtpSession unconnected = SmtpSession.smtp().build();
		assertThat(unconnected).hasToString("SmtpSession[smtp not connected]");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startImplicitTls(TestCertificates.serverContext())) {
			server.greet("220 tls.test").awaitClose();
			SmtpSession session = SmtpSession.smtps()
				.host("localhost")
				.port(server.port())
				.sslContext(TestCertificates.clientContextTrustingCa())
				.timeout(WAIT)
				.connect();

			assertThat(session).hasToString("SmtpSession[smtps localhost:" + server.port() + ", TLS]");

			session.disconnect();
			assertThat(session).hasToString("SmtpSession[smtps not connected]");
			server.awaitScriptDone(WAIT);
		}
	}

	@Test
	void credentialsReachNeitherToStringNorDebugOutputNorListeners() throws Exception {
		String password = "s3cr3t-pässword";
		String payload = Base64.getEncoder().encodeToString(("\0me\0" + password).getBytes(StandardCharsets.UTF_8));
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250 AUTH PLAIN").reply("235 2.7.0 ok").awaitClose();
			List<String> lines = new ArrayList<>();
			RecordingListener listener = new RecordingListener();
			SmtpSession session = client(server).debugOutput(lines::add).debugLevel(1).eventListener(listener).connect();

			assertThat(session.login("me", password)).isEqualTo(new SmtpReply(235, "2.7.0 ok"));

			assertThat(session.toString()).isEqualTo("SmtpSession[smtp 127.0.0.1:" + server.port() + "]")
				.doesNotContain(password)
				.doesNotContain(payload);
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).contains("AUTH PLAIN " + payload);
			assertThat(lines).contains("send: 'AUTH PLAIN <redacted>\\r\\n'")
				.noneMatch((line) -> line.contains(payload) || line.contains(password));
			assertThat(listener.events).contains("commandSent AUTH AUTH PLAIN <redacted>", "authSucceeded PLAIN")
				.noneMatch((event) -> event.contains(payload) || event.contains(password));
		}
	}

	// ---------------------------------------------------------------- helpers

	private static SmtpSession.Builder client(ScriptedSmtpServer server) {
		return SmtpSession.smtp().host(server.host()).port(server.port()).localHostname("client.test").timeout(WAIT);
	}

	/** Writes every event down as one line of text. */
	private static final class RecordingListener implements SmtpEventListener {

		final List<String> events = new CopyOnWriteArrayList<>();

		final List<Duration> durations = new CopyOnWriteArrayList<>();

		final List<SmtpEndpoint> endpoints = new CopyOnWriteArrayList<>();

		final List<IOException> failures = new CopyOnWriteArrayList<>();

		final List<String> tlsProtocols = new CopyOnWriteArrayList<>();

		final List<String> cipherSuites = new CopyOnWriteArrayList<>();

		@Override
		public void connectStart(SmtpEndpoint endpoint) {
			record(endpoint, "connectStart " + endpoint);
		}

		@Override
		public void connectEnd(SmtpEndpoint endpoint, SmtpReply greeting, Duration duration) {
			record(endpoint, "connectEnd " + endpoint + " " + greeting);
			this.durations.add(duration);
		}

		@Override
		public void connectFailed(SmtpEndpoint endpoint, IOException failure, Duration duration) {
			record(endpoint, "connectFailed " + endpoint + " " + failure.getClass().getSimpleName());
			this.failures.add(failure);
			this.durations.add(duration);
		}

		@Override
		public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
			record(endpoint, "commandSent " + verb + " " + line);
		}

		@Override
		public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
			record(endpoint, "replyReceived " + verb + " " + reply);
			this.durations.add(duration);
		}

		@Override
		public void messageDataSent(SmtpEndpoint endpoint, long bytes) {
			record(endpoint, "messageDataSent " + bytes);
		}

		@Override
		public void tlsEstablished(SmtpEndpoint endpoint, String protocol, String cipherSuite, Duration duration) {
			record(endpoint, "tlsEstablished " + endpoint);
			this.tlsProtocols.add(protocol);
			this.cipherSuites.add(cipherSuite);
			this.durations.add(duration);
		}

		@Override
		public void tlsFailed(SmtpEndpoint endpoint, IOException failure) {
			record(endpoint, "tlsFailed " + endpoint);
			this.failures.add(failure);
		}

		@Override
		public void authSucceeded(SmtpEndpoint endpoint, String mechanism) {
			record(endpoint, "authSucceeded " + mechanism);
		}

		@Override
		public void authFailed(SmtpEndpoint endpoint, String mechanism, SmtpReply reply) {
			record(endpoint, "authFailed " + mechanism + " " + reply);
		}

		@Override
		public void connectionClosed(SmtpEndpoint endpoint) {
			record(endpoint, "connectionClosed " + endpoint);
		}

		private void record(SmtpEndpoint endpoint, String event) {
			this.endpoints.add(endpoint);
			this.events.add(event);
		}

	}

}
