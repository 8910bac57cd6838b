package io.github.smtpkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.entry;

/**
 * Whole mail transactions through {@link SmtpSession#sendmail}: what goes on the wire, byte for
 * byte, and how each refusal is reported, after smtplib's {@code sendmail} and its tests.
 */
@Timeout(20)
class SmtpSessionSendmailTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String GREETING = "220 fake.test ESMTP ready";

	private static final String EHLO_WITH_SIZE = "250-fake.test greets client.test\n250-SIZE 10240000\n"
			+ "250-8BITMIME\n250 ENHANCEDSTATUSCODES";

	private static final String EHLO_WITHOUT_SIZE = "250-fake.test greets client.test\n250 8BITMIME";

	private static final String EHLO_WITH_SMTPUTF8 = "250-fake.test greets client.test\n250-8BITMIME\n250 SMTPUTF8";

	private static final String MESSAGE = "Subject: test\r\n\r\nHello there.\r\n";

	// ---------------------------------------------------------------- successful transactions

	@Test
	void sendmailSaysEhloFirstAndAddsSizeWhenAdvertised() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITH_SIZE)
				.reply("250 2.1.0 sender ok")
				.reply("250 2.1.5 recipient ok")
				.reply("250 2.1.5 recipient ok")
				.reply("354 go ahead")
				.reply("250 2.0.0 queued as 42")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				Map<String, SmtpReply> refused = smtp.sendmail("alice@example.test",
						List.of("bob@example.test", "carol@example.test"), MESSAGE);
				assertThat(refused).isEmpty();
				assertThat(smtp.doesEsmtp()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test",
					"MAIL FROM:<alice@example.test> SIZE=" + MESSAGE.length(), "RCPT TO:<bob@example.test>",
					"RCPT TO:<carol@example.test>", "DATA", "QUIT");
			assertThat(text(server.messages().get(0))).isEqualTo(MESSAGE + ".\r\n");
			assertCleanRun(server);
		}
	}

	@Test
	void sendmailWithoutSizeExtensionSendsNoSizeParameter() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITHOUT_SIZE)
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.sendmail("alice@example.test", List.of("bob@example.test"), MESSAGE)).isEmpty();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test>",
					"RCPT TO:<bob@example.test>", "DATA", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void sendmailFallsBackToHeloAndThenSendsNoEsmtpOptionsAndNoSize() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 old.test SMTP")
				.reply("502 5.5.2 command not recognized")
				.reply("250 old.test")
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				Map<String, SmtpReply> refused = smtp.sendmail("alice@example.test", List.of("bob@example.test"),
						MESSAGE, List.of("BODY=8BITMIME"), List.of("NOTIFY=SUCCESS"));
				assertThat(refused).isEmpty();
				assertThat(smtp.doesEsmtp()).isFalse();
				assertThat(smtp.heloResp()).isEqualTo("old.test");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "HELO client.test",
					"MAIL FROM:<alice@example.test>", "RCPT TO:<bob@example.test>", "DATA", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void sendmailRaisesHeloExceptionWhenBothEhloAndHeloAreRefused() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 grumpy.test")
				.reply("502 no EHLO")
				.reply("550 go away")
				.reply("250 still here")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				SmtpHeloException ex = thrown(SmtpHeloException.class,
						() -> smtp.sendmail("alice@example.test", "bob@example.test", MESSAGE));
				assertThat(ex.smtpCode()).isEqualTo(550);
				assertThat(ex.smtpError()).isEqualTo("go away");
				assertThat(smtp.isConnected()).isTrue();
				assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "still here"));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "HELO client.test", "NOOP", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void sendmailAfterAnExplicitHeloSaysNoEhloAndSendsNoOptions() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply("250 fake.test")
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.helo();
				smtp.sendmail("alice@example.test", List.of("bob@example.test"), MESSAGE, List.of("BODY=8BITMIME"),
						List.of("NOTIFY=NEVER"));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("HELO client.test", "MAIL FROM:<alice@example.test>",
					"RCPT TO:<bob@example.test>", "DATA", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void mailAndRcptOptionsGoToAnEsmtpServerAfterSize() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITH_SIZE)
				.reply("250 ok")
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.sendmail("alice@example.test", List.of("bob@example.test", "carol@example.test"), MESSAGE,
						List.of("BODY=8BITMIME", "RET=HDRS"), List.of("NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;x@y.test"));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test",
					"MAIL FROM:<alice@example.test> SIZE=" + MESSAGE.length() + " BODY=8BITMIME RET=HDRS",
					"RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x@y.test",
					"RCPT TO:<carol@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x@y.test", "DATA", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void oneRecipientMayBeGivenAsAString() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITHOUT_SIZE)
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.sendmail("Alice <alice@example.test>", "Bob <bob@example.test>", MESSAGE)).isEmpty();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test>",
					"RCPT TO:<bob@example.test>", "DATA", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void emptySenderIsTheNullReversePath() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITHOUT_SIZE)
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.sendmail("", "bob@example.test", MESSAGE);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).contains("MAIL FROM:<>");
			assertCleanRun(server);
		}
	}

	@Test
	void someRecipientsRefusedAreReturnedInOrderAndTheMessageIsSent() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITHOUT_SIZE)
				.reply("250 ok")
				.reply("550 5.1.1 no such user zed")
				.reply("250 ok")
				.reply("451 4.2.0 try yves later")
				.reply("251 2.1.5 will forward")
				.reply("354 go ahead")
				.reply("250 2.0.0 queued")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				Map<String, SmtpReply> refused = smtp.sendmail("alice@example.test",
						List.of("zed@example.test", "bob@example.test", "yves@example.test", "carol@example.test"),
						MESSAGE);
				assertThat(refused).containsExactly(entry("zed@example.test", new SmtpReply(550, "5.1.1 no such user zed")),
						entry("yves@example.test", new SmtpReply(451, "4.2.0 try yves later")));
				assertThat(smtp.dataReplies()).containsExactly(
						entry("bob@example.test", new SmtpReply(250, "2.0.0 queued")),
						entry("carol@example.test", new SmtpReply(250, "2.0.0 queued")));
				assertThat(smtp.isConnected()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test>",
					"RCPT TO:<zed@example.test>", "RCPT TO:<bob@example.test>", "RCPT TO:<yves@example.test>",
					"RCPT TO:<carol@example.test>", "DATA", "QUIT");
			assertThat(server.messages()).hasSize(1);
			assertCleanRun(server);
		}
	}

	// ---------------------------------------------------------------- refusals

	@Test
	void allRecipientsRefusedSendsRsetAndRaisesWithEveryRefusal() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITHOUT_SIZE)
				.reply("250 ok")
				.reply("550 5.1.1 unknown bob")
				.reply("553 5.1.3 bad carol")
				.reply("250 2.0.0 reset")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				SmtpRecipientsRefusedException ex = thrown(SmtpRecipientsRefusedException.class,
						() -> smtp.sendmail("alice@example.test", List.of("bob@example.test", "carol@example.test"),
								MESSAGE));
				assertThat(ex.recipients()).containsExactly(
						entry("bob@example.test", new SmtpReply(550, "5.1.1 unknown bob")),
						entry("carol@example.test", new SmtpReply(553, "5.1.3 bad carol")));
				assertThat(smtp.isConnected()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test>",
					"RCPT TO:<bob@example.test>", "RCPT TO:<carol@example.test>", "RSET", "QUIT");
			assertThat(server.messages()).isEmpty();
			assertCleanRun(server);
		}
	}

	@Test
	void refusedSenderSendsRsetAndRaisesWithSenderCodeAndText() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITH_SIZE)
				.reply("550 5.7.1 sender rejected")
				.reply("250 2.0.0 reset")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				SmtpSenderRefusedException ex = thrown(SmtpSenderRefusedException.class,
						() -> smtp.sendmail("Alice <alice@example.test>", List.of("bob@example.test"), MESSAGE));
				assertThat(ex.sender()).isEqualTo("Alice <alice@example.test>");
				assertThat(ex.smtpCode()).isEqualTo(550);
				assertThat(ex.smtpError()).isEqualTo("5.7.1 sender rejected");
				assertThat(ex.reply()).isEqualTo(new SmtpReply(550, "5.7.1 sender rejected"));
				assertThat(smtp.isConnected()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test",
					"MAIL FROM:<alice@example.test> SIZE=" + MESSAGE.length(), "RSET", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void senderAnswered421ClosesTheSessionWithoutRset() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_WITHOUT_SIZE).reply("421 4.3.2 closing connection").awaitClose();
			SmtpSession smtp = connect(server);
			try {
				SmtpSenderRefusedException ex = thrown(SmtpSenderRefusedException.class,
						() -> smtp.sendmail("alice@example.test", List.of("bob@example.test"), MESSAGE));
				assertThat(ex.smtpCode()).isEqualTo(421);
				assertThat(ex.smtpError()).isEqualTo("4.3.2 closing connection");
				assertThat(ex.sender()).isEqualTo("alice@example.test");
				assertThat(smtp.isConnected()).isFalse();
			}
			finally {
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test>");
			assertCleanRun(server);
		}
	}

	@Test
	void recipientAnswered421ClosesTheSessionAndReportsTheRefusalsSoFar() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITHOUT_SIZE)
				.reply("250 ok")
				.reply("250 ok")
				.reply("550 5.1.1 unknown carol")
				.reply("421 4.3.2 closing")
				.awaitClose();
			SmtpSession smtp = connect(server);
			try {
				SmtpRecipientsRefusedException ex = thrown(SmtpRecipientsRefusedException.class,
						() -> smtp.sendmail("alice@example.test",
								List.of("bob@example.test", "carol@example.test", "dave@example.test", "erin@example.test"),
								MESSAGE));
				assertThat(ex.recipients()).containsExactly(
						entry("carol@example.test", new SmtpReply(550, "5.1.1 unknown carol")),
						entry("dave@example.test", new SmtpReply(421, "4.3.2 closing")));
				assertThat(smtp.isConnected()).isFalse();
			}
			finally {
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test>",
					"RCPT TO:<bob@example.test>", "RCPT TO:<carol@example.test>", "RCPT TO:<dave@example.test>");
			assertCleanRun(server);
		}
	}

	@Test
	void dataCommandRefusedRaisesDataExceptionEndsTheTransactionWithRsetAndSendsNoMessage() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITHOUT_SIZE)
				.reply("250 ok")
				.reply("250 ok")
				.reply("451 4.3.0 not now")
				.reply("250 reset")
				.reply("250 still here")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				SmtpDataException ex = thrown(SmtpDataException.class,
						() -> smtp.sendmail("alice@example.test", List.of("bob@example.test"), MESSAGE));
				assertThat(ex.smtpCode()).isEqualTo(451);
				assertThat(ex.smtpError()).isEqualTo("4.3.0 not now");
				assertThat(ex.recipientReplies()).isEmpty();
				assertThat(smtp.isConnected()).isTrue();
				assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "still here"));
			}
			server.awaitScriptDone(WAIT);
			// Unlike smtplib, which leaves the transaction open: the next MAIL would be a nested one.
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test>",
					"RCPT TO:<bob@example.test>", "DATA", "RSET", "NOOP", "QUIT");
			assertThat(server.messages()).isEmpty();
			assertCleanRun(server);
		}
	}

	@Test
	void messageRefusedAfterTheDataSendsRsetAndRaisesDataException() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITHOUT_SIZE)
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("554 5.7.1 looks like spam")
				.reply("250 reset")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				SmtpDataException ex = thrown(SmtpDataException.class,
						() -> smtp.sendmail("alice@example.test", List.of("bob@example.test"), MESSAGE));
				assertThat(ex.smtpCode()).isEqualTo(554);
				assertThat(ex.smtpError()).isEqualTo("5.7.1 looks like spam");
				assertThat(smtp.isConnected()).isTrue();
				assertThat(smtp.dataReplies())
					.containsExactly(entry("bob@example.test", new SmtpReply(554, "5.7.1 looks like spam")));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test>",
					"RCPT TO:<bob@example.test>", "DATA", "RSET", "QUIT");
			assertThat(text(server.messages().get(0))).isEqualTo(MESSAGE + ".\r\n");
			assertCleanRun(server);
		}
	}

	@Test
	void reply421AfterTheDataClosesTheSessionWithoutRset() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITHOUT_SIZE)
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("421 4.3.2 shutting down")
				.awaitClose();
			SmtpSession smtp = connect(server);
			try {
				SmtpDataException ex = thrown(SmtpDataException.class,
						() -> smtp.sendmail("alice@example.test", List.of("bob@example.test"), MESSAGE));
				assertThat(ex.smtpCode()).isEqualTo(421);
				assertThat(ex.smtpError()).isEqualTo("4.3.2 shutting down");
				assertThat(smtp.isConnected()).isFalse();
			}
			finally {
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test>",
					"RCPT TO:<bob@example.test>", "DATA");
			assertThat(server.messages()).hasSize(1);
			assertCleanRun(server);
		}
	}

	@Test
	void refusedSenderStillSurfacesWhenTheServerHangsUpDuringRset() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_WITHOUT_SIZE).reply("451 4.3.0 aborted").disconnectAfterRead();
			SmtpSession smtp = connect(server);
			try {
				SmtpSenderRefusedException ex = thrown(SmtpSenderRefusedException.class,
						() -> smtp.sendmail("alice@example.test", List.of("bob@example.test"), MESSAGE));
				assertThat(ex.smtpCode()).isEqualTo(451);
				assertThat(ex.smtpError()).isEqualTo("4.3.0 aborted");
				assertThat(smtp.isConnected()).isFalse();
			}
			finally {
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test>", "RSET");
			assertCleanRun(server);
		}
	}

	@Test
	void refusedRecipientsStillSurfaceWhenTheServerHangsUpBeforeRset() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_WITHOUT_SIZE).reply("250 ok").reply("550 unknown").disconnect();
			SmtpSession smtp = connect(server);
			try {
				SmtpRecipientsRefusedException ex = thrown(SmtpRecipientsRefusedException.class,
						() -> smtp.sendmail("alice@example.test", List.of("bob@example.test"), MESSAGE));
				assertThat(ex.recipients()).containsExactly(entry("bob@example.test", new SmtpReply(550, "unknown")));
				assertThat(smtp.isConnected()).isFalse();
			}
			finally {
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).startsWith("EHLO client.test", "MAIL FROM:<alice@example.test>",
					"RCPT TO:<bob@example.test>");
			server.assertNoFailures();
		}
	}

	@Test
	void refusedMessageStillSurfacesWhenTheServerHangsUpDuringRset() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITHOUT_SIZE)
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("554 no thanks")
				.disconnectAfterRead();
			SmtpSession smtp = connect(server);
			try {
				SmtpDataException ex = thrown(SmtpDataException.class,
						() -> smtp.sendmail("alice@example.test", List.of("bob@example.test"), MESSAGE));
				assertThat(ex.smtpCode()).isEqualTo(554);
				assertThat(ex.smtpError()).isEqualTo("no thanks");
				assertThat(smtp.isConnected()).isFalse();
			}
			finally {
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test>",
					"RCPT TO:<bob@example.test>", "DATA", "RSET");
			assertCleanRun(server);
		}
	}

	// ---------------------------------------------------------------- bad input

	@ParameterizedTest
	@ValueSource(strings = { "sender", "first recipient", "last recipient", "mail option", "rcpt option" })
	void lineBreakInAnyArgumentIsRefusedBeforeAnythingIsSent(String where) throws Exception {
		String injected = "evil@example.test>\r\nRCPT TO:<victim@example.test";
		String from = where.equals("sender") ? injected : "alice@example.test";
		List<String> to = switch (where) {
			case "first recipient" -> List.of(injected, "bob@example.test");
			case "last recipient" -> List.of("bob@example.test", "carol@example.test\n");
			default -> List.of("bob@example.test");
		};
		List<String> mailOptions = where.equals("mail option") ? List.of("BODY=8BITMIME", "RET=FULL\rX") : List.of();
		List<String> rcptOptions = where.equals("rcpt option") ? List.of("NOTIFY=NEVER\nRSET") : List.of();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply("250 noop ok").reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				Throwable ex = catchThrowable(() -> smtp.sendmail(from, to, MESSAGE, mailOptions, rcptOptions));
				assertThat(ex).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("newline");
				assertThat(smtp.isConnected()).isTrue();
				// Whatever reaches the server after the refusal comes first in its transcript.
				assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "noop ok"));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("NOOP", "QUIT");
			assertThat(server.receivedText()).isEqualTo("NOOP\r\nQUIT\r\n");
			assertCleanRun(server);
		}
	}

	@Test
	void lineBreakInARecipientOfAnEsmtpSessionSendsNoMail() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_WITH_SIZE).reply("250 noop ok").reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.ehlo();
				Throwable ex = catchThrowable(() -> smtp.sendmail("alice@example.test",
						List.of("bob@example.test", "carol@example.test\r\nDATA"), MESSAGE));
				assertThat(ex).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("recipient");
				assertThat(smtp.noop().code()).isEqualTo(250);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void smtputf8OptionWithoutServerSupportIsRefusedBeforeMail() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_WITH_SIZE).reply("250 noop ok").reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				Throwable ex = catchThrowable(() -> smtp.sendmail("alice@example.test", List.of("bob@example.test"),
						MESSAGE, List.of("BODY=8BITMIME", "SMTPUTF8"), List.of()));
				assertThat(ex).isExactlyInstanceOf(SmtpNotSupportedException.class)
					.hasMessage("SMTPUTF8 not supported by server");
				assertThat(smtp.isConnected()).isTrue();
				assertThat(smtp.noop().code()).isEqualTo(250);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void smtputf8OptionWithServerSupportSendsCommandsInUtf8() throws Exception {
		String sender = "jőhn@exämple.test";
		String recipient = "sálly@exämple.test";
		byte[] message = "Subject: ¡hola!\r\n\r\n¡a test message containing unicode!\r\n".getBytes(StandardCharsets.UTF_8);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITH_SMTPUTF8)
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.sendmail(sender, List.of(recipient), message, List.of("BODY=8BITMIME", "SMTPUTF8"),
						List.of())).isEmpty();
			}
			server.awaitScriptDone(WAIT);
			byte[] expected = ("EHLO client.test\r\nMAIL FROM:<" + sender + "> BODY=8BITMIME SMTPUTF8\r\nRCPT TO:<"
					+ recipient + ">\r\nDATA\r\n").getBytes(StandardCharsets.UTF_8);
			assertThat(server.received()).startsWith(expected);
			assertThat(server.messages().get(0)).isEqualTo(concat(message, ".\r\n".getBytes(StandardCharsets.US_ASCII)));
			assertCleanRun(server);
		}
	}

	@Test
	void nonAsciiAddressWithoutSmtputf8IsRefusedBeforeItIsSent() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_WITHOUT_SIZE).reply("250 noop ok").reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				Throwable ex = catchThrowable(() -> smtp.sendmail("älice@example.test", "bob@example.test", MESSAGE));
				assertThat(ex).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SMTPUTF8");
				assertThat(smtp.noop().code()).isEqualTo(250);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void nonAsciiRecipientWithoutSmtputf8IsRefusedBeforeMailIsSent() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_WITHOUT_SIZE).reply("250 noop ok").reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				Throwable ex = catchThrowable(() -> smtp.sendmail("alice@example.test",
						List.of("bob@example.test", "jürgen@example.test"), MESSAGE));
				assertThat(ex).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SMTPUTF8");
				// No MAIL was left accepted and open: NOOP is the next command the server sees.
				assertThat(smtp.noop().code()).isEqualTo(250);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void smtputf8AppliesToItsOwnTransactionOnlyNotToTheNextSendmail() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITH_SMTPUTF8)
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.sendmail("alice@example.test", List.of("jürgen@example.test"), MESSAGE.getBytes(StandardCharsets.UTF_8),
						List.of("SMTPUTF8"), List.of());

				Throwable ex = catchThrowable(() -> smtp.sendmail("alice@example.test", "sálly@example.test", MESSAGE));
				assertThat(ex).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SMTPUTF8");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test> SMTPUTF8",
					// The server records bytes as ISO-8859-1: this is the line in UTF-8.
					new String("RCPT TO:<jürgen@example.test>".getBytes(StandardCharsets.UTF_8),
							StandardCharsets.ISO_8859_1),
					"DATA", "QUIT");
			assertCleanRun(server);
		}
	}

	// ---------------------------------------------------------------- the message data

	@Test
	void stringMessageHasLoneLineBreaksTurnedIntoCrlfAndSizeCountsTheResult() throws Exception {
		String message = "Subject: eols\n\nlone LF\nlone CR\rproper CRLF\r\nlast line";
		String normalized = "Subject: eols\r\n\r\nlone LF\r\nlone CR\r\nproper CRLF\r\nlast line";
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITH_SIZE)
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.sendmail("alice@example.test", "bob@example.test", message);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).contains("MAIL FROM:<alice@example.test> SIZE=" + normalized.length());
			assertThat(text(server.messages().get(0))).isEqualTo(normalized + "\r\n.\r\n");
			assertCleanRun(server);
		}
	}

	@Test
	void stringMessageThatIsNotAsciiIsRefusedBeforeAnythingIsSent() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply("250 noop ok").reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				Throwable ex = catchThrowable(
						() -> smtp.sendmail("alice@example.test", "bob@example.test", "Subject: x\r\n\r\nCafé\r\n"));
				assertThat(ex).isInstanceOf(IllegalArgumentException.class)
					.hasMessageContaining("U+00E9")
					.hasMessageContaining("index 17");
				assertThat(smtp.noop().code()).isEqualTo(250);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("NOOP", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void byteMessageWithLoneLineFeedIsSentUntouchedWithCrlfAndDotAppended() throws Exception {
		byte[] message = "Subject: raw\n\nfirst\nsecond".getBytes(StandardCharsets.US_ASCII);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITH_SIZE)
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.sendmail("alice@example.test", List.of("bob@example.test"), message);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).contains("MAIL FROM:<alice@example.test> SIZE=" + message.length);
			assertThat(text(server.messages().get(0))).isEqualTo("Subject: raw\n\nfirst\nsecond\r\n.\r\n");
			assertCleanRun(server);
		}
	}

	@Test
	void linesStartingWithADotAreStuffedButSizeIsTheUnstuffedLength() throws Exception {
		String message = ".first line is a dot line\r\nmiddle\r\n.\r\n..two dots\r\nnot.at start\r\n";
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITH_SIZE)
				.reply("250 ok")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.sendmail("alice@example.test", "bob@example.test", message);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).contains("MAIL FROM:<alice@example.test> SIZE=" + message.length());
			assertThat(text(server.messages().get(0)))
				.isEqualTo("..first line is a dot line\r\nmiddle\r\n..\r\n...two dots\r\nnot.at start\r\n.\r\n");
			assertCleanRun(server);
		}
	}

	@Test
	void dataRepliesMapEachAcceptedRecipientToTheOneReply() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITHOUT_SIZE)
				.reply("250 ok")
				.reply("250 ok")
				.reply("550 unknown")
				.reply("250 ok")
				.reply("354 go ahead")
				.reply("250 2.0.0 queued as ABC")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.dataReplies()).isEmpty();
				smtp.sendmail("alice@example.test",
						List.of("bob@example.test", "nobody@example.test", "carol@example.test"), MESSAGE);
				SmtpReply queued = new SmtpReply(250, "2.0.0 queued as ABC");
				assertThat(smtp.dataReplies()).containsExactly(entry("bob@example.test", queued),
						entry("carol@example.test", queued));
			}
			server.awaitScriptDone(WAIT);
			assertCleanRun(server);
		}
	}

	@Test
	void twoTransactionsOnOneSessionSayEhloOnce() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_WITHOUT_SIZE);
			for (int i = 0; i < 2; i++) {
				server.reply("250 ok").reply("250 ok").reply("354 go ahead").reply("250 queued " + i);
			}
			server.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.sendmail("alice@example.test", "bob@example.test", MESSAGE);
				assertThat(smtp.dataReplies()).containsExactly(entry("bob@example.test", new SmtpReply(250, "queued 0")));
				smtp.sendmail("alice@example.test", "carol@example.test", MESSAGE);
				assertThat(smtp.dataReplies())
					.containsExactly(entry("carol@example.test", new SmtpReply(250, "queued 1")));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test>",
					"RCPT TO:<bob@example.test>", "DATA", "MAIL FROM:<alice@example.test>", "RCPT TO:<carol@example.test>",
					"DATA", "QUIT");
			assertThat(server.messages()).hasSize(2);
			assertCleanRun(server);
		}
	}

	// ---------------------------------------------------------------- helpers

	private static SmtpSession connect(ScriptedSmtpServer server) throws Exception {
		return SmtpSession.smtp()
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

	private static String text(byte[] bytes) {
		return new String(bytes, StandardCharsets.ISO_8859_1);
	}

	private static byte[] concat(byte[] first, byte[] second) {
		byte[] all = new byte[first.length + second.length];
		System.arraycopy(first, 0, all, 0, first.length);
		System.arraycopy(second, 0, all, first.length, second.length);
		return all;
	}

}
