package io.github.smtpkit.internal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpReplyTooLongException;
import io.github.smtpkit.SmtpResponseException;
import io.github.smtpkit.SmtpServerDisconnectedException;
import io.github.smtpkit.SmtpTimeoutException;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The wire on its own, over a real loopback connection to the scripted server: how replies are
 * read, joined, bounded and matched to the commands they answer, and what debug output and
 * listeners see of what is written.
 */
@Timeout(20)
class SmtpWireTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private final List<String> events = new ArrayList<>();

	private final List<String> debugLines = new ArrayList<>();

	private final AtomicInteger disconnects = new AtomicInteger();

	private SmtpWire wire;

	@Test
	void joinsMultiLineRepliesWithNewlinesAsSmtplibDoes() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test greets you\n250-SIZE 1000\n250 PIPELINING");
			connect(server);
			assertThat(this.wire.readReply()).isEqualTo(new SmtpReply(220, "fake.test"));
			this.wire.writeCommand("EHLO client.test");
			assertThat(this.wire.readReply())
				.isEqualTo(new SmtpReply(250, "fake.test greets you\nSIZE 1000\nPIPELINING"));
			assertThat(this.events).containsExactly("sent EHLO: EHLO client.test",
					"reply to EHLO: 250 fake.test greets you\nSIZE 1000\nPIPELINING");
		}
	}

	@Test
	void matchesPipelinedRepliesToTheirCommandsInOrder() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// The server reads all three before it answers: the wire must have sent them in one go.
			server.greet("220 fake.test").read().read().read()
				.send("250 sender ok").send("550 no such user").send("354 go ahead");
			connect(server);
			this.wire.readReply();
			this.wire.write(PreparedCommand.of("MAIL", "FROM:<a@x.test>", StandardCharsets.US_ASCII), false);
			this.wire.write(PreparedCommand.of("RCPT", "TO:<b@y.test>", StandardCharsets.US_ASCII), false);
			this.wire.write(PreparedCommand.DATA, false);
			this.wire.flush();
			assertThat(this.wire.readReply().code()).isEqualTo(250);
			assertThat(this.wire.readReply().code()).isEqualTo(550);
			assertThat(this.wire.readReply().code()).isEqualTo(354);
			assertThat(this.events).filteredOn((event) -> event.startsWith("reply"))
				.containsExactly("reply to MAIL: 250 sender ok", "reply to RCPT: 550 no such user",
						"reply to DATA: 354 go ahead");
			assertThat(server.commands()).containsExactly("MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA");
		}
	}

	@Test
	void aLineOverTheLimitIsRefusedAndTheConnectionDropped() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 " + "y".repeat(SmtpWire.MAX_LINE_LENGTH)).awaitClose();
			connect(server);
			Throwable thrown = catchThrowable(this.wire::readReply);
			assertThat(thrown).isInstanceOf(SmtpResponseException.class).hasMessageContaining("Line too long.");
			assertThat(((SmtpResponseException) thrown).smtpCode()).isEqualTo(500);
			assertThat(this.disconnects).hasValue(1);
		}
	}

	@Test
	void aLineExactlyAtTheLimitIsAccepted() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// "220 " and CRLF around the text: the whole line is MAX_LINE_LENGTH bytes.
			String text = "x".repeat(SmtpWire.MAX_LINE_LENGTH - 6);
			server.greet("220 " + text);
			connect(server);
			assertThat(this.wire.readReply()).isEqualTo(new SmtpReply(220, text));
		}
	}

	@Test
	void aCodeThatIsNotANumberEndsTheReply() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("2x0-first\n220 never read as part of it");
			connect(server);
			assertThat(this.wire.readReply()).isEqualTo(new SmtpReply(SmtpReply.MALFORMED_CODE, "first"));
			assertThat(this.wire.readReply()).isEqualTo(new SmtpReply(220, "never read as part of it"));
		}
	}

	@Test
	void aReplyOfMoreLinesThanTheBoundIsRefusedAndTheConnectionDropped() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// A server that never ends its reply: without a bound the joined text grows until the heap is gone.
			server.greet("220 fake.test").reply("250-x\n".repeat(SmtpWire.MAX_REPLY_LINES + 5) + "250 end")
				.awaitClose();
			connect(server);
			this.wire.readReply();
			this.wire.writeCommand("EHLO client.test");
			Throwable thrown = catchThrowable(this.wire::readReply);
			assertThat(thrown).isInstanceOf(SmtpReplyTooLongException.class)
				.hasMessageContaining("more than " + SmtpWire.MAX_REPLY_LINES + " lines in the reply to EHLO");
			assertThat(((SmtpReplyTooLongException) thrown).smtpCode()).isEqualTo(500);
			assertThat(this.disconnects).hasValue(1);
		}
	}

	@Test
	void aReplyOfMoreBytesThanTheBoundIsRefusedAndTheConnectionDropped() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			String longLine = "250-" + "y".repeat(SmtpWire.MAX_LINE_LENGTH - 8) + "\n";
			int lines = SmtpWire.MAX_REPLY_BYTES / SmtpWire.MAX_LINE_LENGTH + 2;
			assertThat(lines).isLessThan(SmtpWire.MAX_REPLY_LINES);
			server.greet("220 fake.test").reply(longLine.repeat(lines) + "250 end").awaitClose();
			connect(server);
			this.wire.readReply();
			this.wire.writeCommand("HELP");
			assertThat(catchThrowable(this.wire::readReply)).isInstanceOf(SmtpReplyTooLongException.class)
				.hasMessageContaining("more than " + SmtpWire.MAX_REPLY_BYTES + " bytes in the reply to HELP");
			assertThat(this.disconnects).hasValue(1);
		}
	}

	@Test
	void aReplyAtTheLineBoundIsAccepted() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-x\n".repeat(SmtpWire.MAX_REPLY_LINES - 1) + "250 end");
			connect(server);
			this.wire.readReply();
			this.wire.writeCommand("EHLO client.test");
			SmtpReply reply = this.wire.readReply();
			assertThat(reply.message().split("\n")).hasSize(SmtpWire.MAX_REPLY_LINES).endsWith("end");
		}
	}

	@Test
	void theTimeoutBoundsTheWholeReplyNotEachRead() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// One continuation line every 400 ms: each read is quick, the reply never ends in time.
			server.greet("220 fake.test").drip("250-still here", 12, Duration.ofMillis(400));
			Duration timeout = Duration.ofSeconds(1);
			connect(server, timeout);
			this.wire.readReply();
			this.wire.writeCommand("EHLO client.test");
			long started = System.nanoTime();
			Throwable thrown = catchThrowable(this.wire::readReply);
			Duration took = Duration.ofNanos(System.nanoTime() - started);
			assertThat(thrown).isInstanceOf(SmtpTimeoutException.class)
				.hasMessageContaining("Timed out after 1 s waiting for the reply to EHLO");
			// Per read, it would take the whole drip (4.4 s) and a timeout more; a loaded machine gets slack.
			assertThat(took).isGreaterThanOrEqualTo(timeout.minusMillis(50)).isLessThan(Duration.ofMillis(2500));
			assertThat(this.disconnects).hasValue(1);
		}
	}

	@Test
	void theNextReplyGetsTheWholeTimeoutAgain() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").send("250-one").send("250 two").reply("250 ok");
			connect(server, Duration.ofSeconds(2));
			this.wire.readReply();
			SmtpReply split = this.wire.readReply();
			assertThat(split).isEqualTo(new SmtpReply(250, "one\ntwo"));
			assertThat(this.wire.connection().readTimeout()).isEqualTo(Duration.ofSeconds(2));
			this.wire.writeCommand("NOOP");
			assertThat(this.wire.readReply()).isEqualTo(new SmtpReply(250, "ok"));
		}
	}

	@Test
	void anAuthCommandIsRedactedHoweverItIsWrittenAndSoIsEveryLineOfItsExchange() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("334 ").reply("334 VXNlcm5hbWU6").reply("235 ok").reply("250 ok")
				.reply("535 no");
			connect(server);
			this.wire.readReply();
			// As docmd("AUTH", "PLAIN ...") and send() write them: no redaction asked for.
			this.wire.writeCommand("AUTH PLAIN AHVzZXIAc2VjcmV0");
			this.wire.readReply();
			this.wire.sendRaw("dXNlcg==\r\n");
			this.wire.readReply();
			this.wire.writeCommand("cGFzc3dvcmQ=");
			this.wire.readReply();
			this.wire.writeCommand("NOOP");
			this.wire.readReply();
			this.wire.sendRaw("auth\tlogin c2VjcmV0\r\n");
			this.wire.readReply();
			assertThat(this.events).filteredOn((event) -> event.startsWith("sent"))
				.containsExactly("sent AUTH: AUTH PLAIN <redacted>", "sent AUTH: <redacted>", "sent AUTH: <redacted>",
						"sent NOOP: NOOP", "sent AUTH: auth <redacted>");
			assertThat(String.join("\n", this.debugLines)).contains("NOOP")
				.doesNotContain("AHVzZXIAc2VjcmV0")
				.doesNotContain("dXNlcg==")
				.doesNotContain("cGFzc3dvcmQ=")
				.doesNotContain("c2VjcmV0");
			assertThat(server.commands()).containsExactly("AUTH PLAIN AHVzZXIAc2VjcmV0", "dXNlcg==", "cGFzc3dvcmQ=",
					"NOOP", "auth\tlogin c2VjcmV0");
		}
	}

	@Test
	void redactsAnAuthLineDownToItsMechanism() {
		assertThat(SmtpWire.redactAuthCommand("AUTH")).isEqualTo("AUTH");
		assertThat(SmtpWire.redactAuthCommand("AUTH CRAM-MD5")).isEqualTo("AUTH CRAM-MD5");
		assertThat(SmtpWire.redactAuthCommand("AUTH XOAUTH2 dXNlcj1")).isEqualTo("AUTH XOAUTH2 <redacted>");
		assertThat(SmtpWire.redactAuthCommand("AUTH PLAIN\r\nc2VjcmV0\r\n")).isEqualTo("AUTH PLAIN <redacted>");
		assertThat(SmtpWire.redactAuthCommand("AUTH c2VjcmV0cGFzc3dvcmQ9PT0=")).isEqualTo("AUTH <redacted>");
	}

	@Test
	void replyTextIsUtf8WhenItIsAndLatin1OtherwiseSoNoByteIsLost() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.replyRaw("250 caf\u00e9 in UTF-8\r\n".getBytes(StandardCharsets.UTF_8))
				.replyRaw("250 caf\u00e9 in Latin-1\r\n".getBytes(StandardCharsets.ISO_8859_1));
			connect(server);
			this.wire.readReply();
			this.wire.writeCommand("NOOP");
			assertThat(this.wire.readReply().message()).isEqualTo("caf\u00e9 in UTF-8");
			this.wire.writeCommand("NOOP");
			SmtpReply latin1 = this.wire.readReply();
			assertThat(latin1.message()).isEqualTo("caf\u00e9 in Latin-1");
			assertThat(latin1.message().getBytes(StandardCharsets.ISO_8859_1)).contains(0xe9);
		}
	}

	@Test
	void parsesCodesAndTextAsPythonsIntAndStripDo() {
		assertThat(SmtpWire.replyCode(ascii("250 ok\r\n"))).isEqualTo(250);
		assertThat(SmtpWire.replyCode(ascii(" 25 ok\r\n"))).isEqualTo(25);
		assertThat(SmtpWire.replyCode(ascii("ok\r\n"))).isEqualTo(SmtpReply.MALFORMED_CODE);
		assertThat(SmtpWire.replyCode(ascii("2_5 odd\r\n"))).isEqualTo(25);
		assertThat(SmtpWire.replyCode(ascii("+25 odd\r\n"))).isEqualTo(25);
		assertThat(SmtpWire.replyCode(ascii("\u000b25 odd\r\n"))).isEqualTo(25);
		assertThat(SmtpWire.replyCode(ascii("_25 odd\r\n"))).isEqualTo(SmtpReply.MALFORMED_CODE);
		assertThat(SmtpWire.replyCode(ascii("2__\r\n"))).isEqualTo(SmtpReply.MALFORMED_CODE);
		assertThat(SmtpWire.replyCode(ascii("25_\r\n"))).isEqualTo(SmtpReply.MALFORMED_CODE);
		assertThat(SmtpWire.replyText(ascii("250-  spaced out \t\r\n"))).isEqualTo("spaced out");
		assertThat(SmtpWire.replyText(ascii("250\r\n"))).isEmpty();
	}

	@Test
	void authPayloadsAreRedactedForDebugOutputAndListeners() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("334 VXNlcm5hbWU6").reply("235 ok");
			connect(server);
			this.wire.readReply();
			this.wire.writeCommand("AUTH LOGIN c2VjcmV0", "AUTH LOGIN " + SmtpWire.REDACTED);
			this.wire.readReply();
			this.wire.writeAuthResponse("cGFzc3dvcmQ=");
			this.wire.readReply();
			assertThat(server.commands()).containsExactly("AUTH LOGIN c2VjcmV0", "cGFzc3dvcmQ=");
			assertThat(this.events).filteredOn((event) -> event.startsWith("sent"))
				.containsExactly("sent AUTH: AUTH LOGIN <redacted>", "sent AUTH: <redacted>");
			assertThat(String.join("\n", this.debugLines)).doesNotContain("c2VjcmV0").doesNotContain("cGFzc3dvcmQ=");
		}
	}

	@Test
	void aTimeoutNamesTheCommandWhoseReplyDidNotCome() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").stall();
			connect(server, Duration.ofMillis(200));
			this.wire.readReply();
			this.wire.writeCommand("NOOP");
			assertThat(catchThrowable(this.wire::readReply)).isInstanceOf(SmtpTimeoutException.class)
				.hasMessageContaining("waiting for the reply to NOOP");
			assertThat(this.disconnects).hasValue(1);
		}
	}

	@Test
	void theEndOfTheStreamIsADisconnect() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").disconnectAfterRead();
			connect(server);
			this.wire.readReply();
			this.wire.writeCommand("NOOP");
			assertThat(catchThrowable(this.wire::readReply)).isInstanceOf(SmtpServerDisconnectedException.class)
				.hasMessage("Connection unexpectedly closed");
		}
	}

	private void connect(ScriptedSmtpServer server) throws Exception {
		connect(server, TIMEOUT);
	}

	private void connect(ScriptedSmtpServer server, Duration timeout) throws Exception {
		SmtpEventListener listener = new SmtpEventListener() {

			@Override
			public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
				SmtpWireTests.this.events.add("sent " + verb + ": " + line);
			}

			@Override
			public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
				SmtpWireTests.this.events.add("reply to " + verb + ": " + reply.code() + " " + reply.message());
			}

		};
		DebugLog debug = new DebugLog(this.debugLines::add, Clock.systemUTC(), 1);
		this.wire = new SmtpWire(debug, listener, timeout, () -> {
			this.disconnects.incrementAndGet();
			this.wire.close();
		});
		SmtpEndpoint target = SmtpEndpoint.tcp(SmtpProtocol.SMTP, server.host(), server.port());
		this.wire.connectingTo(target);
		this.wire.attach(SmtpConnection.open(target, null, null, timeout, timeout));
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
