package io.github.smtpkit.spring;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.spring.health.SmtpHealthIndicator;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of an {@link SmtpHealthIndicator} per
 * client, under the name {@code smtp}: the indicator itself for one server, a composite keyed by
 * server name for several. Only with {@code spring-boot-health} on the class path;
 * {@code management.health.smtp.enabled=false} turns it off. An application that wants another
 * {@linkplain SmtpHealthIndicator#SmtpHealthIndicator(String, SmtpClient, java.time.Duration, java.time.Duration)
 * maximum reply age} than 30 s defines its own {@code smtpHealthContributor} bean.
 */
@AutoConfiguration(after = SmtpClientAutoConfiguration.class)
@ConditionalOnClass({ SmtpClient.class, HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@Conditional(SmtpServersCondition.class)
@ConditionalOnBean(SmtpClient.class)
@ConditionalOnEnabledHealthIndicator("smtp")
@EnableConfigurationProperties(SmtpHealthIndicatorProperties.class)
public final class SmtpHealthContributorAutoConfiguration {

	SmtpHealthContributorAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean(name = { "smtpHealthIndicator", "smtpHealthContributor" })
	HealthContributor smtpHealthContributor(ConfigurableListableBeanFactory beanFactory,
			SmtpHealthIndicatorProperties properties) {
		Map<String, SmtpHealthIndicator> indicators = new LinkedHashMap<>();
		SmtpServers.clientsByServer(beanFactory).forEach((server, client) -> {
			try {
				indicators.put(server, new SmtpHealthIndicator(server, client, properties.getTimeout()));
			}
			catch (IllegalArgumentException ex) {
				// The indicator checks its timeout; the property it came from is what to name.
				throw new InvalidConfigurationPropertyValueException("management.health.smtp.timeout",
						properties.getTimeout(), ex.getMessage());
			}
		});
		return (indicators.size() == 1) ? indicators.values().iterator().next()
				: CompositeHealthContributor.fromMap(indicators);
	}

}
