package io.github.smtpkit.spring;

/**
 * Configures each {@link SmtpMailSender} that smtpkit's auto-configuration makes, before it is
 * used. Customizers are applied in {@link org.springframework.core.Ordered order}.
 */
@FunctionalInterface
public interface SmtpMailSenderCustomizer {

	/**
	 * Configures a mail sender.
	 * @param mailSender the sender of one server
	 */
	void customize(SmtpMailSender mailSender);

}
