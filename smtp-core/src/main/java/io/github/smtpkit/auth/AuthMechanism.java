package io.github.smtpkit.auth;

/**
 * An SASL mechanism for SMTP AUTH (RFC 4954). The built-in ones are the SCRAM family (RFC
 * 5802/7677, with channel binding in the {@code -PLUS} variants), {@link #CRAM_MD5},
 * {@link #PLAIN} and {@link #LOGIN} (smtplib's {@code auth_cram_md5}, {@code auth_plain} and
 * {@code auth_login}), and XOAUTH2 and OAUTHBEARER (RFC 7628), which log in with OAuth 2.0 bearer
 * tokens from an {@link OAuth2TokenSupplier}; others plug in by implementing this interface.
 *
 * <p>Implementations hold no password: they receive it for one exchange at a time and must never
 * put a credential in {@code toString()}, an exception message or a log.
 */
public interface AuthMechanism {

	/**
	 * SCRAM-SHA-256-PLUS (RFC 7677, RFC 5802 with channel binding): SCRAM-SHA-256 bound to the TLS
	 * connection with {@code tls-server-end-point} (RFC 5929), so that a man in the middle holding
	 * another certificate cannot relay the exchange. Usable only over TLS.
	 */
	AuthMechanism SCRAM_SHA_256_PLUS = new ScramMechanism("SCRAM-SHA-256-PLUS");

	/** SCRAM-SHA-1-PLUS (RFC 5802): as {@link #SCRAM_SHA_256_PLUS}, with SHA-1. */
	AuthMechanism SCRAM_SHA_1_PLUS = new ScramMechanism("SCRAM-SHA-1-PLUS");

	/**
	 * SCRAM-SHA-256 (RFC 7677): neither the password nor a replayable answer crosses the wire, the
	 * server stores no password, and the server proves it knows the password too (a server that
	 * cannot fails the login).
	 */
	AuthMechanism SCRAM_SHA_256 = new ScramMechanism("SCRAM-SHA-256");

	/** SCRAM-SHA-1 (RFC 5802): as {@link #SCRAM_SHA_256}, with SHA-1, for older servers. */
	AuthMechanism SCRAM_SHA_1 = new ScramMechanism("SCRAM-SHA-1");

	/** CRAM-MD5 (RFC 2195): the password never crosses the wire, only an HMAC of the challenge. */
	AuthMechanism CRAM_MD5 = new CramMd5Mechanism();

	/** PLAIN (RFC 4616): user name and password in one response; UTF-8. */
	AuthMechanism PLAIN = new PlainMechanism();

	/** LOGIN (draft-murchison-sasl-login): the user name, then the password, each on request. */
	AuthMechanism LOGIN = new LoginMechanism();

	/**
	 * XOAUTH2 (Google's and Microsoft's SASL mechanism for OAuth 2.0): the user name and a bearer
	 * token from the supplier, asked on each login. When the server refuses the token, the supplier
	 * is told and asked once more for a fresh one.
	 * @param tokens where tokens come from
	 * @return the mechanism
	 */
	static AuthMechanism xoauth2(OAuth2TokenSupplier tokens) {
		return new OAuth2Mechanism(OAuth2Mechanism.Kind.XOAUTH2, tokens);
	}

	/**
	 * OAUTHBEARER (RFC 7628): the standard SASL mechanism for OAuth 2.0 bearer tokens, as
	 * {@link #xoauth2(OAuth2TokenSupplier)}. A refusal comes as an error challenge, answered with
	 * the dummy response the RFC requires before the server's final reply.
	 * @param tokens where tokens come from
	 * @return the mechanism
	 */
	static AuthMechanism oauthBearer(OAuth2TokenSupplier tokens) {
		return new OAuth2Mechanism(OAuth2Mechanism.Kind.OAUTHBEARER, tokens);
	}

	/** The mechanism's name as servers advertise it, upper case, such as {@code PLAIN}. */
	String name();

	/**
	 * Starts one exchange with these credentials.
	 * @param username the user name
	 * @param password the password or secret
	 * @return a new authenticator for one AUTH command
	 */
	SmtpAuthenticator authenticator(String username, String password);

	/**
	 * Starts one exchange in a context that knows the connection, for mechanisms that need more
	 * than the credentials (channel binding, the server's name). By default
	 * {@link #authenticator(String, String)} with the context's credentials.
	 * @param context the credentials, the server, the TLS session
	 * @return a new authenticator for one AUTH command
	 */
	default SmtpAuthenticator authenticator(AuthContext context) {
		return authenticator(context.username(), context.password());
	}

	/**
	 * Whether this mechanism can log in on this connection with these credentials: a {@code -PLUS}
	 * mechanism needs TLS, a password mechanism a password. {@code login} skips mechanisms that
	 * cannot, even when the server advertises them; {@code true} by default.
	 * @param context the credentials, the server, the TLS session
	 * @return whether to try it
	 */
	default boolean isUsable(AuthContext context) {
		return true;
	}

}
