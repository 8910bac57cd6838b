package io.github.smtpkit.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bounds each write to a socket: a blocking socket write has no timeout in Java, so a server that
 * stops reading (and lets its receive window fill) would hang the sender forever.
 *
 * <p>A write sets a deadline in a volatile field and clears it when done; one sweep on the shared
 * {@link Timeouts} timer checks every guarded stream a few times a second and aborts the
 * connection of a write that is past its deadline, which then fails with
 * {@link SocketTimeoutException}. Scheduling and cancelling a timer task per write would cost a
 * lock and a thread wake-up on every write (measured: an eighth of the client's CPU at 1 KiB).
 */
final class WriteTimeoutOutputStream extends FilterOutputStream {

	/** How often the sweep runs: the granularity of write timeouts. */
	private static final Duration SWEEP_INTERVAL = Duration.ofMillis(100);

	private static final Set<WriteTimeoutOutputStream> GUARDED = ConcurrentHashMap.newKeySet();

	static {
		Timeouts.scheduleAtFixedRate(WriteTimeoutOutputStream::sweep, SWEEP_INTERVAL);
	}

	private final long timeoutNanos;

	private final Runnable abort;

	/** When the write under way must have finished (System.nanoTime), or 0 when none is under way. */
	private volatile long deadline;

	private volatile boolean timedOut;

	WriteTimeoutOutputStream(OutputStream out, Duration timeout, Runnable abort) {
		super(out);
		this.timeoutNanos = timeout.toNanos();
		this.abort = abort;
		GUARDED.add(this);
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] bytes, int offset, int length) throws IOException {
		// 0 means "no write under way", so a deadline that happens to be 0 is moved by a nanosecond.
		this.deadline = (System.nanoTime() + this.timeoutNanos) | 1;
		try {
			this.out.write(bytes, offset, length);
		}
		catch (IOException ex) {
			throw this.timedOut ? timeout(ex) : ex;
		}
		finally {
			this.deadline = 0;
		}
	}

	@Override
	public void flush() throws IOException {
		try {
			this.out.flush();
		}
		catch (IOException ex) {
			throw this.timedOut ? timeout(ex) : ex;
		}
	}

	/** Stops guarding this stream: its connection is closed, or has a new stream after STARTTLS. */
	void release() {
		GUARDED.remove(this);
	}

	private static void sweep() {
		long now = System.nanoTime();
		for (WriteTimeoutOutputStream stream : GUARDED) {
			long deadline = stream.deadline;
			if (deadline != 0 && now - deadline > 0) {
				stream.expire();
			}
		}
	}

	private void expire() {
		this.timedOut = true;
		release();
		this.abort.run();
	}

	private SocketTimeoutException timeout(IOException cause) {
		SocketTimeoutException timeout = new SocketTimeoutException("Write timed out");
		timeout.initCause(cause);
		return timeout;
	}

}
