package io.github.smtpkit;

/**
 * The connection broke after the whole message had been sent (its terminating {@code .} was
 * written) and before the server's reply arrived: the server may or may not have accepted it.
 *
 * <p>smtpkit never retries such a send by itself, since that could deliver the message twice.
 * The caller decides: retry and risk a duplicate, or check and risk a loss.
 */
public class SmtpAmbiguousOutcomeException extends SmtpException {

	private static final long serialVersionUID = 1L;

	public SmtpAmbiguousOutcomeException(String message, Throwable cause) {
		super(message, cause);
	}

}
