package io.github.smtpkit.spring;

import java.util.Set;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code smtp.*} configures at least one server: the default one
 * ({@code smtp.host}, {@code smtp.hosts} or {@code smtp.unix-socket}) or a named one ({@code smtp.servers.<name>}).
 * Without one, smtpkit adds no bean at all.
 */
class SmtpServersCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("SMTP servers");
		if (SmtpServers.hasDefaultServer(context.getEnvironment())) {
			return ConditionOutcome.match(message.foundExactly("smtp.host, smtp.hosts or smtp.unix-socket"));
		}
		Set<String> named = SmtpServers.namedServers(context.getEnvironment());
		if (!named.isEmpty()) {
			return ConditionOutcome.match(message.found("server", "servers").items(named));
		}
		return ConditionOutcome.noMatch(message.didNotFind("smtp.host, smtp.hosts, smtp.unix-socket or smtp.servers").atAll());
	}

}
