package io.github.smtpkit.spring;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.spring.SmtpServerProperties.Starttls;
import org.apache.commons.logging.Log;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.core.Ordered;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The mapping of {@code spring.mail.*} onto {@code smtp.*}: what the environment holds after the
 * post-processor ran, and what it logged.
 */
class SpringMailEnvironmentPostProcessorTests {

	private static final String PASSWORD = "s3cret-Pa55word";

	private final RecordingLogFactory logs = new RecordingLogFactory();

	@Test
	void mapsSpringMailOntoTheDefaultServer() {
		StandardEnvironment environment = postProcess("spring.mail.host=mail.example.test", "spring.mail.port=587",
				"spring.mail.username=app", "spring.mail.password=" + PASSWORD, "spring.mail.protocol=smtp",
				"spring.mail.default-encoding=ISO-8859-1", "spring.mail.test-connection=true",
				"spring.mail.ssl.bundle=mail");
		assertThat(environment.getPropertySources().stream().map(PropertySource::getName))
			.as("the lowest precedence").endsWith(SpringMailEnvironmentPostProcessor.PROPERTY_SOURCE_NAME);
		assertThat(smtp(environment)).containsOnly(entry("host", "mail.example.test"), entry("port", "587"),
				entry("protocol", "smtp"), entry("username", "app"), entry("password", PASSWORD),
				entry("default-encoding", "ISO-8859-1"), entry("test-connection", "true"), entry("ssl.bundle", "mail"));
		assertThat(this.logs.lines).singleElement().satisfies((line) -> assertThat(line)
			.startsWith("INFO No smtp.* server is configured, so smtpkit's default server takes its settings from "
					+ "spring.mail.*")
			.contains("  spring.mail.host -> smtp.host=mail.example.test\n")
			.contains("  spring.mail.port -> smtp.port=587\n")
			.contains("  spring.mail.protocol -> smtp.protocol=smtp\n")
			.contains("  spring.mail.username -> smtp.username=app\n")
			.contains("  spring.mail.password -> smtp.password=******\n")
			.contains("  spring.mail.default-encoding -> smtp.default-encoding=ISO-8859-1\n")
			.contains("  spring.mail.test-connection -> smtp.test-connection=true\n")
			.contains("  spring.mail.ssl.bundle -> smtp.ssl.bundle=mail"));
	}

