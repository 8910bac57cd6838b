package io.github.smtpkit;

/**
 * The message is larger than the server said it accepts (its EHLO reply's {@code SIZE}, RFC
 * 1870). Raised before anything of the transaction is sent, so the session stays usable.
 */
public class SmtpMessageTooLargeException extends SmtpException {

	private static final long serialVersionUID = 1L;

	private final long size;

	private final long limit;

	public SmtpMessageTooLargeException(long size, long limit, SmtpEndpoint endpoint) {
		super("The message has " + size + " bytes, more than the " + limit + " that " + endpoint
				+ " accepts (its SIZE extension)");
		this.size = size;
		this.limit = limit;
	}

	/** The message's size in bytes. */
	public long size() {
		return this.size;
	}

	/** The server's limit in bytes. */
	public long limit() {
		return this.limit;
	}

}
