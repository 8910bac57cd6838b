package io.github.smtpkit.spring;

import io.github.smtpkit.SmtpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.javamail.JavaMailSender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * What a newcomer reads when the mail sender their application injects is not there because of
 * the smtp.* configuration: Spring Boot's failure analysis, naming the key to set. Whole
 * applications, started as a user starts theirs, with every auto-configuration of the test class
 * path (Spring Boot's own mail auto-configuration among them).
 */
@ExtendWith(OutputCaptureExtension.class)
class SmtpServerInjectionFailureAnalyzerTests {

	@Test
	void portAndCredentialsWithoutAHostNameTheMissingHostAndTheKeysThatAreSet(CapturedOutput output) {
		failsToStart(MailingApplication.class, "--smtp.port=587", "--smtp.username=app@example.com",
				"--smtp.password=s3cret-value");

		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Parameter 0 of method mailer in " + MailingApplication.class.getName()
					+ " required a bean of type 'org.springframework.mail.javamail.JavaMailSender', but no SMTP server "
					+ "is configured")
			.contains("A server is configured by smtp.host (or smtp.hosts for failover, or smtp.unix-socket")
			.contains("\t- smtp.password, originating from \"smtp.password\" from property source \"commandLineArgs\"")
			.contains("\t- smtp.port, originating from")
			.contains("\t- smtp.username, originating from")
			.contains("Set smtp.host to your mail server's name or address")
			.doesNotContain("s3cret-value")
			.doesNotContain("not an smtpkit property");
	}

	@Test
	void aMisspeltHostIsMarkedAsNoSmtpkitProperty(CapturedOutput output) {
		failsToStart(MailingApplication.class, "--smtp.hostname=relay.corp.test", "--smtp.port=587");

		assertThat(output).contains("no SMTP server is configured")
			.contains("\t- smtp.hostname (not an smtpkit property), originating from")
			.contains("\t- smtp.port, originating from")
			.contains("Check the spelling of smtp.hostname: smtpkit has no such property")
			.doesNotContain("relay.corp.test");
	}

	@Test
	void anEmptyHostIsMarkedSo(CapturedOutput output) {
		failsToStart(MailingApplication.class, "--smtp.host=", "--smtp.port=587");

		assertThat(output).contains("none of them is set to a value")
			.contains("\t- smtp.host (empty), originating from")
			.contains("\t- smtp.port, originating from");
	}

	@Test
	void withoutAnySmtpKeyItSaysSo(CapturedOutput output) {
		failsToStart(MailingApplication.class);

		assertThat(output).contains("no SMTP server is configured")
			.contains("No smtp.* key is set.")
			.contains("Set smtp.host");
	}

	@Test
	void springMailKeysWithoutSpringMailHostAreNamedToo(CapturedOutput output) {
		failsToStart(MailingApplication.class, "--spring.mail.username=app@example.com", "--spring.mail.port=587");

		assertThat(output).contains("no SMTP server is configured")
			.contains("These spring.mail.* keys are set, but not spring.mail.host, so none was mapped onto smtp.*:")
			.contains("\t- spring.mail.port, originating from")
			.contains("\t- spring.mail.username, originating from")
			.contains("spring.mail.host is mapped onto smtp.host");
	}

	@Test
	void anSmtpClientInjectionIsExplainedAlike(CapturedOutput output) {
		failsToStart(ClientApplication.class, "--smtp.socket=/run/dovecot/lmtp");

		assertThat(output).contains("required a bean of type 'io.github.smtpkit.SmtpClient', but no SMTP server")
			.contains("\t- smtp.socket (not an smtpkit property), originating from");
	}

	@Test
	void namedServersWithoutAPrimaryNameSmtpPrimary(CapturedOutput output) {
		failsToStart(MailingApplication.class, "--smtp.servers.bulk.host=bulk.example.test",
				"--smtp.servers.audit.host=audit.example.test");

		// The command line's keys come in no particular order, and so do the servers they name.
		assertThat(output).contains("APPLICATION FAILED TO START")
			.containsPattern("required a bean of type 'org.springframework.mail.javamail.JavaMailSender', but 2 were "
					+ "found \\((bulk|audit)SmtpMailSender, (bulk|audit)SmtpMailSender\\): each server under "
					+ "smtp.servers \\((bulk|audit), (bulk|audit)\\) has its own, and none is primary: there is no "
					+ "default server \\(smtp.host\\) and smtp.primary is not set.")
			.containsPattern("Set smtp.primary to the server whose beans are injected where no qualifier says which, "
					+ "for example smtp.primary=(bulk|audit); or inject one server's bean by name, such as "
					+ "@Qualifier\\(\"(bulk|audit)SmtpMailSender\"\\); or configure a default server with smtp.host");
	}

	@Test
	void namedServersWithSmtpPrimaryStart() {
		try (ConfigurableApplicationContext context = application(MailingApplication.class).run(
				"--smtp.servers.bulk.host=bulk.example.test", "--smtp.servers.audit.host=audit.example.test",
				"--smtp.primary=audit")) {
			assertThat(context.getBean(Mailer.class).mailSender()).isSameAs(context.getBean("auditSmtpMailSender"));
		}
	}

	@Test
	void otherMissingBeansAreLeftToSpringBootsAnalysis(CapturedOutput output) {
		failsToStart(GreetingApplication.class, "--smtp.port=587");

		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("required a bean of type '" + Greeter.class.getName() + "' that could not be found")
			.doesNotContain("SMTP server");
	}

	@Test
	void aMissingSenderIsLeftToSpringWhenAServerIsConfigured(CapturedOutput output) {
		failsToStart(QualifiedMailingApplication.class, "--smtp.host=mail.example.test");

		assertThat(output).contains("newsletterSmtpMailSender").doesNotContain("no SMTP server is configured");
	}

	private static void failsToStart(Class<?> application, String... args) {
		assertThatException().isThrownBy(() -> application(application).run(args).close());
	}

	private static SpringApplicationBuilder application(Class<?> application) {
		return new SpringApplicationBuilder(application).web(WebApplicationType.NONE);
	}

	record Mailer(JavaMailSender mailSender) {
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class MailingApplication {

		@Bean
		Mailer mailer(JavaMailSender mailSender) {
			return new Mailer(mailSender);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class QualifiedMailingApplication {

		@Bean
		Mailer mailer(@Qualifier("newsletterSmtpMailSender") JavaMailSender mailSender) {
			return new Mailer(mailSender);
		}

	}

	interface Greeter {

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class GreetingApplication {

		@Bean
		Object greeting(Greeter greeter) {
			return greeter;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ClientApplication {

		@Bean
		Object sender(SmtpClient client) {
			return client;
		}

	}

}
