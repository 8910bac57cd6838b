package io.github.smtpkit.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
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
	 * The bytes smtplib sends for a {@code str} message: line endings fixed, then ASCII.
	 * @throws IllegalArgumentException naming the first non-ASCII character, as smtplib raises
	 * {@code UnicodeEncodeError}; send such a message as bytes in the encoding its headers declare
	 */
	public static byte[] toAsciiBytes(String message) {
		String fixed = fixLineEndings(message);
		CharsetEncoder encoder = StandardCharsets.US_ASCII.newEncoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
		try {
			ByteBuffer bytes = encoder.encode(CharBuffer.wrap(fixed));
			byte[] result = new byte[bytes.remaining()];
			bytes.get(result);
			return result;
		}
		catch (CharacterCodingException ex) {
			int index = firstNonAscii(fixed);
			throw new IllegalArgumentException("A message given as a String must be ASCII, but it has "
					+ String.format("U+%04X", fixed.codePointAt(index)) + " at index " + index
					+ "; encode it yourself and pass the bytes");
		}
	}

	private static int firstNonAscii(String text) {
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) > 0x7F) {
				return i;
			}
		}
		return 0;
	}

}
