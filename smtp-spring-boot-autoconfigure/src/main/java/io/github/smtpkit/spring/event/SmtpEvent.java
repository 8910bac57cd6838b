package io.github.smtpkit.spring.event;

import io.github.smtpkit.SmtpEndpoint;

import org.springframework.context.ApplicationEvent;

/**
 * Something an smtpkit client did, published as a Spring application event when
 * {@code smtp.events.enabled} is true (the default). Its source is the server's
 * {@link SmtpEndpoint}. No event carries a credential: AUTH payloads arrive redacted.
 *
 * <p>Events are published on the thread that sends the mail, in order: a listener that is slow
 * slows the sending down (annotate it with {@code @Async} when it has real work to do).
 */
public abstract class SmtpEvent extends ApplicationEvent {

	private static final long serialVersionUID = 1L;

	private final String serverName;

	protected SmtpEvent(String serverName, SmtpEndpoint endpoint) {
		super(endpoint);
		this.serverName = serverName;
	}

	/** {@code default} for the server under {@code smtp.*}, otherwise its name under {@code smtp.servers}. */
	public String getServerName() {
		return this.serverName;
	}

	/** The server: protocol, host and port, or unix-domain socket. */
	public SmtpEndpoint getEndpoint() {
		return (SmtpEndpoint) getSource();
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[server=" + this.serverName + " " + getEndpoint() + ", " + describe() + "]";
	}

	/** What happened, for {@link #toString()}. */
	protected abstract String describe();

}
