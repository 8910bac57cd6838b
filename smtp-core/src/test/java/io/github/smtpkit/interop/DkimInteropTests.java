package io.github.smtpkit.interop;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.List;

import io.github.smtpkit.DkimSigner;
import io.github.smtpkit.Envelope;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.TlsMode;
import io.github.smtpkit.testing.Dkimpy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DKIM signatures that survive the trip: messages signed by {@link DkimSigner} go through the
 * rig's Postfix (STARTTLS, AUTH) and Dovecot's LMTP into a Maildir, and dkimpy verifies the
 * delivered copy, with the Received fields Postfix added on top. With an RSA key (rsa-sha256) and
 * with an Ed25519 key (ed25519-sha256, RFC 8463), one message is ASCII and one has an 8-bit body.
 */
class DkimInteropTests {

	private static final String SENDER = "alice@example.test";

	private static final String RECIPIENT = "postmaster@example.test";

	@TempDir
	Path dir;

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	@Test
	void rsaSignedMessagesVerifyOnTheCopiesDeliveredToTheMaildir() throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		KeyPair keys = generator.generateKeyPair();
		sendAndVerify(DkimSigner.rsaSha256("example.test", "interop", keys.getPrivate()), keys, "dkim-rsa");
	}

	@Test
	void ed25519SignedMessagesVerifyOnTheCopiesDeliveredToTheMaildir() throws Exception {
		KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
		sendAndVerify(DkimSigner.ed25519Sha256("example.test", "interop", keys.getPrivate()), keys, "dkim-ed25519");
	}

	/** Sends an ASCII message and an 8-bit one signed, and has dkimpy verify the delivered copies. */
	private void sendAndVerify(DkimSigner signer, KeyPair keys, String name) throws Exception {
		String asciiId = InteropRig.messageId(name + "-ascii");
		String eightBitId = InteropRig.messageId(name + "-8bit");
		byte[] ascii = InteropRig.message(SENDER, RECIPIENT, asciiId, "signed");
		byte[] eightBit = ("From: " + SENDER + "\r\nTo: " + RECIPIENT + "\r\nSubject: signed, 8-bit\r\nMessage-ID: "
				+ eightBitId + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
				+ "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße aus der Prüfung, été.\r\n")
			.getBytes(StandardCharsets.ISO_8859_1);
		try (SmtpClient client = SmtpClient.builder()
			.host(InteropRig.HOST)
			.port(InteropRig.SMTP_PORT)
			.tls(TlsMode.STARTTLS_REQUIRED)
			.sslContext(InteropRig.trustingRigCertificate())
			.credentials("alice", "alice-pw")
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.dkimSigner(signer)
			.build()) {
			client.send(Envelope.of(SENDER, RECIPIENT), ascii);
			client.send(Envelope.of(SENDER, RECIPIENT).withMailOptions("BODY=8BITMIME"), eightBit);
		}
		Dkimpy dkimpy = new Dkimpy(this.dir, keys.getPublic(), "interop", "example.test");
		for (String messageId : List.of(asciiId, eightBitId)) {
			Path file = InteropRig.maildir("postmaster").awaitMessage(messageId).file();
			byte[] delivered = crlf(Files.readAllBytes(file));
			assertThat(new String(delivered, StandardCharsets.ISO_8859_1)).as(messageId)
				.contains("Received: ")
				.contains("DKIM-Signature: v=1; a=" + signer.algorithm() + ";");
			assertThat(dkimpy.verify(delivered)).as("dkimpy on the delivered copy of " + messageId)
				.isEqualTo("verified");
		}
	}

	/** The Maildir keeps LF line endings; on the wire, and to DKIM, they are CRLF. */
	private static byte[] crlf(byte[] stored) {
		String text = new String(stored, StandardCharsets.ISO_8859_1).replace("\r\n", "\n").replace("\n", "\r\n");
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

}
