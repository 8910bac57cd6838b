package io.github.smtpkit.spring;

import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.spring.observation.SmtpSendObservationConvention;
import io.github.smtpkit.spring.observation.SmtpSendObservations;
import io.micrometer.observation.ObservationRegistry;
import jakarta.mail.internet.MimeMessage;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of a {@code mail.send} observation for each
 * message that any client of the starter sends (through its {@code MailSender}, {@code send} or
 * {@code sendAll}), in the application's {@link ObservationRegistry}, named and tagged by an
 * {@link SmtpSendObservationConvention} bean when there is one. {@code
 * management.observations.enable.mail.send=false} switches the observation (and its timer) off.
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass({ SmtpClient.class, ObservationRegistry.class, MimeMessage.class })
@ConditionalOnBean(ObservationRegistry.class)
@Conditional(SmtpServersCondition.class)
public final class SmtpObservationAutoConfiguration {

	SmtpObservationAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	SmtpSendObservations smtpSendObservations(ObservationRegistry registry,
			ObjectProvider<SmtpSendObservationConvention> convention) {
		return new SmtpSendObservations(registry, convention.getIfAvailable());
	}

}
