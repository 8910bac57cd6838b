package io.github.smtpkit.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

import javax.security.sasl.SaslException;

import org.jspecify.annotations.Nullable;

/**
 * XOAUTH2 and OAUTHBEARER (RFC 7628): the user name and a bearer token in the initial response
 * (or in answer to the first, empty challenge). The server refuses a token with a challenge
 * carrying a JSON error, which the client answers with a dummy response (RFC 7628 3.2.3: a single
 * {@code 0x01} for OAUTHBEARER; an empty line for XOAUTH2, as Google documents it) before the
 * final 535. On each refusal {@link SmtpAuthenticator#refused()} tells the supplier the
 * token was refused and asks for one more exchange, which asks the supplier for a fresh token.
 */
final class OAuth2Mechanism implements AuthMechanism {

	/** The two mechanisms: the same exchange, with different payloads. */
	enum Kind {

		XOAUTH2, OAUTHBEARER

	}

	private static final byte KVSEP = 0x01;

	private final Kind kind;

	private final OAuth2TokenSupplier tokens;

	OAuth2Mechanism(Kind kind, OAuth2TokenSupplier tokens) {
		this.kind = kind;
		this.tokens = Objects.requireNonNull(tokens, "tokens");
	}

	@Override
	public String name() {
		return this.kind.name();
	}

	@Override
	public SmtpAuthenticator authenticator(String username, String password) {
		return authenticator(AuthContext.of(username, password));
	}

	@Override
	public SmtpAuthenticator authenticator(AuthContext context) {
		return new TokenAuthenticator(context);
	}

	@Override
	public String toString() {
		return name();
	}

	/** One exchange: the token, then at most the dummy response to an error challenge. */
	private final class TokenAuthenticator implements SmtpAuthenticator {

		private final AuthContext context;

		private @Nullable String sentToken;

		private boolean refused;

		TokenAuthenticator(AuthContext context) {
			this.context = context;
		}

		@Override
		public byte @Nullable [] respond(byte @Nullable [] challenge) throws SaslException {
			if (this.sentToken == null) {
				// The initial response, or the answer to the empty challenge that asks for it.
				String token = token();
				this.sentToken = token;
				return payload(token);
			}
			// A challenge after the token is the server's error (JSON): the token was refused.
			this.refused = true;
			return (OAuth2Mechanism.this.kind == Kind.OAUTHBEARER) ? new byte[] { KVSEP } : new byte[0];
		}

		@Override
		public boolean refused() {
			String token = this.sentToken;
			if (token == null) {
				return false;
			}
			// Told even when the server said 535 straight away, without the error challenge.
			OAuth2Mechanism.this.tokens.refused(this.context.username(), token);
			return true;
		}

		private String token() throws SaslException {
			String token;
			try {
				token = OAuth2Mechanism.this.tokens.token(this.context.username());
			}
			catch (IOException ex) {
				throw new SaslException(name() + ": the token supplier failed: " + ex.getMessage(), ex);
			}
			if (token == null || token.isBlank()) {
				throw new SaslException(name() + ": the token supplier returned no token");
			}
			if (token.chars().anyMatch((c) -> c < 0x20 || c == 0x7f)) {
				// RFC 6750 2.1: a b64token; a control character would break the payload's framing.
				throw new SaslException(name() + ": the token supplier returned a token with a control character");
			}
			return token;
		}

		private byte[] payload(String token) {
			String user = this.context.username();
			String auth = "auth=Bearer " + token + "\u0001\u0001";
			if (OAuth2Mechanism.this.kind == Kind.XOAUTH2) {
				return ("user=" + user + "\u0001" + auth).getBytes(StandardCharsets.UTF_8);
			}
			// RFC 7628 3.1: gs2-header with the authzid, then host and port (when known), then auth.
			StringBuilder payload = new StringBuilder("n,a=").append(saslName(user)).append(",\u0001");
			if (this.context.serverHost() != null) {
				payload.append("host=").append(this.context.serverHost()).append('\u0001');
				payload.append("port=").append(this.context.serverPort()).append('\u0001');
			}
			return payload.append(auth).toString().getBytes(StandardCharsets.UTF_8);
		}

		/** RFC 5801 4: "," and "=" in a saslname are escaped as "=2C" and "=3D". */
		private static String saslName(String user) {
			return user.replace("=", "=3D").replace(",", "=2C");
		}

		@Override
		public String toString() {
			return name() + " exchange" + (this.refused ? " (token refused)" : "");
		}

	}

}
