package io.github.smtpkit.spring;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

/**
 * What a native image of an application that uses smtpkit needs beyond what Spring's AOT
 * processing finds by itself; registered in {@code META-INF/spring/aot.factories}: each named
 * server's settings are bound to an {@link SmtpServerProperties} when its beans are made, outside
 * the {@code @ConfigurationProperties} bean whose type Spring Boot writes hints for. (smtp-core
 * needs no reflection: its pool is given its eviction policy as an instance.)
 *
 * <p>Spring's and Jakarta Mail's own parts bring theirs: {@code spring-context-support} the
 * {@code mime.types} of the messages a mail sender makes, {@code spring-core} the factories of
 * {@code META-INF/spring.factories} (the {@code spring.mail.*} environment post-processor), and
 * Angus Mail and Angus Activation their resources and providers (in their
 * {@code META-INF/native-image}).
 */
class SmtpRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		BindableRuntimeHintsRegistrar.forTypes(SmtpServerProperties.class).registerHints(hints, classLoader);
	}

}
