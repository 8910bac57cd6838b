package io.github.smtpkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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
 * {@link DkimSigner} through {@link SmtpClient}, with an RSA key and with an Ed25519 key: what the
 * scripted server receives is checked by an independent verifier, dkimpy ({@link Dkimpy}): an
 * ASCII message, one with an 8-bit body, one streamed from a file with bare LF line endings, one
 * with raw UTF-8 header fields, and a tampered copy, which must fail.
 *
 * <p>The build runs this class a second time on a JVM whose default charset is ASCII (smtp-core's
 * pom, execution {@code ascii-default-charset}), where a signer that hashed header fields in the
 * platform's charset would fail the UTF-8 case.
 */
@Timeout(60)
class DkimSignerTests {

	/** Set by the build's second run, whose JVM has an ASCII default charset. */
	private static final String ASCII_RUN = "smtpkit.test.expect-ascii-default-charset";

	private static final String FROM = "app@example.test";

	private static final String TO = "user@example.test";

	private static KeyPair keys;

	private static KeyPair edKeys;

	private static DkimSigner signer;

	@TempDir
	Path dir;

	/** A signer and the public key that verifies its signatures. */
	record Signing(DkimSigner signer, PublicKey publicKey) {

		@Override
		public String toString() {
			return this.signer.algorithm();
		}

	}

