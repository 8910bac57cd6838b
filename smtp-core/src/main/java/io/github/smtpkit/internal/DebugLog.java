package io.github.smtpkit.internal;

import java.time.Clock;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;

/**
 * smtplib's debug output: at level 1 every connection and every line sent and received, at level
 * 2 the same with a time stamp in front. Values are shown as Python's {@code repr} shows them,
 * quoted with escapes, so that CR, LF and control characters are visible.
 */
public final class DebugLog {

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");

	/** How much message data a debug line shows before it says how much more there was. */
	public static final int MAX_DATA_SHOWN = 4096;

	private final Consumer<String> sink;

	private final Clock clock;

	private volatile int level;

	public DebugLog(Consumer<String> sink, Clock clock, int level) {
		this.sink = sink;
		this.clock = clock;
		this.level = level;
	}

	/** The level: 0 off, 1 every line, 2 (or more) with time stamps. */
	public int level() {
		return this.level;
	}

	public void setLevel(int level) {
		this.level = level;
	}

	/**
	 * Checks a debug level as smtplib takes it: 0 off, 1 every line, 2 (or more) with time stamps.
	 * @throws IllegalArgumentException naming {@code what} if it is negative
	 */
	public static int requireLevel(String what, int level) {
		if (level < 0) {
			throw new IllegalArgumentException(what + " must not be negative (0 off, 1, 2 or more with time stamps), but was " + level);
		}
		return level;
	}

	public boolean isEnabled() {
		return this.level > 0;
	}

	/** Writes one line made of these parts joined by spaces, if debugging is on. */
	public void print(String label, String text) {
		int current = this.level;
		if (current <= 0) {
			return;
		}
		String line = label + " " + text;
		if (current > 1) {
			line = LocalTime.now(this.clock).format(TIME) + " " + line;
		}
		this.sink.accept(line);
	}

	/**
	 * Python's {@code repr} of text: single quotes, backslash escapes for control characters,
	 * backslashes and quotes; other characters, non-ASCII included, as they are.
	 */
	public static String repr(CharSequence text) {
		StringBuilder out = new StringBuilder(text.length() + 2).append('\'');
		for (int i = 0; i < text.length(); i++) {
			appendEscaped(out, text.charAt(i), false);
		}
		return out.append('\'').toString();
	}

	/** Python's {@code repr} of bytes (without the {@code b} prefix): bytes above 0x7E as {@code \xNN}. */
	public static String repr(byte[] bytes, int offset, int length) {
		StringBuilder out = new StringBuilder(length + 2).append('\'');
		for (int i = offset; i < offset + length; i++) {
			appendEscaped(out, (char) (bytes[i] & 0xFF), true);
		}
		return out.append('\'').toString();
	}

	private static void appendEscaped(StringBuilder out, char c, boolean isByte) {
		switch (c) {
			case '\r' -> out.append("\\r");
			case '\n' -> out.append("\\n");
			case '\t' -> out.append("\\t");
			case '\\' -> out.append("\\\\");
			case '\'' -> out.append("\\'");
			default -> {
				boolean control = c < 0x20 || (c >= 0x7F && c <= 0x9F);
				if (control || (isByte && c > 0x7F)) {
					out.append(String.format("\\x%02x", (int) c));
				}
				else {
					out.append(c);
				}
			}
		}
	}

}
