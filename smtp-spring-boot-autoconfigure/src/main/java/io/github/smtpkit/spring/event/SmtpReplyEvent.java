package io.github.smtpkit.spring.event;

import java.time.Duration;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpReply;

/** The server replied to a command. */
public class SmtpReplyEvent extends SmtpEvent {

	private static final long serialVersionUID = 1L;

	private final String verb;

	private final transient SmtpReply reply;

	private final Duration duration;

	public SmtpReplyEvent(String serverName, SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
		super(serverName, endpoint);
		this.verb = verb;
		this.reply = reply;
		this.duration = duration;
	}

	/**
	 * The verb of the command answered, or {@value SmtpEventListener#END_OF_DATA} for the reply
	 * after the message data.
	 */
	public String getVerb() {
		return this.verb;
	}

	public SmtpReply getReply() {
		return this.reply;
	}

	/** From writing the command to reading the whole reply. */
	public Duration getDuration() {
		return this.duration;
	}

	@Override
	protected String describe() {
		return this.verb + " -> " + this.reply + " in " + this.duration;
	}

}
