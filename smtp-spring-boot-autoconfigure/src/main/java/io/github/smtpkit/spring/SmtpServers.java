package io.github.smtpkit.spring;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.github.smtpkit.SmtpClient;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.SimpleAutowireCandidateResolver;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Which servers {@code smtp.*} configures, what their beans are called, and where their
 * properties live. The one place that knows the naming scheme: {@code smtpClient} and
 * {@code smtpMailSender} for the default server, {@code <name>SmtpClient} and
 * {@code <name>SmtpMailSender} for {@code smtp.servers.<name>}.
 */
final class SmtpServers {

	/** The name of the server configured directly under {@code smtp.*}, as tags and events show it. */
	static final String DEFAULT_SERVER = "default";

	static final String PREFIX = "smtp";

	private static final String SERVERS_PREFIX = PREFIX + ".servers";

	/** Names the named server whose beans are primary when there is no default server. */
	static final String PRIMARY_PROPERTY = PREFIX + ".primary";

	private static final String CLIENT_SUFFIX = "SmtpClient";

	private static final String MAIL_SENDER_SUFFIX = "SmtpMailSender";

	private static final Bindable<Map<String, SmtpServerProperties>> SERVERS = Bindable.mapOf(String.class,
			SmtpServerProperties.class);

	private SmtpServers() {
	}

	/** Whether {@code smtp.host}, {@code smtp.hosts} or {@code smtp.unix-socket} configures the default server. */
	static boolean hasDefaultServer(Environment environment) {
		Binder binder = Binder.get(environment);
		return hasText(binder, PREFIX + ".host") || hasHosts(binder, PREFIX) || hasText(binder, PREFIX + ".unix-socket");
	}

	/** The names under {@code smtp.servers}, in configuration order. */
	static Set<String> namedServers(Environment environment) {
		return Binder.get(environment).bind(SERVERS_PREFIX, SERVERS).map(Map::keySet).orElse(Set.of());
	}

	/**
	 * The server whose client and mail sender are primary: the default server when there is one,
	 * else the named server {@code smtp.primary} names, else none. Not the first named server:
	 * the order of {@code smtp.servers} is not the file's when keys come from several places (an
	 * environment variable such as {@code SMTP_SERVERS_BULK_PASSWORD} puts its server first), and
	 * mail must not change servers because a password moved.
	 * @return the server's name, or {@code null} when no server is primary
	 * @throws InvalidConfigurationPropertyValueException if {@code smtp.primary} names no server
	 * under {@code smtp.servers}, or is set beside a default server and names another
	 */
	static @Nullable String primaryServer(Environment environment) {
		String primary = Binder.get(environment)
			.bind(PRIMARY_PROPERTY, String.class)
			.map(String::strip)
			.orElse("");
		primary = primary.isEmpty() ? null : primary;
		if (hasDefaultServer(environment)) {
			if (primary != null && !DEFAULT_SERVER.equals(primary)) {
				throw new InvalidConfigurationPropertyValueException(PRIMARY_PROPERTY, primary,
						"The default server (" + PREFIX + ".host, " + PREFIX + ".hosts or " + PREFIX
								+ ".unix-socket) is the primary one; " + PRIMARY_PROPERTY + " chooses among the servers under " + SERVERS_PREFIX
								+ " only when there is no default server");
			}
			return DEFAULT_SERVER;
		}
		if (primary != null && !namedServers(environment).contains(primary)) {
			throw new InvalidConfigurationPropertyValueException(PRIMARY_PROPERTY, primary,
					"No server under " + SERVERS_PREFIX + " is named '" + primary + "'; the servers are "
							+ namedServers(environment));
		}
		return primary;
	}

	/**
	 * Each named server's effective settings: the keys under {@code smtp.*}, overridden by those
	 * under {@code smtp.servers.<name>.*}. Binding one object twice, first from {@code smtp} and
	 * then from the server's own prefix, gives exactly that inheritance, nested keys included.
	 * @throws InvalidConfigurationPropertyValueException if a server is named {@value #DEFAULT_SERVER}
	 */
	static Map<String, SmtpServerProperties> namedServerProperties(Environment environment) {
		Binder binder = Binder.get(environment);
		Map<String, SmtpServerProperties> servers = new LinkedHashMap<>();
		for (String name : namedServers(environment)) {
			servers.put(name, namedServerProperties(binder, name));
		}
		return servers;
	}

