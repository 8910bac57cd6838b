package io.github.smtpkit.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.github.smtpkit.MessageSource;
import io.github.smtpkit.internal.MimeMessages.CrlfOutputStream;
import org.apache.james.jdkim.DKIMSigner;
import org.apache.james.jdkim.api.BodyHasher;
import org.apache.james.jdkim.api.Headers;
import org.apache.james.jdkim.exceptions.FailException;

/**
 * A message signed with DKIM. {@link #sign} is the first pass over the source, before anything is
 * sent: it splits the header fields from the body, hashes the body as it streams by (jDKIM's body
 * hasher) and signs the header fields (jDKIM's signer). {@link #writeTo} is the second: the
 * {@code DKIM-Signature} field, then the message. Both passes see the message through
 * {@link CrlfOutputStream}, so that the bytes signed are the bytes sent. Only the header section
 * is held in memory, at most {@value #MAX_HEADER_BYTES} bytes.
 */
public final class DkimSignedSource implements MessageSource {

	/** A bound on the header section, which is held in memory while the body streams. */
	static final int MAX_HEADER_BYTES = 1024 * 1024;

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
	 * @param template the signature's tags but {@code h=}, {@code bh=} and {@code b=}, ending with
	 * {@code ;}, for example {@code v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=mail;}
	 * @param headers the header fields to sign, those present
	 * @throws IOException if the source fails, its header section is too long, or jDKIM fails
	 * @throws IllegalArgumentException if the message has no {@code From} field
	 */
	public static DkimSignedSource sign(MessageSource message, String template, PrivateKey key, List<String> headers)
			throws IOException {
		Splitter splitter = new Splitter(template, key, headers);
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
			Class.forName("org.apache.james.jdkim.DKIMSigner", false, DkimSignedSource.class.getClassLoader());
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
	 * body through jDKIM's body hasher once the header fields, and so {@code h=}, are known.
	 */
	private static final class Splitter extends OutputStream {

		private final String template;

		private final PrivateKey key;

		private final List<String> headers;

		private final ByteArrayOutputStream header = new ByteArrayOutputStream();

		/** Every byte of the normalised message. */
		long count;

		/** The last two bytes of the header section so far, {@code first} the latest; -1 before any. */
		private int first = -1;

		private int second = -1;

		private DKIMSigner signer;

		private BodyHasher bodyHasher;

		private OutputStream body;

		private RawHeaders fields;

		Splitter(String template, PrivateKey key, List<String> headers) {
			this.template = template;
			this.key = key;
			this.headers = headers;
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
			this.fields = RawHeaders.parse(this.header.toByteArray());
			String record = this.template + " h=" + signedNames() + "; bh=; b=;";
			this.signer = new DKIMSigner(record, this.key);
			try {
				this.bodyHasher = this.signer.newBodyHasher(this.signer.newSignatureRecordTemplate(record));
			}
			catch (FailException ex) {
				throw new IOException("DKIM signing failed: " + ex.getMessage(), ex);
			}
			this.body = this.bodyHasher.getOutputStream();
		}

		/** {@code h=}: the fields to sign that the message has, in the configured order. */
		private String signedNames() {
			List<String> signed = new ArrayList<>();
			for (String name : this.headers) {
				if (!this.fields.getFields(name).isEmpty()) {
					signed.add(name.toLowerCase(Locale.ROOT));
				}
			}
			if (!signed.contains("from")) {
				throw new IllegalArgumentException("The message has no From header field, which DKIM must sign"
						+ " (RFC 6376 5.4): it was not signed");
			}
			return String.join(":", signed);
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
			try {
				return this.signer.sign(this.fields, this.bodyHasher);
			}
			catch (FailException ex) {
				throw new IOException("DKIM signing failed: " + ex.getMessage(), ex);
			}
		}

	}

	/**
	 * The header fields as jDKIM reads them: each field's text with its folding, without the CRLF
	 * that ends it. jDKIM hashes them in the platform's charset, so they are decoded in it: ASCII
	 * fields (the rule, with RFC 2047 for the rest) are exact on every platform.
	 */
	private static final class RawHeaders implements Headers {

		private final List<String> fields;

		private RawHeaders(List<String> fields) {
			this.fields = fields;
		}

		static RawHeaders parse(byte[] section) {
			String text = new String(section, Charset.defaultCharset());
			List<String> fields = new ArrayList<>();
			StringBuilder current = null;
			for (String line : text.split("\r\n", -1)) {
				if (line.isEmpty()) {
					break; // the empty line that ends the header section
				}
				boolean continuation = line.charAt(0) == ' ' || line.charAt(0) == '\t';
				if (continuation && current != null) {
					current.append("\r\n").append(line);
				}
				else {
					if (current != null) {
						fields.add(current.toString());
					}
					current = new StringBuilder(line);
				}
			}
			if (current != null) {
				fields.add(current.toString());
			}
			return new RawHeaders(List.copyOf(fields));
		}

		@Override
		public List<String> getFields() {
			return this.fields;
		}

		@Override
		public List<String> getFields(String name) {
			List<String> matching = new ArrayList<>();
			for (String field : this.fields) {
				int colon = field.indexOf(':');
				if (colon > 0 && field.substring(0, colon).strip().equalsIgnoreCase(name)) {
					matching.add(field);
				}
			}
			return matching;
		}

	}

}
