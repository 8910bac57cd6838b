package io.github.smtpkit.spring.event;

import java.io.IOException;
import java.time.Duration;

import io.github.smtpkit.SmtpEndpoint;
import org.jspecify.annotations.Nullable;

/** A TLS handshake (STARTTLS or implicit TLS) succeeded or failed. */
public class SmtpTlsEvent extends SmtpEvent {

	private static final long serialVersionUID = 1L;

	private final @Nullable String protocol;

	private final @Nullable String cipherSuite;

	private final @Nullable Duration duration;

	private final @Nullable IOException failure;

	private SmtpTlsEvent(String serverName, SmtpEndpoint endpoint, @Nullable String protocol,
			@Nullable String cipherSuite, @Nullable Duration duration, @Nullable IOException failure) {
		super(serverName, endpoint);
		this.protocol = protocol;
		this.cipherSuite = cipherSuite;
		this.duration = duration;
		this.failure = failure;
	}

	/** A handshake that succeeded. */
	public static SmtpTlsEvent established(String serverName, SmtpEndpoint endpoint, String protocol,
			String cipherSuite, Duration duration) {
		return new SmtpTlsEvent(serverName, endpoint, protocol, cipherSuite, duration, null);
	}

	/** A handshake that failed, for example on a certificate that could not be verified. */
	public static SmtpTlsEvent failed(String serverName, SmtpEndpoint endpoint, IOException failure) {
		return new SmtpTlsEvent(serverName, endpoint, null, null, null, failure);
	}

	public boolean isEstablished() {
		return this.failure == null;
	}

	/** The protocol negotiated, such as {@code TLSv1.3}; {@code null} when it failed. */
	public @Nullable String getProtocol() {
		return this.protocol;
	}

	/** The cipher suite negotiated; {@code null} when it failed. */
	public @Nullable String getCipherSuite() {
		return this.cipherSuite;
	}

	/** How long the handshake took; {@code null} when it failed. */
	public @Nullable Duration getDuration() {
		return this.duration;
	}

	/** Why it failed, or {@code null}. */
	public @Nullable IOException getFailure() {
		return this.failure;
	}

	@Override
	protected String describe() {
		return isEstablished() ? this.protocol + " " + this.cipherSuite + " in " + this.duration
				: "failed: " + this.failure;
	}

}
