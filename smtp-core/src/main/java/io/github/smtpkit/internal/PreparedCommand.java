package io.github.smtpkit.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * A command line made and encoded before anything of its transaction is sent, so that a bad
 * address fails before the first byte goes out.
 * @param verb the verb, for events and for the reply's report
 * @param line the line without CRLF, for debug output and events
 * @param bytes the line with CRLF, encoded
 */
public record PreparedCommand(String verb, String line, byte[] bytes) {

	/** DATA, the same for every transaction. */
	public static final PreparedCommand DATA = of("DATA", "", StandardCharsets.US_ASCII);

	/**
	 * The command {@code verb arguments} (or the verb alone, for no arguments) in this encoding.
	 * @throws IllegalArgumentException if it has characters the encoding lacks
	 */
	public static PreparedCommand of(String verb, String arguments, Charset encoding) {
		String line = arguments.isEmpty() ? verb : verb + " " + arguments;
		return new PreparedCommand(verb, line, SmtpWire.encode(line + "\r\n", encoding));
	}

}
