package io.github.smtpkit;

import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.github.smtpkit.testing.ScriptedSmtpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Reading replies: smtplib's {@code getreply()} joins multi-line replies with {@code "\n"}, strips
 * each line, reports a non-numeric code as -1, refuses over-long lines and treats end of stream as a
 * disconnect; smtpkit adds a bounded wait that says what it was waiting for.
 */
@Timeout(20)
class SmtpSessionReplyTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	@Test
	void singleLineReplyIsStrippedOfBlanksAfterTheCode() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").replyRaw(ascii("250   2.0.0 ok \t \r\n")).awaitClose();
			SmtpSession session = client(server).connect();

			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "2.0.0 ok"));

			session.disconnect();
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void multiLineReplyIsJoinedWithNewlineAndEachLineStripped() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.replyRaw(ascii("250-first line  \r\n250-\tsecond\t\r\n250-\r\n250 last\r\n"))
				.reply("250 next")
				.awaitClose();
			SmtpSession session = client(server).connect();

			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "first line\nsecond\n\nlast"));
			assertThat(session.noop()).as("the whole reply was read, nothing left over")
				.isEqualTo(new SmtpReply(250, "next"));

			session.disconnect();
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void linesEndingInBareLineFeedAreReadToo() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").replyRaw(ascii("250-one\n250 two\n")).awaitClose();
			SmtpSession session = client(server).connect();

			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "one\ntwo"));

			session.disconnect();
			server.awaitScriptDone(WAIT);
		}
	}

	@Test
	void replyOfOnlyACodeHasEmptyText() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").replyRaw(ascii("250\r\n")).awaitClose();
			SmtpSession session = client(server).connect();

			assertThat(session.noop()).isEqualTo(new SmtpReply(250, ""));

			session.disconnect();
			server.awaitScriptDone(WAIT);
		}
	}

	@Test
	void nonNumericCodeIsMinusOneAndEndsTheReply() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// The continuation mark would ask for more lines; a malformed code stops reading anyway.
			server.greet("220 fake.test").replyRaw(ascii("abc-first line\r\n250 left for later\r\n")).read().awaitClose();
			SmtpSession session = client(server).connect();

			SmtpReply malformed = session.noop();

			assertThat(malformed).isEqualTo(new SmtpReply(SmtpReply.MALFORMED_CODE, "first line"));
			assertThat(malformed.code()).isEqualTo(-1);
			assertThat(malformed.replyClass()).isEqualTo("malformed");
			assertThat(session.isConnected()).isTrue();
			assertThat(session.noop()).as("the second line was not consumed by the first reply")
				.isEqualTo(new SmtpReply(250, "left for later"));

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("NOOP", "NOOP");
			server.assertNoFailures();
		}
	}

	@Test
	void lineOfExactlyMaxLengthIsAccepted() throws Exception {
		// 8192 bytes with the CRLF: "250 " + text + "\r\n".
		String text = "x".repeat(SmtpSession.MAX_LINE_LENGTH - 6);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").replyRaw(ascii("250 " + text + "\r\n")).reply("250 after").awaitClose();
			SmtpSession session = client(server).connect();

			SmtpReply reply = session.noop();

			assertThat(reply.code()).isEqualTo(250);
			assertThat(reply.message()).isEqualTo(text).hasSize(8186);
			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "after"));
			session.disconnect();
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void lineOneByteOverMaxLengthIsRefusedAndCloses() throws Exception {
		String text = "x".repeat(SmtpSession.MAX_LINE_LENGTH - 5);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").replyRaw(ascii("250 " + text + "\r\n")).awaitClose();
			SmtpSession session = client(server).connect();

			assertThatExceptionOfType(SmtpResponseException.class).isThrownBy(session::noop).satisfies((ex) -> {
				assertThat(ex.smtpCode()).isEqualTo(500);
				assertThat(ex.smtpError()).isEqualTo("Line too long.");
			});

			assertThat(session.isConnected()).isFalse();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("NOOP");
			server.assertNoFailures();
		}
	}

	@Test
	void endlessLineWithoutLineEndIsRefused() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").replyRaw(ascii("250 OK" + ".".repeat(2 * SmtpSession.MAX_LINE_LENGTH) + "\n"))
				.awaitClose();
			SmtpSession session = client(server).connect();

			assertThatExceptionOfType(SmtpResponseException.class).isThrownBy(session::noop)
				.satisfies((ex) -> assertThat(ex.reply()).isEqualTo(new SmtpReply(500, "Line too long.")));

			assertThat(session.isConnected()).isFalse();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("NOOP");
		}
	}

	@Test
	void overLongGreetingFailsTheConnect() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 " + "y".repeat(SmtpSession.MAX_LINE_LENGTH)).awaitClose();
			SmtpSession session = client(server).build();

			assertThatExceptionOfType(SmtpResponseException.class).isThrownBy(session::connect)
				.satisfies((ex) -> assertThat(ex.reply()).isEqualTo(new SmtpReply(500, "Line too long.")));

			assertThat(session.isConnected()).isFalse();
			server.awaitScriptDone(WAIT);
			assertThat(server.received()).isEmpty();
		}
	}

	@Test
	void endOfStreamInsteadOfAReplyIsADisconnect() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").disconnectAfterRead();
			SmtpSession session = client(server).connect();

			assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(session::noop)
				.withMessageContaining("Connection unexpectedly closed")
				.satisfies((ex) -> assertThat(ex).isNotInstanceOf(SmtpTimeoutException.class));

			assertThat(session.isConnected()).isFalse();
			assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(session::noop)
				.withMessage("please run connect() first");
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("NOOP");
			server.assertNoFailures();
		}
	}

	@Test
	void endOfStreamInTheMiddleOfAMultiLineReplyIsADisconnect() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").replyRaw(ascii("250-first\r\n250-second\r\n")).disconnect();
			SmtpSession session = client(server).connect();

			assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(session::ehlo)
				.withMessageContaining("Connection unexpectedly closed");

			assertThat(session.isConnected()).isFalse();
			assertThat(session.ehloResp()).isNull();
			assertThat(session.esmtpFeatures().isEmpty()).isTrue();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test");
			server.assertNoFailures();
		}
	}

	@Test
	void lastLineCutShortByEndOfStreamStillCompletesTheReply() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").replyRaw(ascii("250-first\r\n250 unterminated")).disconnect();
			SmtpSession session = client(server).connect();

			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "first\nunterminated"));

			assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(session::noop);
			assertThat(session.isConnected()).isFalse();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("NOOP");
		}
	}

	@Test
	void stalledServerTimesOutNamingTheCommandAndTheServer() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").stall();
			SmtpSession session = client(server).timeout(Duration.ofMillis(300)).connect();

			assertThatExceptionOfType(SmtpTimeoutException.class).isThrownBy(session::noop)
				.isInstanceOf(SmtpServerDisconnectedException.class)
				.withMessageContaining("NOOP")
				.withMessageContaining("127.0.0.1:" + server.port())
				.withMessageContaining("300 ms")
				.withCauseInstanceOf(SocketTimeoutException.class);

			assertThat(session.isConnected()).isFalse();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("NOOP");
		}
	}

	@Test
	void stalledEhloTimesOutNamingEhlo() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").stall();
			SmtpSession session = client(server).timeout(Duration.ofMillis(300)).connect();

			assertThatExceptionOfType(SmtpTimeoutException.class).isThrownBy(session::ehloOrHeloIfNeeded)
				.withMessageContaining("EHLO")
				.withMessageContaining("127.0.0.1:" + server.port());

			assertThat(session.isConnected()).isFalse();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).as("no HELO after a time-out").containsExactly("EHLO client.test");
		}
	}

	@Test
	void silentServerTimesOutWaitingForTheGreeting() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// The server accepts and then waits for the client, which waits for a greeting.
			server.stall();
			SmtpSession session = client(server).timeout(Duration.ofMillis(300)).build();

			assertThatExceptionOfType(SmtpTimeoutException.class).isThrownBy(session::connect)
				.withMessageContaining("greeting")
				.withMessageContaining("127.0.0.1:" + server.port());

			assertThat(session.isConnected()).isFalse();
			assertThat(server.received()).isEmpty();
		}
	}

	@Test
	void replyTextIsUtf8() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test grüßt").reply("250-héllo wörld\n250 日本語 ✓ 😀").awaitClose();
			SmtpSession session = client(server).build();

			assertThat(session.connect()).isEqualTo(new SmtpReply(220, "fake.test grüßt"));
			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "héllo wörld\n日本語 ✓ 😀"));

			session.disconnect();
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void getreplyReadsAnUnsolicitedReply() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").send("421 4.4.2 idle too long").awaitClose();
			SmtpSession session = client(server).connect();

			assertThat(session.getreply()).isEqualTo(new SmtpReply(421, "4.4.2 idle too long"));

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.received()).isEmpty();
		}
	}

	@Test
	void ehloToAServerThatDripsItsReplyTimesOutWithinTheTimeout() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// A continuation line every 400 ms: every read is quick, the reply never ends in time.
			server.greet("220 fake.test").drip("250-still here", 12, Duration.ofMillis(400));
			SmtpSession session = client(server).timeout(Duration.ofSeconds(1)).connect();
			long started = System.nanoTime();

			assertThatExceptionOfType(SmtpTimeoutException.class).isThrownBy(session::ehlo)
				.withMessageContaining("Timed out after 1 s waiting for the reply to EHLO");

			// Bounded per read, it would end after the whole drip (4.4 s); slack for a loaded machine.
			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2500));
			assertThat(session.isConnected()).isFalse();
			server.awaitScriptDone(WAIT);
		}
	}

	@Test
	void aReplyThatNeverEndsIsRefusedAfterAThousandLines() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-more\n".repeat(1500) + "250 end").awaitClose();
			SmtpSession session = client(server).connect();

			assertThatExceptionOfType(SmtpReplyTooLongException.class).isThrownBy(session::ehlo)
				.withMessageContaining("more than 1000 lines");

			assertThat(session.isConnected()).isFalse();
			server.awaitScriptDone(WAIT);
		}
	}

	private static SmtpSession.Builder client(ScriptedSmtpServer server) {
		return SmtpSession.smtp().host(server.host()).port(server.port()).localHostname("client.test").timeout(WAIT);
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
