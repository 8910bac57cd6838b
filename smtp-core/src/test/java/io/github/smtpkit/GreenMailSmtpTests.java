package io.github.smtpkit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link SmtpSession} against GreenMail 2.1.8, a real SMTP server running in this JVM on a dynamic
 * port of 127.0.0.1.
 *
 * <p>What GreenMail 2.1.8 does, read from its sources, which these tests rely on:
 * <ul>
 * <li>EHLO advertises nothing but {@code AUTH PLAIN LOGIN XOAUTH2}: no SIZE, 8BITMIME, SMTPUTF8,
 * STARTTLS; there is no HELP or EXPN command ({@code 500 Command not recognized}).</li>
 * <li>It stores the message as received after un-stuffing dots, with {@code Return-Path} and
 * {@code Received} lines put in front, but without the CRLF that precedes the terminating
 * {@code .}: a message sent as {@code ...last line CRLF} is stored as {@code ...last line}.</li>
 * <li>Each recipient gets its own copy in its own mailbox; unknown recipients become users.</li>
 * </ul>
 */
class GreenMailSmtpTests {

	private static final String CLIENT_NAME = "client.test";

	private static final int TEN_MIB = 10 * 1024 * 1024;

	private GreenMail greenMail;

	@BeforeEach
	void startGreenMail() {
		this.greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
		this.greenMail.start();
	}

	@AfterEach
	void stopGreenMail() {
		this.greenMail.stop();
	}

	@Test
	void sendmailToSeveralRecipientsDeliversTheMessageIntactToEach() throws Exception {
		String message = "From: Sender <sender@example.org>\r\n"
				+ "To: one@example.org, two@example.net\r\n"
				+ "Subject: Intact delivery\r\n"
				+ "X-Smtpkit-Test: plain sendmail\r\n"
				+ "\r\n"
				+ "First line\r\n"
				+ ".A line that starts with a dot\r\n"
				+ "..Two dots\r\n"
				+ ".\r\n"
				+ "After a line that is only a dot\r\n"
				+ "\r\n"
				+ " . not at the start\r\n"
				+ "Last line\r\n";
		List<String> recipients = List.of("one@example.org", "two@example.net", "three@example.com");

		try (SmtpSession smtp = connect()) {
			Map<String, SmtpReply> refused = smtp.sendmail("sender@example.org", recipients, message);
			assertThat(refused).isEmpty();
		}

		assertThat(this.greenMail.waitForIncomingEmail(5000, 3)).isTrue();
		for (String recipient : recipients) {
			List<MimeMessage> received = messagesFor(recipient);
			assertThat(received).as("messages in the mailbox of %s", recipient).hasSize(1);
			MimeMessage copy = received.get(0);
			String stored = new String(wholeMessage(copy), StandardCharsets.ISO_8859_1);
			assertThat(stored).startsWith("Return-Path: <sender@example.org>\r\nReceived: from 127.0.0.1 (HELO "
					+ CLIENT_NAME + "); ");
			// Dots un-stuffed, CRLF kept, headers untouched: byte for byte what was given.
			assertThat(withoutTraceHeaders(stored)).isEqualTo(withoutFinalCrlf(message));
			assertThat(copy.getSubject()).isEqualTo("Intact delivery");
			assertThat(copy.getHeader("X-Smtpkit-Test")).containsExactly("plain sendmail");
		}
		assertThat(this.greenMail.getReceivedMessages()).hasSize(3);
	}

