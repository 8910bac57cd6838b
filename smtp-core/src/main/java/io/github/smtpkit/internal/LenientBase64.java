package io.github.smtpkit.internal;

import java.util.Arrays;

/**
 * Base64 decoding as Python's {@code base64.decodebytes} (non-strict {@code binascii.a2b_base64})
 * does it, which is how smtplib decodes an AUTH challenge: characters outside the alphabet (line
 * breaks of a multi-line 334 reply, spaces) are skipped, and a pad ends the data once a quantum
 * has two characters, so anything after it is ignored. The JDK's MIME decoder refuses data after
 * a pad, which a server's multi-line challenge can have.
 */
public final class LenientBase64 {

	private static final byte[] VALUES = new byte[128];

	static {
		Arrays.fill(VALUES, (byte) -1);
		String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
		for (int i = 0; i < alphabet.length(); i++) {
			VALUES[alphabet.charAt(i)] = (byte) i;
		}
	}

	private LenientBase64() {
	}

	/**
	 * Decodes the text.
	 * @return the decoded bytes, at most three for every four characters of the text
	 * @throws IllegalArgumentException with Python's message, when the characters of the alphabet
	 * do not make whole bytes: one more than a multiple of four, or missing padding
	 */
	public static byte[] decode(CharSequence text) {
		byte[] out = new byte[(text.length() + 3) / 4 * 3];
		int length = 0;
		int quadPosition = 0;
		int leftover = 0;
		int pads = 0;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '=') {
				// A pad counts once the quantum has two characters; enough of them end the data.
				if (quadPosition >= 2 && quadPosition + ++pads >= 4) {
					return Arrays.copyOf(out, length);
				}
				continue;
			}
			int value = (c < 128) ? VALUES[c] : -1;
			if (value < 0) {
				continue;
			}
			pads = 0;
			switch (quadPosition) {
				case 0 -> leftover = value;
				case 1 -> {
					out[length++] = (byte) ((leftover << 2) | (value >> 4));
					leftover = value & 0x0f;
				}
				case 2 -> {
					out[length++] = (byte) ((leftover << 4) | (value >> 2));
					leftover = value & 0x03;
				}
				default -> out[length++] = (byte) ((leftover << 6) | value);
			}
			quadPosition = (quadPosition + 1) % 4;
		}
		if (quadPosition == 1) {
			throw new IllegalArgumentException("Invalid base64-encoded string: number of data characters ("
					+ (length / 3 * 4 + 1) + ") cannot be 1 more than a multiple of 4");
		}
		if (quadPosition != 0) {
			throw new IllegalArgumentException("Incorrect padding");
		}
		return Arrays.copyOf(out, length);
	}

}
