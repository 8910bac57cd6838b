package io.github.smtpkit.spring;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.auth.OAuth2TokenSupplier;
import io.github.smtpkit.testing.ScriptedSmtpServer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * XOAUTH2 and OAUTHBEARER from properties: a token supplier bean chosen by name per server, and
 * Spring Security's OAuth2 client for {@code smtp.auth.oauth2.registration-id} (client credentials
 * from a token endpoint on loopback), each logging in against the scripted server; and the
 * start-up failures that name the property to fix.
 */
class SmtpOAuth2AutoConfigurationTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String EHLO = "250-fake.test\n250 AUTH PLAIN XOAUTH2 OAUTHBEARER";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(SmtpkitAutoConfigurations.all());

	@Test
	void aServerUsesTheTokenSupplierBeanItNamesAndOauthBearerFirst() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply(EHLO).reply("235 2.7.0 ok").reply("250 2.0.0 ok").reply("221 bye");
			this.contextRunner.withBean("gmailTokens", OAuth2TokenSupplier.class, () -> (user) -> "gmail-token-for-" + user)
				.withBean("otherTokens", OAuth2TokenSupplier.class, () -> (user) -> "other-token")
				.withPropertyValues("smtp.servers.gmail.host=" + server.host(), "smtp.servers.gmail.port=" + server.port(),
						"smtp.servers.gmail.starttls=none", "smtp.servers.gmail.local-hostname=client.test",
						"smtp.servers.gmail.username=jane@example.test",
						"smtp.servers.gmail.auth.oauth2.token-supplier=gmailTokens")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					SmtpClient client = context.getBean("gmailSmtpClient", SmtpClient.class);
					assertThat(client.ping(WAIT).code()).isEqualTo(250);
				});
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).hasSize(4);
			assertThat(server.commands().get(1)).startsWith("AUTH OAUTHBEARER ");
			assertThat(decodeAuth(server.commands().get(1))).contains("auth=Bearer gmail-token-for-jane@example.test\u0001");
			server.assertNoFailures();
		}
	}

	@Test
	void aRegistrationIdLogsInWithClientCredentialsAndReplacesARefusedToken() throws Exception {
		List<String> tokenRequests = new CopyOnWriteArrayList<>();
		AtomicInteger issued = new AtomicInteger();
		HttpServer tokenEndpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		tokenEndpoint.createContext("/token", (exchange) -> {
			tokenRequests.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
			byte[] body = ("{\"access_token\":\"issued-" + issued.incrementAndGet()
					+ "\",\"token_type\":\"Bearer\",\"expires_in\":3600}").getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		tokenEndpoint.start();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO)
				.reply("334 " + Base64.getEncoder().encodeToString("{\"status\":\"invalid_token\"}".getBytes(StandardCharsets.UTF_8)))
				.reply("535 5.7.8 token expired")
				.reply("235 2.7.0 ok")
				.reply("250 2.0.0 ok")
				.reply("221 bye");
			oauth2Client(tokenEndpoint)
				.withPropertyValues("smtp.host=" + server.host(), "smtp.port=" + server.port(), "smtp.starttls=none",
						"smtp.local-hostname=client.test", "smtp.username=app@contoso.test",
						"smtp.auth.oauth2.registration-id=m365")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(context.getBean(SmtpClient.class).ping(WAIT).code()).isEqualTo(250);
				});
			server.awaitScriptDone(WAIT);
			List<String> commands = server.commands();
			assertThat(commands).hasSize(6);
			assertThat(decodeAuth(commands.get(1))).contains("auth=Bearer issued-1\u0001");
			assertThat(decodeAuth(commands.get(3))).contains("auth=Bearer issued-2\u0001");
			assertThat(tokenRequests).hasSize(2).allMatch((request) -> request.contains("grant_type=client_credentials"));
			server.assertNoFailures();
		}
		finally {
			tokenEndpoint.stop(0);
		}
	}

	@Test
	void aRegistrationIdNeedsSpringSecuritysOauth2Client() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(OAuth2AuthorizedClientManager.class))
			.withPropertyValues("smtp.host=mail.example.test", "smtp.username=app",
					"smtp.auth.oauth2.registration-id=m365")
			.run(failsOn("smtp.auth.oauth2.registration-id", "spring-security-oauth2-client"));
	}

	@Test
	void anUnknownRegistrationIdFailsNamingTheRegistrations() throws Exception {
		HttpServer unused = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		oauth2Client(unused)
			.withPropertyValues("smtp.host=mail.example.test", "smtp.username=app", "smtp.auth.oauth2.registration-id=gmail")
			.run(failsOn("smtp.auth.oauth2.registration-id", "no OAuth2 client registration 'gmail'; the registrations are [m365]"));
	}

	@Test
	void misconfigurationsFailNamingTheProperty() {
		run(failsOn("smtp.auth.mechanisms", "XOAUTH2 logs in with OAuth 2.0 tokens: set smtp.auth.oauth2.token-supplier"),
				"smtp.host=mail.example.test", "smtp.username=app", "smtp.password=pw", "smtp.auth.mechanisms=xoauth2");
		run(failsOn("smtp.auth.oauth2.token-supplier", "There is no bean named 'missing'"),
				"smtp.host=mail.example.test", "smtp.username=app", "smtp.auth.oauth2.token-supplier=missing");
		run(failsOn("smtp.username", "A username must be set"), "smtp.host=mail.example.test",
				"smtp.auth.oauth2.token-supplier=missing");
		run(failsOn("smtp.auth.oauth2.registration-id", "not both"), "smtp.host=mail.example.test",
				"smtp.username=app", "smtp.auth.oauth2.token-supplier=tokens", "smtp.auth.oauth2.registration-id=m365");
	}

	// ---------------------------------------------------------------- helpers

	/** With Boot's OAuth2 client auto-configuration and a client credentials registration "m365". */
	private ApplicationContextRunner oauth2Client(HttpServer tokenEndpoint) {
		return this.contextRunner.withConfiguration(AutoConfigurations.of(OAuth2ClientAutoConfiguration.class))
			.withPropertyValues("spring.security.oauth2.client.registration.m365.client-id=smtp-app",
					"spring.security.oauth2.client.registration.m365.client-secret=app-secret",
					"spring.security.oauth2.client.registration.m365.authorization-grant-type=client_credentials",
					"spring.security.oauth2.client.registration.m365.scope=https://outlook.office365.com/.default",
					"spring.security.oauth2.client.registration.m365.provider=m365",
					"spring.security.oauth2.client.provider.m365.token-uri=http://127.0.0.1:"
							+ tokenEndpoint.getAddress().getPort() + "/token");
	}

	private void run(ContextConsumer<AssertableApplicationContext> assertions, String... properties) {
		this.contextRunner.withPropertyValues(properties).run(assertions);
	}

	private static ContextConsumer<AssertableApplicationContext> failsOn(String property, String messagePart) {
		return (context) -> assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.hasMessageContaining(messagePart)
			.satisfies((ex) -> assertThat(((InvalidConfigurationPropertyValueException) ex).getName())
				.isEqualTo(property));
	}

	private static String decodeAuth(String command) {
		return new String(Base64.getDecoder().decode(command.substring(command.lastIndexOf(' ') + 1)),
				StandardCharsets.UTF_8);
	}

}
