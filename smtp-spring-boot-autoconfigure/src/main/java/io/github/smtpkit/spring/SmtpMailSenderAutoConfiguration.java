package io.github.smtpkit.spring;

import java.util.function.Consumer;

import io.github.smtpkit.SmtpClient;
import jakarta.mail.internet.MimeMessage;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
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
 * {@code <name>SmtpMailSender} for each under {@code smtp.servers.<name>}.
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

	SmtpMailSenderAutoConfiguration() {
	}

	@Bean({ "smtpMailSender", "mailSender" })
	@Primary
	@ConditionalOnBean(SmtpClient.class)
	@Conditional(DefaultSmtpServerCondition.class)
	SmtpMailSender smtpMailSender(SmtpClient client, SmtpProperties properties,
			ObjectProvider<SmtpMailSenderCustomizer> customizers) {
		return mailSender(SmtpServers.DEFAULT_SERVER, client, properties, customizers);
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

	/** Hands an address to the sender, naming the property of one it refuses. */
	private static void apply(String property, String address, Consumer<String> setter) {
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
	 */
	static class NamedSmtpMailSendersRegistrar
			implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

		private Environment environment;

		private BeanFactory beanFactory;

		@Override
		public void setEnvironment(Environment environment) {
			this.environment = environment;
		}

		@Override
		public void setBeanFactory(BeanFactory beanFactory) {
			this.beanFactory = beanFactory;
		}

		@Override
		public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
			SmtpServers.namedServerProperties(this.environment).forEach((server, properties) -> {
				String beanName = SmtpServers.mailSenderBeanName(server);
				if (!registry.containsBeanDefinition(beanName)) {
					registry.registerBeanDefinition(beanName, new RootBeanDefinition(SmtpMailSender.class,
							() -> mailSender(server, this.beanFactory.getBean(SmtpServers.clientBeanName(server),
									SmtpClient.class), properties,
									this.beanFactory.getBeanProvider(SmtpMailSenderCustomizer.class))));
				}
			});
		}

	}

}