	@Test
	void sendMessageDeliversToToCcAndBccRecipientsWithoutTransmittingBcc() throws Exception {
		MimeMessage message = new MimeMessage(mailSession());
		message.setFrom(new InternetAddress("sender@example.org", "The Sender"));
		message.setRecipients(RecipientType.TO, InternetAddress.parse("to1@example.org, Second <to2@example.org>"));
		message.setRecipients(RecipientType.CC, "cc@example.net");
		message.setRecipients(RecipientType.BCC, "hidden@example.com");
		message.setSubject("To, Cc and Bcc");
		message.setText("Everyone gets this; only the envelope knows about the Bcc.");
		List<String> recipients = List.of("to1@example.org", "to2@example.org", "cc@example.net",
				"hidden@example.com");

		try (SmtpSession smtp = connect()) {
			assertThat(smtp.sendMessage(message)).isEmpty();
		}

		assertThat(this.greenMail.waitForIncomingEmail(5000, 4)).isTrue();
		for (String recipient : recipients) {
			List<MimeMessage> received = messagesFor(recipient);
			assertThat(received).as("messages in the mailbox of %s", recipient).hasSize(1);
			MimeMessage copy = received.get(0);
			assertThat(copy.getHeader("Bcc")).as("Bcc header in the copy of %s", recipient).isNull();
			String stored = new String(wholeMessage(copy), StandardCharsets.ISO_8859_1);
			assertThat(stored).doesNotContainIgnoringCase("\r\nBcc:").doesNotContain("hidden@example.com");
			assertThat(stored).startsWith("Return-Path: <sender@example.org>\r\n");
			assertThat(copy.getHeader("To", ",")).isEqualTo("to1@example.org, Second <to2@example.org>");
			assertThat(copy.getHeader("Cc")).containsExactly("cc@example.net");
			assertThat(copy.getSubject()).isEqualTo("To, Cc and Bcc");
			assertThat(copy.getContent()).isEqualTo("Everyone gets this; only the envelope knows about the Bcc.");
		}
		assertThat(this.greenMail.getReceivedMessages()).hasSize(4);
		// The caller's message keeps its Bcc: only the transmitted copy goes without.
		assertThat(message.getHeader("Bcc")).containsExactly("hidden@example.com");
	}

	/**
	 * GreenMail advertises no 8BITMIME; it stores 8bit data as it comes, so the 8bit case shows the
	 * raw bytes travel unchanged (smtplib, too, sends an 8bit body without BODY=8BITMIME unless an
	 * address needs SMTPUTF8).
	 */
	@ParameterizedTest
	@ValueSource(strings = { "8bit", "quoted-printable", "base64" })
	void utf8TextAndSubjectRoundTrip(String transferEncoding) throws Exception {
		String subject = "Grüße aus Köln – 東京 ✓ 🚀";
		// Without a final line break, GreenMail's dropping of the CRLF before "." changes nothing.
		String text = "Grüße aus Köln!\r\nЖ ж ÿ – 東京 🚀\r\n.Ein Punkt am Zeilenanfang: ü\r\nEnde ohne Zeilenumbruch";
		MimeMessage message = new MimeMessage(mailSession());
		message.setFrom("absender@example.org");
		message.setRecipients(RecipientType.TO, "empfaenger@example.org");
		message.setSubject(subject, "UTF-8");
		message.setText(text, "UTF-8");
		message.setHeader("Content-Transfer-Encoding", transferEncoding);

		try (SmtpSession smtp = connect()) {
			assertThat(smtp.sendMessage(message)).isEmpty();
		}

		assertThat(this.greenMail.waitForIncomingEmail(5000, 1)).isTrue();
		List<MimeMessage> received = messagesFor("empfaenger@example.org");
		assertThat(received).hasSize(1);
		MimeMessage copy = received.get(0);
		assertThat(copy.getSubject()).isEqualTo(subject);
		assertThat(copy.getEncoding()).isEqualTo(transferEncoding);
		assertThat(copy.getContentType()).containsIgnoringCase("charset=UTF-8");
		assertThat(copy.getContent()).isEqualTo(text);
		if (transferEncoding.equals("8bit")) {
			assertThat(copy.getRawInputStream().readAllBytes()).isEqualTo(text.getBytes(StandardCharsets.UTF_8));
		}
	}

