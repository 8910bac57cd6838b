package io.github.smtpkit.spring;

import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.util.StringUtils;

/**
 * Lets an application that swapped {@code spring-boot-starter-mail} for smtpkit's starter keep its
 * {@code spring.mail.*} properties. When no {@code smtp.*} server is configured (no
 * {@code smtp.host}, no {@code smtp.unix-socket}, nothing under {@code smtp.servers}) and
 * {@code spring.mail.host} is set, the default server's {@code smtp.*} keys are derived from
 * {@code spring.mail.*} into a property source of their own, {@value #PROPERTY_SOURCE_NAME}, so
 * that smtpkit's conditions and bindings see ordinary {@code smtp.*} keys and need no change.
 *
 * <p>The mapping reads what Spring Boot's mail starter hands to Angus Mail: the
 * {@code spring.mail.*} keys, and the Session properties under {@code spring.mail.properties} as
 * Spring Boot completes them from {@code spring.mail.ssl.*}. Angus Mail reads
 * {@code mail.smtp.*} for protocol smtp and {@code mail.smtps.*} for smtps, and so does this
 * mapping; keys of the other protocol are reported as not mapped, since Angus Mail ignored them.
 *
 * <p>What was mapped is logged once at INFO (the password as {@code ******}), and each
 * {@code spring.mail.*} key without an smtpkit equivalent is named in a WARN line of its own.
 * When {@code smtp.*} configures a server as well, {@code smtp.*} wins: nothing is mapped and a
 * WARN names the ignored keys. A value that cannot be converted (a timeout that is not a number,
 * say) fails start-up with an {@link InvalidConfigurationPropertyValueException} naming the
 * {@code spring.mail} key and the value.
 *
 * <p>Registered in {@code META-INF/spring.factories} under
 * {@code org.springframework.boot.EnvironmentPostProcessor}.
 */
