package io.github.smtpkit.spring;

import java.util.Arrays;

import io.github.smtpkit.auth.OAuth2TokenSupplier;
import io.github.smtpkit.spring.SmtpServerProperties.OAuth2;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanNotOfRequiredTypeException;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Finds a server's OAuth 2.0 token supplier from its {@code auth.oauth2.*} properties: the
 * {@link OAuth2TokenSupplier} bean that {@code token-supplier} names, or one backed by Spring
 * Security's OAuth2 client for {@code registration-id} (through the
 * {@link RegistrationTokenSuppliers} bean, which exists only when that library is on the class
 * path, so that nothing here loads a Spring Security class).
 */
final class SmtpTokenSources {

	private final BeanFactory beanFactory;

	SmtpTokenSources(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	/**
	 * The server's token supplier.
	 * @param prefix the server's property prefix, for messages
	 * @return the supplier, or {@code null} when neither property is set
	 * @throws InvalidConfigurationPropertyValueException naming the property whose value leads
	 * nowhere
	 */
	@Nullable OAuth2TokenSupplier supplier(String prefix, OAuth2 oauth2) {
		String beanName = oauth2.getTokenSupplier();
		String registrationId = oauth2.getRegistrationId();
		if (beanName != null && registrationId != null) {
			throw new InvalidConfigurationPropertyValueException(prefix + ".auth.oauth2.registration-id", registrationId,
					"Set either " + prefix + ".auth.oauth2.token-supplier or " + prefix
							+ ".auth.oauth2.registration-id, not both");
		}
		if (beanName != null) {
			return bean(prefix + ".auth.oauth2.token-supplier", beanName);
		}
		if (registrationId != null) {
			return registration(prefix + ".auth.oauth2.registration-id", registrationId);
		}
		return null;
	}

	private OAuth2TokenSupplier bean(String property, String beanName) {
		try {
			return this.beanFactory.getBean(beanName, OAuth2TokenSupplier.class);
		}
		catch (BeanNotOfRequiredTypeException ex) {
			throw new InvalidConfigurationPropertyValueException(property, beanName, "The bean '" + beanName
					+ "' is a " + ex.getActualType().getName() + ", not an " + OAuth2TokenSupplier.class.getName());
		}
		catch (NoSuchBeanDefinitionException ex) {
			throw new InvalidConfigurationPropertyValueException(property, beanName,
					"There is no bean named '" + beanName + "'; the " + OAuth2TokenSupplier.class.getSimpleName()
							+ " beans are " + supplierBeanNames());
		}
	}

	private String supplierBeanNames() {
		return (this.beanFactory instanceof ListableBeanFactory listable)
				? Arrays.toString(listable.getBeanNamesForType(OAuth2TokenSupplier.class)) : "unknown";
	}

	private OAuth2TokenSupplier registration(String property, String registrationId) {
		RegistrationTokenSuppliers registrations = this.beanFactory.getBeanProvider(RegistrationTokenSuppliers.class)
			.getIfAvailable();
		if (registrations == null) {
			throw new InvalidConfigurationPropertyValueException(property, registrationId,
					"Tokens from a client registration need Spring Security's OAuth2 client on the class path"
							+ " (org.springframework.security:spring-security-oauth2-client, or"
							+ " spring-boot-starter-security-oauth2-client)");
		}
		try {
			return registrations.forRegistration(registrationId);
		}
		catch (IllegalArgumentException | IllegalStateException ex) {
			throw new InvalidConfigurationPropertyValueException(property, registrationId, ex.getMessage());
		}
	}

}
