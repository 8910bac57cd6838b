package io.github.smtpkit.spring.event;

import io.github.smtpkit.SmtpEndpoint;

/**
 * A message's data and its terminating dot were sent (smtplib's {@code smtplib.send} audit event
 * for the message, without its content, which never reaches an event).
 */
public class SmtpMessageDataEvent extends SmtpEvent {

	private static final long serialVersionUID = 1L;

	private final long bytes;

	public SmtpMessageDataEvent(String serverName, SmtpEndpoint endpoint, long bytes) {
		super(serverName, endpoint);
		this.bytes = bytes;
	}

	/** The bytes written, dot-stuffing and terminator included. */
	public long getBytes() {
		return this.bytes;
	}

	@Override
	protected String describe() {
		return this.bytes + " bytes";
	}

}