	/**
	 * One named server's effective settings, bound when its beans are made: with AOT processing,
	 * which servers there are is settled at build time, and their settings are read at run time.
	 * @throws InvalidConfigurationPropertyValueException if the server is named {@value #DEFAULT_SERVER}
	 * @see #namedServerProperties(Environment)
	 */
	static SmtpServerProperties namedServerProperties(Environment environment, String name) {
		return namedServerProperties(Binder.get(environment), name);
	}

	private static SmtpServerProperties namedServerProperties(Binder binder, String name) {
		if (DEFAULT_SERVER.equals(name)) {
			throw new InvalidConfigurationPropertyValueException(SERVERS_PREFIX + "." + name, name,
					"The name '" + DEFAULT_SERVER + "' stands for the server configured directly under '" + PREFIX
							+ "'; choose another name");
		}
		SmtpServerProperties properties = new SmtpServerProperties();
		binder.bind(PREFIX, Bindable.ofInstance(properties));
		binder.bind(propertyPrefix(name), Bindable.ofInstance(properties));
		inheritAddressWhole(binder, propertyPrefix(name), properties);
		return properties;
	}

	/**
	 * Where a server is, is one setting made of three keys: a named server that gives its own host
	 * does not inherit {@code smtp.hosts} or {@code smtp.unix-socket}, one that gives its own hosts
	 * does not inherit {@code smtp.host} or {@code smtp.unix-socket}, and one that gives its own
	 * socket does not inherit {@code smtp.host}, {@code smtp.hosts} and {@code smtp.port}.
	 */
	private static void inheritAddressWhole(Binder binder, String prefix, SmtpServerProperties properties) {
		boolean ownHost = binder.bind(prefix + ".host", String.class).isBound();
		boolean ownHosts = binder.bind(prefix + ".hosts", Bindable.listOf(String.class)).isBound();
		boolean ownSocket = binder.bind(prefix + ".unix-socket", String.class).isBound();
		if ((ownHost || ownHosts) && !ownSocket) {
			properties.setUnixSocket(null);
		}
		if (ownHost && !ownHosts) {
			properties.setHosts(new ArrayList<>());
		}
		if (ownHosts && !ownHost) {
			properties.setHost(null);
		}
		if (ownSocket && !ownHost && !ownHosts) {
			properties.setHost(null);
			properties.setHosts(new ArrayList<>());
			properties.setPort(null);
		}
	}

	/** {@code smtp} for the default server, {@code smtp.servers.<name>} for a named one. */
	static String propertyPrefix(String server) {
		return DEFAULT_SERVER.equals(server) ? PREFIX : SERVERS_PREFIX + "." + server;
	}

	static String clientBeanName(String server) {
		return DEFAULT_SERVER.equals(server) ? "smtpClient" : server + CLIENT_SUFFIX;
	}

	static String mailSenderBeanName(String server) {
		return DEFAULT_SERVER.equals(server) ? "smtpMailSender" : server + MAIL_SENDER_SUFFIX;
	}

	/**
	 * The server a client bean stands for: {@value #DEFAULT_SERVER} for {@code smtpClient},
	 * {@code bulk} for {@code bulkSmtpClient}, and the bean name for a client the application made.
	 */
	static String serverNameOf(String clientBeanName) {
		if (clientBeanName.equals(clientBeanName(DEFAULT_SERVER))) {
			return DEFAULT_SERVER;
		}
		if (clientBeanName.endsWith(CLIENT_SUFFIX) && clientBeanName.length() > CLIENT_SUFFIX.length()) {
			return clientBeanName.substring(0, clientBeanName.length() - CLIENT_SUFFIX.length());
		}
		return clientBeanName;
	}

	/** Every SmtpClient bean that may be injected, by the name of the server it stands for. */
	static Map<String, SmtpClient> clientsByServer(ConfigurableListableBeanFactory beanFactory) {
		Map<String, SmtpClient> clients = new LinkedHashMap<>();
		SimpleAutowireCandidateResolver.resolveAutowireCandidates(beanFactory, SmtpClient.class)
			.forEach((beanName, client) -> clients.put(serverNameOf(beanName), client));
		return clients;
	}

	private static boolean hasHosts(Binder binder, String prefix) {
		return binder.bind(prefix + ".hosts", Bindable.listOf(String.class))
			.map((hosts) -> hosts.stream().anyMatch(StringUtils::hasText))
			.orElse(false);
	}

	private static boolean hasText(Binder binder, String name) {
		return binder.bind(name, String.class).map(StringUtils::hasText).orElse(false);
	}

}
