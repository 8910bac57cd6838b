package io.github.smtpkit.spring.observation;

import java.util.Locale;
import java.util.Objects;

import io.github.smtpkit.Envelope;
import io.github.smtpkit.SendOutcome;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpEndpoint;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.SenderContext;
import jakarta.mail.internet.MimeMessage;
import org.jspecify.annotations.Nullable;

/**
 * What the {@code mail.send} observation of one message knows: Micrometer's context of a
 * {@linkplain Kind#CLIENT client} span to a remote service, the SMTP server (its
 * {@linkplain #getRemoteServiceName() remote service name} is the server's host, its
 * {@linkplain #getRemoteServiceAddress() address} a URI such as {@code smtp://mail.example.com:587}),
 * with the server's name, the envelope, the message when its headers are known, and, once it
 * ended, its outcome and result.
 *
 * <p>The {@linkplain #getCarrier() carrier} is the message, and the propagation setter does
 * nothing: no trace header is ever added to a message.
 */
public class SmtpSendObservationContext extends SenderContext<MimeMessage> {

	private final String serverName;

	private SmtpEndpoint endpoint;

	private final Envelope envelope;

	private @Nullable SendOutcome outcome;

	private @Nullable SendResult result;

	/** The message's key values, read once by {@link DefaultSmtpSendObservationConvention}. */
	@Nullable KeyValues messageKeyValues;

	/**
	 * @param serverName {@code default} or the server's name under {@code smtp.servers}
	 * @param endpoint the server
	 * @param envelope the message's envelope
	 * @param message the message, or {@code null} when only its bytes are known
	 */
	public SmtpSendObservationContext(String serverName, SmtpEndpoint endpoint, Envelope envelope,
			@Nullable MimeMessage message) {
		super((carrier, key, value) -> {
			// A message is the user's content: trace context is never written into it.
		}, Kind.CLIENT);
		this.serverName = Objects.requireNonNull(serverName, "serverName");
		this.envelope = Objects.requireNonNull(envelope, "envelope");
		setCarrier(message);
		this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
		setRemoteService(endpoint);
	}

	/** The server's name: {@code default}, or its name under {@code smtp.servers}. */
	public String getServerName() {
		return this.serverName;
	}

	/**
	 * The server the message is sent to: the client's (with {@code smtp.hosts}, the first host)
	 * while it is under way, and once it ended the host that took or refused it, which failover
	 * may have made another.
	 */
	public SmtpEndpoint getEndpoint() {
		return this.endpoint;
	}

	/** Sets the server, and the remote service's name and address with it. */
	public void setEndpoint(SmtpEndpoint endpoint) {
		this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
		setRemoteService(endpoint);
	}

	private void setRemoteService(SmtpEndpoint endpoint) {
		if (endpoint.isUnixSocket()) {
			setRemoteServiceName(String.valueOf(endpoint.unixSocket()));
			setRemoteServiceAddress(null);
		}
		else {
			setRemoteServiceName(endpoint.host());
			setRemoteServiceAddress(endpoint.protocol().name().toLowerCase(Locale.ROOT) + "://"
					+ (endpoint.host().contains(":") ? "[" + endpoint.host() + "]" : endpoint.host()) + ":"
					+ endpoint.port());
		}
	}

	/** The envelope: sender and every recipient, {@code Bcc} included. */
	public Envelope getEnvelope() {
		return this.envelope;
	}

	/**
	 * The message, when its headers are known: sent through {@code SmtpMailSender}, or as an
	 * {@link io.github.smtpkit.spring.MimeMessageSource}; {@code null} for bytes sent through the
	 * client.
	 */
	public @Nullable MimeMessage getMessage() {
		return getCarrier();
	}

	/** How the send ended, or {@code null} while it is under way. */
	public @Nullable SendOutcome getOutcome() {
		return this.outcome;
	}

	public void setOutcome(@Nullable SendOutcome outcome) {
		this.outcome = outcome;
	}

	/**
	 * Who accepted and who refused the message, or {@code null} until the server accepted it (and
	 * when it failed: see {@link #getError()}).
	 */
	public @Nullable SendResult getResult() {
		return this.result;
	}

	public void setResult(@Nullable SendResult result) {
		this.result = result;
	}

}
