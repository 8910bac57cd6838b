package io.github.smtpkit.spring;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.github.smtpkit.DkimSigner;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpSession;
import io.github.smtpkit.auth.AuthMechanism;
import io.github.smtpkit.spring.SmtpServerProperties.Starttls;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an IDE shows for smtpkit's properties: the configuration metadata that
 * spring-boot-configuration-processor generates from the properties classes, merged with
 * {@code additional-spring-configuration-metadata.json}. Every property says its default, as a
 * value or, where it depends on the protocol or on another key, in its description; the enums and
 * the built-in AUTH mechanisms come with value hints.
 */
class SmtpConfigurationMetadataTests {

	/** Unset means none: no default to state. */
	private static final Set<String> WITHOUT_DEFAULT = Set.of("smtp.host", "smtp.unix-socket", "smtp.username",
			"smtp.password", "smtp.default-from", "smtp.servers", "smtp.primary", "smtp.dkim.domain", "smtp.dkim.selector",
			"smtp.dkim.private-key", "smtp.dkim.key-bundle");

	private static Map<String, Map<String, Object>> properties;

	private static Map<String, Map<String, Object>> hints;

	@BeforeAll
	@SuppressWarnings("unchecked")
	static void read() throws IOException {
		Map<String, Object> metadata = JsonMapper.builder().build().readValue(generatedMetadata(), Map.class);
		properties = byName((List<Map<String, Object>>) metadata.get("properties"));
		hints = byName((List<Map<String, Object>>) metadata.get("hints"));
	}

	@Test
	void everyPropertyStatesItsDefault() {
		properties.forEach((name, property) -> {
			if (!WITHOUT_DEFAULT.contains(name) && !property.containsKey("defaultValue")) {
				assertThat((String) property.get("description")).as("the description of %s", name)
					.contains("Defaults to");
			}
		});
	}

	@Test
	void defaultsThatDependOnTheProtocolAreDescribedNotGivenAsOneValue() {
		assertThat(properties.get("smtp.port")).doesNotContainKey("defaultValue");
		assertThat((String) properties.get("smtp.port").get("description"))
			.contains("Defaults to " + SmtpProtocol.SMTP.defaultPort() + " for smtp, " + SmtpProtocol.SMTPS.defaultPort()
					+ " for smtps and " + SmtpProtocol.LMTP.defaultPort() + " for lmtp");
		assertThat(properties.get("smtp.starttls")).doesNotContainKey("defaultValue");
		assertThat((String) properties.get("smtp.starttls").get("description"))
			.contains("Defaults to opportunistic for smtp and none for lmtp");
		assertThat(properties.get("smtp.protocol")).doesNotContainKey("defaultValue");
		assertThat(properties.get("smtp.pool.max-idle")).doesNotContainKey("defaultValue");
		assertThat((String) properties.get("smtp.pool.max-idle").get("description")).contains("Defaults to max-total");
	}

	@Test
	void theMechanismsDefaultIsTheCores() {
		assertThat(properties.get("smtp.auth.mechanisms").get("defaultValue"))
			.isEqualTo(SmtpSession.DEFAULT_AUTH_MECHANISMS.stream().map(AuthMechanism::name).toList());
	}

	@Test
	void theDkimHeadersDefaultIsTheCores() {
		assertThat(properties.get("smtp.dkim.headers").get("defaultValue")).isEqualTo(DkimSigner.DEFAULT_HEADERS);
	}

	@Test
	void theEnumsAndMechanismsHaveValueHints() {
		assertThat(hintedValues("smtp.protocol")).containsExactlyElementsOf(
				Arrays.stream(SmtpProtocol.values()).map((protocol) -> protocol.name().toLowerCase(Locale.ROOT)).toList());
		assertThat(hintedValues("smtp.starttls")).containsExactlyElementsOf(
				Arrays.stream(Starttls.values()).map((starttls) -> starttls.name().toLowerCase(Locale.ROOT)).toList());
		List<String> mechanisms = new java.util.ArrayList<>(
				SmtpSession.DEFAULT_AUTH_MECHANISMS.stream().map(AuthMechanism::name).toList());
		mechanisms.addAll(List.of("OAUTHBEARER", "XOAUTH2"));
		assertThat(hintedValues("smtp.auth.mechanisms")).containsExactlyElementsOf(mechanisms);
		// An AuthMechanism bean's name is a value too.
		assertThat(hints.get("smtp.auth.mechanisms").get("providers")).asString().contains("any");
	}

	@SuppressWarnings("unchecked")
	private static List<Object> hintedValues(String property) {
		assertThat(hints).containsKey(property);
		return ((List<Map<String, Object>>) hints.get(property).get("values")).stream()
			.peek((value) -> assertThat((String) value.get("description")).as("a description of %s", value).isNotBlank())
			.map((value) -> value.get("value"))
			.toList();
	}

	private static Map<String, Map<String, Object>> byName(List<Map<String, Object>> entries) {
		Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
		if (entries != null) {
			entries.forEach((entry) -> byName.put((String) entry.get("name"), entry));
		}
		return byName;
	}

	/** The metadata of the classes folder (or jar) that holds the starter's properties. */
	private static String generatedMetadata() throws IOException {
		URL location = SmtpProperties.class.getProtectionDomain().getCodeSource().getLocation();
		try (URLClassLoader loader = new URLClassLoader(new URL[] { location }, null)) {
			URL resource = loader.findResource("META-INF/spring-configuration-metadata.json");
			assertThat(resource).as("generated metadata in %s", location).isNotNull();
			try (InputStream in = resource.openStream()) {
				return new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
		}
	}

}
