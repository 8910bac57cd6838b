package io.github.smtpkit.spring.event;

import java.time.Duration;

import io.github.smtpkit.SendOutcome;
import io.github.smtpkit.SmtpEndpoint;

/** A send through a client ended. Carries no message content, no address and no credential. */
public class SmtpSendFinishedEvent extends SmtpEvent {

	private static final long serialVersionUID = 1L;

	private final SendOutcome outcome;

	private final int recipients;

	private final long messageSize;

	private final int attempts;

	private final Duration duration;

	public SmtpSendFinishedEvent(String serverName, SmtpEndpoint endpoint, SendOutcome outcome, int recipients,
			long messageSize, int attempts, Duration duration) {
		super(serverName, endpoint);
		this.outcome = outcome;
		this.recipients = recipients;
		this.messageSize = messageSize;
		this.attempts = attempts;
		this.duration = duration;
	}

	public SendOutcome getOutcome() {
		return this.outcome;
	}

	/** The number of envelope recipients. */
	public int getRecipients() {
		return this.recipients;
	}

	/** The size in bytes, or {@code -1} when the message was streamed with an unknown size. */
	public long getMessageSize() {
		return this.messageSize;
	}

	/** 1, or 2 when the send was retried on a fresh connection. */
	public int getAttempts() {
		return this.attempts;
	}

	/** From the call to its end, waiting for a session included. */
	public Duration getDuration() {
		return this.duration;
	}

	@Override
	protected String describe() {
		return this.outcome + ", " + this.recipients + " recipient(s), " + this.messageSize + " bytes, " + this.attempts
				+ " attempt(s) in " + this.duration;
	}

}
