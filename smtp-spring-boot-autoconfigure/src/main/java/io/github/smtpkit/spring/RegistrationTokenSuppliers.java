package io.github.smtpkit.spring;

import io.github.smtpkit.auth.OAuth2TokenSupplier;

/**
 * Makes a token supplier for a Spring Security OAuth2 client registration. A bean of
 * {@link SmtpOAuth2ClientAutoConfiguration}, so only when Spring Security's OAuth2 client is on the
 * class path; the client factory asks for it by this type, which names no Spring Security class.
 */
@FunctionalInterface
interface RegistrationTokenSuppliers {

	/**
	 * A supplier of the registration's access tokens.
	 * @param registrationId the id under {@code spring.security.oauth2.client.registration}
	 * @return the supplier
	 * @throws IllegalArgumentException if there is no such registration
	 * @throws IllegalStateException if there are no client registrations at all
	 */
	OAuth2TokenSupplier forRegistration(String registrationId);

}
