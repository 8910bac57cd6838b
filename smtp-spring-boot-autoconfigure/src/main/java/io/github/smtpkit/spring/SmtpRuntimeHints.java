package io.github.smtpkit.spring;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;

/**
 * What a native image of an application that uses smtpkit needs beyond what Spring's AOT
 * processing finds by itself; registered in {@code META-INF/spring/aot.factories}.
 *
 * <ul>
 * <li>Each named server's settings are bound to an {@link SmtpServerProperties} when its beans
 * are made, outside the {@code @ConfigurationProperties} bean whose type Spring Boot writes hints
 * for.</li>
 * <li>commons-pool2, under every client's pool, makes its eviction policy from a class name.</li>
 * </ul>
 *
 * <p>Spring's and Jakarta Mail's own parts bring theirs: {@code spring-context-support} the
 * {@code mime.types} of the messages a mail sender makes, {@code spring-core} the factories of
 * {@code META-INF/spring.factories} (the {@code spring.mail.*} environment post-processor), and
 * Angus Mail and Angus Activation their resources and providers (in their
 * {@code META-INF/native-image}).
 */
class SmtpRuntimeHints implements RuntimeHintsRegistrar {

	/** {@code BaseObjectPoolConfig.DEFAULT_EVICTION_POLICY_CLASS_NAME}. */
	static final String EVICTION_POLICY = "org.apache.commons.pool2.impl.DefaultEvictionPolicy";

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		BindableRuntimeHintsRegistrar.forTypes(SmtpServerProperties.class).registerHints(hints, classLoader);
		hints.reflection().registerTypeIfPresent(classLoader, EVICTION_POLICY, MemberCategory.INVOKE_PUBLIC_CONSTRUCTORS);
	}

}
