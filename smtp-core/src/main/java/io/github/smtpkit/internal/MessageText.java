package io.github.smtpkit.internal;

import java.nio.charset.StandardCharsets;

/** Turns a message given as text into the bytes smtplib would send for it. */
public final class MessageText {

	private MessageText() {
	}

	/**
	 * Normalizes every line ending (lone CR, lone LF or CRLF) to CRLF, as smtplib's
	 * {@code _fix_eols}.
	 */
	public static String fixLineEndings(String text) {
		StringBuilder fixed = null;
		int length = text.length();
		for (int i = 0; i < length; i++) {
			char c = text.charAt(i);
			boolean crlf = c == '\r' && i + 1 < length && text.charAt(i + 1) == '\n';
			boolean lone = (c == '\r' && !crlf) || (c == '\n' && (i == 0 || text.charAt(i - 1) != '\r'));
			if (lone && fixed == null) {
				fixed = new StringBuilder(length + 16).append(text, 0, i);
			}
			if (fixed != null) {
				fixed.append(lone ? "\r\n" : String.valueOf(c));
			}
		}
		return (fixed != null) ? fixed.toString() : text;
	}

	/**
	 * smtplib's {@code quotedata}: line endings fixed to CRLF, and a dot doubled at the start of
	 * every line, so that no line of the message reads as its end.
	 */
	public static String quoteData(String data) {
		String fixed = fixLineEndings(data);
		StringBuilder quoted = null;
		for (int i = 0; i < fixed.length(); i++) {
			boolean lineStart = i == 0 || fixed.charAt(i - 1) == '\n';
			if (lineStart && fixed.charAt(i) == '.') {
				if (quoted == null) {
					quoted = new StringBuilder(fixed.length() + 16).append(fixed, 0, i);
				}
				quoted.append('.');
			}
			if (quoted != null) {
				quoted.append(fixed.charAt(i));
			}
		}
		return (quoted != null) ? quoted.toString() : fixed;
	}

	/**
	 * The bytes smtplib sends for a {@code str} message: line endings fixed, then ASCII.
	 * @throws IllegalArgumentException naming the first non-ASCII character, as smtplib raises
	 * {@code UnicodeEncodeError}; send such a message as bytes in the encoding its headers declare
	 */
	public static byte[] toAsciiBytes(String message) {
		String fixed = fixLineEndings(message);
		int index = Ascii.firstNonAscii(fixed);
		if (index >= 0) {
			throw new IllegalArgumentException("A message given as a String must be ASCII, but it has "
					+ String.format("U+%04X", fixed.codePointAt(index)) + " at index " + index
					+ "; encode it yourself and pass the bytes");
		}
		return fixed.getBytes(StandardCharsets.US_ASCII);
	}

}
