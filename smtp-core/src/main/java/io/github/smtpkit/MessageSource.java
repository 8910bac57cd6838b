package io.github.smtpkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;

import io.github.smtpkit.internal.MimeMessages;
import jakarta.mail.internet.MimeMessage;

/**
 * A message to send, which can be written more than once: {@link SmtpClient} retries a send on a
 * fresh connection when a pooled one turns out dead, and then writes the message again. Messages
 * are streamed, never held whole in memory by smtpkit, but for a Jakarta Mail message of at most
 * {@value MimeMessages#MAX_PREPARED_BYTES} bytes, written ahead while the server answers
 * ({@link #preparedToWrite()}).
 *
 * <p>The bytes are sent as they are, apart from dot-stuffing: they must already have CRLF line
 * endings (Jakarta Mail writes them so).
 */
public interface MessageSource {

	/** The size in bytes, or {@code -1} when not known in advance (then no {@code SIZE=} is sent). */
	long size();

	/**
	 * Writes the whole message. Called once per attempt.
	 * @param out where the message goes; do not close it
	 * @throws IOException if the message cannot be read or written
	 */
	void writeTo(OutputStream out) throws IOException;

	/**
	 * What to write for this attempt, asked when the sending thread would otherwise wait for the
	 * network: once the commands that open the message's transaction (MAIL, RCPT, DATA) are on
	 * their way, before their replies are read. A source with work to do before its first byte (a
	 * Jakarta Mail message is written by Jakarta Mail) may do it here, so that it overlaps the
	 * server's answer instead of following it, and return a source that writes exactly the bytes
	 * this one would write now. What it returns is written at most once, for this attempt, or not
	 * at all (the server may refuse the recipients); this source keeps no trace of it, so a later
	 * attempt writes anew. A failure here is not reported: return this source, whose
	 * {@link #writeTo} reports it. It may not be asked at all (without pipelining, for one). The
	 * default returns this source.
	 */
	default MessageSource preparedToWrite() {
		return this;
	}

	/** A message held in memory. */
	static MessageSource of(byte[] message) {
		Objects.requireNonNull(message, "message");
		return new MessageSource() {

			@Override
			public long size() {
				return message.length;
			}

			@Override
			public void writeTo(OutputStream out) throws IOException {
				out.write(message);
			}

			@Override
			public String toString() {
				return "MessageSource[" + message.length + " bytes]";
			}

		};
	}

	/**
	 * A message read from a stream, opened anew for each attempt and closed after it.
	 * @param opener opens the stream, for example {@code () -> Files.newInputStream(path)}
	 * @param size the size in bytes, or {@code -1} when unknown
	 */
	static MessageSource of(InputStreamOpener opener, long size) {
		Objects.requireNonNull(opener, "opener");
		if (size < -1) {
			throw new IllegalArgumentException("size must be -1 (unknown) or more, but was " + size);
		}
		return new MessageSource() {

			@Override
			public long size() {
				return size;
			}

			@Override
			public void writeTo(OutputStream out) throws IOException {
				try (InputStream in = opener.open()) {
					in.transferTo(out);
				}
			}

			@Override
			public String toString() {
				return "MessageSource[stream, " + ((size >= 0) ? size + " bytes" : "size unknown") + "]";
			}

		};
	}

	/**
	 * A Jakarta Mail message, written by Jakarta Mail without its {@code Bcc} and
	 * {@code Resent-Bcc} headers, streamed (its size is not known in advance); or, when it has at
	 * most {@value MimeMessages#MAX_PREPARED_BYTES} bytes, written ahead into memory by
	 * {@link #preparedToWrite()} while the server answers the transaction's commands, and those
	 * bytes sent.
	 */
	static MessageSource of(MimeMessage message) {
		return MimeMessages.sourceOf(message);
	}

	/** Opens a message's stream; may fail with an {@link IOException}. */
	@FunctionalInterface
	interface InputStreamOpener {

		InputStream open() throws IOException;

	}

}