	@Test
	void nonAsciiAddressIsRefusedBeforeAnythingIsSentBecauseGreenMailDoesNotAdvertiseSmtputf8() throws Exception {
		MimeMessage message = new MimeMessage(mailSession());
		message.setFrom("sender@example.org");
		message.setHeader("To", "jürgen@bücher.example");
		message.setSubject("International address");
		message.setText("Needs SMTPUTF8.");
		RecordingListener listener = new RecordingListener();

		try (SmtpSession smtp = builder().eventListener(listener).connect()) {
			smtp.ehlo();
			assertThat(smtp.hasExtn("smtputf8")).isFalse();

			assertThatExceptionOfType(SmtpNotSupportedException.class).isThrownBy(() -> smtp.sendMessage(message))
				.withMessageContaining("SMTPUTF8");
			assertThatExceptionOfType(SmtpNotSupportedException.class)
				.isThrownBy(() -> smtp.sendmail("sender@example.org", List.of("jürgen@bücher.example"),
						"Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII), List.of("SMTPUTF8"), List.of()))
				.withMessageContaining("SMTPUTF8");

			// Nothing of either transaction went out, and the session is still good.
			assertThat(listener.commandLines()).containsExactly("EHLO " + CLIENT_NAME);
			assertThat(smtp.noop().code()).isEqualTo(250);
		}
		assertThat(this.greenMail.getReceivedMessages()).isEmpty();
	}

	@Test
	void tenMebibyteMessageSentWithSendmailArrivesByteIdentical() throws Exception {
		byte[] message = largeMessage("big@example.org");

		try (SmtpSession smtp = connect()) {
			assertThat(smtp.sendmail("sender@example.org", List.of("big@example.org"), message)).isEmpty();
		}

		assertThat(this.greenMail.waitForIncomingEmail(5000, 1)).isTrue();
		assertStoredBodyIsIdentical(single(messagesFor("big@example.org")), message);
	}

	@Test
	void tenMebibyteMessageStreamedWithDataAfterMailAndRcptArrivesByteIdentical() throws Exception {
		byte[] message = largeMessage("stream@example.org");

		try (SmtpSession smtp = connect()) {
			assertThat(smtp.ehlo().code()).isEqualTo(250);
			assertThat(smtp.mail("sender@example.org")).isEqualTo(new SmtpReply(250, "OK"));
			assertThat(smtp.rcpt("stream@example.org")).isEqualTo(new SmtpReply(250, "OK"));
			SmtpReply reply = smtp.data(new ByteArrayInputStream(message));
			assertThat(reply).isEqualTo(new SmtpReply(250, "OK"));
			assertThat(smtp.dataReplies()).containsExactly(Map.entry("stream@example.org", reply));
		}

		assertThat(this.greenMail.waitForIncomingEmail(5000, 1)).isTrue();
		assertStoredBodyIsIdentical(single(messagesFor("stream@example.org")), message);
	}

	@Test
	void ehloVrfyNoopRsetHelpAndExpnRepliesAreParsed() throws Exception {
		RecordingListener listener = new RecordingListener();
		try (SmtpSession smtp = builder().eventListener(listener).connect()) {
			SmtpReply ehlo = smtp.ehlo();
			assertThat(ehlo.code()).isEqualTo(250);
			assertThat(ehlo.message()).isEqualTo("/127.0.0.1\nAUTH PLAIN LOGIN XOAUTH2");
			assertThat(smtp.doesEsmtp()).isTrue();
			assertThat(smtp.ehloResp()).isEqualTo(ehlo.message());
			assertThat(smtp.esmtpFeatures().asMap()).containsOnlyKeys("auth");
			assertThat(smtp.esmtpFeatures().authMechanisms()).containsExactly("PLAIN", "LOGIN", "XOAUTH2");

			assertThat(smtp.verify("Some One <someone@example.org>"))
				.isEqualTo(new SmtpReply(252, "Cannot VRFY user, but will accept message and attempt delivery"));
			assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "Is that all?"));
			assertThat(smtp.rset()).isEqualTo(new SmtpReply(250, "OK"));
			// GreenMail has neither HELP nor EXPN; help() returns the text whatever the code, as smtplib's.
			assertThat(smtp.help()).isEqualTo("Command not recognized");
			assertThat(smtp.expn("list@example.org")).isEqualTo(new SmtpReply(500, "Command not recognized"));
			assertThat(smtp.noop().code()).as("the session survives the 500s").isEqualTo(250);
		}
		assertThat(listener.commandLines()).containsExactly("EHLO " + CLIENT_NAME, "VRFY someone@example.org", "NOOP",
				"RSET", "HELP", "EXPN list@example.org", "NOOP", "QUIT");
	}

