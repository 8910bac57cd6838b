package io.github.smtpkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.entry;

/**
 * LMTP (RFC 2033) through {@link SmtpSession#lmtp()}: LHLO, one reply per accepted recipient after
 * the message (where smtpkit deliberately reads them all, unlike smtplib), and unix-domain sockets.
 */
@Timeout(20)
class SmtpSessionLmtpTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String GREETING = "220 lmtp.test LMTP ready";

	private static final String LHLO = "250-lmtp.test\n250-PIPELINING\n250-ENHANCEDSTATUSCODES\n250 8BITMIME";

	private static final String MESSAGE = "Subject: lmtp\r\n\r\nHello, mailboxes.\r\n";

	private static final String ANN = "ann@lmtp.test";

	private static final String BOB = "bob@lmtp.test";

	private static final String CAT = "cat@lmtp.test";

	@TempDir
	Path tempDir;

	// ---------------------------------------------------------------- over TCP

	@Test
	void lmtpSaysLhloAndReadsOneReplyPerAcceptedRecipient() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(LHLO)
				.reply("250 2.1.0 sender ok")
				.reply("250 2.1.5 ann ok")
				.reply("550 5.1.1 no bob here")
				.reply("250 2.1.5 cat ok")
				.reply("354 go ahead")
				.replies("250 2.0.0 ann delivered", "552 5.2.2 cat mailbox full")
				.reply("250 2.0.0 noop")
				.reply("221 bye");
			try (SmtpSession smtp = tcp(server)) {
				Map<String, SmtpReply> refused = smtp.sendmail("sender@example.test", List.of(ANN, BOB, CAT), MESSAGE);
				assertThat(refused).containsExactly(entry(BOB, new SmtpReply(550, "5.1.1 no bob here")),
						entry(CAT, new SmtpReply(552, "5.2.2 cat mailbox full")));
				assertThat(smtp.dataReplies()).containsExactly(entry(ANN, new SmtpReply(250, "2.0.0 ann delivered")),
						entry(CAT, new SmtpReply(552, "5.2.2 cat mailbox full")));
				assertThat(smtp.isConnected()).isTrue();
				// Had the second reply been left unread, NOOP would get "552 ... cat mailbox full".
				assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "2.0.0 noop"));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("LHLO client.test", "MAIL FROM:<sender@example.test>",
					"RCPT TO:<" + ANN + ">", "RCPT TO:<" + BOB + ">", "RCPT TO:<" + CAT + ">", "DATA", "NOOP", "QUIT");
			assertThat(new String(server.messages().get(0), StandardCharsets.US_ASCII)).isEqualTo(MESSAGE + ".\r\n");
			assertCleanRun(server);
		}
	}

	@Test
	void secondTransactionGetsItsOwnRepliesAfterMixedOnes() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(LHLO)
				.reply("250 ok")
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.replies("452 4.2.2 ann over quota", "250 2.0.0 bob delivered")
				.reply("250 ok second sender")
				.reply("250 ok")
				.reply("354 go ahead")
				.replies("250 2.0.0 cat delivered")
				.reply("221 bye");
			try (SmtpSession smtp = tcp(server)) {
				assertThat(smtp.sendmail("sender@example.test", List.of(ANN, BOB), MESSAGE))
					.containsExactly(entry(ANN, new SmtpReply(452, "4.2.2 ann over quota")));
				assertThat(smtp.sendmail("sender@example.test", List.of(CAT), MESSAGE)).isEmpty();
				assertThat(smtp.dataReplies()).containsExactly(entry(CAT, new SmtpReply(250, "2.0.0 cat delivered")));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("LHLO client.test", "MAIL FROM:<sender@example.test>",
					"RCPT TO:<" + ANN + ">", "RCPT TO:<" + BOB + ">", "DATA", "MAIL FROM:<sender@example.test>",
					"RCPT TO:<" + CAT + ">", "DATA", "QUIT");
			assertThat(server.messages()).hasSize(2);
			assertCleanRun(server);
		}
	}

	@Test
	void everyAcceptedRecipientRefusedAfterTheDataIsADataExceptionFollowedByRset() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(LHLO)
				.reply("250 ok")
				.reply("250 ok")
				.reply("550 5.1.1 no bob")
				.reply("250 ok")
				.reply("354 go ahead")
				.replies("452 4.2.2 ann over quota", "552 5.2.2 cat mailbox full")
				.reply("250 2.0.0 reset")
				.reply("221 bye");
			try (SmtpSession smtp = tcp(server)) {
				SmtpDataException ex = thrown(SmtpDataException.class,
						() -> smtp.sendmail("sender@example.test", List.of(ANN, BOB, CAT), MESSAGE));
				assertThat(ex.smtpCode()).isEqualTo(452);
				assertThat(ex.smtpError()).isEqualTo("4.2.2 ann over quota");
				assertThat(ex.recipientReplies()).containsExactly(entry(ANN, new SmtpReply(452, "4.2.2 ann over quota")),
						entry(CAT, new SmtpReply(552, "5.2.2 cat mailbox full")));
				assertThat(smtp.dataReplies()).isEqualTo(ex.recipientReplies());
				assertThat(smtp.isConnected()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("LHLO client.test", "MAIL FROM:<sender@example.test>",
					"RCPT TO:<" + ANN + ">", "RCPT TO:<" + BOB + ">", "RCPT TO:<" + CAT + ">", "DATA", "RSET", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void reply421AmongEveryRefusalAfterTheDataClosesTheSessionWithoutRset() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(LHLO)
				.reply("250 ok")
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.replies("552 5.2.2 ann mailbox full", "421 4.3.2 shutting down")
				.awaitClose();
			SmtpSession smtp = tcp(server);
			try {
				SmtpDataException ex = thrown(SmtpDataException.class,
						() -> smtp.sendmail("sender@example.test", List.of(ANN, BOB), MESSAGE));
				assertThat(ex.smtpCode()).isEqualTo(552);
				assertThat(ex.recipientReplies()).containsExactly(entry(ANN, new SmtpReply(552, "5.2.2 ann mailbox full")),
						entry(BOB, new SmtpReply(421, "4.3.2 shutting down")));
				assertThat(smtp.isConnected()).isFalse();
			}
			finally {
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("LHLO client.test", "MAIL FROM:<sender@example.test>",
					"RCPT TO:<" + ANN + ">", "RCPT TO:<" + BOB + ">", "DATA");
			assertCleanRun(server);
		}
	}

	@Test
	void reply421AfterTheDataForOneRecipientClosesTheSessionButReportsTheDelivery() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(LHLO)
				.reply("250 ok")
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.replies("250 2.0.0 ann delivered", "421 4.3.2 shutting down")
				.awaitClose();
			SmtpSession smtp = tcp(server);
			try {
				// Ann has her copy: raising would invite a retry that delivers it twice.
				Map<String, SmtpReply> refused = smtp.sendmail("sender@example.test", List.of(ANN, BOB), MESSAGE);
				assertThat(refused).containsExactly(entry(BOB, new SmtpReply(421, "4.3.2 shutting down")));
				assertThat(smtp.dataReplies()).containsExactly(entry(ANN, new SmtpReply(250, "2.0.0 ann delivered")),
						entry(BOB, new SmtpReply(421, "4.3.2 shutting down")));
				// RFC 5321 3.8: the server is closing the channel, so the session is closed too.
				assertThat(smtp.isConnected()).isFalse();
			}
			finally {
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("LHLO client.test", "MAIL FROM:<sender@example.test>",
					"RCPT TO:<" + ANN + ">", "RCPT TO:<" + BOB + ">", "DATA");
			assertCleanRun(server);
		}
	}

	// ---------------------------------------------------------------- over a unix-domain socket

	@Test
	void lmtpOverUnixSocketGivenToTheBuilder() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startUnix(this.tempDir.resolve("lmtp.sock"))) {
			scriptThreeRecipientsWithMixedReplies(server);
			try (SmtpSession smtp = SmtpSession.lmtp()
				.unixSocket(server.socketFile())
				.localHostname("client.test")
				.timeout(WAIT)
				.connect()) {
				assertThat(smtp.endpoint().isUnixSocket()).isTrue();
				assertThat(smtp.endpoint().unixSocket()).isEqualTo(server.socketFile());
				assertThreeRecipientsWithMixedReplies(smtp);
			}
			server.awaitScriptDone(WAIT);
			assertThreeRecipientsTranscript(server);
		}
	}

	@Test
	void lmtpOverUnixSocketGivenAsTheHostAsInSmtplib() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startUnix(this.tempDir.resolve("lmtp.sock"))) {
			scriptThreeRecipientsWithMixedReplies(server);
			try (SmtpSession smtp = SmtpSession.lmtp()
				.host(server.socketFile().toString())
				.localHostname("client.test")
				.timeout(WAIT)
				.connect()) {
				assertThat(smtp.endpoint().isUnixSocket()).isTrue();
				assertThat(smtp.endpoint().toString()).isEqualTo("unix:" + server.socketFile());
				assertThreeRecipientsWithMixedReplies(smtp);
			}
			server.awaitScriptDone(WAIT);
			assertThreeRecipientsTranscript(server);
		}
	}

	@Test
	void lmtpOverUnixSocketGivenToConnect() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startUnix(this.tempDir.resolve("lmtp.sock"))) {
			scriptThreeRecipientsWithMixedReplies(server);
			try (SmtpSession smtp = SmtpSession.lmtp().localHostname("client.test").timeout(WAIT).build()) {
				assertThat(smtp.connect(server.socketFile().toString())).isEqualTo(new SmtpReply(220, "lmtp.test LMTP ready"));
				assertThreeRecipientsWithMixedReplies(smtp);
			}
			server.awaitScriptDone(WAIT);
			assertThreeRecipientsTranscript(server);
		}
	}

	@Test
	void credentialsMayGoOverAUnixSocket() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startUnix(this.tempDir.resolve("lmtp.sock"))) {
			server.greet(GREETING)
				.reply("250-lmtp.test\n250 AUTH PLAIN")
				.reply("235 2.7.0 ok")
				.reply("221 bye");
			try (SmtpSession smtp = SmtpSession.lmtp()
				.unixSocket(server.socketFile())
				.localHostname("client.test")
				.timeout(WAIT)
				.connect()) {
				assertThat(smtp.login("user", "secret").code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("LHLO client.test", "AUTH PLAIN AHVzZXIAc2VjcmV0", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void readTimeoutOverUnixSocketClosesTheSession() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startUnix(this.tempDir.resolve("lmtp.sock"))) {
			server.greet(GREETING).reply(LHLO).stall();
			SmtpSession smtp = SmtpSession.lmtp()
				.unixSocket(server.socketFile())
				.localHostname("client.test")
				.timeout(Duration.ofMillis(300))
				.connect();
			try {
				smtp.ehlo();
				long started = System.nanoTime();
				Throwable ex = catchThrowable(smtp::noop);
				Duration waited = Duration.ofNanos(System.nanoTime() - started);
				assertThat(ex).isInstanceOf(SmtpTimeoutException.class)
					.isInstanceOf(SmtpServerDisconnectedException.class)
					.hasMessageContaining("NOOP")
					.hasMessageContaining("unix:" + server.socketFile());
				assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(250)).isLessThan(WAIT);
				assertThat(smtp.isConnected()).isFalse();
			}
			finally {
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("LHLO client.test", "NOOP");
			assertCleanRun(server);
		}
	}

	@Test
	void starttlsOverUnixSocketIsNotSupported() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startUnix(this.tempDir.resolve("lmtp.sock"))) {
			server.greet(GREETING).reply("250-lmtp.test\n250 STARTTLS").reply("250 ok").reply("221 bye");
			try (SmtpSession smtp = SmtpSession.lmtp()
				.unixSocket(server.socketFile())
				.localHostname("client.test")
				.timeout(WAIT)
				.connect()) {
				Throwable ex = catchThrowable(smtp::starttls);
				assertThat(ex).isExactlyInstanceOf(SmtpNotSupportedException.class).hasMessageContaining("unix");
				assertThat(smtp.isConnected()).isTrue();
				assertThat(smtp.isTls()).isFalse();
				assertThat(smtp.noop().code()).isEqualTo(250);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("LHLO client.test", "NOOP", "QUIT");
			assertCleanRun(server);
		}
	}

	// ---------------------------------------------------------------- helpers

	private static void scriptThreeRecipientsWithMixedReplies(ScriptedSmtpServer server) {
		server.greet(GREETING)
			.reply(LHLO)
			.reply("250 ok")
			.reply("250 ok")
			.reply("250 ok")
			.reply("250 ok")
			.reply("354 go ahead")
			.replies("250 2.0.0 ann delivered", "552-5.2.2 bob mailbox full\n552 5.2.2 try later",
					"250 2.0.0 cat delivered")
			.reply("250 2.0.0 noop")
			.reply("221 bye");
	}

	private static void assertThreeRecipientsWithMixedReplies(SmtpSession smtp) throws IOException {
		Map<String, SmtpReply> refused = smtp.sendmail("sender@example.test", List.of(ANN, BOB, CAT), MESSAGE);
		SmtpReply full = new SmtpReply(552, "5.2.2 bob mailbox full\n5.2.2 try later");
		assertThat(refused).containsExactly(entry(BOB, full));
		assertThat(smtp.dataReplies()).containsExactly(entry(ANN, new SmtpReply(250, "2.0.0 ann delivered")),
				entry(BOB, full), entry(CAT, new SmtpReply(250, "2.0.0 cat delivered")));
		assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "2.0.0 noop"));
	}

	private static void assertThreeRecipientsTranscript(ScriptedSmtpServer server) {
		assertThat(server.commands()).containsExactly("LHLO client.test", "MAIL FROM:<sender@example.test>",
				"RCPT TO:<" + ANN + ">", "RCPT TO:<" + BOB + ">", "RCPT TO:<" + CAT + ">", "DATA", "NOOP", "QUIT");
		assertThat(new String(server.messages().get(0), StandardCharsets.US_ASCII)).isEqualTo(MESSAGE + ".\r\n");
		assertCleanRun(server);
	}

	private static SmtpSession tcp(ScriptedSmtpServer server) throws IOException {
		return SmtpSession.lmtp()
			.host(server.host())
			.port(server.port())
			.localHostname("client.test")
			.timeout(WAIT)
			.connect();
	}

	private static <T extends Throwable> T thrown(Class<T> type, ThrowingCallable call) {
		Throwable thrown = catchThrowable(call);
		assertThat(thrown).isInstanceOf(type);
		return type.cast(thrown);
	}

	private static void assertCleanRun(ScriptedSmtpServer server) {
		server.assertNoFailures();
		assertThat(server.unexpectedCommands()).isEmpty();
	}

}
