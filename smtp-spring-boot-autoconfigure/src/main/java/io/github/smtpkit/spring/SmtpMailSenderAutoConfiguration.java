package io.github.smtpkit.spring;

import java.util.function.Consumer;

import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.internal.StreamProviderLookup;
import jakarta.mail.internet.MimeMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConstructorArgumentValues;
import org.springframework.beans.factory.config.RuntimeBeanReference;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.mail.MailSender;
import org.springframework.mail.javamail.JavaMailSender;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of an {@link SmtpMailSender} (Spring's
 * {@link JavaMailSender}) per server: {@code smtpMailSender} (primary, also known as
 * {@code mailSender}, the name of Spring Boot's own bean) for the server under {@code smtp.*},
 * {@code <name>SmtpMailSender} for each under {@code smtp.servers.<name>} (primary when
 * {@code smtp.primary} names it).
 *
 * <p>Backs off when the application defines a {@link MailSender} of its own. Runs before Spring
 * Boot's mail auto-configuration, which backs off in turn when it finds a {@link MailSender}: an
 * application that moves from {@code spring.mail.*} to {@code smtp.*} gets one sender, ours.
 */
@AutoConfiguration(after = SmtpClientAutoConfiguration.class,
		beforeName = "org.springframework.boot.mail.autoconfigure.MailSenderAutoConfiguration")
@ConditionalOnClass({ SmtpClient.class, MimeMessage.class, JavaMailSender.class })
@ConditionalOnMissingBean(MailSender.class)
@Conditional(SmtpServersCondition.class)
@Import(SmtpMailSenderAutoConfiguration.NamedSmtpMailSendersRegistrar.class)
public final class SmtpMailSenderAutoConfiguration {

	private static final Log logger = LogFactory.getLog(SmtpMailSenderAutoConfiguration.class);

	SmtpMailSenderAutoConfiguration() {
	}

	@Bean({ "smtpMailSender", "mailSender" })
	@Primary
	@ConditionalOnBean(SmtpClient.class)
	@Conditional(DefaultSmtpServerCondition.class)
	SmtpMailSender smtpMailSender(SmtpClient client, SmtpProperties properties,
			ObjectProvider<SmtpMailSenderCustomizer> customizers) {
		pinStreamProvider(properties.getJakartaMail().isPinStreamProvider());
		return mailSender(SmtpServers.DEFAULT_SERVER, client, properties, customizers);
	}

	/**
	 * Names Jakarta Mail's stream provider in its system property when {@code
	 * smtp.jakarta-mail.pin-stream-provider} allows and it is safe (see {@link
	 * StreamProviderLookup#pinProvider()}): once per JVM, before the application builds messages
	 * for the sender.
	 */
	static void pinStreamProvider(boolean enabled) {
		if (!enabled) {
			return;
		}
		String pinned = StreamProviderLookup.pinProvider();
		if (pinned != null && logger.isDebugEnabled()) {
			logger.debug("Set " + StreamProviderLookup.PROVIDER_PROPERTY + "=" + pinned + " so that Jakarta Mail"
					+ " no longer scans the class path for it each time a message part is made"
					+ " (smtp.jakarta-mail.pin-stream-provider=false leaves it unset)");
		}
	}

	static SmtpMailSender mailSender(String server, SmtpClient client, SmtpServerProperties properties,
			ObjectProvider<SmtpMailSenderCustomizer> customizers) {
		SmtpMailSender mailSender = new SmtpMailSender(client);
		String prefix = SmtpServers.propertyPrefix(server);
		mailSender.setPropertyPrefix(prefix);
		apply(prefix + ".default-from", properties.getDefaultFrom(), mailSender::setDefaultFrom);
		apply(prefix + ".envelope-from", properties.getEnvelopeFrom(), mailSender::setEnvelopeFrom);
		mailSender.setDefaultEncoding(properties.getDefaultEncoding());
		mailSender.setPartialDelivery(properties.isPartialDelivery());
		customizers.orderedStream().forEach((customizer) -> customizer.customize(mailSender));
		return mailSender;
	}

	/** Hands an address, or {@code null} for none, to the sender, naming the property of one it refuses. */
	private static void apply(String property, @Nullable String address, Consumer<@Nullable String> setter) {
		try {
			setter.accept(address);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException(property, address, ex.getMessage());
		}
	}

	/**
	 * Registers {@code <name>SmtpMailSender} for each {@code smtp.servers.<name>}, sending through
	 * {@code <name>SmtpClient}, unless the application defines a bean of that name itself.
	 *
	 * <p>Each definition names a static factory method and holds its arguments, the server's name
	 * and a reference to its client, so that Spring AOT can write it as code (it refuses instance
	 * suppliers); the server's settings are read when the bean is made.
	 */
	static class NamedSmtpMailSendersRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

		private Environment environment;

		@Override
		public void setEnvironment(Environment environment) {
			this.environment = environment;
		}

		@Override
		public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
			String primary = SmtpServers.primaryServer(this.environment);
			for (String server : SmtpServers.namedServerProperties(this.environment).keySet()) {
				String beanName = SmtpServers.mailSenderBeanName(server);
				if (!registry.containsBeanDefinition(beanName)) {
					RootBeanDefinition definition = definition(server);
					definition.setPrimary(server.equals(primary));
					registry.registerBeanDefinition(beanName, definition);
				}
			}
		}

		private static RootBeanDefinition definition(String server) {
			RootBeanDefinition definition = new RootBeanDefinition(NamedSmtpMailSendersRegistrar.class);
			definition.setFactoryMethodName("namedSmtpMailSender");
			definition.setTargetType(SmtpMailSender.class);
			ConstructorArgumentValues arguments = definition.getConstructorArgumentValues();
			arguments.addIndexedArgumentValue(0, server);
			arguments.addIndexedArgumentValue(1, new RuntimeBeanReference(SmtpServers.clientBeanName(server)));
			definition.setAutowireMode(AbstractBeanDefinition.AUTOWIRE_CONSTRUCTOR);
			return definition;
		}

		/**
		 * The mail sender of a named server, from its properties as they are when the bean is made.
		 * @param server the name under {@code smtp.servers}
		 * @param client the server's client, {@code <name>SmtpClient}
		 * @param environment where the properties are
		 * @param customizers the application's mail sender customizers
		 * @return the server's mail sender
		 */
		static SmtpMailSender namedSmtpMailSender(String server, SmtpClient client, Environment environment,
				ObjectProvider<SmtpMailSenderCustomizer> customizers) {
			pinStreamProvider(Binder.get(environment)
				.bind("smtp.jakarta-mail.pin-stream-provider", Boolean.class)
				.orElse(true));
			return mailSender(server, client, SmtpServers.namedServerProperties(environment, server), customizers);
		}

	}

}