	@Test
	void rsetAbandonsTheTransactionSoDataIsRefusedAndNothingIsDelivered() throws Exception {
		try (SmtpSession smtp = connect()) {
			smtp.ehlo();
			assertThat(smtp.mail("sender@example.org").code()).isEqualTo(250);
			assertThat(smtp.rcpt("nobody-gets-this@example.org").code()).isEqualTo(250);
			assertThat(smtp.rset()).isEqualTo(new SmtpReply(250, "OK"));

			assertThatExceptionOfType(SmtpDataException.class)
				.isThrownBy(() -> smtp.data("Subject: abandoned\r\n\r\nbody\r\n"))
				.satisfies((ex) -> assertThat(ex.reply()).isEqualTo(new SmtpReply(503, "MAIL command required")));
			assertThat(smtp.noop().code()).isEqualTo(250);
		}
		assertThat(this.greenMail.getReceivedMessages()).isEmpty();
	}

	@Test
	void quitReturnsGreenMails221AndTheSessionCanConnectAgain() throws Exception {
		SmtpSession smtp = connect();
		SmtpReply reply = smtp.quit();

		assertThat(reply.code()).isEqualTo(221);
		assertThat(reply.message()).isEqualTo("/127.0.0.1 Service closing transmission channel");
		assertThat(smtp.isConnected()).isFalse();
		assertThat(smtp.ehloResp()).isNull();

		SmtpReply greeting = smtp.connect("127.0.0.1", smtpPort());
		try {
			assertThat(greeting.code()).isEqualTo(220);
			assertThat(greeting.message()).contains("GreenMail SMTP Service");
			assertThat(smtp.sendmail("sender@example.org", "again@example.org", "Subject: again\r\n\r\nhi\r\n"))
				.isEmpty();
		}
		finally {
			smtp.close();
		}
		assertThat(this.greenMail.waitForIncomingEmail(5000, 1)).isTrue();
		assertThat(single(messagesFor("again@example.org")).getSubject()).isEqualTo("again");
	}

	@Test
	void tryWithResourcesSendsQuitAndClosesTheConnection() throws Exception {
		RecordingListener listener = new RecordingListener();
		SmtpSession used;
		try (SmtpSession smtp = builder().eventListener(listener).connect()) {
			used = smtp;
			smtp.sendmail("sender@example.org", "closing@example.org", "Subject: closing\r\n\r\nbye\r\n");
		}

		assertThat(used.isConnected()).isFalse();
		assertThat(listener.events).endsWith("command QUIT", "reply QUIT 221", "closed");
		assertThat(this.greenMail.waitForIncomingEmail(5000, 1)).isTrue();
		assertThat(single(messagesFor("closing@example.org")).getSubject()).isEqualTo("closing");
		// Closing twice is harmless.
		used.close();
	}

	// ---------------------------------------------------------------- helpers

	private SmtpSession.Builder builder() {
		return SmtpSession.smtp()
			.host("127.0.0.1")
			.port(smtpPort())
			.localHostname(CLIENT_NAME)
			.timeout(Duration.ofSeconds(10));
	}

	private SmtpSession connect() throws IOException {
		return builder().connect();
	}

	private int smtpPort() {
		return this.greenMail.getSmtp().getPort();
	}

	private List<MimeMessage> messagesFor(String email) {
		return this.greenMail.findReceivedMessages((user) -> user.getEmail().equalsIgnoreCase(email), (m) -> true)
			.toList();
	}

	private static MimeMessage single(List<MimeMessage> messages) {
		assertThat(messages).hasSize(1);
		return messages.get(0);
	}

