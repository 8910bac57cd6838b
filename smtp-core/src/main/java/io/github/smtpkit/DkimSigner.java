package io.github.smtpkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.smtpkit.internal.DkimSignedSource;

/**
 * Signs messages with DKIM (RFC 6376), {@code rsa-sha256} and {@code relaxed/relaxed}, over the
 * exact bytes that go on the wire: given to {@link SmtpClient.Builder#dkimSigner(DkimSigner)}, every
 * message the client sends gets a {@code DKIM-Signature} header first.
 *
 * <p>The signing is Apache James jDKIM's ({@code org.apache.james.jdkim:apache-jdkim-library}), an
 * optional dependency of smtp-core: add it to use this class. The message is read twice, once to
 * sign it (before anything of it is sent) and once to send it, so a streamed one is never held in
 * memory whole; its line endings are normalised to CRLF both times (a lone CR or LF becomes CRLF),
 * so that what is signed is what the server receives.
 *
 * <p>Immutable and thread-safe; {@link #toString()} never shows the key.
 */
public final class DkimSigner {

	/**
	 * The header fields signed by default, those present in the message: the ones RFC 6376 5.4.1
	 * recommends that a sender's message has.
	 */
	public static final List<String> DEFAULT_HEADERS = List.of("From", "Reply-To", "Subject", "Date", "To", "Cc",
			"Message-ID", "In-Reply-To", "References", "MIME-Version", "Content-Type", "Content-Transfer-Encoding");

	/** A domain name: letters, digits, hyphens and dots, no blank. */
	private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
			+ "(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

	/** A header field name (RFC 5322 3.6.8): printable ASCII but the colon. */
	private static final Pattern FIELD_NAME = Pattern.compile("[!-9;-~]+");

	private static final Pattern PEM_PRIVATE_KEY = Pattern
		.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

	private final String domain;

	private final String selector;

	private final PrivateKey key;

	private final List<String> headers;

	private DkimSigner(String domain, String selector, PrivateKey key, List<String> headers) {
		this.domain = domain;
		this.selector = selector;
		this.key = key;
		this.headers = headers;
	}

	/**
	 * A signer for {@code d=domain; s=selector} with an RSA key (RFC 8301: 1024 bits at least; 2048
	 * is usual), signing {@link #DEFAULT_HEADERS}.
	 * @throws IllegalArgumentException if the domain or selector is not a domain name, or the key is
	 * not an RSA key of 1024 bits or more
	 * @throws IllegalStateException if jDKIM is not on the class path
	 */
	public static DkimSigner rsaSha256(String domain, String selector, PrivateKey key) {
		requireDomainName("domain", domain);
		requireDomainName("selector", selector);
		Objects.requireNonNull(key, "key");
		if (!(key instanceof RSAPrivateKey rsa)) {
			throw new IllegalArgumentException("rsa-sha256 needs an RSA private key, but the key's algorithm is "
					+ key.getAlgorithm());
		}
		if (rsa.getModulus().bitLength() < 1024) {
			throw new IllegalArgumentException("The RSA key has " + rsa.getModulus().bitLength()
					+ " bits; DKIM verifiers refuse keys under 1024 bits (RFC 8301 3.2): use 2048");
		}
		DkimSignedSource.requireLibrary();
		return new DkimSigner(domain.toLowerCase(Locale.ROOT), selector, key, DEFAULT_HEADERS);
	}

	/**
	 * This signer, signing these header fields (those present in each message, in this order)
	 * instead of {@link #DEFAULT_HEADERS}.
	 * @throws IllegalArgumentException if {@code From} is not among them (RFC 6376 5.4 requires
	 * it), or a name is not a header field name
	 */
	public DkimSigner withHeaders(List<String> headers) {
		List<String> copy = List.copyOf(headers);
		for (String header : copy) {
			if (!FIELD_NAME.matcher(header).matches()) {
				throw new IllegalArgumentException("Not a header field name: '" + header + "'");
			}
		}
		if (copy.stream().noneMatch("From"::equalsIgnoreCase)) {
			throw new IllegalArgumentException("The signed headers must include From (RFC 6376 5.4), but were " + copy);
		}
		return new DkimSigner(this.domain, this.selector, this.key, copy);
	}

	/**
	 * Reads a private key from a PEM file in PKCS#8 form ({@code -----BEGIN PRIVATE KEY-----}, as
	 * {@code openssl genpkey} writes it; an {@code RSA PRIVATE KEY} file converts with
	 * {@code openssl pkcs8 -topk8 -nocrypt}).
	 * @throws IOException if the file cannot be read, or holds no unencrypted PKCS#8 RSA key
	 */
	public static PrivateKey readRsaPrivateKey(Path pemFile) throws IOException {
		try {
			return parseRsaPrivateKey(Files.readString(pemFile, StandardCharsets.US_ASCII));
		}
		catch (IllegalArgumentException ex) {
			throw new IOException(ex.getMessage() + ", in " + pemFile, ex);
		}
	}

	/**
	 * {@link #readRsaPrivateKey(Path)} for PEM text read elsewhere.
	 * @throws IllegalArgumentException if it holds no unencrypted PKCS#8 RSA key
	 */
	public static PrivateKey parseRsaPrivateKey(String pem) {
		Matcher matcher = PEM_PRIVATE_KEY.matcher(pem);
		if (!matcher.find()) {
			throw new IllegalArgumentException("No '-----BEGIN PRIVATE KEY-----' block (unencrypted PKCS#8)"
					+ (pem.contains("BEGIN RSA PRIVATE KEY") ? "; convert it with openssl pkcs8 -topk8 -nocrypt" : ""));
		}
		try {
			byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
			return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
		}
		catch (GeneralSecurityException | IllegalArgumentException ex) {
			throw new IllegalArgumentException("The PKCS#8 key is not an RSA private key: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Signs a message: reads it once now (before anything of it is sent), and returns a source that
	 * writes the {@code DKIM-Signature} header field and then the message (read again), its line
	 * endings normalised to CRLF, and whose size is known. {@link SmtpClient} does this for every
	 * message when given this signer; call it to sign for {@link SmtpSession#sendmail(Envelope,
	 * MessageSource)}. The message must write the same bytes each time it is written.
	 * @throws IOException if the message cannot be read, its header section is over 1 MiB, or the
	 * signing fails
	 * @throws IllegalArgumentException if the message has no {@code From} header field
	 */
	public MessageSource sign(MessageSource message) throws IOException {
		return DkimSignedSource.sign(Objects.requireNonNull(message, "message"),
				"v=1; a=rsa-sha256; c=relaxed/relaxed; d=" + this.domain + "; s=" + this.selector + ";", this.key,
				this.headers);
	}

	/** The signing domain, {@code d=}. */
	public String domain() {
		return this.domain;
	}

	/** The selector, {@code s=}: the key is published at {@code selector._domainkey.domain}. */
	public String selector() {
		return this.selector;
	}

	/** The header fields signed when present. */
	public List<String> headers() {
		return this.headers;
	}

	@Override
	public String toString() {
		return "DkimSigner[d=" + this.domain + ", s=" + this.selector + ", a=rsa-sha256, c=relaxed/relaxed]";
	}

	private static void requireDomainName(String what, String value) {
		if (value == null || !DOMAIN.matcher(value).matches()) {
			throw new IllegalArgumentException(what + " must be a domain name, but was '" + value + "'");
		}
	}

}
