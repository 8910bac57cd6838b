package io.github.smtpkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/**
 * Reads the server's bytes line by line, with a bound on the length of a line, the way smtplib
 * reads its socket file with {@code readline(_MAXLINE + 1)}. Not thread-safe.
 *
 * <p>The buffer belongs to one stream: after STARTTLS the session makes a new reader, so bytes the
 * server sent in clear text after its 220 are dropped instead of being read as if they came
 * through TLS.
 *
 * <p>A socket's read timeout bounds each read, and restarts with every byte: a server that drips
 * one line of a multi-line reply every few seconds could hold a reader forever. Between
 * {@link #startReply} and {@link #endReply}, the reads of one reply share one deadline instead: each
 * read after the first is given only the time left, through the {@link ReadTimeoutControl}.
 */
public final class ReplyReader {

	/** Sets the bound on the next reads of the stream: the socket's read timeout. */
	@FunctionalInterface
	public interface ReadTimeoutControl {

		/** Bounds each read from now on by this many milliseconds (at least 1). */
		void limitReadsTo(int millis) throws IOException;

	}

	/** For a stream with no timeout to shorten (tests, in-memory streams): deadlines are checked only. */
	private static final ReadTimeoutControl NO_CONTROL = (millis) -> {
	};

	private final InputStream in;

	private final ReadTimeoutControl timeoutControl;

	/** The standing bound on each read, restored after a reply; {@code null} outside a reply. */
	private Duration replyBudget;

	/** When the reply under way must be read by, in {@link System#nanoTime()} terms. */
	private long replyDeadline;

	/** Whether the reply under way has read from the stream yet: its first read needs no change. */
	private boolean replyHasRead;

	/** Whether a read of the reply under way was given less than the standing bound. */
	private boolean shortened;

	private final byte[] buffer = new byte[8192];

	private int position;

	private int limit;

	/** Reused for every line, so that reading one costs one allocation: the line returned. */
	private byte[] lineBuffer = new byte[256];

	/** A reader whose reads have no deadline but the stream's own timeout, if any. */
	public ReplyReader(InputStream in) {
		this(in, NO_CONTROL);
	}

	/**
	 * @param in the server's bytes
	 * @param timeoutControl shortens the stream's read timeout to what is left of a reply's deadline
	 */
	public ReplyReader(InputStream in, ReadTimeoutControl timeoutControl) {
		this.in = in;
		this.timeoutControl = timeoutControl;
	}

	/**
	 * Starts a reply: from now until {@link #endReply()}, the reads together take at most
	 * {@code budget}. The stream's read timeout must be {@code budget} now (it bounds the first read).
	 */
	public void startReply(Duration budget) {
		this.replyBudget = budget;
		this.replyDeadline = System.nanoTime() + budget.toNanos();
		this.replyHasRead = false;
		this.shortened = false;
	}

	/** Ends the reply: the stream's read timeout is the whole budget again. */
	public void endReply() throws IOException {
		Duration budget = this.replyBudget;
		this.replyBudget = null;
		if (this.shortened) {
			this.shortened = false;
			this.timeoutControl.limitReadsTo(SmtpConnection.millis(budget));
		}
	}

	/**
	 * Reads up to and including the next LF, but at most {@code maxBytes} bytes.
	 * @param maxBytes the most bytes to return
	 * @return the line with its line ending; shorter than a whole line at end of stream or when
	 * {@code maxBytes} was reached; empty at end of stream
	 * @throws IOException if reading fails
	 */
	public byte[] readLine(int maxBytes) throws IOException {
		int length = readLineIntoBuffer(maxBytes);
		// The buffer only now: reading may have replaced it with a larger one.
		return Arrays.copyOf(this.lineBuffer, length);
	}

	/**
	 * {@link #readLine(int)} without a copy: the line is left at the start of {@link #lineBuffer()},
	 * valid until the next read.
	 * @return the line's length in bytes, 0 at end of stream
	 */
	public int readLineIntoBuffer(int maxBytes) throws IOException {
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
		return length;
	}

	/** Where {@link #readLineIntoBuffer} left the line; overwritten by the next read. */
	public byte[] lineBuffer() {
		return this.lineBuffer;
	}

	private boolean fill() throws IOException {
		if (this.replyBudget != null) {
			keepWithinDeadline();
		}
		int read = this.in.read(this.buffer, 0, this.buffer.length);
		if (read <= 0) {
			return false;
		}
		this.position = 0;
		this.limit = read;
		return true;
	}

	/** Gives the next read only what is left of the reply's deadline (the first read has it all). */
	private void keepWithinDeadline() throws IOException {
		if (!this.replyHasRead) {
			this.replyHasRead = true;
			return;
		}
		long left = this.replyDeadline - System.nanoTime();
		if (left <= 0) {
			throw new SocketTimeoutException("The reply took longer than " + Durations.describe(this.replyBudget));
		}
		// Rounded up: a read given 0 ms would wait forever.
		this.timeoutControl.limitReadsTo((int) Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000));
		this.shortened = true;
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
