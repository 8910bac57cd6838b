package io.github.smtpkit.spring;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code smtp.*} configuration: the default server's settings directly under {@code smtp},
 * further servers under {@code smtp.servers.<name>}, and what applies to all of them.
 *
 * <pre>
 * smtp:
 *   host: mail.example.com
 *   port: 587
 *   starttls: required
 *   username: app@example.com
 *   password: ${SMTP_PASSWORD}
 *   servers:
 *     bulk:
 *       host: bulk.example.com     # username, password, starttls... as above
 * </pre>
 *
 * <p>The default server's beans are {@code smtpClient} and {@code smtpMailSender}; a named
 * server's are {@code <name>SmtpClient} and {@code <name>SmtpMailSender}.
 */
@ConfigurationProperties("smtp")
public class SmtpProperties extends SmtpServerProperties {

	/**
	 * Further servers by name, each with its own pool and mail sender. A key that a server does
	 * not set takes the value of the same key directly under smtp.
	 */
	private Map<String, SmtpServerProperties> servers = new LinkedHashMap<>();

	/** Spring application events for what the clients do. */
	private final Events events = new Events();

	public Map<String, SmtpServerProperties> getServers() {
		return this.servers;
	}

	public void setServers(Map<String, SmtpServerProperties> servers) {
		this.servers = servers;
	}

	public Events getEvents() {
		return this.events;
	}

	/** Spring application events. */
	public static class Events {

		/**
		 * Whether to publish every connection, command, reply, TLS handshake, login, pool and send
		 * event as a Spring application event (credentials redacted). They are published on the
		 * sending thread, about a dozen per message: roughly 1 µs and 2 KiB of garbage per message
		 * when nothing listens, a few per cent of a send's CPU; turn them off for the last bit of
		 * throughput when no listener needs them.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

}
