package io.github.smtpkit;

/**
 * The server's rate limit could not be asked for a permit: the store it is kept in for a fleet of
 * instances ({@link RedisRateLimiter}'s Redis) did not answer within its timeout, refused the
 * connection or failed the call. The limit fails closed: nothing was sent, since sending without
 * the shared count could break the provider's limit for every instance. The message may be sent
 * again once the store answers.
 *
 * <p>The message names the store by host and port only, never by a credential.
 */
public class SmtpRateLimitUnavailableException extends SmtpException {

	private static final long serialVersionUID = 1L;

	public SmtpRateLimitUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
