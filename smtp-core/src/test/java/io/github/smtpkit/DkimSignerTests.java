package io.github.smtpkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.github.smtpkit.testing.Dkimpy;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.accepts;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.opens;
import static io.github.smtpkit.SmtpClientTestSupport.quits;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link DkimSigner} through {@link SmtpClient}: what the scripted server receives is checked by an
 * independent verifier, dkimpy ({@link Dkimpy}): an ASCII message, one with an 8-bit body, one
 * streamed from a file with bare LF line endings, and a tampered copy, which must fail.
 */
@Timeout(60)
class DkimSignerTests {

	private static final String FROM = "app@example.test";

	private static final String TO = "user@example.test";

	private static KeyPair keys;

	private static DkimSigner signer;

	@TempDir
	Path dir;

	@BeforeAll
	static void makeKeys() throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		keys = generator.generateKeyPair();
		signer = DkimSigner.rsaSha256("example.test", "mail", keys.getPrivate());
	}

	@Test
	void aMessageSentThroughTheClientCarriesASignatureThatDkimpyVerifies() throws Exception {
		byte[] message = ascii("From: App <" + FROM + ">\r\nTo: " + TO + "\r\nSubject: signed\r\n"
				+ "Date: Sat, 05 Dec 2026 12:00:00 +0000\r\nMessage-ID: <1@example.test>\r\n\r\n"
				+ "Hello,  world. \r\n.leading dot\r\n\r\n\r\n");

		byte[] received = sendSigned(MessageSource.of(message));

		assertThat(text(received)).startsWith("DKIM-Signature:")
			.contains("a=rsa-sha256", "c=relaxed/relaxed", "d=example.test", "s=mail")
			.contains("h=from:subject:date:to:message-id")
			.endsWith(text(message));
		assertThat(dkimpy(received)).isEqualTo("verified");
		assertThat(dkimpy(tampered(received))).as("a changed body").isEqualTo("failed");
	}

	@Test
	void anEightBitBodyIsSignedByteForByte() throws Exception {
		byte[] head = ascii("From: " + FROM + "\r\nTo: " + TO + "\r\nSubject: 8bit\r\nMIME-Version: 1.0\r\n"
				+ "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
		byte[] body = "Grüße, été, ÿ\r\n".getBytes(StandardCharsets.ISO_8859_1);
		byte[] message = concat(head, body);

		byte[] received = sendSigned(MessageSource.of(message));

		assertThat(received).endsWith(message);
		assertThat(dkimpy(received)).isEqualTo("verified");
	}

	@Test
	void aMessageStreamedFromAFileWithBareLineFeedsIsSignedAndSentWithCrlf() throws Exception {
		Path file = this.dir.resolve("message.eml");
		StringBuilder text = new StringBuilder("From: " + FROM + "\nTo: " + TO + "\nSubject: from a file\n\n");
		for (int line = 0; line < 2000; line++) {
			text.append("Line ").append(line).append(" of a message read from a file, twice.\n");
		}
		Files.writeString(file, text, StandardCharsets.US_ASCII);

		byte[] received = sendSigned(MessageSource.of(() -> Files.newInputStream(file), Files.size(file)));

		String expected = text.toString().replace("\n", "\r\n");
		assertThat(text(received)).endsWith(expected);
		assertThat(text(received).replace("\r\n", "")).doesNotContain("\n");
		assertThat(dkimpy(received)).isEqualTo("verified");
	}

	@Test
	void aMessageThatCannotBeSignedFailsAloneAndNothingOfItIsSent() throws Exception {
		byte[] noFrom = ascii("To: " + TO + "\r\nSubject: no From\r\n\r\nHello.\r\n");
		byte[] good = ascii("From: " + FROM + "\r\nTo: " + TO + "\r\nSubject: good\r\n\r\nHello.\r\n");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).dkimSigner(signer).build()) {
				List<BatchResult> results = client.sendAll(List.of(OutgoingMessage.of(Envelope.of(FROM, TO), noFrom),
						OutgoingMessage.of(Envelope.of(FROM, TO), good)));

				assertThat(results.get(0).failure()).isInstanceOf(IllegalArgumentException.class)
					.hasMessageContaining("no From header field");
				assertThat(results.get(0).message().message()).as("the caller's message").isNotInstanceOf(
						io.github.smtpkit.internal.DkimSignedSource.class);
				assertThat(results.get(1).isSent()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).filteredOn((command) -> command.startsWith("MAIL")).hasSize(1);
			assertThat(dkimpy(unstuffed(server.messages().get(0)))).isEqualTo("verified");
			server.assertNoFailures();
		}
	}

	@Test
	void theSignerChecksItsDomainKeyAndHeaders() throws Exception {
		KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
		PrivateKey ecKey = ec.generateKeyPair().getPrivate();
		KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
		rsa.initialize(512);
		PrivateKey weak = rsa.generateKeyPair().getPrivate();

		assertThatIllegalArgumentException().isThrownBy(() -> DkimSigner.rsaSha256("example.test", "mail", ecKey))
			.withMessageContaining("needs an RSA private key");
		assertThatIllegalArgumentException().isThrownBy(() -> DkimSigner.rsaSha256("example.test", "mail", weak))
			.withMessageContaining("512 bits");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> DkimSigner.rsaSha256("example.test; h=x", "mail", keys.getPrivate()))
			.withMessageContaining("domain must be a domain name");
		assertThatIllegalArgumentException().isThrownBy(() -> signer.withHeaders(List.of("To", "Subject")))
			.withMessageContaining("must include From");
		assertThat(signer.withHeaders(List.of("from", "subject")).headers()).containsExactly("from", "subject");
		assertThat(signer).hasToString("DkimSigner[d=example.test, s=mail, a=rsa-sha256, c=relaxed/relaxed]");
	}

	@Test
	void aPkcs8PemKeyIsReadAndAnRsaPrivateKeyFileIsRefusedWithTheWayOut() throws Exception {
		String base64 = Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(keys.getPrivate().getEncoded());
		Path pem = Files.writeString(this.dir.resolve("dkim.pem"),
				"-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n");
		Path pkcs1 = Files.writeString(this.dir.resolve("rsa.pem"),
				"-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");

		assertThat(DkimSigner.readRsaPrivateKey(pem)).isEqualTo(keys.getPrivate());
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> DkimSigner.readRsaPrivateKey(pkcs1))
			.withMessageContaining("openssl pkcs8 -topk8 -nocrypt");
	}

	/** Sends the message through a signing client; what the server received, dot-stuffing undone. */
	private static byte[] sendSigned(MessageSource message) throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).dkimSigner(signer).build()) {
				assertThat(client.send(Envelope.of(FROM, TO).withMailOptions("BODY=8BITMIME"), message).accepted())
					.containsExactly(TO);
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
			byte[] received = unstuffed(server.messages().get(0));
			assertThat(server.commands().get(1)).as("SIZE= is the signed message's")
				.isEqualTo("MAIL FROM:<" + FROM + "> SIZE=" + received.length + " BODY=8BITMIME");
			return received;
		}
	}

	/** The message data as the server recorded it, without the final dot and with dot-stuffing undone. */
	private static byte[] unstuffed(byte[] data) {
		String text = text(data);
		assertThat(text).endsWith("\r\n.\r\n");
		text = text.substring(0, text.length() - 3);
		text = (text.startsWith("..") ? text.substring(1) : text).replace("\r\n..", "\r\n.");
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

	/** The message with one body character changed. */
	private static byte[] tampered(byte[] message) {
		String text = text(message);
		return text.replace("Hello,", "Hallo,").getBytes(StandardCharsets.ISO_8859_1);
	}

	/** dkimpy's verdict on the message: "verified" or "failed". */
	private String dkimpy(byte[] message) throws Exception {
		return new Dkimpy(this.dir, keys.getPublic(), "mail", "example.test").verify(message);
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	private static String text(byte[] bytes) {
		return new String(bytes, StandardCharsets.ISO_8859_1);
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] all = new byte[a.length + b.length];
		System.arraycopy(a, 0, all, 0, a.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}

}
