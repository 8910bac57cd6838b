package io.github.smtpkit.spring;

import io.github.smtpkit.SmtpClient;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of a pooled {@link SmtpClient} per server:
 * {@code smtpClient} (primary) for the server under {@code smtp.*}, {@code <name>SmtpClient} for
 * each under {@code smtp.servers.<name>} (primary when {@code smtp.primary} names it). Each is
 * closed, ending its pooled sessions with QUIT, when the application context closes.
 *
 * <p>The named servers' beans are registered while configuration classes are processed, not
 * later, so that the conditions of later auto-configurations see them.
 */
@AutoConfiguration(afterName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration")
@ConditionalOnClass(SmtpClient.class)
@Conditional(SmtpServersCondition.class)
@EnableConfigurationProperties(SmtpProperties.class)
@Import(SmtpClientAutoConfiguration.NamedSmtpClientsRegistrar.class)
public final class SmtpClientAutoConfiguration {

	SmtpClientAutoConfiguration() {
	}

	@Bean(destroyMethod = "close")
	@Primary
	@ConditionalOnMissingBean(SmtpClient.class)
	@Conditional(DefaultSmtpServerCondition.class)
	SmtpClient smtpClient(SmtpProperties properties, BeanFactory beanFactory) {
		return SmtpClientFactory.of(beanFactory).create(SmtpServers.DEFAULT_SERVER, properties);
	}

	/**
	 * Registers {@code <name>SmtpClient} for each {@code smtp.servers.<name>}, unless the
	 * application defines a bean of that name itself.
	 *
	 * <p>Each definition names a static factory method and holds the server's name as its one
	 * argument, so that Spring AOT can write it as code (it refuses instance suppliers): with AOT,
	 * which servers there are is settled at build time, and their settings are read when the bean
	 * is made.
	 */
	static class NamedSmtpClientsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

		private Environment environment;

		@Override
		public void setEnvironment(Environment environment) {
			this.environment = environment;
		}

		@Override
		public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
			String primary = SmtpServers.primaryServer(this.environment);
			// Binds every server now, so that a bad name fails while configuration classes are processed.
			for (String server : SmtpServers.namedServerProperties(this.environment).keySet()) {
				String beanName = SmtpServers.clientBeanName(server);
				if (!registry.containsBeanDefinition(beanName)) {
					RootBeanDefinition definition = definition(server);
					definition.setPrimary(server.equals(primary));
					registry.registerBeanDefinition(beanName, definition);
				}
			}
		}

		private static RootBeanDefinition definition(String server) {
			RootBeanDefinition definition = new RootBeanDefinition(NamedSmtpClientsRegistrar.class);
			definition.setFactoryMethodName("namedSmtpClient");
			definition.setTargetType(SmtpClient.class);
			definition.getConstructorArgumentValues().addIndexedArgumentValue(0, server);
			definition.setAutowireMode(AbstractBeanDefinition.AUTOWIRE_CONSTRUCTOR);
			definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
			return definition;
		}

		/**
		 * The client of a named server, from its properties as they are when the bean is made.
		 * @param server the name under {@code smtp.servers}
		 * @param environment where the properties are
		 * @param beanFactory where listener factories, SSL bundles, AUTH mechanisms and builder
		 * customizers are
		 * @return the server's client
		 */
		static SmtpClient namedSmtpClient(String server, Environment environment, BeanFactory beanFactory) {
			return SmtpClientFactory.of(beanFactory).create(server, SmtpServers.namedServerProperties(environment, server));
		}

	}

}
