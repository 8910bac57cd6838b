package io.github.smtpkit.spring;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code smtp.host}, {@code smtp.hosts} or {@code smtp.unix-socket} configures the default server, whose
 * beans are {@code smtpClient} and {@code smtpMailSender}.
 */
class DefaultSmtpServerCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("Default SMTP server");
		return SmtpServers.hasDefaultServer(context.getEnvironment())
				? ConditionOutcome.match(message.foundExactly("smtp.host, smtp.hosts or smtp.unix-socket"))
				: ConditionOutcome.noMatch(message.didNotFind("smtp.host, smtp.hosts or smtp.unix-socket").atAll());
	}

}
