package io.github.smtpkit.auth;

/**
 * An SASL mechanism for SMTP AUTH (RFC 4954). The built-in ones are {@link #CRAM_MD5},
 * {@link #PLAIN} and {@link #LOGIN}, smtplib's {@code auth_cram_md5}, {@code auth_plain} and
 * {@code auth_login}; others (XOAUTH2, SCRAM) plug in by implementing this interface.
 *
 * <p>Implementations hold no credentials: they receive them for one exchange at a time and must
 * never put them in {@code toString()}, an exception message or a log.
 */
public interface AuthMechanism {

	/** CRAM-MD5 (RFC 2195): the password never crosses the wire, only an HMAC of the challenge. */
	AuthMechanism CRAM_MD5 = new CramMd5Mechanism();

	/** PLAIN (RFC 4616): user name and password in one response; UTF-8. */
	AuthMechanism PLAIN = new PlainMechanism();

	/** LOGIN (draft-murchison-sasl-login): the user name, then the password, each on request. */
	AuthMechanism LOGIN = new LoginMechanism();

	/** The mechanism's name as servers advertise it, upper case, such as {@code PLAIN}. */
	String name();

	/**
	 * Starts one exchange with these credentials.
	 * @param username the user name
	 * @param password the password or secret
	 * @return a new authenticator for one AUTH command
	 */
	SmtpAuthenticator authenticator(String username, String password);

}
