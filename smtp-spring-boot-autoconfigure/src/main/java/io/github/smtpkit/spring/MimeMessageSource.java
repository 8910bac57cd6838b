package io.github.smtpkit.spring;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

import io.github.smtpkit.MessageSource;
import jakarta.mail.internet.MimeMessage;

/**
 * A Jakarta Mail message to send through an {@link io.github.smtpkit.SmtpClient}, written exactly
 * as {@link MessageSource#of(MimeMessage)} writes it (without {@code Bcc} and {@code Resent-Bcc},
 * streamed or, when small, written ahead while the server answers), that keeps the message at
 * hand: the {@code mail.send} observation reads its visible headers ({@code From}, {@code To},
 * {@code Cc}, {@code Message-ID}) from it, which it cannot from a message source that only writes
 * bytes. {@link SmtpMailSender} sends every message as one; code that calls the client itself
 * may too:
 *
 * <pre>{@code
 * client.sendAll(messages.stream().map((m) -> new OutgoingMessage(envelopeOf(m), new MimeMessageSource(m))).toList());
 * }</pre>
 */
public final class MimeMessageSource implements MessageSource {

	private final MimeMessage message;

	private final MessageSource source;

	/**
	 * @param message the message; it is written when sent, so it must not change meanwhile
	 */
	public MimeMessageSource(MimeMessage message) {
		this.message = Objects.requireNonNull(message, "message");
		this.source = MessageSource.of(message);
	}

	/** The message. */
	public MimeMessage getMimeMessage() {
		return this.message;
	}

	@Override
	public long size() {
		return this.source.size();
	}

	@Override
	public MessageSource preparedToWrite() {
		MessageSource prepared = this.source.preparedToWrite();
		return (prepared == this.source) ? this : prepared;
	}

	@Override
	public void writeTo(OutputStream out) throws IOException {
		this.source.writeTo(out);
	}

	@Override
	public String toString() {
		return "MimeMessageSource";
	}

}
