package io.github.smtpkit.spring.event;

import io.github.smtpkit.SmtpEndpoint;

/** A command line was sent (smtplib's {@code smtplib.send} audit event for commands). */
public class SmtpCommandEvent extends SmtpEvent {

	private static final long serialVersionUID = 1L;

	private final String verb;

	private final String line;

	public SmtpCommandEvent(String serverName, SmtpEndpoint endpoint, String verb, String line) {
		super(serverName, endpoint);
		this.verb = verb;
		this.line = line;
	}

	/** The command's verb in upper case, such as {@code MAIL}. */
	public String getVerb() {
		return this.verb;
	}

	/** The line as sent, without CRLF; the payload of AUTH and its exchange read {@code <redacted>}. */
	public String getLine() {
		return this.line;
	}

	@Override
	protected String describe() {
		return this.line;
	}

}
