package io.github.smtpkit;

/**
 * The server sent more than smtpkit reads as one reply: a line over 8192 bytes (smtplib's
 * {@code SMTPResponseException(500, "Line too long.")}, whose code and text this keeps), or a
 * multi-line reply of more than 1000 lines or 1 MiB. Such a server is broken or hostile; the
 * session is closed when this is raised, since the rest of the reply would be read as the answer
 * to the next command.
 */
public class SmtpReplyTooLongException extends SmtpResponseException {

	private static final long serialVersionUID = 1L;

	/** @param message what was too long, in the text of the reply ({@link #smtpError()}) */
	public SmtpReplyTooLongException(String message) {
		super(500, message);
	}

}
