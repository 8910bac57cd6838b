package io.github.smtpkit.auth;

import java.nio.charset.StandardCharsets;

/** SASL PLAIN (RFC 4616): {@code NUL user NUL password} in UTF-8, as the initial response. */
final class PlainMechanism implements AuthMechanism {

	@Override
	public String name() {
		return "PLAIN";
	}

	@Override
	public SmtpAuthenticator authenticator(String username, String password) {
		byte[] response = ("\0" + username + "\0" + password).getBytes(StandardCharsets.UTF_8);
		// The same response answers the initial request and any (empty) challenge, as in smtplib.
		return (challenge) -> response.clone();
	}

	@Override
	public String toString() {
		return name();
	}

}
