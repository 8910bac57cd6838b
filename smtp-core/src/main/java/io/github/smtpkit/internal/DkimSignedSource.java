package io.github.smtpkit.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

import io.github.smtpkit.MessageSource;
import io.github.smtpkit.internal.MimeMessages.CrlfOutputStream;
import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.exceptions.PermFailException;
import org.apache.james.jdkim.impl.BodyHasherImpl;
import org.apache.james.jdkim.tagvalue.SignatureRecordTemplate;

/**
 * A message signed with DKIM. {@link #sign} is the first pass over the source, before anything is
 * sent: it splits the header fields from the body, hashes the body as it streams by and signs the
 * header fields. {@link #writeTo} is the second: the {@code DKIM-Signature} field, then the
 * message. Both passes see the message through {@link CrlfOutputStream}, so that the bytes signed
 * are the bytes sent. Only the header section is held in memory, at most {@value #MAX_HEADER_BYTES}
 * bytes.
 *
 * <p>Apache James jDKIM parses and checks the signature's tags and canonicalises and hashes the
 * body. The header fields are canonicalised by {@link DkimHeaderFields} (jDKIM would hash them in
 * the platform's charset), and signed with the JDK's own {@link Signature}: {@code SHA256withRSA}
 * for {@code rsa-sha256}, and for {@code ed25519-sha256}, which jDKIM's signer does not know,
 * {@code Ed25519} over the SHA-256 hash of the header data (RFC 8463 3).
 */
public final class DkimSignedSource implements MessageSource {

	/** A bound on the header section, which is held in memory while the body streams. */
	static final int MAX_HEADER_BYTES = 1024 * 1024;

	/** The longest run of the signature's base64 on one line of the field. */
	private static final int BASE64_LINE = 72;

	private static final byte[] CRLF = { '\r', '\n' };

	private final MessageSource message;

	/** The {@code DKIM-Signature} field with its CRLF. */
	private final byte[] signatureField;

	private final long size;

	private DkimSignedSource(MessageSource message, byte[] signatureField, long size) {
		this.message = message;
		this.signatureField = signatureField;
		this.size = size;
	}

	/**
	 * Signs the message, reading it once as it will be sent.
	 * @param tags the signature's tags up to {@code h=} included, given the message's header
	 * fields, each tag ending with {@code ;}, folded with CRLF and a space where the lines would be
	 * long; {@code bh=} and {@code b=} follow. For example {@code v=1; a=rsa-sha256;
	 * c=relaxed/relaxed; d=example.org; s=mail; h=from:to:subject;}. {@code a=} is
	 * {@code rsa-sha256} or {@code ed25519-sha256}, {@code c=} {@code relaxed/relaxed} or
	 * {@code relaxed/simple}.
	 * @param key the private key for {@code a=}
	 * @throws IOException if the source fails, its header section is too long, or the signing fails
	 * @throws IllegalArgumentException if the tags are not a signature this can make (for example
	 * the message has no {@code From} field, which DKIM must sign)
	 */
	public static DkimSignedSource sign(MessageSource message, Function<DkimHeaderFields, String> tags,
			PrivateKey key) throws IOException {
		Splitter splitter = new Splitter(tags, key);
		CrlfOutputStream normalised = new CrlfOutputStream(splitter);
		message.writeTo(normalised);
		normalised.finish();
		byte[] field = (splitter.signature() + "\r\n").getBytes(StandardCharsets.US_ASCII);
		return new DkimSignedSource(message, field, field.length + splitter.count);
	}

	/**
	 * Checks that jDKIM, an optional dependency, is there.
	 * @throws IllegalStateException if it is not on the class path
	 */
	public static void requireLibrary() {
		try {
			Class.forName("org.apache.james.jdkim.tagvalue.SignatureRecordTemplate", false,
					DkimSignedSource.class.getClassLoader());
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalStateException("DKIM signing needs Apache James jDKIM on the class path: add the"
					+ " dependency org.apache.james.jdkim:apache-jdkim-library", ex);
		}
	}

	/** The signature field and the message with its line endings normalised. */
	@Override
	public long size() {
		return this.size;
	}

	@Override
	public void writeTo(OutputStream out) throws IOException {
		out.write(this.signatureField);
		CrlfOutputStream normalised = new CrlfOutputStream(out);
		this.message.writeTo(normalised);
		normalised.finish();
	}

	@Override
	public String toString() {
		return "MessageSource[DKIM-signed, " + this.size + " bytes]";
	}

	/**
	 * Takes the normalised message: the header section (up to the empty line) into memory, the
	 * body through jDKIM's body hasher once the header fields, and so the tags, are known.
	 */
	private static final class Splitter extends OutputStream {

		private final Function<DkimHeaderFields, String> tags;

		private final PrivateKey key;

		private final ByteArrayOutputStream header = new ByteArrayOutputStream();

		/** Every byte of the normalised message. */
		long count;

		/** The last two bytes of the header section so far, {@code first} the latest; -1 before any. */
		private int first = -1;

		private int second = -1;

		private DkimHeaderFields fields;