	@Test
	void theMappedKeysAreOrdinarySmtpKeysToSmtpkitsConditionsAndBindings() {
		StandardEnvironment environment = postProcess("spring.mail.host=mail.example.test", "spring.mail.port=2525",
				"spring.mail.username=app", "spring.mail.password=" + PASSWORD, "spring.mail.ssl.enabled=true",
				"spring.mail.properties.mail.smtps.connectiontimeout=5000",
				"spring.mail.properties.mail.smtps.timeout=30000",
				"spring.mail.properties.mail.smtps.auth.mechanisms=PLAIN LOGIN",
				"spring.mail.properties.mail.smtps.localhost=client.example.test",
				"spring.mail.properties.mail.smtps.ssl.checkserveridentity=false", "spring.mail.protocol=smtps",
				"spring.mail.ssl.verify-hostname=true", "spring.mail.properties.mail.debug=true");
		assertThat(SmtpServers.hasDefaultServer(environment)).isTrue();
		SmtpProperties properties = Binder.get(environment).bindOrCreate("smtp", SmtpProperties.class);
		assertThat(properties.getHost()).isEqualTo("mail.example.test");
		assertThat(properties.getPort()).isEqualTo(2525);
		assertThat(properties.getProtocol()).isEqualTo(SmtpProtocol.SMTPS);
		assertThat(properties.getUsername()).isEqualTo("app");
		assertThat(properties.getPassword()).isEqualTo(PASSWORD);
		assertThat(properties.getConnectTimeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(properties.getTimeout()).isEqualTo(Duration.ofSeconds(30));
		assertThat(properties.getAuth().getMechanisms()).containsExactly("PLAIN", "LOGIN");
		assertThat(properties.getLocalHostname()).isEqualTo("client.example.test");
		assertThat(properties.getDebugLevel()).isEqualTo(1);
		assertThat(properties.getSsl().isVerifyHostname())
			.as("spring.mail.ssl.enabled made Boot set checkserveridentity=true over the map's false")
			.isTrue();
		assertThat(this.logs.warnings()).isEmpty();
	}

	@Test
	void aMappedValueTellsWhereItCameFrom() {
		StandardEnvironment environment = postProcess("spring.mail.host=mail.example.test",
				"spring.mail.properties.mail.smtp.ssl.enable=true");
		@SuppressWarnings("unchecked")
		OriginLookup<String> mapped = (OriginLookup<String>) environment.getPropertySources()
			.get(SpringMailEnvironmentPostProcessor.PROPERTY_SOURCE_NAME);
		Origin origin = mapped.getOrigin("smtp.protocol");
		assertThat(origin).hasToString("mapped by smtpkit from spring.mail.properties.mail.smtp.ssl.enable");
	}

	@Test
	void smtpConfiguringTheDefaultServerWinsWithAWarningNamingTheIgnoredKeys() {
		StandardEnvironment environment = postProcess("smtp.host=mail.example.test", "spring.mail.host=legacy.test",
				"spring.mail.port=2525", "spring.mail.password=" + PASSWORD,
				"spring.mail.properties.mail.smtp.starttls.required=true");
		assertThat(environment.getPropertySources().contains(SpringMailEnvironmentPostProcessor.PROPERTY_SOURCE_NAME))
			.isFalse();
		assertThat(environment.getProperty("smtp.port")).isNull();
		assertThat(environment.getProperty("smtp.starttls")).isNull();
		assertThat(this.logs.lines).containsExactly("WARN smtp.* configures smtpkit's SMTP servers, so these "
				+ "spring.mail.* keys are ignored (nothing is mapped from them): spring.mail.host, spring.mail.port, "
				+ "spring.mail.password, spring.mail.properties.mail.smtp.starttls.required");
	}

	@Test
	void smtpConfiguringANamedServerOrASocketWinsToo() {
		postProcess("smtp.servers.bulk.host=bulk.example.test", "spring.mail.host=legacy.test");
		postProcess("smtp.unix-socket=/run/lmtp.sock", "spring.mail.host=legacy.test");
		assertThat(this.logs.lines).hasSize(2)
			.allSatisfy((line) -> assertThat(line).startsWith("WARN smtp.* configures smtpkit's SMTP servers")
				.endsWith(": spring.mail.host"));
	}

	@Test
	void springMailWithoutAHostMapsNothingAndSaysSo() {
		StandardEnvironment environment = postProcess("spring.mail.port=2525", "spring.mail.jndi-name=mail/Session");
		assertThat(environment.getProperty("smtp.port")).isNull();
		assertThat(this.logs.lines).containsExactly("WARN spring.mail.host is not set, so smtpkit maps none of "
				+ "these spring.mail.* keys and configures no SMTP server: spring.mail.port, spring.mail.jndi-name; "
				+ "set smtp.host (or spring.mail.host)");
	}

	@Test
	void withoutSpringMailNothingHappens() {
		StandardEnvironment environment = postProcess("smtp.port=2525");
		assertThat(environment.getPropertySources().contains(SpringMailEnvironmentPostProcessor.PROPERTY_SOURCE_NAME))
			.isFalse();
		assertThat(this.logs.lines).isEmpty();
	}

	@Test
	void smtpsViaTheProtocol() {
		StandardEnvironment environment = postProcess("spring.mail.host=mail.example.test",
				"spring.mail.protocol=smtps");
		assertThat(environment.getProperty("smtp.protocol")).isEqualTo("smtps");
	}

	@Test
	void smtpsViaSslEnable() {
		StandardEnvironment environment = postProcess("spring.mail.host=mail.example.test",
				"spring.mail.properties.mail.smtp.ssl.enable=true");
		assertThat(environment.getProperty("smtp.protocol")).isEqualTo("smtps");
		assertThat(this.logs.info())
			.contains("  spring.mail.properties.mail.smtp.ssl.enable -> smtp.protocol=smtps");
	}

	@Test
	void smtpsViaSpringMailSslEnabled() {
		StandardEnvironment environment = postProcess("spring.mail.host=mail.example.test",
				"spring.mail.protocol=smtp", "spring.mail.ssl.enabled=true");
		assertThat(environment.getProperty("smtp.protocol")).isEqualTo("smtps");
		assertThat(environment.getProperty("smtp.ssl.verify-hostname")).isNull();
		assertThat(this.logs.info())
			.contains("  spring.mail.protocol, spring.mail.ssl.enabled -> smtp.protocol=smtps");
	}

	@Test
	void sslEnableFalseLeavesSmtp() {
		StandardEnvironment environment = postProcess("spring.mail.host=mail.example.test",
				"spring.mail.ssl.enabled=false", "spring.mail.properties.mail.smtp.ssl.enable=false");
		assertThat(environment.getProperty("smtp.protocol")).isNull();
		assertThat(this.logs.warnings()).isEmpty();
	}

	@Test
	void protocolSmtpsReadsMailSmtpsKeysAndWarnsAboutMailSmtpKeys() {
		StandardEnvironment environment = postProcess("spring.mail.host=mail.example.test",
				"spring.mail.protocol=smtps", "spring.mail.properties.mail.smtps.timeout=20000",
				"spring.mail.properties.mail.smtps.from=bounces@example.test",
				"spring.mail.properties.mail.smtps.sendpartial=true",
				"spring.mail.properties.mail.smtp.connectiontimeout=3000");
		assertThat(smtp(environment)).containsOnly(entry("host", "mail.example.test"), entry("protocol", "smtps"),
				entry("timeout", "20000ms"), entry("envelope-from", "bounces@example.test"),
				entry("partial-delivery", "true"));
		assertThat(this.logs.warnings()).containsExactly("WARN spring.mail.properties.mail.smtp.connectiontimeout "
				+ "is not mapped to smtpkit's smtp.* properties and has no effect: Angus Mail reads only "
				+ "mail.smtps.* for protocol smtps");
	}

	@Test
	void protocolSmtpWarnsAboutMailSmtpsKeys() {
		StandardEnvironment environment = postProcess("spring.mail.host=mail.example.test",
				"spring.mail.properties.mail.smtps.timeout=20000");
		assertThat(environment.getProperty("smtp.timeout")).isNull();
		assertThat(this.logs.warnings()).singleElement()
			.satisfies((line) -> assertThat(line).startsWith("WARN spring.mail.properties.mail.smtps.timeout is not "
					+ "mapped").endsWith("Angus Mail reads only mail.smtp.* for protocol smtp"));
	}

	@Test
	void starttlsRequiredWinsOverEnable() {
		assertThat(postProcess("spring.mail.host=h", "spring.mail.properties.mail.smtp.starttls.enable=true",
				"spring.mail.properties.mail.smtp.starttls.required=true")
			.getProperty("smtp.starttls")).isEqualTo("required");
		assertThat(postProcess("spring.mail.host=h", "spring.mail.properties.mail.smtp.starttls.required=true")
			.getProperty("smtp.starttls")).isEqualTo("required");
	}

	@Test
	void starttlsEnableIsOpportunistic() {
		StandardEnvironment environment = postProcess("spring.mail.host=h",
				"spring.mail.properties.mail.smtp.starttls.enable=true",
				"spring.mail.properties.mail.smtp.starttls.required=false");
		assertThat(environment.getProperty("smtp.starttls")).isEqualTo("opportunistic");
		assertThat(Binder.get(environment).bindOrCreate("smtp", SmtpProperties.class).getStarttls())
			.isEqualTo(Starttls.OPPORTUNISTIC);
	}

	@Test
	void withoutStarttlsKeysSmtpkitsDefaultApplies() {
		assertThat(postProcess("spring.mail.host=h").getProperty("smtp.starttls")).isNull();
		assertThat(postProcess("spring.mail.host=h", "spring.mail.properties.mail.smtp.starttls.enable=false")
			.getProperty("smtp.starttls")).isNull();
		assertThat(this.logs.warnings()).isEmpty();
	}

	@Test
	void timeoutsAreMilliseconds() {
		StandardEnvironment environment = postProcess("spring.mail.host=h",
				"spring.mail.properties.mail.smtp.connectiontimeout=2500",
				"spring.mail.properties.mail.smtp.timeout=15000");
		assertThat(environment.getProperty("smtp.connect-timeout")).isEqualTo("2500ms");
		assertThat(environment.getProperty("smtp.timeout")).isEqualTo("15000ms");
	}

	@Test
	void theWriteTimeoutIsTheTimeoutWhenThereIsNoReadTimeout() {
		StandardEnvironment environment = postProcess("spring.mail.host=h",
				"spring.mail.properties.mail.smtp.writetimeout=7000");
		assertThat(environment.getProperty("smtp.timeout")).isEqualTo("7000ms");
		assertThat(this.logs.info()).contains("  spring.mail.properties.mail.smtp.writetimeout -> smtp.timeout=7000ms");
	}

	@Test
	void aWriteTimeoutThatDiffersFromTheReadTimeoutIsWarnedAbout() {
		StandardEnvironment environment = postProcess("spring.mail.host=h",
				"spring.mail.properties.mail.smtp.timeout=15000", "spring.mail.properties.mail.smtp.writetimeout=7000");
		assertThat(environment.getProperty("smtp.timeout")).isEqualTo("15000ms");
		assertThat(this.logs.warnings()).containsExactly("WARN spring.mail.properties.mail.smtp.writetimeout is not "
				+ "mapped to smtpkit's smtp.* properties and has no effect: smtpkit has one timeout for reads and "
				+ "writes, smtp.timeout, which spring.mail.properties.mail.smtp.timeout sets");
	}

	@Test
	void aWriteTimeoutEqualToTheReadTimeoutIsUnderstood() {
		postProcess("spring.mail.host=h", "spring.mail.properties.mail.smtp.timeout=15000",
				"spring.mail.properties.mail.smtp.writetimeout=15000");
		assertThat(this.logs.warnings()).isEmpty();
	}

	@Test
	void aTimeoutWithoutLimitKeepsSmtpkitsBound() {
		StandardEnvironment environment = postProcess("spring.mail.host=h",
				"spring.mail.properties.mail.smtp.timeout=0", "spring.mail.properties.mail.smtp.connectiontimeout=-1");
		assertThat(environment.getProperty("smtp.timeout")).isNull();
		assertThat(environment.getProperty("smtp.connect-timeout")).isNull();
		assertThat(this.logs.warnings()).containsExactly(
				"WARN spring.mail.properties.mail.smtp.connectiontimeout is not mapped to smtpkit's smtp.* properties "
						+ "and has no effect: 0 or less means no limit to Angus Mail, but smtpkit bounds every wait: "
						+ "smtp.connect-timeout keeps its default",
				"WARN spring.mail.properties.mail.smtp.timeout is not mapped to smtpkit's smtp.* properties and has no "
						+ "effect: 0 or less means no limit to Angus Mail, but smtpkit bounds every wait: smtp.timeout "
						+ "keeps its default");
	}

	@Test
	void theOtherSessionProperties() {
		StandardEnvironment environment = postProcess("spring.mail.host=h",
				"spring.mail.properties.mail.smtp.from=bounces@example.test",
				"spring.mail.properties.mail.smtp.auth.mechanisms=CRAM-MD5, PLAIN,LOGIN",
				"spring.mail.properties.mail.smtp.localhost=client.example.test",
				"spring.mail.properties.mail.smtp.sendpartial=false", "spring.mail.properties.mail.smtp.auth=true",
				"spring.mail.properties.mail.debug=true",
				"spring.mail.properties.mail.smtp.ssl.checkserveridentity=false");
		assertThat(smtp(environment)).containsOnly(entry("host", "h"), entry("envelope-from", "bounces@example.test"),
				entry("auth.mechanisms", "CRAM-MD5,PLAIN,LOGIN"), entry("local-hostname", "client.example.test"),
				entry("partial-delivery", "false"), entry("debug-level", "1"), entry("ssl.verify-hostname", "false"));
		assertThat(this.logs.warnings()).as("mail.smtp.auth is understood").isEmpty();
	}

	@Test
	void mailSmtpPortIsThePortWhenSpringMailPortIsNotSet() {
		assertThat(postProcess("spring.mail.host=h", "spring.mail.properties.mail.smtp.port=2525")
			.getProperty("smtp.port")).isEqualTo("2525");
		assertThat(postProcess("spring.mail.host=h", "spring.mail.port=587",
				"spring.mail.properties.mail.smtp.port=2525")
			.getProperty("smtp.port")).isEqualTo("587");
		assertThat(this.logs.warnings()).singleElement()
			.satisfies((line) -> assertThat(line).startsWith("WARN spring.mail.properties.mail.smtp.port is not mapped")
				.endsWith("spring.mail.port wins, as it did with Spring Boot's mail starter"));
	}

	@Test
	void eachUnmappedKeyIsWarnedAboutByName() {
		postProcess("spring.mail.host=h", "spring.mail.jndi-name=mail/Session", "spring.mail.ssl.verify-hostname=false",
				"spring.mail.unknown=x", "spring.mail.properties.mail.smtp.ssl.trust=*",
				"spring.mail.properties.mail.smtp.socketFactory.class=javax.net.ssl.SSLSocketFactory",
				"spring.mail.properties.mail.smtp.socketFactory.fallback=false",
				"spring.mail.properties.mail.smtp.ssl.protocols=TLSv1.3",
				"spring.mail.properties.mail.smtp.quitwait=false", "spring.mail.properties.mail.smtp.host=other",
				"spring.mail.properties.mail.transport.protocol=smtp", "spring.mail.properties.mail.mime.charset=UTF-8");
		assertThat(this.logs.warnings()).map((line) -> line.substring(0, line.indexOf(" is not mapped")))
			.containsExactly("WARN spring.mail.ssl.verify-hostname", "WARN spring.mail.jndi-name",
					"WARN spring.mail.unknown", "WARN spring.mail.properties.mail.smtp.ssl.trust",
					"WARN spring.mail.properties.mail.smtp.socketFactory.class",
					"WARN spring.mail.properties.mail.smtp.socketFactory.fallback",
					"WARN spring.mail.properties.mail.smtp.ssl.protocols", "WARN spring.mail.properties.mail.smtp.quitwait",
					"WARN spring.mail.properties.mail.smtp.host", "WARN spring.mail.properties.mail.transport.protocol",
					"WARN spring.mail.properties.mail.mime.charset");
		assertThat(this.logs.warnings()).filteredOn((line) -> line.contains("ssl.trust"))
			.singleElement()
			.satisfies((line) -> assertThat(line).contains("smtp.ssl.bundle"));
		assertThat(this.logs.warnings()).filteredOn((line) -> line.contains("socketFactory.class"))
			.singleElement()
			.satisfies((line) -> assertThat(line).contains("smtp.ssl.bundle"));
	}

	@Test
	void anotherProtocolIsNotMappedNorAreItsKeys() {
		StandardEnvironment environment = postProcess("spring.mail.host=h", "spring.mail.protocol=imap",
				"spring.mail.ssl.enabled=true", "spring.mail.properties.mail.smtp.timeout=1000");
		assertThat(smtp(environment)).containsOnly(entry("host", "h"));
		assertThat(this.logs.warnings()).containsExactly(
				"WARN spring.mail.protocol is not mapped to smtpkit's smtp.* properties and has no effect: Angus "
						+ "Mail's protocol 'imap' has no smtpkit equivalent (smtp.protocol is smtp, smtps or lmtp); "
						+ "nor is any mail.<protocol>.* key mapped",
				"WARN spring.mail.ssl.enabled is not mapped to smtpkit's smtp.* properties and has no effect: "
						+ "spring.mail.protocol is neither smtp nor smtps",
				"WARN spring.mail.properties.mail.smtp.timeout is not mapped to smtpkit's smtp.* properties and has "
						+ "no effect: spring.mail.protocol is neither smtp nor smtps");
	}

	@Test
	void thePasswordNeverShowsInALogLine() {
		postProcess("spring.mail.host=h", "spring.mail.username=app", "spring.mail.password=" + PASSWORD,
				"spring.mail.properties.mail.smtp.ssl.trust=*", "spring.mail.properties.mail.smtp.auth=true");
		postProcess("smtp.host=h", "spring.mail.password=" + PASSWORD);
		postProcess("spring.mail.password=" + PASSWORD);
		assertThat(this.logs.lines).hasSize(4).noneSatisfy((line) -> assertThat(line).contains(PASSWORD));
		assertThat(this.logs.info()).contains("smtp.password=******");
	}

	@Test
	void aTimeoutThatIsNotANumberFailsNamingTheKeyAndTheValue() {
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> postProcess("spring.mail.host=h", "spring.mail.properties.mail.smtp.timeout=10s"))
			.satisfies((ex) -> {
				assertThat(ex.getName()).isEqualTo("spring.mail.properties.mail.smtp.timeout");
				assertThat(ex.getValue()).isEqualTo("10s");
			})
			.withMessage("Property spring.mail.properties.mail.smtp.timeout with value '10s' is invalid: Expected a "
					+ "whole number of milliseconds, as Angus Mail reads it");
	}

