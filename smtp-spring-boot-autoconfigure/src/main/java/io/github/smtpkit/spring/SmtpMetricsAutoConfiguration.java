package io.github.smtpkit.spring;


import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.spring.metrics.SmtpClientMetrics;
import io.github.smtpkit.spring.metrics.SmtpPoolMetrics;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of Micrometer metrics for every client:
 * command and send timers ({@link SmtpClientMetrics}) and pool gauges ({@link SmtpPoolMetrics}).
 * Only with Micrometer on the class path and a {@link MeterRegistry} bean.
 */
@AutoConfiguration(after = SmtpClientAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({ SmtpClient.class, MeterRegistry.class })
@ConditionalOnBean(MeterRegistry.class)
@Conditional(SmtpServersCondition.class)
public final class SmtpMetricsAutoConfiguration {

	SmtpMetricsAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	SmtpClientMetrics smtpClientMetrics(MeterRegistry registry) {
		return new SmtpClientMetrics(registry);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(SmtpClient.class)
	SmtpPoolMetrics smtpPoolMetrics(ConfigurableListableBeanFactory beanFactory) {
		return new SmtpPoolMetrics(SmtpServers.clientsByServer(beanFactory));
	}

}