	private static Session mailSession() {
		Properties properties = new Properties();
		// Message-ID needs a local address: name one instead of looking this machine up.
		properties.setProperty("mail.host", CLIENT_NAME);
		properties.setProperty("mail.user", "smtpkit");
		return Session.getInstance(properties);
	}

	/** The message as GreenMail stored it: its headers (trace headers first), a blank line, the body. */
	private static byte[] wholeMessage(MimeMessage stored) throws IOException, MessagingException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		stored.writeTo(out);
		return out.toByteArray();
	}

	/** The stored message after GreenMail's {@code Return-Path} and {@code Received} lines. */
	private static String withoutTraceHeaders(String stored) {
		assertThat(stored).startsWith("Return-Path: ");
		int received = stored.indexOf("\r\n") + 2;
		assertThat(stored.substring(received)).startsWith("Received: ");
		return stored.substring(stored.indexOf("\r\n", received) + 2);
	}

	/** GreenMail keeps the CRLF before the final "." out of the stored message. */
	private static String withoutFinalCrlf(String message) {
		assertThat(message).endsWith("\r\n");
		return message.substring(0, message.length() - 2);
	}

	/**
	 * A message of a little more than 10 MiB: lines of 76 printable characters, one in five
	 * starting with a dot, some with two, and some lines that are a single dot.
	 */
	private static byte[] largeMessage(String recipient) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(TEN_MIB + 64 * 1024);
		byte[] headers = ("From: sender@example.org\r\nTo: " + recipient + "\r\nSubject: Ten mebibytes\r\n"
				+ "Message-ID: <ten-mib@" + CLIENT_NAME + ">\r\n\r\n")
			.getBytes(StandardCharsets.US_ASCII);
		out.writeBytes(headers);
		Random random = new Random(5321);
		byte[] line = new byte[78];
		line[76] = '\r';
		line[77] = '\n';
		for (int number = 0; out.size() < headers.length + TEN_MIB; number++) {
			if (number % 997 == 0) {
				out.writeBytes(new byte[] { '.', '\r', '\n' });
				continue;
			}
			for (int i = 0; i < 76; i++) {
				line[i] = (byte) ('!' + random.nextInt('~' - '!' + 1));
			}
			if (number % 5 == 0) {
				line[0] = '.';
			}
			if (number % 50 == 0) {
				line[1] = '.';
			}
			out.writeBytes(line);
		}
		return out.toByteArray();
	}

	private static void assertStoredBodyIsIdentical(MimeMessage stored, byte[] message) throws Exception {
		assertThat(stored.getSubject()).isEqualTo("Ten mebibytes");
		assertThat(stored.getMessageID()).isEqualTo("<ten-mib@" + CLIENT_NAME + ">");
		byte[] sentBody = Arrays.copyOfRange(message, bodyStart(message), message.length - 2);
		byte[] storedBody = stored.getRawInputStream().readAllBytes();
		assertThat(sentBody.length).isGreaterThanOrEqualTo(TEN_MIB - 2);
		assertThat(storedBody).as("body length").hasSize(sentBody.length);
		assertThat(sha256(storedBody)).as("SHA-256 of the body").isEqualTo(sha256(sentBody));
	}

	private static int bodyStart(byte[] message) {
		for (int i = 0; i + 3 < message.length; i++) {
			if (message[i] == '\r' && message[i + 1] == '\n' && message[i + 2] == '\r' && message[i + 3] == '\n') {
				return i + 4;
			}
		}
		throw new IllegalArgumentException("no blank line after the headers");
	}

	private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
	}

	/** Records what a session reports, in order, as short strings. */
	private static final class RecordingListener implements SmtpEventListener {

		final List<String> events = new ArrayList<>();

		@Override
		public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
			this.events.add("command " + line);
		}

		@Override
		public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
			this.events.add("reply " + verb + " " + reply.code());
		}

		@Override
		public void connectionClosed(SmtpEndpoint endpoint) {
			this.events.add("closed");
		}

		List<String> commandLines() {
			return this.events.stream()
				.filter((event) -> event.startsWith("command "))
				.map((event) -> event.substring("command ".length()))
				.toList();
		}

	}

}
