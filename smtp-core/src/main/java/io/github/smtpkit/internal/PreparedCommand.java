package io.github.smtpkit.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * A command line made and encoded before anything of its transaction is sent, so that a bad
 * address fails before the first byte goes out.
 *
 * <p>Its text is needed only for debug output and events: a command assembled from bytes
 * ({@link #ofEncoded}) decodes it when first asked, so that a transaction nobody watches builds
 * no string per command.
 */
public final class PreparedCommand {

	/** DATA, the same for every transaction. */
	public static final PreparedCommand DATA = of("DATA", "", StandardCharsets.US_ASCII);

	private final String verb;

	private final byte[] bytes;

	private final Charset encoding;

	private String line;

	private PreparedCommand(String verb, String line, byte[] bytes, Charset encoding) {
		this.verb = verb;
		this.line = line;
		this.bytes = bytes;
		this.encoding = encoding;
	}

	/**
	 * The command {@code verb arguments} (or the verb alone, for no arguments) in this encoding.
	 * @throws IllegalArgumentException if it has characters the encoding lacks
	 */
	public static PreparedCommand of(String verb, String arguments, Charset encoding) {
		String line = arguments.isEmpty() ? verb : verb + " " + arguments;
		return new PreparedCommand(verb, line, SmtpWire.encode(line + "\r\n", encoding), encoding);
	}

	/**
	 * A command already encoded, CRLF included, from text in this encoding (ASCII or UTF-8, which
	 * decode back to the text they were made from).
	 */
	static PreparedCommand ofEncoded(String verb, byte[] bytes, Charset encoding) {
		return new PreparedCommand(verb, null, bytes, encoding);
	}

	/** The verb, for events and for the reply's report. */
	public String verb() {
		return this.verb;
	}

	/** The line without CRLF, for debug output and events. */
	public String line() {
		String text = this.line;
		if (text == null) {
			text = new String(this.bytes, 0, this.bytes.length - 2, this.encoding);
			this.line = text;
		}
		return text;
	}

	/** The line with CRLF, encoded; not to be changed. */
	public byte[] bytes() {
		return this.bytes;
	}

	@Override
	public String toString() {
		return line();
	}

}
