package io.github.smtpkit.internal;

/** Where text stops being ASCII: commands, addresses and text messages all ask. */
public final class Ascii {

	private Ascii() {
	}

	/** The index of the first character above U+007F, or -1 when the text is ASCII. */
	public static int firstNonAscii(CharSequence text) {
		for (int i = 0; i < text.length(); i++) {
			if (text.charAt(i) > 0x7F) {
				return i;
			}
		}
		return -1;
	}

	public static boolean isAscii(CharSequence text) {
		return firstNonAscii(text) < 0;
	}

}
