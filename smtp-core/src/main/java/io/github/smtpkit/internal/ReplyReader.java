package io.github.smtpkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads the server's bytes line by line, with a bound on the length of a line, the way smtplib
 * reads its socket file with {@code readline(_MAXLINE + 1)}. Not thread-safe.
 *
 * <p>The buffer belongs to one stream: after STARTTLS the session makes a new reader, so bytes the
 * server sent in clear text after its 220 are dropped instead of being read as if they came
 * through TLS.
 */
public final class ReplyReader {

	private final InputStream in;

	private final byte[] buffer = new byte[8192];

	private int position;

	private int limit;

	/** Reused for every line, so that reading one costs one allocation: the line returned. */
	private byte[] lineBuffer = new byte[256];

	public ReplyReader(InputStream in) {
		this.in = in;
	}

	/**
	 * Reads up to and including the next LF, but at most {@code maxBytes} bytes.
	 * @param maxBytes the most bytes to return
	 * @return the line with its line ending; shorter than a whole line at end of stream or when
	 * {@code maxBytes} was reached; empty at end of stream
	 * @throws IOException if reading fails
	 */
	public byte[] readLine(int maxBytes) throws IOException {
		byte[] line = this.lineBuffer;
		int length = 0;
		while (length < maxBytes) {
			if (this.position == this.limit && !fill()) {
				break;
			}
			int end = Math.min(this.limit, this.position + (maxBytes - length));
			int newline = indexOf((byte) '\n', this.position, end);
			int stop = (newline >= 0) ? newline + 1 : end;
			int count = stop - this.position;
			if (length + count > line.length) {
				line = Arrays.copyOf(line, Math.max(line.length * 2, length + count));
				this.lineBuffer = line;
			}
			System.arraycopy(this.buffer, this.position, line, length, count);
			length += count;
			this.position = stop;
			if (newline >= 0) {
				break;
			}
		}
		return Arrays.copyOf(line, length);
	}

	private boolean fill() throws IOException {
		int read = this.in.read(this.buffer, 0, this.buffer.length);
		if (read <= 0) {
			return false;
		}
		this.position = 0;
		this.limit = read;
		return true;
	}

	private int indexOf(byte value, int from, int to) {
		for (int i = from; i < to; i++) {
			if (this.buffer[i] == value) {
				return i;
			}
		}
		return -1;
	}

}
