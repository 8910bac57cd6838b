package io.github.smtpkit.spring;

import java.util.Map;

import io.github.smtpkit.SmtpClient;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.mail.MailSender;
import org.springframework.mail.javamail.JavaMailSender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Which server's beans are injected where no qualifier says which: the default server's, else
 * those of the named server {@code smtp.primary} names.
 */
class SmtpPrimaryServerTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(SmtpkitAutoConfigurations.all());

	@Test
	void theDefaultServersBeansArePrimary() {
		this.contextRunner.withPropertyValues("smtp.host=mail.example.test", "smtp.servers.bulk.port=2525",
				"smtp.servers.audit.port=2526")
			.run((context) -> {
				assertThat(context.getBean(SmtpClient.class)).isSameAs(context.getBean("smtpClient"));
				assertThat(context.getBean(JavaMailSender.class)).isSameAs(context.getBean("smtpMailSender"));
				assertThat(context.getBeanFactory().getBeanDefinition("bulkSmtpClient").isPrimary()).isFalse();
				assertThat(context.getBeanFactory().getBeanDefinition("bulkSmtpMailSender").isPrimary()).isFalse();
			});
	}

	@Test
	void smtpPrimaryMayNameTheDefaultServer() {
		this.contextRunner.withPropertyValues("smtp.host=mail.example.test", "smtp.primary=default",
				"smtp.servers.bulk.host=bulk.example.test")
			.run((context) -> assertThat(context.getBean(MailSender.class)).isSameAs(context.getBean("smtpMailSender")));
	}

	@Test
	void withOnlyNamedServersSmtpPrimaryChoosesTheInjectedOnes() {
		this.contextRunner
			.withPropertyValues("smtp.servers.bulk.host=bulk.example.test", "smtp.servers.audit.host=audit.example.test",
					"smtp.primary=audit")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(SmtpClient.class)).isSameAs(context.getBean("auditSmtpClient"));
				assertThat(context.getBean(MailSender.class)).isSameAs(context.getBean("auditSmtpMailSender"));
				assertThat(context.getBean(JavaMailSender.class)).isSameAs(context.getBean("auditSmtpMailSender"));
				assertThat(context.getBean(SmtpMailSender.class).getClient()).isSameAs(context.getBean("auditSmtpClient"));
				// The others are still there by name.
				assertThat(context.getBean("bulkSmtpMailSender", SmtpMailSender.class).getClient().endpoint().host())
					.isEqualTo("bulk.example.test");
			});
	}

	@Test
	void withOnlyNamedServersAndNoSmtpPrimaryNoneIsPrimary() {
		this.contextRunner
			.withPropertyValues("smtp.servers.bulk.host=bulk.example.test", "smtp.servers.audit.host=audit.example.test")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThatExceptionOfType(NoUniqueBeanDefinitionException.class)
					.isThrownBy(() -> context.getBean(JavaMailSender.class));
				assertThatExceptionOfType(NoUniqueBeanDefinitionException.class)
					.isThrownBy(() -> context.getBean(SmtpClient.class));
			});
	}

	@Test
	void aSingleNamedServerIsInjectedWithoutSmtpPrimary() {
		this.contextRunner.withPropertyValues("smtp.servers.bulk.host=bulk.example.test")
			.run((context) -> assertThat(context.getBean(JavaMailSender.class))
				.isSameAs(context.getBean("bulkSmtpMailSender")));
	}

	/**
	 * Why the first named server is not primary by itself: an environment variable (a password,
	 * typically) puts its server ahead of those of application.yml.
	 */
	@Test
	void theOrderOfNamedServersIsNotTheConfigurationFilesSoTheRuleDoesNotDependOnIt() {
		this.contextRunner
			.withPropertyValues("smtp.servers.bulk.host=bulk.example.test", "smtp.servers.audit.host=audit.example.test",
					"smtp.servers.audit.username=audit", "smtp.primary=bulk")
			.withInitializer((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new SystemEnvironmentPropertySource(
						StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
						Map.of("SMTP_SERVERS_AUDIT_PASSWORD", "s3cret"))))
			.run((context) -> {
				assertThat(SmtpServers.namedServers(context.getEnvironment())).containsExactly("audit", "bulk");
				assertThat(context.getBean(MailSender.class)).isSameAs(context.getBean("bulkSmtpMailSender"));
			});
	}

	@Test
	void smtpPrimaryMustNameAServer() {
		this.contextRunner
			.withPropertyValues("smtp.servers.bulk.host=bulk.example.test", "smtp.servers.audit.host=audit.example.test",
					"smtp.primary=bulkk")
			.run(failsOn("smtp.primary", "No server under smtp.servers is named 'bulkk'; the servers are [bulk, audit]"));
	}

	@Test
	void smtpPrimaryCannotDemoteTheDefaultServer() {
		this.contextRunner
			.withPropertyValues("smtp.host=mail.example.test", "smtp.servers.bulk.host=bulk.example.test",
					"smtp.primary=bulk")
			.run(failsOn("smtp.primary", "The default server (smtp.host, smtp.hosts or smtp.unix-socket) is the primary one"));
		this.contextRunner.withPropertyValues("smtp.host=mail.example.test", "smtp.primary=bulk")
			.run(failsOn("smtp.primary", "The default server"));
	}

	/** Start-up failed with Spring Boot's exception for a bad property value, naming this one. */
	private static ContextConsumer<AssertableApplicationContext> failsOn(String property, String messagePart) {
		return (context) -> assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
			.isInstanceOfSatisfying(InvalidConfigurationPropertyValueException.class, (ex) -> {
				assertThat(ex.getName()).isEqualTo(property);
				assertThat(ex).hasMessageContaining(messagePart);
			});
	}

}
