package io.github.smtpkit.internal;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes message data for the DATA command (RFC 5321 4.5.2) on the fly: a {@code .} at the start
 * of a line is doubled, and {@link #finish()} ends the data with CRLF (when the message does not
 * already end with one) and the terminating {@code .CRLF}.
 *
 * <p>This is smtplib's {@code _quote_periods} plus the end of {@code data()}, without copying the
 * message: a line starts at the beginning and after every LF, as with Python's {@code (?m)^}.
 * Line endings are not changed here; bytes go out as given.
 */
public final class DotStuffingOutputStream extends MessageDataOutputStream {

	private static final byte[] CRLF = { '\r', '\n' };

	private static final byte[] TERMINATOR = { '.', '\r', '\n' };

	private boolean atLineStart = true;

	private int last = -1;

	private int beforeLast = -1;

	private long bytesWritten;

	public DotStuffingOutputStream(OutputStream out) {
		super(out);
	}

	@Override
	public void write(int b) throws IOException {
		if (this.atLineStart && b == '.') {
			this.out.write('.');
			this.bytesWritten++;
		}
		this.out.write(b);
		this.bytesWritten++;
		remember((byte) b);
	}

	@Override
	public void write(byte[] bytes, int offset, int length) throws IOException {
		if (length == 0) {
			return;
		}
		int end = offset + length;
		int runStart = offset;
		if (this.atLineStart && bytes[offset] == '.') {
			this.out.write('.');
			this.bytesWritten++;
		}
		// One comparison per byte: only an LF followed by a dot needs anything done. Each doubled
		// dot is written once extra, and the run goes on from the dot itself.
		for (int i = offset; i < end - 1; i++) {
			if (bytes[i] == '\n' && bytes[i + 1] == '.') {
				this.out.write(bytes, runStart, i + 1 - runStart);
				this.out.write('.');
				this.bytesWritten += i + 2 - runStart;
				runStart = i + 1;
			}
		}
		this.atLineStart = (bytes[end - 1] == '\n');
		this.out.write(bytes, runStart, end - runStart);
		this.bytesWritten += end - runStart;
		if (length >= 2) {
			this.beforeLast = bytes[end - 2];
			this.last = bytes[end - 1];
		}
		else if (length == 1) {
			this.beforeLast = this.last;
			this.last = bytes[end - 1];
		}
	}

	/**
	 * Ends the message: CRLF unless the data ended with one, then {@code .CRLF}. Does not flush,
	 * so that the next commands can go out in the same write, nor close the underlying stream,
	 * which is the connection's.
	 */
	@Override
	public void finish() throws IOException {
		if (this.beforeLast != '\r' || this.last != '\n') {
			this.out.write(CRLF);
			this.bytesWritten += CRLF.length;
		}
		this.out.write(TERMINATOR);
		this.bytesWritten += TERMINATOR.length;
	}

	/** Bytes written to the connection so far, stuffing and terminator included. */
	@Override
	public long bytesWritten() {
		return this.bytesWritten;
	}

	private void remember(byte b) {
		this.atLineStart = (b == '\n');
		this.beforeLast = this.last;
		this.last = b;
	}

}
