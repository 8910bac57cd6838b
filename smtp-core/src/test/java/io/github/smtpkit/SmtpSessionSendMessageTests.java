package io.github.smtpkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.testing.ScriptedSmtpServer;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link SmtpSession#sendMessage}: the envelope taken from a Jakarta Mail message's headers as
 * smtplib's {@code send_message} takes it from an {@code email} message, and the bytes that are
 * (and are not) transmitted.
 */
@Timeout(20)
class SmtpSessionSendMessageTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String GREETING = "220 fake.test ESMTP";

	private static final String EHLO = "250-fake.test\n250-8BITMIME\n250 ENHANCEDSTATUSCODES";

	private static final String EHLO_SIZE_SMTPUTF8 = "250-fake.test\n250-SIZE 1000000\n250-8BITMIME\n250 SMTPUTF8";

	private static final Pattern SIZE = Pattern.compile("SIZE=(\\d+)");

	// ---------------------------------------------------------------- the envelope

	@Test
	void senderComesFromTheSenderHeaderWhenThereIsOne() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "Alice <alice@example.test>");
		message.setHeader("Sender", "Secretary <secretary@example.test>");
		message.setHeader("To", "Bob <bob@example.test>");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptTransaction(server, EHLO, 1);
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.sendMessage(message)).isEmpty();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<secretary@example.test>",
					"RCPT TO:<bob@example.test>", "DATA", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void senderComesFromTheFromHeaderWithoutItsDisplayName() throws Exception {
		MimeMessage message = message();
		message.setFrom(new InternetAddress("michael@example.test", "Michaël", "UTF-8"));
		message.setRecipient(RecipientType.TO, new InternetAddress("rene@example.test", "René", "UTF-8"));
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptTransaction(server, EHLO, 1);
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.sendMessage(message)).isEmpty();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<michael@example.test>",
					"RCPT TO:<rene@example.test>", "DATA", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void recipientsComeFromToBccAndCcAndBccIsNeverTransmitted() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "alice@example.test");
		message.setHeader("To", "to1@example.test, Second <to2@example.test>");
		message.setHeader("Cc", "cc@example.test");
		message.setHeader("Bcc", "Hidden <bcc@example.test>");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptTransaction(server, EHLO, 4);
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.sendMessage(message)).isEmpty();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test>",
					"RCPT TO:<to1@example.test>", "RCPT TO:<to2@example.test>", "RCPT TO:<bcc@example.test>",
					"RCPT TO:<cc@example.test>", "DATA", "QUIT");
			String sent = text(server.messages().get(0));
			assertThat(sent).contains("\r\nTo: to1@example.test, Second <to2@example.test>\r\n")
				.contains("\r\nCc: cc@example.test\r\n")
				.doesNotContainIgnoringCase("bcc")
				.doesNotContain("Hidden");
			// The caller's message is not changed.
			assertThat(message.getHeader("Bcc")).containsExactly("Hidden <bcc@example.test>");
			assertCleanRun(server);
		}
	}

	@Test
	void everyToHeaderCountsNotOnlyTheFirst() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "alice@example.test");
		message.addHeader("To", "first@example.test");
		message.addHeader("To", "second@example.test");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptTransaction(server, EHLO, 2);
			try (SmtpSession smtp = connect(server)) {
				smtp.sendMessage(message);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsSubsequence("RCPT TO:<first@example.test>",
					"RCPT TO:<second@example.test>", "DATA");
			assertCleanRun(server);
		}
	}

	@Test
	void oneResentBlockTakesTheEnvelopeFromTheResentHeaders() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "original@example.test");
		message.setHeader("To", "original-to@example.test");
		message.setHeader("Cc", "original-cc@example.test");
		message.setHeader("Bcc", "original-bcc@example.test");
		message.setHeader("Resent-Date", "Thu, 1 Jan 1970 00:00:00 +0000");
		message.setHeader("Resent-Sender", "Resent Sender <resent-sender@example.test>");
		message.setHeader("Resent-From", "resent-from@example.test");
		message.setHeader("Resent-To", "Holmes <holmes@example.test>, watson@example.test");
		message.setHeader("Resent-Cc", "hudson@example.test");
		message.setHeader("Resent-Bcc", "mycroft@example.test");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptTransaction(server, EHLO, 4);
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.sendMessage(message)).isEmpty();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<resent-sender@example.test>",
					"RCPT TO:<holmes@example.test>", "RCPT TO:<watson@example.test>", "RCPT TO:<mycroft@example.test>",
					"RCPT TO:<hudson@example.test>", "DATA", "QUIT");
			String sent = text(server.messages().get(0));
			assertThat(sent).contains("\r\nResent-To: Holmes <holmes@example.test>, watson@example.test\r\n")
				.contains("\r\nResent-Cc: hudson@example.test\r\n")
				.doesNotContainIgnoringCase("bcc")
				.doesNotContain("mycroft");
			assertThat(message.getHeader("Resent-Bcc")).containsExactly("mycroft@example.test");
			assertCleanRun(server);
		}
	}

	@Test
	void oneResentBlockWithoutResentSenderUsesResentFrom() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "original@example.test");
		message.setHeader("Sender", "original-sender@example.test");
		message.setHeader("To", "original-to@example.test");
		message.setHeader("Resent-Date", "Thu, 1 Jan 1970 00:00:00 +0000");
		message.setHeader("Resent-From", "resent-from@example.test");
		message.setHeader("Resent-To", "holmes@example.test");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptTransaction(server, EHLO, 1);
			try (SmtpSession smtp = connect(server)) {
				smtp.sendMessage(message);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<resent-from@example.test>",
					"RCPT TO:<holmes@example.test>", "DATA", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void twoResentBlocksAreRefusedAndNothingIsSent() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "original@example.test");
		message.setHeader("To", "original-to@example.test");
		message.addHeader("Resent-Date", "Thu, 1 Jan 1970 00:00:00 +0000");
		message.addHeader("Resent-To", "holmes@example.test");
		message.addHeader("Resent-Date", "Fri, 2 Jan 1970 00:00:00 +0000");
		message.addHeader("Resent-To", "watson@example.test");
		assertRefusedBeforeMail(message, IllegalArgumentException.class, "more than one 'Resent-' header block");
	}

	@Test
	void explicitSenderAndRecipientsOverrideTheHeaders() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "alice@example.test");
		message.setHeader("Sender", "secretary@example.test");
		message.setHeader("To", "bob@example.test");
		message.setHeader("Bcc", "hidden@example.test");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptTransaction(server, EHLO, 2);
			try (SmtpSession smtp = connect(server)) {
				smtp.sendMessage(message, "Bounces <bounces@example.test>",
						List.of("one@example.test", "two@example.test"), List.of(), List.of());
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<bounces@example.test>",
					"RCPT TO:<one@example.test>", "RCPT TO:<two@example.test>", "DATA", "QUIT");
			assertThat(text(server.messages().get(0))).contains("\r\nTo: bob@example.test\r\n")
				.doesNotContainIgnoringCase("bcc");
			assertCleanRun(server);
		}
	}

	@Test
	void groupWithoutMembersInToGivesNoRecipient() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "alice@example.test");
		message.setHeader("To", "undisclosed-recipients:;");
		message.setHeader("Bcc", "hidden@example.test");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptTransaction(server, EHLO, 1);
			try (SmtpSession smtp = connect(server)) {
				smtp.sendMessage(message);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<alice@example.test>",
					"RCPT TO:<hidden@example.test>", "DATA", "QUIT");
			assertThat(text(server.messages().get(0))).contains("\r\nTo: undisclosed-recipients:;\r\n")
				.doesNotContain("hidden");
			assertCleanRun(server);
		}
	}

	@Test
	void groupMembersAreRecipients() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "alice@example.test");
		message.setHeader("To", "Team: ann@example.test, Bob <bob@example.test>;, carol@example.test");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptTransaction(server, EHLO, 3);
			try (SmtpSession smtp = connect(server)) {
				smtp.sendMessage(message);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsSubsequence("RCPT TO:<ann@example.test>", "RCPT TO:<bob@example.test>",
					"RCPT TO:<carol@example.test>", "DATA");
			assertCleanRun(server);
		}
	}

	@Test
	void unparseableToHeaderIsRefusedNamingTheHeader() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "alice@example.test");
		message.setHeader("To", "Broken <bob@example.test");
		assertRefusedBeforeMail(message, IllegalArgumentException.class, "To header");
	}

	@Test
	void messageWithoutAnySenderIsRefused() throws Exception {
		MimeMessage message = message();
		message.setHeader("To", "bob@example.test");
		assertRefusedBeforeMail(message, IllegalArgumentException.class, "no Sender or From");
	}

	// ---------------------------------------------------------------- internationalized addresses

	@Test
	void nonAsciiRecipientUsesSmtputf8WithSizeAndUtf8OnTheWire() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "Páolo <paolo@example.test>");
		message.setHeader("To", "jörg@exämple.test");
		message.setHeader("Subject", "Grüße");
		message.setText("Hallo Jörg\r\n", "UTF-8");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptTransaction(server, EHLO_SIZE_SMTPUTF8, 1);
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.sendMessage(message)).isEmpty();
			}
			server.awaitScriptDone(WAIT);
			List<String> commands = server.commands();
			assertThat(commands).hasSize(5);
			assertThat(commands.get(1)).matches("MAIL FROM:<paolo@example\\.test> SIZE=\\d+ SMTPUTF8 BODY=8BITMIME");
			byte[] data = server.messages().get(0);
			assertThat(sizeOf(commands.get(1))).isEqualTo(data.length - ".\r\n".length());
			byte[] expectedRcpt = "\r\nRCPT TO:<jörg@exämple.test>\r\nDATA\r\n".getBytes(StandardCharsets.UTF_8);
			assertThat(text(server.received())).contains(text(expectedRcpt));
			assertThat(new String(data, StandardCharsets.UTF_8)).contains("\r\nTo: jörg@exämple.test\r\n");
			assertCleanRun(server);
		}
	}

	@Test
	void nonAsciiSenderWithSmtputf8AndNoSizeExtensionAddsExactlyTheTwoOptions() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "főo@exämple.test");
		message.setHeader("To", "dinsdale@example.test");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptTransaction(server, "250-fake.test\n250 SMTPUTF8", 1);
			try (SmtpSession smtp = connect(server)) {
				smtp.sendMessage(message);
			}
			server.awaitScriptDone(WAIT);
			byte[] expected = ("EHLO client.test\r\nMAIL FROM:<főo@exämple.test> SMTPUTF8 BODY=8BITMIME\r\n"
					+ "RCPT TO:<dinsdale@example.test>\r\nDATA\r\n").getBytes(StandardCharsets.UTF_8);
			assertThat(server.received()).startsWith(expected);
			assertCleanRun(server);
		}
	}

	@Test
	void nonAsciiSenderWithoutSmtputf8IsNotSupportedAndNothingIsSentAfterEhlo() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "Páolo <főo@example.test>");
		message.setHeader("To", "dinsdale@example.test");
		assertRefusedBeforeMail(message, SmtpNotSupportedException.class, "SMTPUTF8");
	}

	// ---------------------------------------------------------------- the transmitted bytes

	@Test
	void transmittedMessageHasCrlfLineEndingsAndStuffedDots() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "alice@example.test");
		message.setHeader("To", "bob@example.test");
		message.setHeader("Subject", "line endings");
		message.setText("first line\n.starts with a dot\nlone CR\rlast line\n", "US-ASCII");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptTransaction(server, EHLO, 1);
			try (SmtpSession smtp = connect(server)) {
				smtp.sendMessage(message);
			}
			server.awaitScriptDone(WAIT);
			String sent = text(server.messages().get(0));
			assertThat(sent).endsWith("\r\n\r\nfirst line\r\n..starts with a dot\r\nlone CR\r\nlast line\r\n.\r\n");
			assertThat(sent.replace("\r\n", "")).doesNotContain("\r").doesNotContain("\n");
			assertThat(sent).containsPattern("(^|\r\n)From: alice@example\\.test\r\n")
				.containsPattern("(^|\r\n)Subject: line endings\r\n");
			assertCleanRun(server);
		}
	}

	@Test
	void refusedRecipientsAreReturnedAsFromSendmail() throws Exception {
		MimeMessage message = message();
		message.setHeader("From", "alice@example.test");
		message.setHeader("To", "bob@example.test, nobody@example.test");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO)
				.reply("250 ok")
				.reply("250 ok")
				.reply("550 5.1.1 no such user")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				Map<String, SmtpReply> refused = smtp.sendMessage(message);
				assertThat(refused).containsExactly(Map.entry("nobody@example.test", new SmtpReply(550, "5.1.1 no such user")));
			}
			server.awaitScriptDone(WAIT);
			assertCleanRun(server);
		}
	}

	// ---------------------------------------------------------------- helpers

	private static <T extends Throwable> void assertRefusedBeforeMail(MimeMessage message, Class<T> type,
			String messagePart) throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO).reply("250 still here").reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				Throwable ex = catchThrowable(() -> smtp.sendMessage(message));
				assertThat(ex).isInstanceOf(type).hasMessageContaining(messagePart);
				assertThat(smtp.isConnected()).isTrue();
				assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "still here"));
			}
			server.awaitScriptDone(WAIT);
			// smtplib's send_message says EHLO before it looks at the message; nothing follows it.
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP", "QUIT");
			assertThat(server.messages()).isEmpty();
			assertCleanRun(server);
		}
	}

	/** EHLO, MAIL, one accepted RCPT per recipient, DATA, the message, QUIT. */
	private static void scriptTransaction(ScriptedSmtpServer server, String ehloReply, int recipients) {
		server.greet(GREETING).reply(ehloReply).reply("250 2.1.0 ok");
		for (int i = 0; i < recipients; i++) {
			server.reply("250 2.1.5 ok");
		}
		server.reply("354 go ahead").reply("250 2.0.0 queued").reply("221 bye");
	}

	private static MimeMessage message() throws Exception {
		MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
		message.setText("Hello.\r\n", "US-ASCII");
		return message;
	}

	private static SmtpSession connect(ScriptedSmtpServer server) throws Exception {
		return SmtpSession.smtp()
			.host(server.host())
			.port(server.port())
			.localHostname("client.test")
			.timeout(WAIT)
			.connect();
	}

	private static long sizeOf(String mailCommand) {
		Matcher size = SIZE.matcher(mailCommand);
		assertThat(size.find()).as("SIZE in %s", mailCommand).isTrue();
		return Long.parseLong(size.group(1));
	}

	private static void assertCleanRun(ScriptedSmtpServer server) {
		server.assertNoFailures();
		assertThat(server.unexpectedCommands()).isEmpty();
	}

	private static String text(byte[] bytes) {
		return new String(bytes, StandardCharsets.ISO_8859_1);
	}

}
