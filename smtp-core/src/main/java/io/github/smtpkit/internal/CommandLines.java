package io.github.smtpkit.internal;

/** Checks on the text that goes into a command line, done before anything is sent. */
public final class CommandLines {

	private CommandLines() {
	}

	/**
	 * Refuses CR and LF, which would end the command early and let the rest be read as another
	 * command (SMTP command injection).
	 * @param what what the value is, for the message: {@code "recipient"}, {@code "MAIL option"}
	 * @param value the value to check
	 * @return the value
	 * @throws IllegalArgumentException naming the value, with CR and LF shown escaped
	 */
	public static String requireSingleLine(String what, String value) {
		if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
			throw new IllegalArgumentException(what + " contains prohibited newline characters: "
					+ value.replace("\n", "\\n").replace("\r", "\\r"));
		}
		return value;
	}

	/** The verb of a command line, upper case: its first word. */
	public static String verbOf(String line) {
		int space = line.indexOf(' ');
		return ((space >= 0) ? line.substring(0, space) : line).toUpperCase(java.util.Locale.ROOT);
	}

}
