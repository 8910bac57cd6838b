package io.github.smtpkit.spring;

import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.spring.event.SmtpEvent;
import io.github.smtpkit.spring.event.SmtpEventPublisher;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * {@link EnableAutoConfiguration Auto-configuration} that publishes what every client does as
 * {@link SmtpEvent Spring application events}; {@code smtp.events.enabled=false} turns it off.
 */
@AutoConfiguration
@ConditionalOnClass(SmtpClient.class)
@Conditional(SmtpServersCondition.class)
@ConditionalOnBooleanProperty(name = "smtp.events.enabled", matchIfMissing = true)
public final class SmtpEventsAutoConfiguration {

	SmtpEventsAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	SmtpEventPublisher smtpEventPublisher(ApplicationEventPublisher publisher) {
		return new SmtpEventPublisher(publisher);
	}

}
