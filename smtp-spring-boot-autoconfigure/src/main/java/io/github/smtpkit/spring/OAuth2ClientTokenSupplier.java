package io.github.smtpkit.spring;

import java.io.IOException;
import java.util.Objects;

import io.github.smtpkit.auth.OAuth2TokenSupplier;
import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;

/**
 * An {@link OAuth2TokenSupplier} backed by Spring Security's OAuth2 client: the access token of a
 * client registration, authorized through an {@link OAuth2AuthorizedClientManager} for the SMTP
 * user name as the principal. The manager keeps the token and renews it when it expires (with the
 * client credentials flow, or a refresh token); when the server refuses a token before then
 * (revoked), {@link #refused} removes it from the {@link OAuth2AuthorizedClientService}, so that
 * the next call authorizes anew.
 *
 * <p>{@code smtp.auth.oauth2.registration-id} makes one; an application may make its own, for
 * example with a manager that has more authorization flows.
 */
public final class OAuth2ClientTokenSupplier implements OAuth2TokenSupplier {

	private final OAuth2AuthorizedClientManager manager;

	private final String registrationId;

	private final @Nullable OAuth2AuthorizedClientService authorizedClients;

	/**
	 * A supplier of one registration's tokens.
	 * @param manager authorizes the client and keeps its token
	 * @param registrationId the client registration's id
	 * @param authorizedClients where the manager keeps authorized clients, to drop a refused one;
	 * {@code null} when the manager keeps them elsewhere (a refused token is then renewed only
	 * when the manager sees it expire)
	 */
	public OAuth2ClientTokenSupplier(OAuth2AuthorizedClientManager manager, String registrationId,
			@Nullable OAuth2AuthorizedClientService authorizedClients) {
		this.manager = Objects.requireNonNull(manager, "manager");
		this.registrationId = Objects.requireNonNull(registrationId, "registrationId");
		this.authorizedClients = authorizedClients;
	}

	@Override
	public String token(String username) throws IOException {
		OAuth2AuthorizeRequest request = OAuth2AuthorizeRequest.withClientRegistrationId(this.registrationId)
			.principal(username)
			.build();
		OAuth2AuthorizedClient client;
		try {
			client = this.manager.authorize(request);
		}
		catch (OAuth2AuthorizationException ex) {
			// The error (code, description, URI) says what the provider refused; it holds no token.
			throw new IOException("Could not authorize the OAuth2 client registration '" + this.registrationId
					+ "' for " + username + ": " + ex.getError(), ex);
		}
		if (client == null) {
			throw new IOException("The OAuth2 client registration '" + this.registrationId
					+ "' cannot be authorized for " + username + " by this manager (for example, an"
					+ " authorization_code registration that the user has not authorized yet)");
		}
		return client.getAccessToken().getTokenValue();
	}

	@Override
	public void refused(String username, String token) {
		if (this.authorizedClients != null) {
			this.authorizedClients.removeAuthorizedClient(this.registrationId, username);
		}
	}

	@Override
	public String toString() {
		return "OAuth2ClientTokenSupplier[registrationId=" + this.registrationId + "]";
	}

}
