package io.github.smtpkit.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * How a message is framed on the wire: dot-stuffed and ended with {@code .CRLF} after DATA, or cut
 * into BDAT chunks. The session writes the message through one and then calls {@link #finish()}.
 */
public abstract class MessageDataOutputStream extends FilterOutputStream {

	protected MessageDataOutputStream(OutputStream out) {
		super(out);
	}

	/**
	 * Ends the message on the wire. What it leaves buffered goes out with the next flush: the
	 * session's, perhaps together with the next commands.
	 */
	public abstract void finish() throws IOException;

	/** Bytes written to the connection so far, framing included. */
	public abstract long bytesWritten();

	/** Closing would close the connection's stream; {@link #finish()} ends the message instead. */
	@Override
	public void close() {
	}

}
