package io.github.smtpkit.spring.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and tags the {@code mail.send} observation of a message sent through an
 * {@link io.github.smtpkit.spring.SmtpMailSender}. A bean of this type replaces
 * {@link DefaultSmtpSendObservationConvention}.
 */
public interface SmtpSendObservationConvention extends ObservationConvention<SmtpSendObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof SmtpSendObservationContext;
	}

}
