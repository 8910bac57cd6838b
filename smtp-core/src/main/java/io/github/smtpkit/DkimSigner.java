package io.github.smtpkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.smtpkit.internal.DkimHeaderFields;
import io.github.smtpkit.internal.DkimSignedSource;

/**
 * Signs messages with DKIM (RFC 6376), {@code rsa-sha256} or {@code ed25519-sha256} (RFC 8463), and
 * {@code relaxed/relaxed}, over the exact bytes that go on the wire: given to
 * {@link SmtpClient.Builder#dkimSigner(DkimSigner)}, every message the client sends gets a
 * {@code DKIM-Signature} header first.
 *
 * <p>The body's canonicalisation and hash and the signature's tags are Apache James jDKIM's
 * ({@code org.apache.james.jdkim:apache-jdkim-library}), an optional dependency of smtp-core: add
 * it to use this class. The header fields are canonicalised over their bytes, so that raw UTF-8
 * fields are signed right whatever the platform's charset, and signed with the JDK's own
 * {@code SHA256withRSA} or {@code Ed25519} (jDKIM's signer knows RSA only). The message is read twice, once to
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

	/** The longest line of the {@code h=} tag before it is folded. */
	private static final int LINE = 76;

	/** A header field name (RFC 5322 3.6.8): printable ASCII but the colon. */
	private static final Pattern FIELD_NAME = Pattern.compile("[!-9;-~]+");

	private static final Pattern PEM_PRIVATE_KEY = Pattern
		.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

	private final String domain;

	private final String selector;

	/** {@code a=}: {@code rsa-sha256} or {@code ed25519-sha256}. */
	private final String algorithm;

	private final PrivateKey key;

	private final List<String> headers;

	private DkimSigner(String domain, String selector, String algorithm, PrivateKey key, List<String> headers) {
		this.domain = domain;
		this.selector = selector;
		this.algorithm = algorithm;
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
		Objects.requireNonNull(key, "key");
		if (!(key instanceof RSAPrivateKey rsa)) {
			throw new IllegalArgumentException("rsa-sha256 needs an RSA private key, but the key's algorithm is "
					+ key.getAlgorithm());
		}
		if (rsa.getModulus().bitLength() < 1024) {
			throw new IllegalArgumentException("The RSA key has " + rsa.getModulus().bitLength()
					+ " bits; DKIM verifiers refuse keys under 1024 bits (RFC 8301 3.2): use 2048");
		}
		return create(domain, selector, "rsa-sha256", key);
	}

	/**
	 * A signer for {@code d=domain; s=selector} with an Ed25519 key ({@code ed25519-sha256}, RFC
	 * 8463), signing {@link #DEFAULT_HEADERS}. Its public key is published with {@code k=ed25519}
	 * and {@code p=} the 32 bytes of the key itself in base64 (not its X.509 form). Receivers that
	 * do not know ed25519-sha256 ignore such a signature: RFC 8463 advises signing with RSA too.
	 * @throws IllegalArgumentException if the domain or selector is not a domain name, or the key is
	 * not an Ed25519 key
	 * @throws IllegalStateException if jDKIM is not on the class path
	 */
	public static DkimSigner ed25519Sha256(String domain, String selector, PrivateKey key) {
		Objects.requireNonNull(key, "key");
		if (!isEd25519(key)) {
			throw new IllegalArgumentException("ed25519-sha256 needs an Ed25519 private key, but the key's"
					+ " algorithm is " + key.getAlgorithm());
		}
		return create(domain, selector, "ed25519-sha256", key);
	}

	/**
	 * A signer for the key's algorithm: {@link #rsaSha256} for an RSA key, {@link #ed25519Sha256}
	 * for an Ed25519 key.
	 * @throws IllegalArgumentException if the domain or selector is not a domain name, or the key is
	 * neither an RSA key of 1024 bits or more nor an Ed25519 key
	 * @throws IllegalStateException if jDKIM is not on the class path
	 */
	public static DkimSigner forKey(String domain, String selector, PrivateKey key) {
		Objects.requireNonNull(key, "key");
		if (isEd25519(key)) {
			return ed25519Sha256(domain, selector, key);
		}
		if (key instanceof RSAPrivateKey) {
			return rsaSha256(domain, selector, key);
		}
		throw new IllegalArgumentException("DKIM signs with an RSA (rsa-sha256) or Ed25519 (ed25519-sha256)"
				+ " private key, but the key's algorithm is " + key.getAlgorithm());
	}

	private static DkimSigner create(String domain, String selector, String algorithm, PrivateKey key) {
		requireDomainName("domain", domain);
		requireDomainName("selector", selector);
		DkimSignedSource.requireLibrary();
		return new DkimSigner(domain.toLowerCase(Locale.ROOT), selector, algorithm, key, DEFAULT_HEADERS);
	}

	private static boolean isEd25519(PrivateKey key) {
		return key instanceof EdECPrivateKey edec && "Ed25519".equalsIgnoreCase(edec.getParams().getName());
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
		return new DkimSigner(this.domain, this.selector, this.algorithm, this.key, copy);
	}

	/**
	 * Reads a private key, RSA or Ed25519, from a PEM file in PKCS#8 form
	 * ({@code -----BEGIN PRIVATE KEY-----}, as {@code openssl genpkey -algorithm RSA} or
	 * {@code -algorithm ed25519} writes it; an {@code RSA PRIVATE KEY} file converts with
	 * {@code openssl pkcs8 -topk8 -nocrypt}).
	 * @throws IOException if the file cannot be read, or holds no unencrypted PKCS#8 RSA or Ed25519 key
	 */
	public static PrivateKey readPrivateKey(Path pemFile) throws IOException {
		try {
			return parsePrivateKey(Files.readString(pemFile, StandardCharsets.US_ASCII));
		}
		catch (IllegalArgumentException ex) {
			throw new IOException(ex.getMessage() + ", in " + pemFile, ex);
		}
	}

	/**
	 * {@link #readPrivateKey(Path)} for PEM text read elsewhere.
	 * @throws IllegalArgumentException if it holds no unencrypted PKCS#8 RSA or Ed25519 key
	 */
	public static PrivateKey parsePrivateKey(String pem) {
		Matcher matcher = PEM_PRIVATE_KEY.matcher(pem);
		if (!matcher.find()) {
			throw new IllegalArgumentException("No '-----BEGIN PRIVATE KEY-----' block (unencrypted PKCS#8)"
					+ (pem.contains("BEGIN RSA PRIVATE KEY") ? "; convert it with openssl pkcs8 -topk8 -nocrypt" : ""));
		}
		byte[] der;
		try {
			der = Base64.getMimeDecoder().decode(matcher.group(1));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("The PEM block is not base64: " + ex.getMessage(), ex);
		}
		List<String> failures = new ArrayList<>();
		for (String algorithm : new String[] { "RSA", "Ed25519" }) {
			try {
				return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
			}
			catch (GeneralSecurityException ex) {
				failures.add(algorithm + ": " + ex.getMessage());
			}
		}
		throw new IllegalArgumentException("The PKCS#8 key is neither an RSA nor an Ed25519 private key " + failures);
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
		return DkimSignedSource.sign(Objects.requireNonNull(message, "message"), this::tags, this.key);
	}

	/** The signature's tags up to {@code h=}: the fields to sign that the message has, in the configured order. */
	private String tags(DkimHeaderFields fields) {
		List<String> signed = new ArrayList<>();
		for (String name : this.headers) {
			if (fields.has(name)) {
				signed.add(name.toLowerCase(Locale.ROOT));
			}
		}
		if (!signed.contains("from")) {
			throw new IllegalArgumentException("The message has no From header field, which DKIM must sign"
					+ " (RFC 6376 5.4): it was not signed");
		}
		// h= folded after a colon where its line would be long (white space around the colons is allowed).
		StringBuilder tags = new StringBuilder("v=1; a=" + this.algorithm + "; c=relaxed/relaxed;\r\n d=" + this.domain
				+ "; s=" + this.selector + ";\r\n h=");
		int column = 3;
		for (int i = 0; i < signed.size(); i++) {
			String name = signed.get(i) + ((i < signed.size() - 1) ? ":" : ";");
			if (column + name.length() > LINE) {
				tags.append("\r\n ");
				column = 1;
			}
			tags.append(name);
			column += name.length();
		}
		return tags.toString();
	}

	/** The signing domain, {@code d=}. */
	public String domain() {
		return this.domain;
	}

	/** The selector, {@code s=}: the key is published at {@code selector._domainkey.domain}. */
	public String selector() {
		return this.selector;
	}

	/** The signing algorithm, {@code a=}: {@code rsa-sha256} or {@code ed25519-sha256}. */
	public String algorithm() {
		return this.algorithm;
	}

	/** The header fields signed when present. */
	public List<String> headers() {
		return this.headers;
	}

	@Override
	public String toString() {
		return "DkimSigner[d=" + this.domain + ", s=" + this.selector + ", a=" + this.algorithm + ", c=relaxed/relaxed]";
	}

	private static void requireDomainName(String what, String value) {
		if (value == null || !DOMAIN.matcher(value).matches()) {
			throw new IllegalArgumentException(what + " must be a domain name, but was '" + value + "'");
		}
	}

}
