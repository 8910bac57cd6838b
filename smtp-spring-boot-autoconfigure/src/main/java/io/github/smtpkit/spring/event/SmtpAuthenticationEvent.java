package io.github.smtpkit.spring.event;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpReply;
import org.jspecify.annotations.Nullable;

/** The server accepted or refused the credentials. Carries the mechanism, never the credentials. */
public class SmtpAuthenticationEvent extends SmtpEvent {

	private static final long serialVersionUID = 1L;

	private final String mechanism;

	private final transient @Nullable SmtpReply failureReply;

	private SmtpAuthenticationEvent(String serverName, SmtpEndpoint endpoint, String mechanism,
			@Nullable SmtpReply failureReply) {
		super(serverName, endpoint);
		this.mechanism = mechanism;
		this.failureReply = failureReply;
	}

	/** The server accepted the credentials. */
	public static SmtpAuthenticationEvent succeeded(String serverName, SmtpEndpoint endpoint, String mechanism) {
		return new SmtpAuthenticationEvent(serverName, endpoint, mechanism, null);
	}

	/** The server refused the credentials with this reply. */
	public static SmtpAuthenticationEvent failed(String serverName, SmtpEndpoint endpoint, String mechanism,
			SmtpReply reply) {
		return new SmtpAuthenticationEvent(serverName, endpoint, mechanism, reply);
	}

	public boolean isSucceeded() {
		return this.failureReply == null;
	}

	/** The SASL mechanism, such as {@code PLAIN}. */
	public String getMechanism() {
		return this.mechanism;
	}

	/** The server's refusal, or {@code null} when it accepted. */
	public @Nullable SmtpReply getFailureReply() {
		return this.failureReply;
	}

	@Override
	protected String describe() {
		return this.mechanism + (isSucceeded() ? " succeeded" : " failed: " + this.failureReply);
	}

}
