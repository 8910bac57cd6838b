package io.github.smtpkit.internal;

import java.util.Locale;

/** Checks on the text that goes into a command line, done before anything is sent. */
public final class CommandLines {

	private CommandLines() {
	}

	/**
	 * Refuses CR and LF, which would end the command early and let the rest be read as another
	 * command (SMTP command injection), and NUL, which servers written in C take for the end of the
	 * line and others keep, so that two programs read two different commands.
	 * @param what what the value is, for the message: {@code "recipient"}, {@code "MAIL option"}
	 * @param value the value to check
	 * @return the value
	 * @throws IllegalArgumentException naming the value, with CR, LF and NUL shown escaped
	 */
	public static String requireSingleLine(String what, String value) {
		if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
			throw new IllegalArgumentException(what + " contains prohibited newline characters: " + escaped(value));
		}
		if (value.indexOf('\0') >= 0) {
			throw new IllegalArgumentException(what + " contains a prohibited NUL character: " + escaped(value));
		}
		return value;
	}

	/**
	 * Refuses a user name or password with NUL, CR or LF before any AUTH: PLAIN separates its
	 * fields with NUL (RFC 4616 2 forbids it inside them), and CR or LF would end a LOGIN line.
	 * @param what {@code "user name"} or {@code "password"}
	 * @throws IllegalArgumentException naming which, never showing the value
	 */
	public static String requireCredential(String what, String value) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '\0' || c == '\r' || c == '\n') {
				throw new IllegalArgumentException("The " + what + " contains a prohibited "
						+ ((c == '\0') ? "NUL" : "newline") + " character (at index " + i + ")");
			}
		}
		return value;
	}

	/** The verb of a command line, upper case: its first word. */
	public static String verbOf(String line) {
		int end = 0;
		while (end < line.length() && " \t\r\n".indexOf(line.charAt(end)) < 0) {
			end++;
		}
		return line.substring(0, end).toUpperCase(Locale.ROOT);
	}

	private static String escaped(String value) {
		return value.replace("\n", "\\n").replace("\r", "\\r").replace("\0", "\\0");
	}

}
