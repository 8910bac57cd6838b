package io.github.smtpkit.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.smtpkit.DkimSigner;
import io.github.smtpkit.MessageSource;
import io.github.smtpkit.testing.Dkimpy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link DkimSignedSource} and {@link DkimHeaderFields} against published figures: RFC 8463's
 * Appendix A, whose Ed25519 signature is deterministic, is reproduced byte for byte (its key, its
 * message, its tags; its {@code bh=} and {@code b=}), and the relaxed header canonicalisation
 * against RFC 6376 3.4.5's example.
 */
class DkimSignedSourceTests {

	/** RFC 8463 A.1: the secret key (RFC 8032 7.1's test 1), 32 bytes in base64. */
	private static final String RFC8463_SECRET = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";

	/** RFC 8463 A.2: the public key as DNS publishes it, {@code p=}. */
	private static final String RFC8463_PUBLIC = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

	/** RFC 8463 A.3 (and RFC 6376 A.1): the message. */
	private static final String RFC8463_MESSAGE = """
			From: Joe SixPack <joe@football.example.com>\r
			To: Suzie Q <suzie@shopping.example.net>\r
			Subject: Is dinner ready?\r
			Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r
			Message-ID: <20030712040037.46341.5F8J@football.example.com>\r
			\r
			Hi.\r
			\r
			We lost the game.  Are you hungry yet?\r
			\r
			Joe.\r
			""";

	/** RFC 8463 A.3: the ed25519-sha256 signature's tags up to h=, as folded there. */
	private static final String RFC8463_TAGS = """
			v=1; a=ed25519-sha256; c=relaxed/relaxed;\r
			 d=football.example.com; i=@football.example.com;\r
			 q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r
			 subject : date : message-id : from : subject : date;""";

	private static final String RFC8463_BH = "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=";

	private static final String RFC8463_B = "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus"
			+ "Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==";

	/** The PKCS#8 DER of an Ed25519 key (RFC 8410 7) up to its 32 bytes. */
	private static final String ED25519_PKCS8_PREFIX = "302e020100300506032b657004220420";

	/** The X.509 SubjectPublicKeyInfo DER of an Ed25519 public key up to its 32 bytes. */
	private static final String ED25519_SPKI_PREFIX = "302a300506032b6570032100";

	@TempDir
	Path dir;

	@Test
	void rfc8463sEd25519ExampleIsReproducedByteForByte() throws Exception {
		// The key as a PKCS#8 PEM file holds it, read the way smtp.dkim.private-key is.
		PrivateKey key = DkimSigner.parsePrivateKey("-----BEGIN PRIVATE KEY-----\n"
				+ Base64.getEncoder().encodeToString(der(ED25519_PKCS8_PREFIX, RFC8463_SECRET))
				+ "\n-----END PRIVATE KEY-----\n");
		byte[] message = RFC8463_MESSAGE.getBytes(StandardCharsets.US_ASCII);

		byte[] signed = write(DkimSignedSource.sign(MessageSource.of(message), (fields) -> RFC8463_TAGS, key));

		String text = new String(signed, StandardCharsets.US_ASCII);
		assertThat(text).startsWith("DKIM-Signature: " + RFC8463_TAGS + "\r\n bh=").endsWith("\r\n" + RFC8463_MESSAGE);
		assertThat(tag(text, "bh")).isEqualTo(RFC8463_BH);
		assertThat(tag(text, "b")).isEqualTo(RFC8463_B);
		PublicKey publicKey = KeyFactory.getInstance("Ed25519")
			.generatePublic(new X509EncodedKeySpec(der(ED25519_SPKI_PREFIX, RFC8463_PUBLIC)));
		assertThat(new Dkimpy(this.dir, publicKey, "brisbane", "football.example.com").verify(signed))
			.isEqualTo("verified");
	}

	@Test
	void rfc6376sRelaxedHeaderExampleAndOverSigning() {
		// RFC 6376 3.4.5: "A: X" and "B : Y\t\r\n\tZ  " become "a:X" and "b:Y Z".
		DkimHeaderFields fields = DkimHeaderFields
			.parse("A: X\r\nB : Y\t\r\n\tZ  \r\nA:  second \r\n\r\n".getBytes(StandardCharsets.US_ASCII));

		assertThat(DkimHeaderFields.relaxed("B : Y\t\r\n\tZ  ")).isEqualTo("b:Y Z");
		// Repeated names take the instances from the bottom up; a name listed once more adds nothing.
		assertThat(new String(fields.relaxed(List.of("a", "b", "A", "a", "c")), StandardCharsets.US_ASCII))
			.isEqualTo("a:second\r\nb:Y Z\r\na:X\r\n");
		assertThat(fields.has("b")).isTrue();
		assertThat(fields.has("c")).isFalse();
	}

	@Test
	void tagsThisCannotSignAreRefusedBeforeTheBodyIsRead() throws Exception {
		PrivateKey key = DkimSigner.parsePrivateKey("-----BEGIN PRIVATE KEY-----\n"
				+ Base64.getEncoder().encodeToString(der(ED25519_PKCS8_PREFIX, RFC8463_SECRET))
				+ "\n-----END PRIVATE KEY-----\n");
		MessageSource message = MessageSource.of(RFC8463_MESSAGE.getBytes(StandardCharsets.US_ASCII));

		assertThatIllegalArgumentException()
			.isThrownBy(() -> DkimSignedSource.sign(message,
					(fields) -> "v=1; a=rsa-sha1; c=relaxed/relaxed; d=example.test; s=mail; h=from;", key))
			.withMessageContaining("rsa-sha256 or ed25519-sha256, not rsa-sha1");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> DkimSignedSource.sign(message,
					(fields) -> "v=1; a=ed25519-sha256; c=simple/simple; d=example.test; s=mail; h=from;", key))
			.withMessageContaining("relaxed only, not simple");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> DkimSignedSource.sign(message,
					(fields) -> "v=1; a=ed25519-sha256; c=relaxed/relaxed; d=example.test; s=mail; h=to;", key))
			.withMessageContaining("From field not signed");
	}

	private static byte[] der(String prefixHex, String base64) {
		byte[] prefix = HexFormat.of().parseHex(prefixHex);
		byte[] raw = Base64.getDecoder().decode(base64);
		byte[] der = new byte[prefix.length + raw.length];
		System.arraycopy(prefix, 0, der, 0, prefix.length);
		System.arraycopy(raw, 0, der, prefix.length, raw.length);
		return der;
	}

	private static byte[] write(MessageSource source) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		source.writeTo(out);
		assertThat(out.size()).as("size()").isEqualTo(source.size());
		return out.toByteArray();
	}

	/** A tag's value in the message's DKIM-Signature field, white space removed. */
	private static String tag(String message, String name) {
		String field = message.substring(0, message.indexOf("\r\nFrom:"));
		Matcher matcher = Pattern.compile("(?:^|;)\\s*" + name + "=([^;]*)").matcher(field);
		assertThat(matcher.find()).as(name + "= in " + field).isTrue();
		return matcher.group(1).replaceAll("\\s", "");
	}

}
