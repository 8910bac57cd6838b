package io.github.smtpkit.spring;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.auth.AuthMechanism;
import io.github.smtpkit.auth.SmtpAuthenticator;
import io.github.smtpkit.pool.PoolConfig;
import io.github.smtpkit.spring.event.SmtpEventPublisher;
import io.github.smtpkit.spring.metrics.SmtpClientMetrics;
import io.github.smtpkit.spring.metrics.SmtpPoolMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.mail.autoconfigure.MailSenderAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.mail.MailSender;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which beans {@code smtp.*} makes, and when it makes none: the conditions of the client and mail
 * sender auto-configurations, several servers, and the application's own beans winning. No
 * connection is opened: clients connect on their first send.
 */
@ExtendWith(OutputCaptureExtension.class)
class SmtpClientAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(SmtpkitAutoConfigurations.all());

	@Test
	void withoutAServerNothingIsConfigured() {
		this.contextRunner.withPropertyValues("smtp.port=587", "smtp.username=app").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(SmtpProperties.class)
				.doesNotHaveBean(SmtpClient.class)
				.doesNotHaveBean(MailSender.class)
				.doesNotHaveBean(SmtpEventPublisher.class)
				.doesNotHaveBean(SmtpClientMetrics.class)
				.doesNotHaveBean(SmtpPoolMetrics.class)
				.doesNotHaveBean(HealthContributor.class);
		});
	}

	@Test
	void aHostConfiguresTheDefaultServersClientAndMailSender() {
		this.contextRunner.withPropertyValues("smtp.host=mail.example.test", "smtp.port=2525").run((context) -> {
			assertThat(context).hasSingleBean(SmtpClient.class).hasBean("smtpClient");
			assertThat(context).hasSingleBean(JavaMailSender.class).hasBean("smtpMailSender");
			SmtpClient client = context.getBean(SmtpClient.class);
			assertThat(client.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 2525));
			assertThat(context.getBean(SmtpMailSender.class).getClient()).isSameAs(client);
			assertThat(client.isClosed()).isFalse();
		});
	}

	@Test
	void theClientIsClosedWithTheContext() {
		this.contextRunner.withPropertyValues("smtp.host=mail.example.test", "smtp.servers.bulk.port=2525")
			.run((context) -> {
				SmtpClient client = context.getBean("smtpClient", SmtpClient.class);
				SmtpClient bulk = context.getBean("bulkSmtpClient", SmtpClient.class);
				context.close();
				assertThat(client.isClosed()).isTrue();
				assertThat(bulk.isClosed()).isTrue();
			});
	}

	@Test
	void propertiesReachTheClient() {
		this.contextRunner
			.withPropertyValues("smtp.host=mail.example.test", "smtp.protocol=smtps", "smtp.starttls=required",
					"smtp.username=app", "smtp.password=s3cret", "smtp.pool.max-total=3", "smtp.pool.max-idle=2",
					"smtp.pool.min-idle=1", "smtp.pool.max-wait=2s", "smtp.pool.idle-timeout=20s",
					"smtp.pool.max-lifetime=5m", "smtp.pool.max-messages-per-connection=7",
					"smtp.pool.validate-after-idle=0s", "smtp.default-from=App <app@example.test>",
					"smtp.pipelining=false", "smtp.chunking=true")
			.run((context) -> {
				SmtpClient client = context.getBean(SmtpClient.class);
				// smtps is encrypted from the first byte: the inherited-looking starttls does not apply.
				assertThat(client.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTPS, "mail.example.test", 465));
				assertThat(client.toString()).contains("tls=IMPLICIT", "authenticated", "no pipelining", "chunking")
					.doesNotContain("s3cret");
				PoolConfig pool = client.poolConfig();
				assertThat(pool.maxTotal()).isEqualTo(3);
				assertThat(pool.maxIdle()).isEqualTo(2);
				assertThat(pool.minIdle()).isEqualTo(1);
				assertThat(pool.maxWait()).isEqualTo(Duration.ofSeconds(2));
				assertThat(pool.idleTimeout()).isEqualTo(Duration.ofSeconds(20));
				assertThat(pool.maxLifetime()).isEqualTo(Duration.ofMinutes(5));
				assertThat(pool.maxMessagesPerConnection()).isEqualTo(7);
				assertThat(pool.validateAfterIdle()).isZero();
				assertThat(context.getBean(SmtpMailSender.class).getDefaultFrom()).isEqualTo("App <app@example.test>");
				assertThat(context.getBean(SmtpProperties.class).toString()).doesNotContain("s3cret");
			});
	}

	@Test
	void hostsStartTheServerAndANamedServerTakesItsAddressWhole() {
		this.contextRunner
			.withPropertyValues("smtp.hosts=mx1.example.test,mx2.example.test:2525", "smtp.port=587",
					"smtp.servers.bulk.host=bulk.example.test", "smtp.servers.relay.hosts=relay.example.test")
			.run((context) -> {
				assertThat(context.getBean("smtpClient", SmtpClient.class).endpoint())
					.isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mx1.example.test", 587));
				// Its own host: not the default server's hosts.
				assertThat(context.getBean("bulkSmtpClient", SmtpClient.class).toString()).doesNotContain("mx2");
				assertThat(context.getBean("bulkSmtpClient", SmtpClient.class).endpoint())
					.isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "bulk.example.test", 587));
				assertThat(context.getBean("relaySmtpClient", SmtpClient.class).endpoint())
					.isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "relay.example.test", 587));
			});
		run(failsOn("smtp.hosts", "either host or hosts"), "smtp.host=a.example.test", "smtp.hosts=b.example.test");
	}

	@Test
	void port465WithoutAProtocolMeansSmtps() {
		this.contextRunner.withPropertyValues("smtp.host=mail.example.test", "smtp.port=465").run((context) -> {
			SmtpClient client = context.getBean(SmtpClient.class);
			assertThat(client.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTPS, "mail.example.test", 465));
			assertThat(client.toString()).contains("tls=IMPLICIT");
			assertThat(context.getBean(SmtpProperties.class).getProtocol()).as("not set").isNull();
		});
	}

	@Test
	void otherPortsWithoutAProtocolMeanSmtp() {
		this.contextRunner.withPropertyValues("smtp.host=mail.example.test", "smtp.port=587").run((context) -> {
			SmtpClient client = context.getBean(SmtpClient.class);
			assertThat(client.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 587));
			assertThat(client.toString()).contains("tls=STARTTLS_OPPORTUNISTIC");
		});
		this.contextRunner.withPropertyValues("smtp.host=mail.example.test")
			.run((context) -> assertThat(context.getBean(SmtpClient.class).endpoint())
				.isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 25)));
	}

	@Test
	void namedServersTakeTheProtocolOfTheirOwnPortUnlessOneIsSet() {
		this.contextRunner
			.withPropertyValues("smtp.host=mail.example.test", "smtp.port=465", "smtp.servers.submission.port=587",
					"smtp.servers.bulk.host=bulk.example.test", "smtp.servers.relay.port=465",
					"smtp.servers.relay.protocol=lmtp")
			.run((context) -> {
				assertThat(context.getBean("smtpClient", SmtpClient.class).endpoint())
					.isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTPS, "mail.example.test", 465));
				assertThat(context.getBean("submissionSmtpClient", SmtpClient.class).endpoint())
					.isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 587));
				// The port, inherited from smtp.port, is 465.
				assertThat(context.getBean("bulkSmtpClient", SmtpClient.class).endpoint())
					.isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTPS, "bulk.example.test", 465));
				assertThat(context.getBean("relaySmtpClient", SmtpClient.class).endpoint())
					.isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.LMTP, "mail.example.test", 465));
			});
	}

	@Test
	void explicitSmtpOnPort465StartsWithAWarningNamingTheProtocolProperty(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("smtp.host=mail.example.test", "smtp.port=465", "smtp.protocol=smtp",
					"smtp.servers.bulk.host=bulk.example.test", "smtp.servers.bulk.protocol=smtps",
					"smtp.servers.audit.port=587")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(SmtpClient.class).endpoint())
					.as("what is set is done")
					.isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 465));
				assertThat(output).containsOnlyOnce("smtp.port is 465")
					.contains("WARN")
					.contains("smtp.port is 465, the port of SMTP over implicit TLS (RFC 8314 3.3), but smtp.protocol"
							+ " is smtp")
					.contains("Set smtp.protocol=smtps")
					.doesNotContain("smtp.servers.bulk.protocol=smtps")
					.doesNotContain("smtp.servers.audit");
			});
	}

	@Test
	void aNamedServersWarningNamesItsOwnPrefix(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("smtp.host=mail.example.test", "smtp.protocol=smtp", "smtp.servers.bulk.port=465")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean("bulkSmtpClient", SmtpClient.class).endpoint().protocol())
					.isEqualTo(SmtpProtocol.SMTP);
				assertThat(output).contains("smtp.servers.bulk.port is 465")
					.contains("Set smtp.servers.bulk.protocol=smtps")
					.doesNotContain("smtp.port is 465");
			});
	}

	@Test
	void aUnixSocketConfiguresAnLmtpClient() {
		this.contextRunner.withPropertyValues("smtp.unix-socket=/run/dovecot/lmtp", "smtp.protocol=lmtp",
				"smtp.starttls=required")
			.run((context) -> {
				SmtpClient client = context.getBean(SmtpClient.class);
				assertThat(client.endpoint()).isEqualTo(SmtpEndpoint.unix(SmtpProtocol.LMTP, Path.of("/run/dovecot/lmtp")));
				// A unix-domain socket is never encrypted: the (perhaps inherited) starttls does not apply.
				assertThat(client.toString()).contains("tls=NONE");
			});
	}

	@Test
	void authMechanismsMayNameTheApplicationsOwn() {
		this.contextRunner.withBean("xoauth2", AuthMechanism.class, () -> new AuthMechanism() {

			@Override
			public String name() {
				return "XOAUTH2";
			}

			@Override
			public SmtpAuthenticator authenticator(String username, String password) {
				throw new UnsupportedOperationException("not used before a connection");
			}

		})
			.withPropertyValues("smtp.host=mail.example.test", "smtp.username=app", "smtp.password=token",
					"smtp.auth.mechanisms=xoauth2,plain")
			.run((context) -> assertThat(context).hasNotFailed().hasSingleBean(SmtpClient.class));
	}

	@Test
	void namedServersInheritTheTopLevelKeysAndGetBeansOfTheirOwn() {
		this.contextRunner
			.withPropertyValues("smtp.host=mail.example.test", "smtp.username=app", "smtp.password=s3cret",
					"smtp.pool.max-total=3", "smtp.servers.bulk.host=bulk.example.test",
					"smtp.servers.bulk.pool.max-total=5", "smtp.servers.audit.port=2525")
			.run((context) -> {
				assertThat(context.getBeansOfType(SmtpClient.class)).containsOnlyKeys("smtpClient", "bulkSmtpClient",
						"auditSmtpClient");
				assertThat(context.getBeansOfType(SmtpMailSender.class)).containsOnlyKeys("smtpMailSender",
						"bulkSmtpMailSender", "auditSmtpMailSender");
				SmtpClient bulk = context.getBean("bulkSmtpClient", SmtpClient.class);
				SmtpClient audit = context.getBean("auditSmtpClient", SmtpClient.class);
				assertThat(bulk.endpoint().host()).isEqualTo("bulk.example.test");
				assertThat(bulk.poolConfig().maxTotal()).isEqualTo(5);
				assertThat(bulk.toString()).contains("authenticated");
				assertThat(audit.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 2525));
				assertThat(audit.poolConfig().maxTotal()).isEqualTo(3);
				assertThat(context.getBean("auditSmtpMailSender", SmtpMailSender.class).getClient()).isSameAs(audit);
				// The top-level server's beans are the primary ones.
				assertThat(context.getBean(SmtpClient.class)).isSameAs(context.getBean("smtpClient"));
				assertThat(context.getBean(MailSender.class)).isSameAs(context.getBean("smtpMailSender"));
			});
	}

	@Test
	void aNamedServersOwnAddressReplacesTheInheritedOneWhole() {
		this.contextRunner
			.withPropertyValues("smtp.protocol=lmtp", "smtp.unix-socket=/run/dovecot/lmtp",
					"smtp.servers.relay.protocol=smtp", "smtp.servers.relay.host=relay.example.test",
					"smtp.servers.local.host=ignored.example.test", "smtp.servers.local.unix-socket=/run/other/lmtp")
			.run((context) -> {
				assertThat(context.getBean("relaySmtpClient", SmtpClient.class).endpoint())
					.isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "relay.example.test", 25));
				assertThat(context.getBean("localSmtpClient", SmtpClient.class).endpoint())
					.isEqualTo(SmtpEndpoint.unix(SmtpProtocol.LMTP, Path.of("/run/other/lmtp")));
			});
		this.contextRunner
			.withPropertyValues("smtp.host=mail.example.test", "smtp.port=2525", "smtp.servers.local.protocol=lmtp",
					"smtp.servers.local.unix-socket=/run/dovecot/lmtp")
			.run((context) -> assertThat(context.getBean("localSmtpClient", SmtpClient.class).endpoint())
				.isEqualTo(SmtpEndpoint.unix(SmtpProtocol.LMTP, Path.of("/run/dovecot/lmtp"))));
	}

	@Test
	void namedServersAloneConfigureOnlyTheirOwnBeans() {
		this.contextRunner.withPropertyValues("smtp.servers.bulk.host=bulk.example.test").run((context) -> {
			assertThat(context.getBeansOfType(SmtpClient.class)).containsOnlyKeys("bulkSmtpClient");
			assertThat(context.getBeansOfType(MailSender.class)).containsOnlyKeys("bulkSmtpMailSender");
		});
	}

	@Test
	void anApplicationMailSenderTurnsOursOff() {
		this.contextRunner.withUserConfiguration(ApplicationMailSender.class)
			.withPropertyValues("smtp.host=mail.example.test", "smtp.servers.bulk.port=2525")
			.run((context) -> {
				assertThat(context).hasSingleBean(MailSender.class).hasBean("applicationMailSender");
				assertThat(context).doesNotHaveBean(SmtpMailSender.class);
				assertThat(context.getBeansOfType(SmtpClient.class)).containsOnlyKeys("smtpClient", "bulkSmtpClient");
			});
	}

	@Test
	void anApplicationSmtpClientReplacesTheDefaultServersOne() {
		this.contextRunner.withUserConfiguration(ApplicationSmtpClient.class)
			.withPropertyValues("smtp.host=mail.example.test")
			.run((context) -> {
				assertThat(context).hasSingleBean(SmtpClient.class).doesNotHaveBean("smtpClient");
				SmtpClient client = context.getBean(SmtpClient.class);
				assertThat(client.endpoint().host()).isEqualTo("own.example.test");
				assertThat(context.getBean(SmtpMailSender.class).getClient()).isSameAs(client);
			});
	}

	@Test
	void anApplicationBeanNamedLikeANamedServersClientWins() {
		this.contextRunner.withUserConfiguration(ApplicationBulkSmtpClient.class)
			.withPropertyValues("smtp.servers.bulk.host=bulk.example.test")
			.run((context) -> assertThat(context.getBean("bulkSmtpClient", SmtpClient.class).endpoint().host())
				.isEqualTo("own.example.test"));
	}

	@Test
	void springBootsMailAutoConfigurationBacksOffForOurs() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(MailSenderAutoConfiguration.class))
			.withPropertyValues("smtp.host=mail.example.test", "spring.mail.host=legacy.example.test")
			.run((context) -> {
				assertThat(context).hasSingleBean(MailSender.class).hasBean("smtpMailSender");
				assertThat(context).doesNotHaveBean(JavaMailSenderImpl.class);
			});
	}

	@Test
	void springBootsMailAutoConfigurationBacksOffForNamedServersToo() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(MailSenderAutoConfiguration.class))
			.withPropertyValues("smtp.servers.bulk.host=bulk.example.test", "spring.mail.host=legacy.example.test")
			.run((context) -> assertThat(context).doesNotHaveBean(JavaMailSenderImpl.class)
				.hasSingleBean(MailSender.class)
				.hasBean("bulkSmtpMailSender"));
	}

	/**
	 * The auto-configurations themselves read no spring.mail.* key: in an application,
	 * {@link SpringMailEnvironmentPostProcessor} maps spring.mail.* onto smtp.* first (see
	 * {@link SpringMailMigrationApplicationTests}); a context runner runs no post-processor.
	 */
	@Test
	void springBootsMailAutoConfigurationWorksAsBeforeWithoutSmtpProperties() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(MailSenderAutoConfiguration.class))
			.withPropertyValues("spring.mail.host=legacy.example.test")
			.run((context) -> assertThat(context).hasSingleBean(JavaMailSenderImpl.class)
				.doesNotHaveBean(SmtpClient.class));
	}

	@Test
	void anSslBundleNeedsSpringBootsSslAutoConfiguration() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withPropertyValues("smtp.host=mail.example.test", "smtp.ssl.bundle=missing")
			.run(failsOn("smtp.ssl.bundle", "missing"));
	}

	@Test
	void badValuesFailStartUpNamingTheProperty() {
		run(failsOn("smtp.port", "70000"), "smtp.host=mail.example.test", "smtp.port=70000");
		run(failsOn("smtp.timeout", "0"), "smtp.host=mail.example.test", "smtp.timeout=0s");
		run(failsOn("smtp.servers.bulk.connect-timeout", "-1"), "smtp.host=mail.example.test",
				"smtp.servers.bulk.connect-timeout=-1s");
		run(failsOn("smtp.pool.max-total", "0"), "smtp.host=mail.example.test", "smtp.pool.max-total=0");
		run(failsOn("smtp.pool.min-idle", "minIdle"), "smtp.host=mail.example.test", "smtp.pool.max-total=2",
				"smtp.pool.min-idle=3");
		run(failsOn("smtp.pool.max-idle", "maxIdle"), "smtp.host=mail.example.test", "smtp.pool.max-total=2",
				"smtp.pool.max-idle=3");
		// Both too high: the builder refuses max-idle first, and that is the property named.
		run(failsOn("smtp.pool.max-idle", "maxIdle"), "smtp.host=mail.example.test", "smtp.pool.max-total=8",
				"smtp.pool.max-idle=10", "smtp.pool.min-idle=12");
		run(failsOn("smtp.backoff.initial", "backoff initial"), "smtp.host=mail.example.test",
				"smtp.backoff.initial=0s");
		run(failsOn("smtp.backoff.max", "backoff max"), "smtp.host=mail.example.test", "smtp.backoff.initial=2m",
				"smtp.backoff.max=1m");
		run(failsOn("smtp.auth.mechanisms", "XOAUTH9"), "smtp.host=mail.example.test", "smtp.username=app",
				"smtp.password=pw", "smtp.auth.mechanisms=PLAIN,XOAUTH9");
		run(failsOn("smtp.password", "username"), "smtp.host=mail.example.test", "smtp.username=app");
		run(failsOn("smtp.default-from", "not an address"), "smtp.host=mail.example.test",
				"smtp.default-from=not an address <");
		run(failsOn("smtp.unix-socket", "lmtp"), "smtp.unix-socket=/run/lmtp.sock");
		run(failsOn("smtp.servers.bulk.host", "must be set"), "smtp.servers.bulk.port=2525");
		run(failsOn("smtp.servers.default", "default"), "smtp.servers.default.host=mail.example.test");
		run(failsOn("smtp.ssl.bundle", "SslBundles"), "smtp.host=mail.example.test", "smtp.ssl.bundle=mail");
	}

	@Test
	void aServerThatDoesNotAnswerFailsStartUpWithTestConnection() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		this.contextRunner
			.withPropertyValues("smtp.host=127.0.0.1", "smtp.port=" + closedPort, "smtp.test-connection=true")
			.run((context) -> assertThat(context).getFailure()
				.hasStackTraceContaining("SMTP server 'default' at 127.0.0.1:" + closedPort + " did not answer NOOP")
				.hasStackTraceContaining("smtp.test-connection=true")
				.hasStackTraceContaining("Connection refused"));
	}

	@Test
	void aServerThatAnswersPassesTestConnection() throws Exception {
		try (FakeSmtpServer server = FakeSmtpServer.refusing((recipient) -> false)) {
			this.contextRunner
				.withPropertyValues("smtp.host=127.0.0.1", "smtp.port=" + server.port(), "smtp.starttls=none",
						"smtp.test-connection=true")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					assertThat(context.getBean(SmtpClient.class).poolStats().idle()).isEqualTo(1);
				});
		}
	}

	private void run(ContextConsumer<AssertableApplicationContext> assertions, String... properties) {
		this.contextRunner.withPropertyValues(properties).run(assertions);
	}

	/** Start-up failed with Spring Boot's exception for a bad property value, naming this one. */
	private static ContextConsumer<AssertableApplicationContext> failsOn(String property, String messagePart) {
		return (context) -> assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.hasMessageContaining(messagePart)
			.satisfies((ex) -> assertThat(((InvalidConfigurationPropertyValueException) ex).getName())
				.isEqualTo(property));
	}

	@Configuration(proxyBeanMethods = false)
	static class ApplicationMailSender {

		@Bean
		MailSender applicationMailSender() {
			return (messages) -> {
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ApplicationSmtpClient {

		@Bean
		SmtpClient applicationSmtpClient() {
			return SmtpClient.builder().host("own.example.test").build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ApplicationBulkSmtpClient {

		@Bean
		SmtpClient bulkSmtpClient() {
			return SmtpClient.builder().host("own.example.test").build();
		}

	}

}
