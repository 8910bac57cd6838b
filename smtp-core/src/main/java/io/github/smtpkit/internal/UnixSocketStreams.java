package io.github.smtpkit.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * Blocking streams with timeouts over a unix-domain socket channel. Such channels have no
 * {@code SO_TIMEOUT}, so the channel is non-blocking and each read or write that cannot proceed
 * waits on a selector, for at most the timeout.
 */
final class UnixSocketStreams implements Closeable {

	private final SocketChannel channel;

	private final Selector selector;

	private volatile long timeoutMillis;

	private final InputStream input = new InputStream() {

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return (read(one, 0, 1) < 0) ? -1 : one[0] & 0xFF;
		}

		@Override
		public int read(byte[] bytes, int offset, int length) throws IOException {
			if (length == 0) {
				return 0;
			}
			ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
			while (true) {
				int read = UnixSocketStreams.this.channel.read(buffer);
				if (read != 0) {
					return read;
				}
				await(SelectionKey.OP_READ, "Read");
			}
		}

	};

	private final OutputStream output = new OutputStream() {

		@Override
		public void write(int b) throws IOException {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
			while (buffer.hasRemaining()) {
				if (UnixSocketStreams.this.channel.write(buffer) == 0) {
					await(SelectionKey.OP_WRITE, "Write");
				}
			}
		}

	};

	UnixSocketStreams(SocketChannel channel, Duration timeout) throws IOException {
		this.channel = channel;
		this.timeoutMillis = SmtpConnection.millis(timeout);
		channel.configureBlocking(false);
		this.selector = Selector.open();
	}

	Duration timeout() {
		return Duration.ofMillis(this.timeoutMillis);
	}

	void setTimeout(Duration timeout) {
		this.timeoutMillis = SmtpConnection.millis(timeout);
	}

	InputStream input() {
		return this.input;
	}

	OutputStream output() {
		return this.output;
	}

	private void await(int operation, String what) throws IOException {
		SelectionKey key = this.channel.register(this.selector, operation);
		long deadline = System.nanoTime() + this.timeoutMillis * 1_000_000L;
		try {
			// select() may return early with nothing ready (a wake-up): only the deadline ends the wait.
			while (this.selector.select(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L)) == 0) {
				if (System.nanoTime() - deadline >= 0) {
					throw new SocketTimeoutException(what + " timed out");
				}
			}
		}
		finally {
			key.interestOps(0);
			this.selector.selectedKeys().clear();
		}
	}

	@Override
	public void close() throws IOException {
		try {
			this.channel.close();
		}
		finally {
			this.selector.close();
		}
	}

}
