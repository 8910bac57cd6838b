package io.github.smtpkit.interop;

import java.io.IOException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.smtpkit.Envelope;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpNotSupportedException;
import io.github.smtpkit.SmtpSession;
import io.github.smtpkit.TlsMode;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code sendMessage} with Jakarta Mail messages: an SMTPUTF8 recipient, which Postfix delivers
 * with its own virtual agent to {@code mail/δοκιμή/Maildir} (Dovecot 2.3 LMTP cannot take it), and
 * Bcc, which must reach its recipient and appear in no copy.
 */
class SendMessageInteropTests {

	private static final String UTF8_USER = "δοκιμή";

	private static final String UTF8_ADDRESS = UTF8_USER + "@example.test";

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	@Test
	void aRecipientWithANonAsciiLocalPartGoesWithSmtputf8AndArrivesWithTheAddressIntact() throws Exception {
		String messageId = InteropRig.messageId("smtputf8");
		MimeMessage message = message(messageId);
		message.setHeader("From", "postmaster@example.test");
		message.setHeader("To", UTF8_ADDRESS);
		message.setHeader("Subject", "Καλημέρα");
		message.setText("Γειά σου κόσμε\r\n", "UTF-8");
		Commands commands = new Commands();
		try (SmtpSession smtp = starttls(commands)) {
			assertThat(smtp.sendMessage(message)).isEmpty();
		}
		assertThat(commands.lines).anySatisfy((line) -> assertThat(line)
			.matches("MAIL FROM:<postmaster@example\\.test> SIZE=\\d+ SMTPUTF8 BODY=8BITMIME"));
		assertThat(commands.lines).contains("RCPT TO:<" + UTF8_ADDRESS + ">");
		Maildir.Delivered delivered = InteropRig.maildir(UTF8_USER).awaitMessage(messageId);
		assertThat(delivered.header("To")).isEqualTo(UTF8_ADDRESS);
		assertThat(delivered.header("Delivered-To")).isEqualTo(UTF8_ADDRESS);
		assertThat(delivered.header("Subject")).isEqualTo("Καλημέρα");
		// Postfix names the protocol UTF8SMTPS: SMTPUTF8 over TLS.
		assertThat(delivered.headers("Received")).anySatisfy((received) -> assertThat(received).contains("with UTF8SMTPS"));
	}

	@Test
	void dovecotLmtpDoesNotAdvertiseSmtputf8SoANonAsciiRecipientIsNotSupportedBeforeMail() throws Exception {
		MimeMessage message = message(InteropRig.messageId("smtputf8-lmtp"));
		message.setHeader("From", "postmaster@example.test");
		message.setHeader("To", UTF8_ADDRESS);
		message.setText("not deliverable over Dovecot 2.3 LMTP\r\n", "UTF-8");
		Commands commands = new Commands();
		try (SmtpSession lmtp = SmtpSession.lmtp()
			.unixSocket(InteropRig.lmtpSocket())
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.eventListener(commands)
			.connect()) {
			assertThatExceptionOfType(SmtpNotSupportedException.class).isThrownBy(() -> lmtp.sendMessage(message))
				.withMessageContaining("SMTPUTF8");
			assertThat(commands.lines).singleElement().asString().startsWith("LHLO");
			assertThat(lmtp.noop().code()).isEqualTo(250);
		}
	}

	@Test
	void theBccRecipientGetsTheMailAndNoCopyCarriesTheBccHeader() throws Exception {
		String messageId = InteropRig.messageId("bcc");
		MimeMessage message = message(messageId);
		message.setHeader("From", "postmaster@example.test");
		message.setHeader("To", "alice@example.test");
		message.setHeader("Bcc", "bob@example.test");
		message.setHeader("Subject", "Bcc");
		message.setText("Bob is in Bcc.\r\n");
		Commands commands = new Commands();
		try (SmtpSession smtp = starttls(commands)) {
			assertThat(smtp.sendMessage(message)).isEmpty();
		}
		assertThat(commands.lines).contains("RCPT TO:<alice@example.test>", "RCPT TO:<bob@example.test>");
		assertNoBccIn(InteropRig.maildir("alice").awaitMessage(messageId));
		assertNoBccIn(InteropRig.maildir("bob").awaitMessage(messageId));
	}

	@Test
	void smtpClientSendsAMimeMessageToItsBccRecipientWithoutTheHeader() throws Exception {
		String messageId = InteropRig.messageId("bcc-client");
		MimeMessage message = message(messageId);
		message.setHeader("From", "postmaster@example.test");
		message.setHeader("To", "alice@example.test");
		message.setHeader("Bcc", "Bob <bob@example.test>");
		message.setHeader("Subject", "Bcc through SmtpClient");
		message.setText("Bob is in Bcc.\r\n");
		try (SmtpClient client = SmtpClient.builder()
			.host(InteropRig.HOST)
			.port(InteropRig.SMTP_PORT)
			.tls(TlsMode.STARTTLS_REQUIRED)
			.sslContext(InteropRig.trustingRigCertificate())
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.build()) {
			SendResult result = client.send(message);
			assertThat(result.accepted()).containsExactly("alice@example.test", "bob@example.test");
			// And to an envelope of one's own, Bcc header or not.
			String otherId = InteropRig.messageId("bcc-client-envelope");
			MimeMessage other = message(otherId);
			other.setHeader("From", "postmaster@example.test");
			other.setHeader("To", "alice@example.test");
			other.setHeader("Bcc", "bob@example.test");
			other.setText("Only the envelope counts.\r\n");
			assertThat(client.send(Envelope.of("postmaster@example.test", "bob@example.test"), other).accepted())
				.containsExactly("bob@example.test");
			assertNoBccIn(InteropRig.maildir("bob").awaitMessage(otherId));
		}
		assertNoBccIn(InteropRig.maildir("alice").awaitMessage(messageId));
		assertNoBccIn(InteropRig.maildir("bob").awaitMessage(messageId));
	}

	// ---------------------------------------------------------------- helpers

	private static void assertNoBccIn(Maildir.Delivered delivered) {
		assertThat(delivered.headers("Bcc")).as("Bcc headers in %s", delivered).isEmpty();
		assertThat(delivered.header("To")).isEqualTo("alice@example.test");
	}

	/** A message whose Message-ID stays the one given (Jakarta Mail makes a new one on saveChanges). */
	private static MimeMessage message(String messageId) {
		return new MimeMessage(Session.getInstance(new Properties())) {

			@Override
			protected void updateMessageID() throws MessagingException {
				setHeader("Message-ID", messageId);
			}

		};
	}

	private static SmtpSession starttls(Commands commands) throws IOException {
		SmtpSession smtp = SmtpSession.smtp()
			.host(InteropRig.HOST)
			.port(InteropRig.SMTP_PORT)
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.sslContext(InteropRig.trustingRigCertificate())
			.eventListener(commands)
			.connect();
		smtp.starttls();
		return smtp;
	}

	private static final class Commands implements SmtpEventListener {

		final List<String> lines = new CopyOnWriteArrayList<>();

		@Override
		public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
			this.lines.add(line);
		}

	}

}
