package io.github.smtpkit;

import java.util.List;
import java.util.Objects;

import io.github.smtpkit.internal.MimeMessages;
import jakarta.mail.internet.MimeMessage;

/**
 * One message to send, with its envelope: an element of {@link SmtpClient#sendAll(java.util.List)}.
 *
 * @param envelope the sender, recipients and options
 * @param message the message, with CRLF line endings; it may be written twice if its send is
 * retried on a fresh connection
 */
public record OutgoingMessage(Envelope envelope, MessageSource message) {

	public OutgoingMessage {
		Objects.requireNonNull(envelope, "envelope");
		Objects.requireNonNull(message, "message");
	}

	/** A message held in memory. */
	public static OutgoingMessage of(Envelope envelope, byte[] message) {
		return new OutgoingMessage(envelope, MessageSource.of(message));
	}

	/**
	 * A Jakarta Mail message to the given envelope, streamed when sent, without its {@code Bcc}
	 * and {@code Resent-Bcc} headers.
	 */
	public static OutgoingMessage of(Envelope envelope, MimeMessage message) {
		return new OutgoingMessage(envelope, MessageSource.of(message));
	}

	/**
	 * A Jakarta Mail message to the envelope its headers give, as
	 * {@link SmtpSession#sendMessage(MimeMessage)} works it out (with {@code SMTPUTF8} when an
	 * address needs it), streamed when sent, without its {@code Bcc} and {@code Resent-Bcc} headers.
	 * @throws IllegalArgumentException if the headers give no sender or no recipient
	 */
	public static OutgoingMessage of(MimeMessage message) {
		MimeMessages.Envelope headers = MimeMessages.envelopeOf(message, null, null);
		return new OutgoingMessage(new Envelope(headers.sender(), headers.recipients(), headers.mailOptions(),
				List.of()), MessageSource.of(message));
	}

}
