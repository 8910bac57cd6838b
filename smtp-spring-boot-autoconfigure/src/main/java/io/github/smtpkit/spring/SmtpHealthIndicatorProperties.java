package io.github.smtpkit.spring;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** The SMTP health indicators: {@code management.health.smtp.*}. */
@ConfigurationProperties("management.health.smtp")
public class SmtpHealthIndicatorProperties {

	/**
	 * The longest a health check waits for a server's reply to NOOP, asked only when the server has
	 * not answered for 30 s (it never waits for a busy pooled session); a server that has not
	 * answered by then is DOWN.
	 */
	private Duration timeout = Duration.ofSeconds(5);

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

}
