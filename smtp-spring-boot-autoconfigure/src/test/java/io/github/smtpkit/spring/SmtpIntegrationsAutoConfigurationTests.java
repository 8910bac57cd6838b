package io.github.smtpkit.spring;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.spring.event.SmtpEventPublisher;
import io.github.smtpkit.spring.health.SmtpHealthIndicator;
import io.github.smtpkit.spring.metrics.SmtpClientMetrics;
import io.github.smtpkit.spring.metrics.SmtpPoolMetrics;
import io.github.smtpkit.spring.observation.SmtpSendObservations;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.javamail.JavaMailSender;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The optional integrations: each switches on with its library and its switch, and off without
 * them, leaving the clients alone.
 */
class SmtpIntegrationsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(SmtpkitAutoConfigurations.all())
		.withPropertyValues("smtp.host=mail.example.test");

	@Test
	void eventsArePublishedUnlessSwitchedOff() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(SmtpEventPublisher.class));
		this.contextRunner.withPropertyValues("smtp.events.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(SmtpEventPublisher.class)
				.hasSingleBean(SmtpClient.class));
	}

	@Test
	void metricsNeedAMeterRegistry() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(SmtpClientMetrics.class)
			.doesNotHaveBean(SmtpPoolMetrics.class));
		this.contextRunner.withUserConfiguration(MeterRegistryConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(SmtpClientMetrics.class)
				.hasSingleBean(SmtpPoolMetrics.class));
	}

	@Test
	void metricsBackOffWithoutMicrometer() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(SmtpClientMetrics.class)
				.doesNotHaveBean(SmtpPoolMetrics.class)
				.hasSingleBean(SmtpClient.class));
	}

	@Test
	void poolMetersAreTaggedWithEachServersNameFromTheStart() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class))
			.withUserConfiguration(MeterRegistryConfiguration.class)
			.withPropertyValues("smtp.servers.bulk.host=bulk.example.test")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				// The clients exist (made for the gauges); the listener's meters are registered with them.
				context.getBean("bulkSmtpClient");
				for (String server : List.of("default", "bulk")) {
					assertThat(registry.get("smtp.client.pool.acquire").tag("server", server).timer().count()).isZero();
					assertThat(registry.get("smtp.client.pool.created").tag("server", server).counter().count()).isZero();
					assertThat(registry.get("smtp.client.pool.timeouts").tag("server", server).counter().count())
						.isZero();
				}
				assertThat(registry.find("smtp.client.sends").meters()).isEmpty();
				assertThat(registry.getMeters()).allSatisfy((meter) -> assertThat(meter.getId().getTag("name")).isNull());
			});
	}

	@Test
	void poolGaugesAreTaggedWithEachServersName() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class))
			.withUserConfiguration(MeterRegistryConfiguration.class)
			.withPropertyValues("smtp.pool.max-total=4", "smtp.servers.bulk.pool.max-total=6")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("smtp.client.pool.max").tag("server", "default").gauge().value()).isEqualTo(4);
				assertThat(registry.get("smtp.client.pool.max").tag("server", "bulk").gauge().value()).isEqualTo(6);
				assertThat(registry.get("smtp.client.pool.active").tag("server", "bulk").gauge().value()).isZero();
				assertThat(registry.get("smtp.client.pool.idle").gauges()).hasSize(2);
				assertThat(registry.get("smtp.client.pool.waiting").gauges()).hasSize(2);
			});
	}

	@Test
	void observationsNeedAnObservationRegistry() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(SmtpSendObservations.class));
		this.contextRunner.withUserConfiguration(ObservationRegistryConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(SmtpSendObservations.class));
	}

	@Test
	void observationsDoNotNeedSpringsMailSupport() {
		this.contextRunner.withUserConfiguration(ObservationRegistryConfiguration.class)
			.withClassLoader(new FilteredClassLoader(JavaMailSender.class))
			.run((context) -> assertThat(context).hasSingleBean(SmtpSendObservations.class)
				.doesNotHaveBean(SmtpMailSender.class));
	}

	@Test
	void healthIsOneIndicatorForOneServer() {
		this.contextRunner.run((context) -> assertThat(context.getBean("smtpHealthContributor"))
			.isInstanceOf(SmtpHealthIndicator.class));
	}

	@Test
	void aHealthTimeoutThatIsNotPositiveFailsStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("management.health.smtp.timeout=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("management.health.smtp.timeout")
				.hasMessageContaining("timeout must be positive"));
	}

	@Test
	void healthIsACompositeByServerNameForSeveral() {
		this.contextRunner.withPropertyValues("smtp.servers.bulk.host=bulk.example.test").run((context) -> {
			HealthContributor contributor = context.getBean("smtpHealthContributor", HealthContributor.class);
			assertThat(contributor).isInstanceOf(CompositeHealthContributor.class);
			Map<String, HealthContributor> byName = StreamSupport
				.stream(((HealthContributors) contributor).spliterator(), false)
				.collect(Collectors.toMap(HealthContributors.Entry::name, HealthContributors.Entry::contributor));
			assertThat(byName).containsOnlyKeys("default", "bulk");
			assertThat(byName.values()).allSatisfy((indicator) -> assertThat(indicator).isInstanceOf(SmtpHealthIndicator.class));
		});
	}

	@Test
	void healthCanBeSwitchedOff() {
		this.contextRunner.withPropertyValues("management.health.smtp.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(HealthContributor.class).hasSingleBean(SmtpClient.class));
	}

	@Test
	void healthBacksOffWithoutSpringBootHealth() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean("smtpHealthContributor")
				.hasSingleBean(SmtpClient.class));
	}

	@Test
	void theMailSenderBacksOffWithoutJakartaMail() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MimeMessage.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(SmtpMailSender.class)
				.hasSingleBean(SmtpClient.class));
	}

	@Test
	void theMailSenderBacksOffWithoutSpringsMailSupport() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(JavaMailSender.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(SmtpMailSender.class)
				.hasSingleBean(SmtpClient.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class MeterRegistryConfiguration {

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ObservationRegistryConfiguration {

		@Bean
		ObservationRegistry observationRegistry() {
			return ObservationRegistry.create();
		}

	}

}
