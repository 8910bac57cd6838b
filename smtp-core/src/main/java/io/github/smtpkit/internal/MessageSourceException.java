package io.github.smtpkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The caller's message source failed: not the server's fault, and not an {@code SmtpException}.
 * Unchecked so that it passes through the engine's {@code SmtpException}-only paths; the public
 * methods that can declare {@link IOException} throw its cause instead.
 */
public final class MessageSourceException extends UncheckedIOException {

	private static final long serialVersionUID = 1L;

	MessageSourceException(IOException cause) {
		super("Reading the message failed: " + cause.getMessage(), cause);
	}

}