		/** The tags up to {@code h=}, as given. */
		private String leadingTags;

		/** The same, read by jDKIM. */
		private SignatureRecord record;

		private BodyHasherImpl bodyHasher;

		private OutputStream body;

		Splitter(Function<DkimHeaderFields, String> tags, PrivateKey key) {
			this.tags = tags;
			this.key = key;
		}

		@Override
		public void write(int b) throws IOException {
			this.count++;
			if (this.body != null) {
				this.body.write(b);
				return;
			}
			this.header.write(b);
			if (this.header.size() > MAX_HEADER_BYTES) {
				throw new IOException("The message's header section is over " + MAX_HEADER_BYTES
						+ " bytes: it was not signed");
			}
			// An empty line ends the header section; one at the very start means no header field.
			boolean emptyLine = b == '\n' && this.first == '\r' && (this.header.size() == 2 || this.second == '\n');
			this.second = this.first;
			this.first = b;
			if (emptyLine) {
				startBody();
			}
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			int i = 0;
			// Byte by byte while in the header section, to find its end; the body in one go.
			for (; i < length && this.body == null; i++) {
				write(bytes[offset + i]);
			}
			if (i < length) {
				this.count += length - i;
				this.body.write(bytes, offset + i, length - i);
			}
		}

		private void startBody() throws IOException {
			this.fields = DkimHeaderFields.parse(this.header.toByteArray());
			this.leadingTags = this.tags.apply(this.fields);
			try {
				this.record = new SignatureRecordTemplate(this.leadingTags + " bh=; b=;");
			}
			catch (IllegalStateException ex) {
				throw new IllegalArgumentException("Not DKIM-Signature tags (" + ex.getMessage() + "): "
						+ this.leadingTags, ex);
			}
			if (!SignatureRecord.RELAXED.equals(this.record.getHeaderCanonicalisationMethod())) {
				throw new IllegalArgumentException("Header fields are signed relaxed only, not "
						+ this.record.getHeaderCanonicalisationMethod());
			}
			algorithm(); // refuses an unknown one before the body is read
			try {
				this.bodyHasher = new BodyHasherImpl(this.record);
			}
			catch (PermFailException ex) {
				throw new IllegalArgumentException("DKIM cannot hash the body: " + ex.getMessage(), ex);
			}
			this.body = this.bodyHasher.getOutputStream();
		}

		/** {@code a=}, one of those this can sign with. */
		private String algorithm() {
			String algorithm = this.record.getHashKeyType() + "-" + this.record.getHashMethod();
			if (!algorithm.equals("rsa-sha256") && !algorithm.equals("ed25519-sha256")) {
				throw new IllegalArgumentException("DKIM signs with rsa-sha256 or ed25519-sha256, not " + algorithm);
			}
			return algorithm;
		}

		/** The message has been written: its {@code DKIM-Signature} field, without CRLF. */
		String signature() throws IOException {
			if (this.body == null) {
				// No empty line: the message is all header fields, and its body is empty.
				this.header.write(CRLF);
				startBody();
			}
			// Closing lets the canonicaliser settle the body's end (trailing empty lines).
			this.body.close();
			String unsigned = "DKIM-Signature: " + this.leadingTags + "\r\n bh="
					+ Base64.getEncoder().encodeToString(this.bodyHasher.getDigest()) + ";\r\n b=";
			// RFC 6376 3.7: the fields h= names, then this one with b= empty and no CRLF at its end.
			ByteArrayOutputStream data = new ByteArrayOutputStream();
			data.writeBytes(this.fields.relaxed(this.record.getHeaders().stream().map(CharSequence::toString).toList()));
			data.writeBytes(DkimHeaderFields.relaxed(unsigned).getBytes(StandardCharsets.ISO_8859_1));
			try {
				return unsigned + folded(Base64.getEncoder().encodeToString(sign(algorithm(), data.toByteArray())));
			}
			catch (GeneralSecurityException ex) {
				throw new IOException("DKIM signing with the " + this.key.getAlgorithm() + " key failed: "
						+ ex.getMessage(), ex);
			}
		}

		private byte[] sign(String algorithm, byte[] data) throws GeneralSecurityException {
			Signature signature;
			if (algorithm.equals("ed25519-sha256")) {
				// RFC 8463 3: PureEdDSA (Ed25519) over the SHA-256 hash of the data, not the data.
				data = MessageDigest.getInstance("SHA-256").digest(data);
				signature = Signature.getInstance("Ed25519");
			}
			else {
				signature = Signature.getInstance("SHA256withRSA");
			}
			signature.initSign(this.key);
			signature.update(data);
			return signature.sign();
		}

		/** The signature's base64 over lines of {@value #BASE64_LINE} characters (white space in b= is ignored). */
		private static String folded(String base64) {
			List<String> lines = new ArrayList<>();
			for (int i = 0; i < base64.length(); i += BASE64_LINE) {
				lines.add(base64.substring(i, Math.min(base64.length(), i + BASE64_LINE)));
			}
			return String.join("\r\n ", lines);
		}

	}

}
