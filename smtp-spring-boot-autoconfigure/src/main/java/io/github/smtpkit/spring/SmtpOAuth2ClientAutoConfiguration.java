package io.github.smtpkit.spring;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.InMemoryOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;

/**
 * {@link EnableAutoConfiguration Auto-configuration} of XOAUTH2 and OAUTHBEARER tokens from
 * Spring Security's OAuth2 client, for servers with {@code smtp.auth.oauth2.registration-id}:
 * through the application's {@link OAuth2AuthorizedClientManager} when it has one, otherwise
 * through one made from the client registrations ({@code spring.security.oauth2.client.*}) and
 * the authorized client service, which gets tokens with the client credentials flow. So a
 * provider that grants SMTP to an application (Microsoft 365's {@code SMTP.SendAsApp}) works with
 * properties only.
 */
@AutoConfiguration(beforeName = "io.github.smtpkit.spring.SmtpClientAutoConfiguration",
		afterName = "org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientAutoConfiguration")
@ConditionalOnClass(OAuth2AuthorizedClientManager.class)
public final class SmtpOAuth2ClientAutoConfiguration {

	SmtpOAuth2ClientAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	RegistrationTokenSuppliers smtpRegistrationTokenSuppliers(ObjectProvider<OAuth2AuthorizedClientManager> managers,
			ObjectProvider<ClientRegistrationRepository> registrations,
			ObjectProvider<OAuth2AuthorizedClientService> authorizedClients) {
		return (registrationId) -> {
			ClientRegistrationRepository repository = registrations.getIfAvailable();
			if (repository == null) {
				throw new IllegalStateException("There is no ClientRegistrationRepository bean: configure the"
						+ " registration under spring.security.oauth2.client.registration." + registrationId
						+ " (with spring-boot-starter-security-oauth2-client) or define the bean");
			}
			if (repository.findByRegistrationId(registrationId) == null) {
				throw new IllegalArgumentException("There is no OAuth2 client registration '" + registrationId
						+ "'; the registrations are " + registrationIds(repository));
			}
			OAuth2AuthorizedClientService clients = authorizedClients
				.getIfAvailable(() -> new InMemoryOAuth2AuthorizedClientService(repository));
			OAuth2AuthorizedClientManager manager = managers
				.getIfAvailable(() -> new AuthorizedClientServiceOAuth2AuthorizedClientManager(repository, clients));
			return new OAuth2ClientTokenSupplier(manager, registrationId, clients);
		};
	}

	private static List<String> registrationIds(ClientRegistrationRepository repository) {
		List<String> ids = new ArrayList<>();
		if (repository instanceof Iterable<?> iterable) {
			for (Object registration : iterable) {
				if (registration instanceof ClientRegistration client) {
					ids.add(client.getRegistrationId());
				}
			}
		}
		return ids;
	}

}
