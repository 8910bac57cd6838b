package io.github.smtpkit.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

/**
 * Bounds each write to a socket: a blocking socket write has no timeout in Java, so a server that
 * stops reading (and lets its receive window fill) would hang the sender forever. The shared
 * {@link Timeouts} timer aborts the connection when one write takes longer than the timeout, and
 * the write then fails with {@link SocketTimeoutException}.
 */
final class WriteTimeoutOutputStream extends FilterOutputStream {

	private final Duration timeout;

	private final Runnable abort;

	private volatile boolean timedOut;

	WriteTimeoutOutputStream(OutputStream out, Duration timeout, Runnable abort) {
		super(out);
		this.timeout = timeout;
		this.abort = abort;
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] bytes, int offset, int length) throws IOException {
		ScheduledFuture<?> deadline = Timeouts.schedule(this::expire, this.timeout);
		try {
			this.out.write(bytes, offset, length);
		}
		catch (IOException ex) {
			throw this.timedOut ? timeout(ex) : ex;
		}
		finally {
			deadline.cancel(false);
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

	private void expire() {
		this.timedOut = true;
		this.abort.run();
	}

	private SocketTimeoutException timeout(IOException cause) {
		SocketTimeoutException timeout = new SocketTimeoutException("Write timed out");
		timeout.initCause(cause);
		return timeout;
	}

}