	@Test
	void otherValuesThatCannotBeConvertedFailNamingTheKeyAndTheValue() {
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> postProcess("spring.mail.host=h", "spring.mail.port=smtp"))
			.withMessage("Property spring.mail.port with value 'smtp' is invalid: Not a valid Integer");
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> postProcess("spring.mail.host=h", "spring.mail.default-encoding=no-such-charset"))
			.withMessage("Property spring.mail.default-encoding with value 'no-such-charset' is invalid: Not a "
					+ "valid Charset");
		assertThatExceptionOfType(InvalidConfigurationPropertyValueException.class)
			.isThrownBy(() -> postProcess("spring.mail.host=h", "spring.mail.properties.mail.smtp.starttls.enable=yes"))
			.withMessage("Property spring.mail.properties.mail.smtp.starttls.enable with value 'yes' is invalid: "
					+ "Expected true or false");
	}

	@Test
	void relaxedFormsOfTheKeys() {
		StandardEnvironment environment = environment("spring.mail.host=h", "spring.mail.defaultEncoding=UTF-16",
				"spring.mail.properties[mail.smtp.timeout]=4000");
		environment.getPropertySources()
			.addLast(new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
					Map.of("SPRING_MAIL_USERNAME", "app", "SPRING_MAIL_PROPERTIES_MAIL_SMTP_CONNECTIONTIMEOUT", "3000")));
		postProcess(environment);
		assertThat(smtp(environment)).containsOnly(entry("host", "h"), entry("username", "app"),
				entry("default-encoding", "UTF-16"), entry("timeout", "4000ms"), entry("connect-timeout", "3000ms"));
		assertThat(this.logs.info()).contains("  spring.mail.default-encoding -> smtp.default-encoding=UTF-16\n");
		assertThat(this.logs.warnings()).isEmpty();
	}

	@Test
	void anSmtpKeySetElsewhereWins() {
		StandardEnvironment environment = postProcess("spring.mail.host=h", "smtp.starttls=required",
				"spring.mail.properties.mail.smtp.starttls.enable=true");
		assertThat(environment.getProperty("smtp.starttls")).isEqualTo("required");
		assertThat(this.logs.info()).contains("  spring.mail.properties.mail.smtp.starttls.enable -> "
				+ "smtp.starttls=opportunistic (smtp.starttls is set elsewhere and wins)");
	}

	@Test
	void mapsAndLogsOnceWhenRunAgain() {
		StandardEnvironment environment = postProcess("spring.mail.host=h", "spring.mail.properties.mail.smtp.x=1");
		postProcess(environment);
		assertThat(this.logs.lines).hasSize(2);
		assertThat(environment.getPropertySources().stream()
			.filter((source) -> source.getName().equals(SpringMailEnvironmentPostProcessor.PROPERTY_SOURCE_NAME)))
			.hasSize(1);
	}

	@Test
	void runsAfterTheApplicationsConfigurationIsLoaded() {
		assertThat(new SpringMailEnvironmentPostProcessor(this.logs).getOrder()).isEqualTo(Ordered.LOWEST_PRECEDENCE);
	}

	private StandardEnvironment postProcess(String... properties) {
		return postProcess(environment(properties));
	}

	private StandardEnvironment postProcess(StandardEnvironment environment) {
		new SpringMailEnvironmentPostProcessor(this.logs).postProcessEnvironment(environment, new SpringApplication());
		return environment;
	}

	/** An environment with the given properties only: the machine's variables and system properties left out. */
	private static StandardEnvironment environment(String... properties) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
		environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
		TestPropertyValues.of(properties).applyTo(environment);
		return environment;
	}

	/** The smtp.* keys of the mapped property source, without their prefix. */
	private static Map<String, Object> smtp(StandardEnvironment environment) {
		PropertySource<?> mapped = environment.getPropertySources()
			.get(SpringMailEnvironmentPostProcessor.PROPERTY_SOURCE_NAME);
		assertThat(mapped).isNotNull();
		Map<String, Object> values = new java.util.LinkedHashMap<>();
		for (String name : ((org.springframework.core.env.EnumerablePropertySource<?>) mapped).getPropertyNames()) {
			values.put(name.substring("smtp.".length()), mapped.getProperty(name));
		}
		return values;
	}

	private static Map.Entry<String, Object> entry(String key, String value) {
		return Map.entry(key, value);
	}

	/** Records each line as its level and message, as Spring Boot's deferred logs would replay it. */
	private static final class RecordingLogFactory implements DeferredLogFactory {

		final List<String> lines = new ArrayList<>();

		@Override
		public Log getLog(Supplier<Log> destination) {
			return new RecordingLog(this.lines);
		}

		String info() {
			return this.lines.stream().filter((line) -> line.startsWith("INFO ")).reduce("", String::concat);
		}

		List<String> warnings() {
			return this.lines.stream().filter((line) -> line.startsWith("WARN ")).toList();
		}

	}

	private record RecordingLog(List<String> lines) implements Log {

		private void add(String level, Object message) {
			this.lines.add(level + " " + message);
		}

		@Override
		public boolean isTraceEnabled() {
			return true;
		}

		@Override
		public boolean isDebugEnabled() {
			return true;
		}

		@Override
		public boolean isInfoEnabled() {
			return true;
		}

		@Override
		public boolean isWarnEnabled() {
			return true;
		}

		@Override
		public boolean isErrorEnabled() {
			return true;
		}

		@Override
		public boolean isFatalEnabled() {
			return true;
		}

		@Override
		public void trace(Object message) {
			add("TRACE", message);
		}

		@Override
		public void trace(Object message, Throwable t) {
			add("TRACE", message);
		}

		@Override
		public void debug(Object message) {
			add("DEBUG", message);
		}

		@Override
		public void debug(Object message, Throwable t) {
			add("DEBUG", message);
		}

		@Override
		public void info(Object message) {
			add("INFO", message);
		}

		@Override
		public void info(Object message, Throwable t) {
			add("INFO", message);
		}

		@Override
		public void warn(Object message) {
			add("WARN", message);
		}

		@Override
		public void warn(Object message, Throwable t) {
			add("WARN", message);
		}

		@Override
		public void error(Object message) {
			add("ERROR", message);
		}

		@Override
		public void error(Object message, Throwable t) {
			add("ERROR", message);
		}

		@Override
		public void fatal(Object message) {
			add("FATAL", message);
		}

		@Override
		public void fatal(Object message, Throwable t) {
			add("FATAL", message);
		}

	}

}
