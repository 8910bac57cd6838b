package io.github.smtpkit.spring;

import io.github.smtpkit.SmtpEventListener;

/**
 * Makes the {@link SmtpEventListener} of one server's client. Every bean of this type contributes
 * a listener to every {@link io.github.smtpkit.SmtpClient} that smtpkit's auto-configuration
 * makes (application events and Micrometer metrics come this way); they are called in
 * {@link org.springframework.core.Ordered order}, and one that throws does not keep the others
 * from their event.
 *
 * <p>Listeners sit on the send path: they must be fast and must not throw (see
 * {@link SmtpEventListener}'s contract).
 */
@FunctionalInterface
public interface SmtpEventListenerFactory {

	/**
	 * The listener for one server's client.
	 * @param serverName {@code default} for the server under {@code smtp.*}, otherwise its name
	 * under {@code smtp.servers}
	 * @return the listener, or {@link SmtpEventListener#NONE}
	 */
	SmtpEventListener create(String serverName);

}
