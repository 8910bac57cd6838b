package io.github.smtpkit.spring.observation;

import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpEndpoint;
import io.micrometer.observation.Observation;
import jakarta.mail.internet.MimeMessage;

/**
 * What the {@code mail.send} observation of one message knows: the message, the server it goes
 * to, and, once the server answered, who accepted it.
 */
public class SmtpSendObservationContext extends Observation.Context {

	private final MimeMessage message;

	private final SmtpEndpoint endpoint;

	private SendResult result;

	public SmtpSendObservationContext(MimeMessage message, SmtpEndpoint endpoint) {
		this.message = message;
		this.endpoint = endpoint;
	}

	/** The message being sent. */
	public MimeMessage getMessage() {
		return this.message;
	}

	/** The server it is sent to. */
	public SmtpEndpoint getEndpoint() {
		return this.endpoint;
	}

	/** Who accepted and who refused the message, or {@code null} until the server answered. */
	public SendResult getResult() {
		return this.result;
	}

	public void setResult(SendResult result) {
		this.result = result;
	}

}
