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
	void parsesCodesAndTextAsPythonsIntAndStripDo() {
		assertThat(SmtpWire.replyCode(ascii("250 ok\r\n"))).isEqualTo(250);
		assertThat(SmtpWire.replyCode(ascii(" 25 ok\r\n"))).isEqualTo(25);
		assertThat(SmtpWire.replyCode(ascii("ok\r\n"))).isEqualTo(SmtpReply.MALFORMED_CODE);
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
		this.wire.attach(SmtpConnection.open(target, null, timeout, timeout));
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
