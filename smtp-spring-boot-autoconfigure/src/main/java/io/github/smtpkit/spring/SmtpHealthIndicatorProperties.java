package io.github.smtpkit.spring;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** The SMTP health indicators: {@code management.health.smtp.*}. */
@ConfigurationProperties("management.health.smtp")
public class SmtpHealthIndicatorProperties {

	/**
	 * The longest a health check waits for a server's reply to NOOP (and for a free pooled
	 * session); a server that has not answered by then is DOWN.
	 */
	private Duration timeout = Duration.ofSeconds(5);

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

}