	@BeforeAll
	static void makeKeys() throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		keys = generator.generateKeyPair();
		edKeys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
		signer = DkimSigner.rsaSha256("example.test", "mail", keys.getPrivate());
	}

	static Stream<Signing> signings() {
		return Stream.of(new Signing(signer, keys.getPublic()),
				new Signing(DkimSigner.ed25519Sha256("example.test", "mail", edKeys.getPrivate()), edKeys.getPublic()));
	}

	@Test
	void theAsciiRunRunsWithAnAsciiDefaultCharset() {
		// Guards the second run: were its JVM options lost, it would pass on UTF-8 and prove nothing.
		assertThat(Charset.defaultCharset().equals(StandardCharsets.US_ASCII)).isEqualTo(Boolean.getBoolean(ASCII_RUN));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("signings")
	void aMessageSentThroughTheClientCarriesASignatureThatDkimpyVerifies(Signing signing) throws Exception {
		byte[] message = ascii("From: App <" + FROM + ">\r\nTo: " + TO + "\r\nSubject: signed\r\n"
				+ "Date: Sat, 05 Dec 2026 12:00:00 +0000\r\nMessage-ID: <1@example.test>\r\n\r\n"
				+ "Hello,  world. \r\n.leading dot\r\n\r\n\r\n");

		byte[] received = sendSigned(signing.signer(), MessageSource.of(message));

		assertThat(text(received)).startsWith("DKIM-Signature: v=1; a=" + signing.signer().algorithm() + ";")
			.contains("c=relaxed/relaxed", "d=example.test", "s=mail")
			.contains("h=from:subject:date:to:message-id;")
			.endsWith(text(message));
		assertThat(text(received).split("\r\n")).as("the signature's lines are folded")
			.allSatisfy((line) -> assertThat(line).hasSizeLessThanOrEqualTo(78));
		assertThat(dkimpy(signing, received)).isEqualTo("verified");
		assertThat(dkimpy(signing, tampered(received))).as("a changed body").isEqualTo("failed");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("signings")
	void anEightBitBodyIsSignedByteForByte(Signing signing) throws Exception {
		byte[] head = ascii("From: " + FROM + "\r\nTo: " + TO + "\r\nSubject: 8bit\r\nMIME-Version: 1.0\r\n"
				+ "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
		byte[] body = "Grüße, été, ÿ\r\n".getBytes(StandardCharsets.ISO_8859_1);
		byte[] message = concat(head, body);

		byte[] received = sendSigned(signing.signer(), MessageSource.of(message));

		assertThat(received).endsWith(message);
		assertThat(dkimpy(signing, received)).isEqualTo("verified");
		assertThat(dkimpy(signing, tampered(received, "été", "ete"))).as("a changed 8-bit body").isEqualTo("failed");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("signings")
	void aMessageStreamedFromAFileWithBareLineFeedsIsSignedAndSentWithCrlf(Signing signing) throws Exception {
		Path file = this.dir.resolve("message.eml");
		StringBuilder text = new StringBuilder("From: " + FROM + "\nTo: " + TO + "\nSubject: from a file\n\n");
		for (int line = 0; line < 2000; line++) {
			text.append("Line ").append(line).append(" of a message read from a file, twice.\n");
		}
		Files.writeString(file, text, StandardCharsets.US_ASCII);

		byte[] received = sendSigned(signing.signer(),
				MessageSource.of(() -> Files.newInputStream(file), Files.size(file)));

		String expected = text.toString().replace("\n", "\r\n");
		assertThat(text(received)).endsWith(expected);
		assertThat(text(received).replace("\r\n", "")).doesNotContain("\n");
		assertThat(dkimpy(signing, received)).isEqualTo("verified");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("signings")
	void rawUtf8HeaderFieldsAreSignedByteForByteWhateverTheDefaultCharset(Signing signing) throws Exception {
		// SMTPUTF8 mail (RFC 6532): header fields in raw UTF-8, not RFC 2047 encoded words.
		byte[] message = ("From: Jörg Müller <jörg@exämple.test>\r\nTo: " + TO + "\r\n"
				+ "Subject: Grüße aus Köln, 東京から\r\nMIME-Version: 1.0\r\n"
				+ "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nHallo.\r\n")
			.getBytes(StandardCharsets.UTF_8);

		ByteArrayOutputStream signed = new ByteArrayOutputStream();
		signing.signer().sign(MessageSource.of(message)).writeTo(signed);

		assertThat(signed.toByteArray()).endsWith(message);
		assertThat(dkimpy(signing, signed.toByteArray())).as("default charset " + Charset.defaultCharset())
			.isEqualTo("verified");
		byte[] otherSubject = tampered(signed.toByteArray(), "Köln", "Kiel");
		assertThat(dkimpy(signing, otherSubject)).as("a changed UTF-8 subject").isEqualTo("failed");
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
			assertThat(dkimpy(signings().findFirst().orElseThrow(), unstuffed(server.messages().get(0))))
				.isEqualTo("verified");
			server.assertNoFailures();
		}
	}

	@Test
	void theSignerChecksItsDomainKeyAndHeaders() throws Exception {
		KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
		PrivateKey ecKey = ec.generateKeyPair().getPrivate();
		PrivateKey ed448 = KeyPairGenerator.getInstance("Ed448").generateKeyPair().getPrivate();
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

		assertThatIllegalArgumentException()
			.isThrownBy(() -> DkimSigner.ed25519Sha256("example.test", "mail", keys.getPrivate()))
			.withMessageContaining("needs an Ed25519 private key, but the key's algorithm is RSA");
		assertThatIllegalArgumentException().isThrownBy(() -> DkimSigner.ed25519Sha256("example.test", "mail", ed448))
			.withMessageContaining("needs an Ed25519 private key");
		assertThatIllegalArgumentException().isThrownBy(() -> DkimSigner.forKey("example.test", "mail", ecKey))
			.withMessageContaining("RSA (rsa-sha256) or Ed25519 (ed25519-sha256) private key, but the key's algorithm is EC");
		assertThat(DkimSigner.forKey("Example.TEST", "mail", keys.getPrivate())).hasToString(signer.toString());
		assertThat(DkimSigner.forKey("example.test", "ed", edKeys.getPrivate()))
			.hasToString("DkimSigner[d=example.test, s=ed, a=ed25519-sha256, c=relaxed/relaxed]");
	}

	@Test
	void pkcs8PemKeysAreReadRsaAndEd25519AndAnRsaPrivateKeyFileIsRefusedWithTheWayOut() throws Exception {
		Path rsaPem = pem("rsa.pem", keys.getPrivate());
		Path edPem = pem("ed25519.pem", edKeys.getPrivate());
		Path pkcs1 = Files.writeString(this.dir.resolve("pkcs1.pem"),
				"-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n");
		Path ec = pem("ec.pem", KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate());

		assertThat(DkimSigner.readPrivateKey(rsaPem)).isEqualTo(keys.getPrivate());
		assertThat(DkimSigner.readPrivateKey(edPem).getEncoded()).isEqualTo(edKeys.getPrivate().getEncoded());
		assertThat(DkimSigner.forKey("example.test", "mail", DkimSigner.readPrivateKey(edPem)).algorithm())
			.isEqualTo("ed25519-sha256");
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> DkimSigner.readPrivateKey(pkcs1))
			.withMessageContaining("openssl pkcs8 -topk8 -nocrypt");
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> DkimSigner.readPrivateKey(ec))
			.withMessageContaining("neither an RSA nor an Ed25519 private key")
			.withMessageContaining("ec.pem");
	}

	private Path pem(String name, PrivateKey key) throws IOException {
		String base64 = Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(key.getEncoded());
		return Files.writeString(this.dir.resolve(name),
				"-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n");
	}

	/** Sends the message through a signing client; what the server received, dot-stuffing undone. */
	private static byte[] sendSigned(DkimSigner signer, MessageSource message) throws Exception {
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
		return tampered(message, "Hello,", "Hallo,");
	}

	/** The message with a text changed, both in ISO-8859-1 or both in UTF-8, whichever the message has. */
	private static byte[] tampered(byte[] message, String from, String to) {
		for (Charset charset : new Charset[] { StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1 }) {
			String text = new String(message, StandardCharsets.ISO_8859_1);
			String was = new String(from.getBytes(charset), StandardCharsets.ISO_8859_1);
			if (text.contains(was)) {
				String now = new String(to.getBytes(charset), StandardCharsets.ISO_8859_1);
				return text.replace(was, now).getBytes(StandardCharsets.ISO_8859_1);
			}
		}
		throw new AssertionError("'" + from + "' is not in the message");
	}

	/** dkimpy's verdict on the message: "verified" or "failed". */
	private String dkimpy(Signing signing, byte[] message) throws Exception {
		return new Dkimpy(this.dir, signing.publicKey(), "mail", "example.test").verify(message);
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
