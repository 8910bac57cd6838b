package io.github.smtpkit.spring;

import io.github.smtpkit.SmtpClient;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
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
 * each under {@code smtp.servers.<name>}. Each is closed, ending its pooled sessions with QUIT,
 * when the application context closes.
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
	 */
	static class NamedSmtpClientsRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

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
				String beanName = SmtpServers.clientBeanName(server);
				if (!registry.containsBeanDefinition(beanName)) {
					RootBeanDefinition definition = new RootBeanDefinition(SmtpClient.class,
							() -> SmtpClientFactory.of(this.beanFactory).create(server, properties));
					definition.setDestroyMethodName(AbstractBeanDefinition.INFER_METHOD);
					registry.registerBeanDefinition(beanName, definition);
				}
			});
		}

	}

}
