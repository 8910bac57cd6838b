package io.github.smtpkit.spring;

import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.spring.observation.SmtpSendObservationConvention;
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
import org.springframework.mail.javamail.JavaMailSender;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of a {@code mail.send} observation for each
 * message an {@link SmtpMailSender} sends, in the application's {@link ObservationRegistry}
 * (named and tagged by an {@link SmtpSendObservationConvention} bean when there is one).
 */
@AutoConfiguration(afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass({ SmtpClient.class, ObservationRegistry.class, MimeMessage.class, JavaMailSender.class })
@ConditionalOnBean(ObservationRegistry.class)
@Conditional(SmtpServersCondition.class)
public final class SmtpObservationAutoConfiguration {

	SmtpObservationAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean(name = "smtpMailSenderObservationCustomizer")
	SmtpMailSenderCustomizer smtpMailSenderObservationCustomizer(ObservationRegistry registry,
			ObjectProvider<SmtpSendObservationConvention> convention) {
		return (mailSender) -> {
			mailSender.setObservationRegistry(registry);
			convention.ifAvailable(mailSender::setObservationConvention);
		};
	}

}
