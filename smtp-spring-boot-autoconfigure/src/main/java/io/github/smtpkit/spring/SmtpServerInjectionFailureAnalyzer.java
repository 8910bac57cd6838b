package io.github.smtpkit.spring;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.analyzer.AbstractInjectionFailureAnalyzer;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;

/**
 * Explains, in Spring Boot's failure analysis at start-up, a mail sender or SMTP client that
 * cannot be injected because of smtpkit's configuration:
 * <ul>
 * <li>none at all, because no server is configured (no {@code smtp.host}, {@code smtp.unix-socket}
 * or {@code smtp.servers.<name>}): names the missing {@code smtp.host} and lists the
 * {@code smtp.*} keys that are set, with where each comes from (never its value), marking those
 * smtpkit does not know, such as a misspelt {@code smtp.hostname};</li>
 * <li>several, from named servers of which none is primary: names {@code smtp.primary}.</li>
 * </ul>
 * Any other missing or ambiguous bean is left to Spring Boot's analyzers, which this one comes
 * before: they would explain the same exceptions in general terms. Registered in
 * {@code META-INF/spring.factories}.
 */
class SmtpServerInjectionFailureAnalyzer extends AbstractInjectionFailureAnalyzer<NoSuchBeanDefinitionException>
		implements Ordered {

	/** The types whose beans come from smtpkit's servers, by name: Spring's mail types are optional. */
	private static final Set<String> SMTP_BEAN_TYPES = Set.of("io.github.smtpkit.SmtpClient",
			"io.github.smtpkit.spring.SmtpMailSender", "org.springframework.mail.MailSender",
			"org.springframework.mail.javamail.JavaMailSender");

	private static final ConfigurationPropertyName SMTP = ConfigurationPropertyName.of(SmtpServers.PREFIX);

	private static final ConfigurationPropertyName SPRING_MAIL = ConfigurationPropertyName.of("spring.mail");

	private final Environment environment;

	SmtpServerInjectionFailureAnalyzer(Environment environment) {
		this.environment = environment;
	}

	@Override
	public int getOrder() {
		return 0;
	}

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, NoSuchBeanDefinitionException cause,
			@Nullable String description) {
		Class<?> type = requiredType(cause);
		if (type == null || !SMTP_BEAN_TYPES.contains(type.getName())
				|| SmtpServers.hasDefaultServer(this.environment)) {
			return null;
		}
		Set<String> namedServers = SmtpServers.namedServers(this.environment);
		if (cause instanceof NoUniqueBeanDefinitionException notUnique) {
			return (namedServers.size() > 1 && !isSet(SmtpServers.PRIMARY_PROPERTY))
					? noPrimary(notUnique, type, description, namedServers) : null;
		}
		return namedServers.isEmpty() ? noServer(cause, type, description) : null;
	}

	private FailureAnalysis noServer(NoSuchBeanDefinitionException cause, Class<?> type, @Nullable String injection) {
		Map<String, String> smtpKeys = keysUnder(SMTP);
		Set<String> unknown = unknownKeys(smtpKeys.keySet());
		Map<String, String> notes = new TreeMap<>();
		unknown.forEach((key) -> notes.put(key, "not an smtpkit property"));
		// There is no default server, so a host or socket key that is there has no text.
		Stream.of(SmtpServers.PREFIX + ".host", SmtpServers.PREFIX + ".unix-socket")
			.filter(smtpKeys::containsKey)
			.forEach((key) -> notes.put(key, "empty"));
		Map<String, String> springMailKeys = keysUnder(SPRING_MAIL);
		StringBuilder description = new StringBuilder();
		description.append(required(type, injection))
			.append(", but no SMTP server is configured, so smtpkit made none.\n\n")
			.append("A server is configured by smtp.host (or smtp.hosts for failover, or smtp.unix-socket for LMTP over a ")
			.append("unix-domain socket), or by smtp.servers.<name>.host for a named one; none of them is set to a value.");
		if (smtpKeys.isEmpty()) {
			description.append(" No smtp.* key is set.");
		}
		else {
			description.append(" The smtp.* keys that are set:\n").append(list(smtpKeys, notes));
		}
		if (!springMailKeys.isEmpty()) {
			description.append("\nThese spring.mail.* keys are set, but not spring.mail.host, so none was mapped onto ")
				.append("smtp.*:\n")
				.append(list(springMailKeys, Map.of()));
		}
		StringBuilder action = new StringBuilder();
		action.append("Set smtp.host to your mail server's name or address (smtp.port defaults to 25 for smtp, ")
			.append("465 for smtps and 2003 for lmtp), for example in application.yml:\n\n")
			.append("\tsmtp:\n\t  host: mail.example.com\n\n")
			.append("For LMTP over a unix-domain socket set smtp.unix-socket and smtp.protocol=lmtp instead; ")
			.append("for named servers, smtp.servers.<name>.host.");
		if (!unknown.isEmpty()) {
			action.append(" Check the spelling of ")
				.append(String.join(", ", unknown))
				.append(": smtpkit has no such ")
				.append((unknown.size() == 1) ? "property" : "properties")
				.append(" (your IDE completes smtpkit's keys from its configuration metadata).");
		}
		if (!springMailKeys.isEmpty()) {
			action.append(" Coming from spring-boot-starter-mail, spring.mail.host is mapped onto smtp.host "
					+ "(with the other spring.mail.* keys) when no smtp.* server is configured.");
		}
		return new FailureAnalysis(description.toString(), action.toString(), cause);
	}

	private FailureAnalysis noPrimary(NoUniqueBeanDefinitionException cause, Class<?> type, @Nullable String injection,
			Set<String> namedServers) {
		String first = namedServers.iterator().next();
		String qualifier = type.getName().equals("io.github.smtpkit.SmtpClient") ? SmtpServers.clientBeanName(first)
				: SmtpServers.mailSenderBeanName(first);
		Collection<String> found = (cause.getBeanNamesFound() != null) ? cause.getBeanNamesFound() : Set.of();
		String description = required(type, injection) + ", but " + cause.getNumberOfBeansFound() + " were found"
				+ (found.isEmpty() ? "" : " (" + String.join(", ", found) + ")") + ": each server under smtp.servers ("
				+ String.join(", ", namedServers) + ") has its own, and none is primary: there is no default server "
				+ "(smtp.host) and " + SmtpServers.PRIMARY_PROPERTY + " is not set.";
		String action = "Set " + SmtpServers.PRIMARY_PROPERTY + " to the server whose beans are injected where no "
				+ "qualifier says which, for example " + SmtpServers.PRIMARY_PROPERTY + "=" + first
				+ "; or inject one server's bean by name, such as @Qualifier(\"" + qualifier
				+ "\"); or configure a default server with smtp.host, whose beans are primary.";
		return new FailureAnalysis(description, action, cause);
	}

	/** What Spring Boot's analyses say first: which injection point needed which type. */
	private static String required(Class<?> type, @Nullable String injection) {
		return (injection != null) ? injection + " required a bean of type '" + type.getName() + "'"
				: "A bean of type '" + type.getName() + "' was required";
	}

	private static @Nullable Class<?> requiredType(NoSuchBeanDefinitionException cause) {
		ResolvableType type = cause.getResolvableType();
		return (type != null) ? type.resolve() : cause.getBeanType();
	}

	private boolean isSet(String property) {
		return Binder.get(this.environment).bind(property, String.class).isBound();
	}

	/**
	 * The keys set under a prefix, in order, each with where its effective value comes from: the
	 * first property source that has it, as the environment reads it.
	 */
	private Map<String, @Nullable String> keysUnder(ConfigurationPropertyName prefix) {
		Map<String, @Nullable String> keys = new TreeMap<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.filter(prefix::isAncestorOf)
					.stream()
					.forEach((name) -> keys.putIfAbsent(name.toString(), origin(source.getConfigurationProperty(name))));
			}
		}
		return keys;
	}

	/**
	 * The keys among those set that smtpkit's properties do not have: what binding them with
	 * Spring Boot's check for unbound keys reports. A value that does not bind (a port that is not a
	 * number) ends the check; start-up would have failed on it anyway.
	 */
	private Set<String> unknownKeys(Set<String> smtpKeys) {
		try {
			Binder.get(this.environment)
				.bind(SMTP, Bindable.of(SmtpProperties.class), new NoUnboundElementsBindHandler(BindHandler.DEFAULT));
			return Set.of();
		}
		catch (BindException ex) {
			if (!(ex.getCause() instanceof UnboundConfigurationPropertiesException unbound)) {
				return Set.of();
			}
			return unbound.getUnboundProperties()
				.stream()
				.map((property) -> property.getName().toString())
				.filter(smtpKeys::contains)
				.collect(Collectors.toCollection(TreeSet::new));
		}
	}

	private static @Nullable String origin(@Nullable ConfigurationProperty property) {
		Origin origin = (property != null) ? property.getOrigin() : null;
		return (origin != null) ? origin.toString() : null;
	}

	/** The keys, each with its note (in parentheses) and origin. */
	private static String list(Map<String, @Nullable String> keys, Map<String, String> notes) {
		return keys.entrySet()
			.stream()
			.map((key) -> "\t- " + key.getKey()
					+ (notes.containsKey(key.getKey()) ? " (" + notes.get(key.getKey()) + ")" : "")
					+ ((key.getValue() != null) ? ", originating from " + key.getValue() : ""))
			.collect(Collectors.joining("\n"));
	}

}
