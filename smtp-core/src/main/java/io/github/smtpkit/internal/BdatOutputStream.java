package io.github.smtpkit.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

import io.github.smtpkit.SmtpDataException;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpReply;

/**
 * Frames message data as BDAT chunks (RFC 3030): {@code BDAT n}, then n bytes as they are. A
 * chunk goes out when the buffer is full, and its reply is awaited before the next one, so that a
 * refused chunk stops the transfer; the last chunk, sent by {@link #finish()}, says {@code LAST}
 * and its reply is the message's reply, read by whoever reads the message's outcome.
 */
final class BdatOutputStream extends MessageDataOutputStream {

	/** Ends the transaction after a refused chunk: RSET, or after 421 closing. */
	interface RefusedChunk {

		void endTransaction(SmtpReply reply) throws SmtpException;

	}

	/** Large enough that a chunk's round trip is small next to its transfer, small enough to buffer. */
	static final int CHUNK_SIZE = 256 * 1024;

	private final SmtpWire wire;

	private final RefusedChunk refusedChunk;

	/** Whether the whole message must go as its one LAST chunk: see {@link #oneChunk}. */
	private final boolean oneChunk;

	private byte[] buffer;

	private int count;

	private long bytesWritten;

	/**
	 * @param out the connection's stream, which the chunks' bytes go to
	 * @param wire where the BDAT commands are written and their replies read
	 * @param size the message's size, or -1 when unknown
	 */
	BdatOutputStream(OutputStream out, SmtpWire wire, long size, RefusedChunk refusedChunk) {
		this(out, wire, size, refusedChunk, false);
	}

	/**
	 * Frames a message of at most {@link #CHUNK_SIZE} bytes as one {@code BDAT n LAST} chunk, which
	 * may follow commands whose replies are not read yet (a pipelined MAIL and RCPT): no reply is
	 * read here, and none is awaited between chunks because there is only one.
	 * @param size the message's size, at most {@link #CHUNK_SIZE}; a source that writes more than
	 * {@link #CHUNK_SIZE} bytes fails with an {@link IOException} before anything of it is sent
	 */
	static BdatOutputStream oneChunk(OutputStream out, SmtpWire wire, long size) {
		return new BdatOutputStream(out, wire, size, (reply) -> {
			throw new IllegalStateException("one chunk has no reply to refuse before the last");
		}, true);
	}

	private BdatOutputStream(OutputStream out, SmtpWire wire, long size, RefusedChunk refusedChunk, boolean oneChunk) {
		super(out);
		this.wire = wire;
		this.refusedChunk = refusedChunk;
		this.oneChunk = oneChunk;
		// A small message needs no big buffer; a large or unknown one grows to a chunk.
		this.buffer = new byte[(int) ((size >= 0) ? Math.min(size, CHUNK_SIZE) : Math.min(8192, CHUNK_SIZE))];
	}

	@Override
	public void write(int b) throws IOException {
		write(new byte[] { (byte) b }, 0, 1);
	}

	@Override
	public void write(byte[] bytes, int offset, int length) throws IOException {
		while (length > 0) {
			if (this.count == CHUNK_SIZE) {
				if (this.oneChunk) {
					throw new IOException("The message source wrote more than the " + CHUNK_SIZE
							+ " bytes of one BDAT chunk, although its size said it would fit");
				}
				sendChunk(false);
			}
			if (this.count == this.buffer.length) {
				this.buffer = Arrays.copyOf(this.buffer, Math.min(CHUNK_SIZE, Math.max(1, this.buffer.length * 2)));
			}
			int taken = Math.min(length, this.buffer.length - this.count);
			System.arraycopy(bytes, offset, this.buffer, this.count, taken);
			this.count += taken;
			offset += taken;
			length -= taken;
		}
	}

	@Override
	public void finish() throws IOException {
		sendChunk(true);
	}

	@Override
	public long bytesWritten() {
		return this.bytesWritten;
	}

	private void sendChunk(boolean last) throws IOException {
		String line = "BDAT " + this.count + (last ? " LAST" : "");
		// The reply to the last chunk is the message's reply, read as such with the outcome.
		this.wire.write(this.wire.encode(line + "\r\n"), "BDAT", line, false, !last);
		this.out.write(this.buffer, 0, this.count);
		this.out.flush();
		this.bytesWritten += this.count;
		this.count = 0;
		if (!last) {
			SmtpReply reply = this.wire.readReply();
			if (reply.code() != 250) {
				this.refusedChunk.endTransaction(reply);
				throw new SmtpDataException(reply.code(), reply.message());
			}
		}
	}

}
