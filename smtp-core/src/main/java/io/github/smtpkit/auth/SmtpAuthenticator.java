package io.github.smtpkit.auth;

import javax.security.sasl.SaslException;

import org.jspecify.annotations.Nullable;

/**
 * One side of one AUTH exchange: smtplib's {@code authobject}. The session calls it with
 * {@code null} for the initial response (RFC 4954) and then with each decoded server challenge;
 * it returns the bytes to send, which the session base64-encodes.
 *
 * <p>An authenticator may keep state between calls (LOGIN answers the user name first, then the
 * password), so it serves one exchange only: {@link AuthMechanism#authenticator} makes a new one
 * each time.
 *
 * <p>Two hooks serve mechanisms that do more than answer: {@link #accepted()} lets one that
 * authenticates the server (SCRAM) refuse a server that said yes without proving itself, and
 * {@link #refused()} lets one whose credential can go stale (an OAuth 2.0 token) ask for a
 * second exchange with a fresh one.
 */
@FunctionalInterface
public interface SmtpAuthenticator {

	/**
	 * Answers a challenge.
	 * @param challenge the decoded challenge, or {@code null} when asked for an initial response
	 * @return the response bytes; for the initial response, {@code null} when the mechanism has
	 * none and waits for the server's first challenge
	 * @throws SaslException to abandon the exchange: the challenge is not what the mechanism
	 * allows, or the server failed to prove itself. The session cancels the exchange and does not
	 * fall back to another mechanism; the message (never a credential) says what was wrong.
	 */
	byte @Nullable [] respond(byte @Nullable [] challenge) throws SaslException;

	/**
	 * Called when the server accepted the exchange (235). A mechanism that authenticates the
	 * server throws if the server has not proved itself, and the login fails.
	 * @throws SaslException naming what the server failed to prove
	 */
	default void accepted() throws SaslException {
	}

	/**
	 * Called each time the server refuses an exchange this authenticator ran. Returning
	 * {@code true} asks for one more exchange, with a new authenticator from the same mechanism:
	 * for a credential that may have been stale and can be renewed (a token supplier is told its
	 * token was refused). The session runs at most one more per login, whatever this returns the
	 * second time.
	 * @return whether another exchange could succeed; {@code false} by default
	 */
	default boolean refused() {
		return false;
	}

}