public final class SpringMailEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** The name of the property source that holds the {@code smtp.*} keys mapped from {@code spring.mail.*}. */
	public static final String PROPERTY_SOURCE_NAME = "smtpkit: mapped from spring.mail.*";

	private static final String SPRING_MAIL = "spring.mail.";

	private static final ConfigurationPropertyName SPRING_MAIL_NAME = ConfigurationPropertyName.of("spring.mail");

	private static final ConfigurationPropertyName SESSION_PROPERTIES = ConfigurationPropertyName
		.of("spring.mail.properties");

	private static final Bindable<Map<String, String>> SESSION_PROPERTIES_MAP = Bindable.mapOf(String.class,
			String.class);

	/** The keys of Spring Boot's MailProperties and of its connection test (all but the map of properties). */
	private static final List<ConfigurationPropertyName> BOOT_KEYS = Stream
		.of("host", "port", "username", "password", "protocol", "default-encoding", "test-connection", "jndi-name",
				"ssl.enabled", "ssl.bundle", "ssl.verify-hostname")
		.map((key) -> ConfigurationPropertyName.of(SPRING_MAIL + key))
		.toList();

	private static final String PASSWORD_KEY = SmtpServers.PREFIX + ".password";

	private final Log log;

	/**
	 * Creates the post-processor as Spring Boot does, with deferred logging: its lines come out
	 * once the logging system is initialised.
	 * @param logFactory where to get the log from
	 */
	public SpringMailEnvironmentPostProcessor(DeferredLogFactory logFactory) {
		this.log = logFactory.getLog(SpringMailEnvironmentPostProcessor.class);
	}

	/** Last, so that every {@code spring.mail.*} and {@code smtp.*} key is in the environment, application.yml's among them. */
	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		MutablePropertySources propertySources = environment.getPropertySources();
		if (propertySources.contains(PROPERTY_SOURCE_NAME)) {
			return; // this environment was post-processed (and logged about) before
		}
		Binder binder = Binder.get(environment);
		Map<String, String> sessionProperties = binder.bind(SESSION_PROPERTIES, SESSION_PROPERTIES_MAP)
			.orElseGet(Map::of);
		Set<ConfigurationPropertyName> names = springMailNames(environment);
		List<String> keys = Stream
			.concat(names.stream().map(SpringMailEnvironmentPostProcessor::displayName),
					sessionProperties.keySet().stream().map(SpringMailEnvironmentPostProcessor::sessionKey))
			.toList();
		if (keys.isEmpty()) {
			return;
		}
		if (SmtpServers.hasDefaultServer(environment) || !SmtpServers.namedServers(environment).isEmpty()) {
			this.log.warn("smtp.* configures smtpkit's SMTP servers, so these spring.mail.* keys are ignored "
					+ "(nothing is mapped from them): " + String.join(", ", keys));
			return;
		}
		if (!StringUtils.hasText(binder.bind(SPRING_MAIL + "host", String.class).orElse(null))) {
			this.log.warn("spring.mail.host is not set, so smtpkit maps none of these spring.mail.* keys and "
					+ "configures no SMTP server: " + String.join(", ", keys)
					+ "; set smtp.host (or spring.mail.host)");
			return;
		}
		Mapping mapping = new Mapping(binder, sessionProperties);
		mapping.map(names.stream().filter((name) -> !BOOT_KEYS.contains(name)).toList());
		Map<String, Object> values = new LinkedHashMap<>();
		mapping.mapped.forEach((key, mapped) -> values.put(key,
				OriginTrackedValue.of(mapped.value(), new MappedFrom(mapped.from()))));
		String overview = mapping.mapped.entrySet()
			.stream()
			.map((entry) -> describe(entry.getKey(), entry.getValue(), isSetElsewhere(environment, entry.getKey())))
			.collect(Collectors.joining("\n"));
		// The lowest precedence: an smtp.* key set anywhere else (application.yml, the command line,
		// the OS environment) beats one mapped here, so a user can move to smtp.* one key at a time.
		// Only SpringApplication's default properties rank lower: Spring Boot moves them last again
		// once the post-processors have run.
		propertySources.addLast(new OriginTrackedMapPropertySource(PROPERTY_SOURCE_NAME, values, true));
		this.log.info("No smtp.* server is configured, so smtpkit's default server takes its settings from "
				+ "spring.mail.* (property source '" + PROPERTY_SOURCE_NAME + "'; an smtp.* key set anywhere "
				+ "else wins):\n" + overview);
		mapping.unmapped.forEach((key, why) -> this.log.warn(key + " is not mapped to smtpkit's smtp.* "
				+ "properties and has no effect: " + why));
	}

	/** The {@code spring.mail.*} keys outside {@code spring.mail.properties}, in each source's relaxed form. */
	private static Set<ConfigurationPropertyName> springMailNames(ConfigurableEnvironment environment) {
		Set<ConfigurationPropertyName> names = new LinkedHashSet<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.stream()
					.filter((name) -> SPRING_MAIL_NAME.isAncestorOf(name) && !SESSION_PROPERTIES.equals(name)
							&& !SESSION_PROPERTIES.isAncestorOf(name))
					.forEach(names::add);
			}
		}
		return names;
	}

	/** Spring Boot's own spelling of one of its keys, whichever relaxed form the application used. */
	private static String displayName(ConfigurationPropertyName name) {
		int known = BOOT_KEYS.indexOf(name);
		return ((known >= 0) ? BOOT_KEYS.get(known) : name).toString();
	}

	private static String sessionKey(String sessionProperty) {
		return SPRING_MAIL + "properties." + sessionProperty;
	}

	private static boolean isSetElsewhere(ConfigurableEnvironment environment, String key) {
		ConfigurationPropertyName name = ConfigurationPropertyName.of(key);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source.getConfigurationProperty(name) != null
					|| source.containsDescendantOf(name) == ConfigurationPropertyState.PRESENT) {
				return true;
			}
		}
		return false;
	}

	private static String describe(String key, Mapped mapped, boolean setElsewhere) {
		String value = PASSWORD_KEY.equals(key) ? "******" : mapped.value();
		return "  " + String.join(", ", mapped.from()) + " -> " + key + "=" + value
				+ (setElsewhere ? " (" + key + " is set elsewhere and wins)" : "");
	}

	/** An {@code smtp.*} value and the {@code spring.mail.*} keys it was mapped from. */
	private record Mapped(String value, List<String> from) {
	}

	/** What Angus Mail's Session was given, and the {@code spring.mail.*} key that gave it. */
	private record SessionProperty(String value, String from) {
	}

	/** Where a mapped value came from, as failure analyses and the actuator's env endpoint show it. */
	private record MappedFrom(List<String> keys) implements Origin {

		@Override
		public String toString() {
			return "mapped by smtpkit from " + String.join(", ", this.keys);
		}

	}

	/** One run of the mapping: what maps to which {@code smtp.*} key, and what does not map. */
	private static final class Mapping {

		private static final String SSL_BUNDLE_HINT = "smtpkit's TLS settings come from an SSL bundle: set "
				+ "smtp.ssl.bundle to a spring.ssl.bundle.* bundle";

		private final Binder binder;

		private final Map<String, String> sessionProperties;

		/** The Session properties as Spring Boot's mail starter set them up, in order. */
		private final Map<String, SessionProperty> session = new LinkedHashMap<>();

		/** {@code smtp.*} key to value, in the order they were mapped. */
		final Map<String, Mapped> mapped = new LinkedHashMap<>();

		/** {@code spring.mail.*} key to why it has no smtpkit equivalent. */
		final Map<String, String> unmapped = new LinkedHashMap<>();

		/** Angus Mail's protocol, smtp or smtps; null when spring.mail.protocol is neither. */
		private @Nullable String protocol;

		Mapping(Binder binder, Map<String, String> sessionProperties) {
			this.binder = binder;
			this.sessionProperties = sessionProperties;
		}

		void map(List<ConfigurationPropertyName> unknownKeys) {
			put("host", bind("host", String.class), SPRING_MAIL + "host");
			Integer port = bind("port", Integer.class);
			if (port != null) {
				put("port", port.toString(), SPRING_MAIL + "port");
			}
			String protocol = bind("protocol", String.class);
			this.protocol = StringUtils.hasLength(protocol) ? protocol : "smtp";
			if (!this.protocol.equals("smtp") && !this.protocol.equals("smtps")) {
				this.protocol = null;
				unmapped(SPRING_MAIL + "protocol", "Angus Mail's protocol '" + protocol + "' has no smtpkit "
						+ "equivalent (smtp.protocol is smtp, smtps or lmtp); nor is any mail.<protocol>.* key mapped");
			}
			setUpSession();
			mapProtocol(StringUtils.hasLength(protocol));
			String username = bind("username", String.class);
			if (username != null) {
				put("username", username, SPRING_MAIL + "username");
			}
			String password = bind("password", String.class);
			if (password != null) {
				put("password", password, SPRING_MAIL + "password");
			}
			Charset defaultEncoding = bind("default-encoding", Charset.class);
			if (defaultEncoding != null) {
				put("default-encoding", defaultEncoding.name(), SPRING_MAIL + "default-encoding");
			}
			Boolean testConnection = bind("test-connection", Boolean.class);
			if (testConnection != null) {
				put("test-connection", testConnection.toString(), SPRING_MAIL + "test-connection");
			}
			String bundle = bind("ssl.bundle", String.class);
			if (bundle != null) {
				put("ssl.bundle", bundle, SPRING_MAIL + "ssl.bundle");
			}
			if (Boolean.FALSE.equals(bind("ssl.verify-hostname", Boolean.class))) {
				unmapped(SPRING_MAIL + "ssl.verify-hostname", "with Angus Mail it only kept Spring Boot from setting "
						+ "mail.<protocol>.ssl.checkserveridentity=true, which is Angus Mail's default anyway; smtpkit "
						+ "verifies host names unless smtp.ssl.verify-hostname=false");
			}
			if (bind("jndi-name", String.class) != null) {
				unmapped(SPRING_MAIL + "jndi-name", "smtpkit does not look up a mail Session in JNDI; it uses the "
						+ "other spring.mail.* keys, which Spring Boot's mail starter ignored when this one was set");
			}
			for (ConfigurationPropertyName name : unknownKeys) {
				unmapped(name.toString(), "not a property of Spring Boot's mail starter either");
			}
			this.session.forEach(this::mapSessionProperty);
			mapStarttls();
			mapTimeouts();
		}

		/**
		 * The Session properties as Spring Boot's {@code MailSenderPropertiesConfiguration} makes
		 * them: {@code spring.mail.properties}, then, with {@code spring.mail.ssl.enabled} or an SSL
		 * bundle, {@code ssl.checkserveridentity} (unless {@code spring.mail.ssl.verify-hostname}
		 * is false) and, when enabled, {@code ssl.enable} on top.
		 */
		private void setUpSession() {
			this.sessionProperties.forEach((key, value) -> this.session.put(key,
					new SessionProperty(value, sessionKey(key))));
			boolean sslEnabled = Boolean.TRUE.equals(bind("ssl.enabled", Boolean.class));
			if (this.protocol == null) {
				if (sslEnabled) {
					unmapped(SPRING_MAIL + "ssl.enabled", "spring.mail.protocol is neither smtp nor smtps");
				}
				return;
			}
			if (sslEnabled || bind("ssl.bundle", String.class) != null) {
				if (!Boolean.FALSE.equals(bind("ssl.verify-hostname", Boolean.class))) {
					this.session.put(prefix() + "ssl.checkserveridentity",
							new SessionProperty("true", SPRING_MAIL + "ssl.verify-hostname"));
				}
				if (sslEnabled) {
					this.session.put(prefix() + "ssl.enable", new SessionProperty("true", SPRING_MAIL + "ssl.enabled"));
				}
			}
		}

		/** smtps for protocol smtps, and for smtp with {@code ssl.enable}: TLS from the first byte either way. */
		private void mapProtocol(boolean protocolSet) {
			if (this.protocol == null) {
				return;
			}
			List<String> from = new ArrayList<>();
			if (protocolSet) {
				from.add(SPRING_MAIL + "protocol");
			}
			SessionProperty sslEnable = this.session.get(prefix() + "ssl.enable");
			boolean implicitTls = this.protocol.equals("smtps");
			if (sslEnable != null && bool(sslEnable) && !implicitTls) {
				implicitTls = true;
				from.add(sslEnable.from());
			}
			if (!from.isEmpty()) {
				put("protocol", implicitTls ? "smtps" : "smtp", from.toArray(String[]::new));
			}
		}

		private void mapSessionProperty(String key, SessionProperty property) {
			if (key.equals("mail.debug")) {
				if (bool(property)) {
					put("debug-level", "1", property.from());
				}
			}
			else if (this.protocol != null && key.startsWith(prefix())) {
				mapProtocolProperty(key.substring(prefix().length()), property);
			}
			else if (key.startsWith("mail.smtp.") || key.startsWith("mail.smtps.")) {
				unmapped(property.from(), (this.protocol != null)
						? "Angus Mail reads only " + prefix() + "* for protocol " + this.protocol
						: "spring.mail.protocol is neither smtp nor smtps");
			}
			else {
				unmapped(property.from(), "smtpkit has no equivalent");
			}
		}

		private void mapProtocolProperty(String name, SessionProperty property) {
			String from = property.from();
			switch (name) {
				case "ssl.enable", "starttls.enable", "starttls.required", "timeout", "writetimeout" -> {
					// mapped with the keys that go with them, in mapProtocol, mapStarttls and mapTimeouts
				}
				case "connectiontimeout" -> mapTimeout("connect-timeout", property);
				case "from" -> put("envelope-from", property.value().strip(), from);
				case "auth.mechanisms" -> {
					String mechanisms = String.join(",", property.value().strip().split("[\\s,]+"));
					if (!mechanisms.isEmpty()) {
						put("auth.mechanisms", mechanisms, from);
					}
				}
				case "localhost" -> put("local-hostname", property.value().strip(), from);
				case "sendpartial" -> put("partial-delivery", String.valueOf(bool(property)), from);
				case "auth" -> bool(property); // smtpkit logs in whenever a username is set, as Angus Mail does given a user and a password
				case "ssl.checkserveridentity" -> {
					if (!bool(property)) {
						put("ssl.verify-hostname", "false", from);
					}
				}
				case "port" -> {
					int port = integer(property, "a port number");
					if (this.mapped.containsKey(SmtpServers.PREFIX + ".port")) {
						unmapped(from, "spring.mail.port wins, as it did with Spring Boot's mail starter");
					}
					else {
						put("port", String.valueOf(port), from);
					}
				}
				case "host" -> unmapped(from, "spring.mail.host wins, as it did with Spring Boot's mail starter");
				case "ssl.trust" -> unmapped(from, "smtpkit trusts the JDK's certificate authorities, or those of "
						+ "smtp.ssl.bundle: set it to a spring.ssl.bundle.* bundle that trusts the server's certificate");
				default -> unmapped(from, (name.startsWith("ssl.") || name.startsWith("socketFactory"))
						? SSL_BUNDLE_HINT : "smtpkit has no equivalent");
			}
		}

		/**
		 * {@code starttls.required} wins over {@code starttls.enable}; with neither, smtp.starttls
		 * stays unset and smtpkit's default, opportunistic STARTTLS, applies (Angus Mail's is none).
		 */
		private void mapStarttls() {
			if (this.protocol == null) {
				return;
			}
			SessionProperty required = this.session.get(prefix() + "starttls.required");
			SessionProperty enable = this.session.get(prefix() + "starttls.enable");
			boolean isRequired = required != null && bool(required);
			boolean isEnabled = enable != null && bool(enable);
			if (isRequired) {
				put("starttls", "required", required.from());
			}
			else if (isEnabled) {
				put("starttls", "opportunistic", enable.from());
			}
		}

		/** smtpkit has one timeout for reads and writes: {@code timeout}, else {@code writetimeout}. */
		private void mapTimeouts() {
			if (this.protocol == null) {
				return;
			}
			SessionProperty timeout = this.session.get(prefix() + "timeout");
			SessionProperty writeTimeout = this.session.get(prefix() + "writetimeout");
			if (timeout != null) {
				mapTimeout("timeout", timeout);
			}
			if (writeTimeout != null) {
				if (timeout == null) {
					mapTimeout("timeout", writeTimeout);
				}
				else if (millis(writeTimeout) != millis(timeout)) {
					unmapped(writeTimeout.from(), "smtpkit has one timeout for reads and writes, smtp.timeout, "
							+ "which " + timeout.from() + " sets");
				}
			}
		}

		private void mapTimeout(String key, SessionProperty property) {
			int millis = millis(property);
			if (millis > 0) {
				put(key, millis + "ms", property.from());
			}
			else {
				unmapped(property.from(), "0 or less means no limit to Angus Mail, but smtpkit bounds every "
						+ "wait: smtp." + key + " keeps its default");
			}
		}

		private String prefix() {
			return "mail." + this.protocol + ".";
		}

		private void put(String key, String value, String... from) {
			this.mapped.put(SmtpServers.PREFIX + "." + key, new Mapped(value, List.of(from)));
		}

		private void unmapped(String key, String why) {
			this.unmapped.put(key, why);
		}

		/** A {@code spring.mail.*} key, converted as Spring Boot's mail starter converts it. */
		private <T> @Nullable T bind(String key, Class<T> type) {
			String name = SPRING_MAIL + key;
			try {
				return this.binder.bind(name, type).orElse(null);
			}
			catch (BindException ex) {
				Object value = (ex.getProperty() != null) ? ex.getProperty().getValue() : null;
				InvalidConfigurationPropertyValueException invalid = new InvalidConfigurationPropertyValueException(
						name, value, "Not a valid " + type.getSimpleName());
				invalid.addSuppressed(ex); // its constructor with a cause is not public
				throw invalid;
			}
		}

		/** Strictly true or false: Angus Mail takes anything else for false, where Spring takes "yes" for true. */
		private static boolean bool(SessionProperty property) {
			String value = property.value().strip();
			if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
				return Boolean.parseBoolean(value);
			}
			throw new InvalidConfigurationPropertyValueException(property.from(), property.value(),
					"Expected true or false");
		}

		private static int millis(SessionProperty property) {
			return integer(property, "a whole number of milliseconds");
		}

		private static int integer(SessionProperty property, String what) {
			try {
				return Integer.parseInt(property.value().strip());
			}
			catch (NumberFormatException ex) {
				throw new InvalidConfigurationPropertyValueException(property.from(), property.value(),
						"Expected " + what + ", as Angus Mail reads it");
			}
		}

	}

}
