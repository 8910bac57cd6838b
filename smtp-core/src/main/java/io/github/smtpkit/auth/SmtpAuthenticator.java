package io.github.smtpkit.auth;

import org.jspecify.annotations.Nullable;

/**
 * One side of one AUTH exchange: smtplib's {@code authobject}. The session calls it with
 * {@code null} for the initial response (RFC 4954) and then with each decoded server challenge;
 * it returns the bytes to send, which the session base64-encodes.
 *
 * <p>An authenticator may keep state between calls (LOGIN answers the user name first, then the
 * password), so it serves one exchange only: {@link AuthMechanism#authenticator} makes a new one
 * each time.
 */
@FunctionalInterface
public interface SmtpAuthenticator {

	/**
	 * Answers a challenge.
	 * @param challenge the decoded challenge, or {@code null} when asked for an initial response
	 * @return the response bytes; for the initial response, {@code null} when the mechanism has
	 * none and waits for the server's first challenge
	 */
	byte @Nullable [] respond(byte @Nullable [] challenge);

}
