package io.github.smtpkit.spring;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.TlsMode;
import io.github.smtpkit.pool.PoolConfig;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SmtpClientBuilderCustomizer} beans: applied to every server's builder after its
 * properties, in order, with the server's name; a value the builder refuses fails start-up naming
 * the customizer and the server. No connection is opened.
 */
class SmtpClientBuilderCustomizerTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(SmtpkitAutoConfigurations.all());

	@Test
	void everyCustomizerIsAppliedToEveryServerInOrderWithTheServersName() {
		this.contextRunner.withUserConfiguration(RecordingCustomizers.class)
			.withPropertyValues("smtp.host=mail.example.test", "smtp.servers.bulk.host=bulk.example.test",
					"smtp.servers.audit.port=2525")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				List<String> calls = context.getBean(RecordingCustomizers.class).calls;
				assertThat(calls).hasSize(9);
				for (String server : List.of("default", "bulk", "audit")) {
					assertThat(calls).filteredOn((call) -> call.endsWith("@" + server))
						.containsExactly("highest@" + server, "ordered@" + server, "lowest@" + server);
				}
			});
	}

	@Test
	void namedServersAloneAreCustomizedToo() {
		this.contextRunner.withUserConfiguration(RecordingCustomizers.class)
			.withPropertyValues("smtp.servers.bulk.host=bulk.example.test")
			.run((context) -> assertThat(context.getBean(RecordingCustomizers.class).calls)
				.containsExactly("highest@bulk", "ordered@bulk", "lowest@bulk"));
	}

	@Test
	void aCustomizersSettingWinsOverAProperty() {
		this.contextRunner.withUserConfiguration(OverridingCustomizer.class)
			.withPropertyValues("smtp.host=mail.example.test", "smtp.port=2525", "smtp.pipelining=false",
					"smtp.pool.max-total=3", "smtp.servers.bulk.host=bulk.example.test",
					"smtp.servers.bulk.port=2526")
			.run((context) -> {
				SmtpClient client = context.getBean("smtpClient", SmtpClient.class);
				assertThat(client.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 2587));
				assertThat(client.toString()).doesNotContain("no pipelining");
				assertThat(client.poolConfig().maxTotal()).isEqualTo(9);
				// Only where the customizer says so.
				SmtpClient bulk = context.getBean("bulkSmtpClient", SmtpClient.class);
				assertThat(bulk.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "bulk.example.test", 2526));
				assertThat(bulk.toString()).contains("no pipelining");
				assertThat(bulk.poolConfig().maxTotal()).isEqualTo(3);
			});
	}

	@Test
	void aValueBuildRefusesFailsStartUpNamingTheCustomizerAndTheServer() {
		// The recording customizers come first and change nothing: the message names the one that did.
		this.contextRunner.withUserConfiguration(RecordingCustomizers.class, ImplicitTlsForLmtp.class)
			.withPropertyValues("smtp.host=mail.example.test", "smtp.servers.local.protocol=lmtp",
					"smtp.servers.local.host=lmtp.example.test")
			.run((context) -> assertThat(startupFailure(context.getStartupFailure()))
				.hasMessage("Invalid SMTP configuration for server 'local' (smtp.servers.local) after "
						+ "SmtpClientBuilderCustomizer " + ImplicitTlsForLmtp.Customizer.class.getName()
						+ ": tls IMPLICIT is not available for protocol LMTP; use STARTTLS_REQUIRED")
				.cause()
				.isInstanceOf(IllegalArgumentException.class));
	}

	@Test
	void aValueASetterRefusesFailsStartUpNamingTheCustomizerAndTheServer() {
		this.contextRunner.withUserConfiguration(ZeroDataTimeout.class)
			.withPropertyValues("smtp.servers.bulk.host=bulk.example.test")
			.run((context) -> assertThat(startupFailure(context.getStartupFailure()))
				.hasMessageStartingWith("SmtpClientBuilderCustomizer " + ZeroDataTimeout.Customizer.class.getName()
						+ " failed for SMTP server 'bulk' (smtp.servers.bulk): ")
				.hasMessageContaining("dataTimeout")
				.cause()
				.isInstanceOf(IllegalArgumentException.class));
	}

	@Test
	void aPropertyTheBuilderRefusesIsNamedAsThePropertyEvenWithCustomizers() {
		// The builder checks each value as it is set, so the property is named before any customizer runs.
		this.contextRunner.withUserConfiguration(RecordingCustomizers.class)
			.withPropertyValues("smtp.host=mail.example.test", "smtp.local-hostname=bad\r\nname")
			.run((context) -> {
				Throwable failure = context.getStartupFailure();
				while (failure != null && !(failure instanceof InvalidConfigurationPropertyValueException)) {
					failure = failure.getCause();
				}
				assertThat(failure).isInstanceOf(InvalidConfigurationPropertyValueException.class)
					.hasMessageContaining("localHostname contains prohibited newline characters");
				assertThat(((InvalidConfigurationPropertyValueException) failure).getName())
					.isEqualTo("smtp.local-hostname");
			});
	}

	/** The exception smtpkit threw, under Spring's bean creation exceptions. */
	private static Throwable startupFailure(Throwable failure) {
		Throwable candidate = failure;
		while (candidate != null) {
			if (candidate instanceof IllegalStateException) {
				return candidate;
			}
			candidate = candidate.getCause();
		}
		throw new AssertionError("No smtpkit exception in " + failure, failure);
	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingCustomizers {

		final List<String> calls = new CopyOnWriteArrayList<>();

		@Bean
		@Order(Ordered.LOWEST_PRECEDENCE)
		SmtpClientBuilderCustomizer lowestCustomizer() {
			return (server, builder) -> this.calls.add("lowest@" + server);
		}

		@Bean
		SmtpClientBuilderCustomizer orderedCustomizer() {
			return new OrderedCustomizer(this.calls);
		}

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		SmtpClientBuilderCustomizer highestCustomizer() {
			return (server, builder) -> this.calls.add("highest@" + server);
		}

	}

	/** Ordered by the interface, between the two annotated ones. */
	static class OrderedCustomizer implements SmtpClientBuilderCustomizer, Ordered {

		private final List<String> calls;

		OrderedCustomizer(List<String> calls) {
			this.calls = calls;
		}

		@Override
		public void customize(String server, SmtpClient.Builder builder) {
			this.calls.add("ordered@" + server);
		}

		@Override
		public int getOrder() {
			return 0;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OverridingCustomizer {

		@Bean
		SmtpClientBuilderCustomizer overridingCustomizer() {
			return (server, builder) -> {
				if (server.equals("default")) {
					builder.port(2587).pipelining(true).pool(PoolConfig.builder().maxTotal(9).build());
				}
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ImplicitTlsForLmtp {

		@Bean
		SmtpClientBuilderCustomizer implicitTlsForLmtp() {
			return new Customizer();
		}

		static class Customizer implements SmtpClientBuilderCustomizer {

			@Override
			public void customize(String server, SmtpClient.Builder builder) {
				builder.tls(TlsMode.IMPLICIT);
			}

		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ZeroDataTimeout {

		@Bean
		SmtpClientBuilderCustomizer zeroDataTimeout() {
			return new Customizer();
		}

		static class Customizer implements SmtpClientBuilderCustomizer {

			@Override
			public void customize(String server, SmtpClient.Builder builder) {
				builder.dataTimeout(Duration.ZERO);
			}

		}

	}

}
