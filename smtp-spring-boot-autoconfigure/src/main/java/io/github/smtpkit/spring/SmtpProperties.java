package io.github.smtpkit.spring;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

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
 * server's are {@code <name>SmtpClient} and {@code <name>SmtpMailSender}. The primary ones,
 * injected where no qualifier says which, are the default server's, or without a default server
 * those of the named server {@code smtp.primary} names.
 */
@ConfigurationProperties("smtp")
public class SmtpProperties extends SmtpServerProperties {

	/**
	 * Further servers by name, each with its own pool and mail sender. A key that a server does
	 * not set takes the value of the same key directly under smtp.
	 */
	private Map<String, SmtpServerProperties> servers = new LinkedHashMap<>();

	/**
	 * The server under smtp.servers whose client and mail sender are primary, injected where no
	 * qualifier says which, when no default server is configured (no smtp.host or
	 * smtp.unix-socket). Not needed with a default server, whose beans are primary, nor with a
	 * single named server.
	 */
	private @Nullable String primary;

	/** Spring application events for what the clients do. */
	private final Events events = new Events();

	private final JakartaMail jakartaMail = new JakartaMail();

	public Map<String, SmtpServerProperties> getServers() {
		return this.servers;
	}

	public void setServers(Map<String, SmtpServerProperties> servers) {
		this.servers = servers;
	}

	public @Nullable String getPrimary() {
		return this.primary;
	}

	public void setPrimary(@Nullable String primary) {
		this.primary = primary;
	}

	public Events getEvents() {
		return this.events;
	}

	public JakartaMail getJakartaMail() {
		return this.jakartaMail;
	}

	/** Jakarta Mail, as the application uses it to build messages. */
	public static class JakartaMail {

		/**
		 * Whether to name Jakarta Mail's stream provider in the system property
		 * jakarta.mail.util.StreamProvider at start-up, when it is unset and the system class loader
		 * sees the same provider, so that building a MimeMultipart or MimeBodyPart (as Spring's
		 * MimeMessageHelper does) no longer scans the class path for it: most of the CPU of a
		 * multipart message. Nothing is set when the application runs from a Spring Boot fat jar.
		 */
		private boolean pinStreamProvider = true;

		public boolean isPinStreamProvider() {
			return this.pinStreamProvider;
		}

		public void setPinStreamProvider(boolean pinStreamProvider) {
			this.pinStreamProvider = pinStreamProvider;
		}

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
