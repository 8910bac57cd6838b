package io.github.smtpkit.interop;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.github.smtpkit.MessageSource;
import io.github.smtpkit.SmtpDataException;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpMessageTooLargeException;
import io.github.smtpkit.SmtpRecipientsRefusedException;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpSenderRefusedException;
import io.github.smtpkit.SmtpSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code sendmail} against Postfix on 2525 after STARTTLS: a refused recipient among accepted
 * ones, SIZE, DSN options (confirmed by the report Postfix sends back), and a message bigger than
 * the advertised SIZE. Where it matters, one command at a time (smtplib's way), pipelined (RFC
 * 2920) and in BDAT chunks (RFC 3030), which Postfix all offers.
 */
class SendmailInteropTests {

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	@ParameterizedTest(name = "pipelining {0}, chunking {1}")
	@CsvSource({ "false, false", "true, false", "false, true", "true, true" })
	void oneKnownAndOneUnknownRecipientGiveARefusedMapWith550AndTheKnownOneGetsTheMail(boolean pipelining,
			boolean chunking) throws Exception {
		String unknown = "nobody-" + UUID.randomUUID() + "@example.test";
		String messageId = InteropRig.messageId("known-unknown");
		Commands commands = new Commands();
		Map<String, SmtpReply> refused;
		try (SmtpSession smtp = starttls(commands, pipelining, chunking)) {
			refused = smtp.sendmail("postmaster@example.test", List.of("alice@example.test", unknown),
					InteropRig.message("postmaster@example.test", "alice@example.test", messageId, "known and unknown"));
			// The next command gets its own reply: nothing of the transaction was left unread.
			assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "2.0.0 Ok"));
		}
		assertThat(refused).containsOnlyKeys(unknown);
		assertThat(refused.get(unknown).code()).isEqualTo(550);
		assertThat(refused.get(unknown).message()).startsWith("5.1.1 <" + unknown + ">").contains("User unknown");
		assertThat(commands.verbs()).contains(chunking ? "BDAT" : "DATA").doesNotContain(chunking ? "DATA" : "BDAT");
		Maildir.Delivered delivered = InteropRig.maildir("alice").awaitMessage(messageId);
		assertThat(delivered.header("Delivered-To")).isEqualTo("alice@example.test");
	}

	@ParameterizedTest(name = "pipelining {0}, chunking {1}")
	@CsvSource({ "false, false", "true, false", "true, true" })
	void everyRecipientUnknownIsRefusedAndTheSessionStaysInStep(boolean pipelining, boolean chunking)
			throws Exception {
		// Pipelined with BDAT, the chunk went out with MAIL and RCPT: Postfix must refuse it too, and
		// its reply must be read before RSET, or NOOP would get the wrong one.
		String unknown = "nobody-" + UUID.randomUUID() + "@example.test";
		Commands commands = new Commands();
		try (SmtpSession smtp = starttls(commands, pipelining, chunking)) {
			assertThatExceptionOfType(SmtpRecipientsRefusedException.class)
				.isThrownBy(() -> smtp.sendmail("postmaster@example.test", List.of(unknown),
						InteropRig.message("postmaster@example.test", unknown, InteropRig.messageId("all-unknown"),
								"all unknown")))
				.satisfies((ex) -> assertThat(ex.recipients()).containsOnlyKeys(unknown));
			assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "2.0.0 Ok"));
		}
		assertThat(commands.verbs()).contains("RSET");
		if (pipelining && chunking) {
			assertThat(commands.verbs()).contains("BDAT");
		}
	}

	@ParameterizedTest(name = "pipelining {0}, chunking {1}")
	@CsvSource({ "false, false", "true, true" })
	void sizeIsAnnouncedWithTheExactSizeOfTheMessage(boolean pipelining, boolean chunking) throws Exception {
		Commands commands = new Commands();
		String messageId = InteropRig.messageId("size");
		byte[] message = InteropRig.message("postmaster@example.test", "alice@example.test", messageId, "SIZE");
		try (SmtpSession smtp = starttls(commands, pipelining, chunking)) {
			assertThat(smtp.sendmail("postmaster@example.test", List.of("alice@example.test"), message)).isEmpty();
		}
		assertThat(commands.lines).contains("MAIL FROM:<postmaster@example.test> SIZE=" + message.length);
		// DATA ends with ".\r\n"; BDAT sends the bytes as they are.
		assertThat(commands.dataBytes.get()).isEqualTo(message.length + (chunking ? 0 : ".\r\n".length()));
		assertThat(InteropRig.maildir("alice").awaitMessage(messageId).header("Subject")).isEqualTo("SIZE");
	}

	@Test
	void dsnOptionsArePassedOnAndPostfixSendsTheSuccessReportTheyAskFor() throws Exception {
		Commands commands = new Commands();
		String envid = InteropRig.uniqueId("envid");
		String messageId = InteropRig.messageId("dsn");
		String bodyMarker = InteropRig.uniqueId("body");
		byte[] message = InteropRig.message("bob@example.test", "alice@example.test", messageId, "DSN",
				bodyMarker + "\r\n");
		List<String> mailOptions = List.of("RET=HDRS", "ENVID=" + envid);
		List<String> rcptOptions = List.of("NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;alice@example.test");
		try (SmtpSession smtp = starttls(commands, false, false)) {
			assertThat(smtp.sendmail("bob@example.test", List.of("alice@example.test"), message, mailOptions,
					rcptOptions))
				.isEmpty();
		}
		assertThat(commands.lines).contains(
				"MAIL FROM:<bob@example.test> SIZE=" + message.length + " RET=HDRS ENVID=" + envid,
				"RCPT TO:<alice@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;alice@example.test");
		assertThat(InteropRig.maildir("alice").awaitMessage(messageId).body()).contains(bodyMarker);
		// NOTIFY=SUCCESS: the sender, bob, gets a delivery report that carries ENVID and ORCPT back,
		// and with RET=HDRS only the headers of the message, not its body.
		Maildir.Delivered report = InteropRig.maildir("bob")
			.awaitOne("the DSN for " + messageId, (mail) -> mail.text().contains("Original-Envelope-Id: " + envid));
		assertThat(report.header("Subject")).isEqualTo("Successful Mail Delivery Report");
		assertThat(report.header("Content-Type")).startsWith("multipart/report; report-type=delivery-status");
		assertThat(report.text()).contains("Original-Recipient: rfc822;alice@example.test")
			.contains("Final-Recipient: rfc822; alice@example.test")
			.contains("Status: 2.0.0")
			.contains("Content-Type: text/rfc822-headers")
			.contains("Message-ID: " + messageId)
			.doesNotContain(bodyMarker);
	}

	// ---------------------------------------------------------------- bigger than SIZE

	@ParameterizedTest(name = "pipelining {0}")
	@CsvSource({ "false", "true" })
	void aMessageBiggerThanPostfixsSizeIsRefusedBeforeUploadAndTheSessionGoesOn(boolean pipelining) throws Exception {
		Commands commands = new Commands();
		byte[] big = bigMessage(InteropRig.messageId("oversize-known"));
		try (SmtpSession smtp = starttls(commands, pipelining, false)) {
			smtp.ehlo();
			int sentBefore = commands.lines.size();
			assertThatExceptionOfType(SmtpMessageTooLargeException.class)
				.isThrownBy(() -> smtp.sendmail("postmaster@example.test", List.of("alice@example.test"), big))
				.satisfies((ex) -> assertThat(ex.size()).isEqualTo(big.length))
				.satisfies((ex) -> assertThat(ex.limit()).isEqualTo(InteropRig.SIZE_LIMIT))
				.withMessageContaining("127.0.0.1:2525");
			// Refused before anything of the transaction: not even MAIL, not one byte of the message.
			assertThat(commands.lines).hasSize(sentBefore);
			assertThat(commands.dataBytes.get()).isZero();
			String messageId = InteropRig.messageId("after-oversize");
			assertThat(smtp.sendmail("postmaster@example.test", List.of("alice@example.test"), InteropRig
				.message("postmaster@example.test", "alice@example.test", messageId, "after an over-size one")))
				.isEmpty();
			InteropRig.maildir("alice").awaitMessage(messageId);
		}
	}

	@Test
	void postfixItselfRefusesAnAnnouncedOverSizeAtMailFromWith552() throws Exception {
		// The server's side of the same rule: a source of unknown size gets past the client's check,
		// and a SIZE= given by hand tells Postfix, which refuses before the message is sent.
		Commands commands = new Commands();
		byte[] big = bigMessage(InteropRig.messageId("oversize-announced"));
		MessageSource unknownSize = MessageSource.of(() -> new ByteArrayInputStream(big), -1);
		try (SmtpSession smtp = starttls(commands, false, false)) {
			assertThatExceptionOfType(SmtpSenderRefusedException.class)
				.isThrownBy(() -> smtp.sendmail("postmaster@example.test", List.of("alice@example.test"), unknownSize,
						List.of("SIZE=" + big.length), List.of()))
				.satisfies((ex) -> assertThat(ex.smtpCode()).isEqualTo(552))
				.satisfies((ex) -> assertThat(ex.smtpError()).isEqualTo("5.3.4 Message size exceeds fixed limit"))
				.satisfies((ex) -> assertThat(ex.sender()).isEqualTo("postmaster@example.test"));
			assertThat(commands.verbs()).contains("MAIL", "RSET").doesNotContain("RCPT", "DATA");
			assertThat(commands.dataBytes.get()).isZero();
			assertThat(smtp.noop().code()).isEqualTo(250);
		}
	}

	@ParameterizedTest(name = "chunking {0}")
	@CsvSource({ "false", "true" })
	void anOverSizeMessageOfUnknownSizeIsUploadedAndThenRefusedByPostfixWith552(boolean chunking) throws Exception {
		Commands commands = new Commands();
		byte[] big = bigMessage(InteropRig.messageId("oversize-unknown"));
		MessageSource unknownSize = MessageSource.of(() -> new ByteArrayInputStream(big), -1);
		try (SmtpSession smtp = starttls(commands, false, chunking)) {
			assertThatExceptionOfType(SmtpDataException.class)
				.isThrownBy(() -> smtp.sendmail("postmaster@example.test", List.of("alice@example.test"), unknownSize,
						List.of(), List.of()))
				.satisfies((ex) -> assertThat(ex.smtpCode()).isEqualTo(552))
				.satisfies((ex) -> assertThat(ex.smtpError()).startsWith("5.3.4"));
			assertThat(commands.lines).contains("MAIL FROM:<postmaster@example.test>");
			assertThat(smtp.noop().code()).isEqualTo(250);
		}
	}

	// ---------------------------------------------------------------- helpers

	private static SmtpSession starttls(Commands commands, boolean pipelining, boolean chunking) throws IOException {
		SmtpSession smtp = SmtpSession.smtp()
			.host(InteropRig.HOST)
			.port(InteropRig.SMTP_PORT)
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.sslContext(InteropRig.trustingRigCertificate())
			.pipelining(pipelining)
			.chunking(chunking)
			.eventListener(commands)
			.connect();
		smtp.starttls();
		return smtp;
	}

	/** A message 100 kB over the rig's SIZE limit: lines of 78 characters. */
	private static byte[] bigMessage(String messageId) {
		byte[] head = InteropRig.message("postmaster@example.test", "alice@example.test", messageId, "too big", "");
		byte[] line = ("x".repeat(76) + "\r\n").getBytes(StandardCharsets.US_ASCII);
		int lines = (int) ((InteropRig.SIZE_LIMIT + 100_000) / line.length);
		byte[] message = Arrays.copyOf(head, head.length + lines * line.length);
		for (int i = 0; i < lines; i++) {
			System.arraycopy(line, 0, message, head.length + i * line.length, line.length);
		}
		return message;
	}

	/** The command lines sent (AUTH redacted by the session) and the message bytes written. */
	private static final class Commands implements SmtpEventListener {

		final List<String> lines = new CopyOnWriteArrayList<>();

		final AtomicLong dataBytes = new AtomicLong();

		@Override
		public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
			this.lines.add(line);
		}

		@Override
		public void messageDataSent(SmtpEndpoint endpoint, long bytes) {
			this.dataBytes.addAndGet(bytes);
		}

		List<String> verbs() {
			return this.lines.stream().map((line) -> line.split(" ", 2)[0]).toList();
		}

	}

}
