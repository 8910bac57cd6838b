package io.github.smtpkit.auth;

import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;

/**
 * SASL LOGIN: the first response is the user name, every later one the password. Whether the
 * user name goes as the initial response or as the answer to the first challenge depends on the
 * session's {@code initialResponseOk}; counting responses covers both, as smtplib's challenge
 * counter does.
 */
final class LoginMechanism implements AuthMechanism {

	@Override
	public String name() {
		return "LOGIN";
	}

	@Override
	public SmtpAuthenticator authenticator(String username, String password) {
		byte[] user = username.getBytes(StandardCharsets.UTF_8);
		byte[] secret = password.getBytes(StandardCharsets.UTF_8);
		return new SmtpAuthenticator() {

			private int responses;

			@Override
			public byte[] respond(byte @Nullable [] challenge) {
				return (this.responses++ == 0) ? user.clone() : secret.clone();
			}

		};
	}

	@Override
	public String toString() {
		return name();
	}

}
