package io.github.smtpkit.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import io.github.smtpkit.MessageSource;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpTimeoutException;

/**
 * Writes one message's data through its framing (dot-stuffing after DATA, chunks for BDAT),
 * bounded as a whole by the data timeout, and tells a failing message source from a failing
 * connection: the first is the caller's ({@link MessageSourceException}), the second the server's.
 * Either way the connection is given up, since SMTP cannot take back part of a message.
 */
final class MessageWriter {

	private final SmtpWire wire;

	/** The bound on one whole message, or {@code null} for only the per-write timeout. */
	private final Duration dataTimeout;

	MessageWriter(SmtpWire wire, Duration dataTimeout) {
		this.wire = wire;
		this.dataTimeout = dataTimeout;
	}

	/**
	 * Writes the whole message and its end.
	 * @param flush whether to send it all now; when not, the end of the message waits in the buffer
	 * for the next commands to join it
	 * @return the bytes written, framing included
	 * @throws SmtpException if the connection failed or timed out (it is closed), or the framing
	 * reported a refusal (a BDAT chunk)
	 * @throws MessageSourceException if the source failed (the connection is closed)
	 */
	long write(MessageSource source, Function<OutputStream, MessageDataOutputStream> framing, boolean flush)
			throws SmtpException {
		FailureRecordingOutputStream connection = new FailureRecordingOutputStream(this.wire.output());
		MessageDataOutputStream data = framing.apply(connection);
		AtomicBoolean dataTimedOut = new AtomicBoolean();
		try (AutoCloseable deadline = (this.dataTimeout != null)
				? this.wire.connection().abortAfter(this.dataTimeout, () -> dataTimedOut.set(true)) : null) {
			source.writeTo(data);
			data.finish();
			if (flush) {
				data.flush();
			}
		}
		catch (IOException ex) {
			if (dataTimedOut.get()) {
				SmtpEndpoint target = this.wire.endpoint();
				this.wire.disconnect();
				throw new SmtpTimeoutException("Timed out after " + Durations.describe(this.dataTimeout)
						+ " sending the message data to " + target, ex);
			}
			if (ex instanceof SmtpException handled) {
				// Dealt with already: a BDAT command failed, or a chunk was refused.
				throw handled;
			}
			if (connection.failure != null) {
				throw this.wire.writeFailure(connection.failure);
			}
			// The source failed, not the server; the message is unfinished and SMTP cannot take
			// part of one back: drop the connection so the server discards it.
			this.wire.disconnect();
			throw new MessageSourceException(ex);
		}
		catch (Exception ex) {
			// A message source that throws unchecked leaves the message unfinished just the same.
			this.wire.disconnect();
			throw (ex instanceof RuntimeException runtime) ? runtime : new IllegalStateException(ex);
		}
		return data.bytesWritten();
	}

	/** What debug output shows of message data: the first bytes and the size, or the size alone. */
	static String describe(byte[] shown, long written) {
		if (shown == null) {
			return "<" + written + " bytes of message data from a stream>";
		}
		int length = Math.min(shown.length, DebugLog.MAX_DATA_SHOWN);
		String repr = DebugLog.repr(shown, 0, length);
		return (length < shown.length) ? repr + " ... (" + written + " bytes written in all)" : repr;
	}

	/** Remembers whether the connection failed, to tell it apart from a failing message source. */
	private static final class FailureRecordingOutputStream extends FilterOutputStream {

		private IOException failure;

		FailureRecordingOutputStream(OutputStream out) {
			super(out);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			try {
				this.out.write(bytes, offset, length);
			}
			catch (IOException ex) {
				this.failure = ex;
				throw ex;
			}
		}

		@Override
		public void write(int b) throws IOException {
			// Dot-stuffing writes each added dot as one byte: no array for it.
			try {
				this.out.write(b);
			}
			catch (IOException ex) {
				this.failure = ex;
				throw ex;
			}
		}

		@Override
		public void flush() throws IOException {
			try {
				this.out.flush();
			}
			catch (IOException ex) {
				this.failure = ex;
				throw ex;
			}
		}

	}

}
