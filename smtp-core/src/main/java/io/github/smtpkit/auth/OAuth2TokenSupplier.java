package io.github.smtpkit.auth;

import java.io.IOException;

/**
 * Where XOAUTH2 and OAUTHBEARER get OAuth 2.0 access tokens: a cache in front of a provider's
 * token endpoint, typically (Spring Security's {@code OAuth2AuthorizedClientManager}, a Google or
 * Microsoft client library, a file a sidecar renews).
 *
 * <p>{@link #token(String)} is asked on each new connection, from the thread that opens it, and
 * may be asked from several threads at once. When the server refuses a token (it expired, or was
 * revoked), {@link #refused(String, String)} is called and then {@link #token(String)} once more:
 * the supplier should drop the refused token and get a fresh one. A second refusal is reported
 * the same way and fails the login with the server's reply; there is no third exchange.
 *
 * <p>Tokens are credentials: implementations must keep them out of logs, exception messages and
 * {@code toString()}, as smtpkit does.
 */
@FunctionalInterface
public interface OAuth2TokenSupplier {

	/**
	 * A current access token for the user.
	 * @param username the user name the login is for
	 * @return the bearer token, without the {@code Bearer } prefix
	 * @throws IOException if no token could be had; the login fails with it
	 */
	String token(String username) throws IOException;

	/**
	 * The server refused this token: forget it, so that the next {@link #token(String)} returns a
	 * fresh one. Does nothing by default (for suppliers that always fetch anew).
	 * @param username the user name the login was for
	 * @param token the refused token
	 */
	default void refused(String username, String token) {
	}

}
