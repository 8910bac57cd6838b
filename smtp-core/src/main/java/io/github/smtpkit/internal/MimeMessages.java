package io.github.smtpkit.internal;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

import io.github.smtpkit.EsmtpFeatures;
import io.github.smtpkit.MessageSource;
import io.github.smtpkit.SmtpNotSupportedException;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.LineOutputStream;

/**
 * What smtplib's {@code send_message} does with an {@code email.message.Message}, done with
 * Jakarta Mail: the envelope from the headers, and the bytes without Bcc.
 */
public final class MimeMessages {

	/** Headers that name hidden recipients: used for the envelope, never transmitted. */
	private static final String[] HIDDEN_HEADERS = { "Bcc", "Resent-Bcc" };

	private MimeMessages() {
	}

	/**
	 * The envelope of a message: the given sender and recipients, or those of its headers.
	 * @param message the message
	 * @param from the sender, or {@code null} for the first address of {@code Sender} or else
	 * {@code From} (their {@code Resent-} forms for a resent message)
	 * @param to the recipients, or {@code null} for those of {@code To}, {@code Bcc} and {@code Cc}
	 * (or their {@code Resent-} forms)
	 * @return the envelope
	 * @throws IllegalArgumentException if the message has several {@code Resent-Date} headers (so
	 * several resent blocks and no telling which is current), lacks a sender, or has an address
	 * header that does not parse
	 */
	public static Envelope envelopeOf(MimeMessage message, String from, Collection<String> to) {
		try {
			String prefix = resentPrefix(message);
			String sender = from;
			if (sender == null) {
				String header = first(message, prefix + "Sender");
				String name = (header != null) ? prefix + "Sender" : prefix + "From";
				header = (header != null) ? header : first(message, name);
				List<String> addresses = (header != null) ? parse(name, header) : List.of();
				if (addresses.isEmpty()) {
					throw new IllegalArgumentException("The message has no " + prefix + "Sender or " + prefix
							+ "From address, and no sender was given");
				}
				sender = addresses.get(0);
			}
			List<String> recipients;
			if (to != null) {
				recipients = List.copyOf(to);
			}
			else {
				recipients = new ArrayList<>();
				for (String name : new String[] { prefix + "To", prefix + "Bcc", prefix + "Cc" }) {
					String header = message.getHeader(name, ",");
					if (header != null) {
						recipients.addAll(parse(name, header));
					}
				}
			}
			return new Envelope(sender, List.copyOf(recipients));
		}
		catch (MessagingException ex) {
			throw new IllegalArgumentException("Cannot read the message's headers: " + ex.getMessage(), ex);
		}
	}

	/**
	 * The message as it goes on the wire: written by Jakarta Mail with CRLF line endings, without
	 * {@code Bcc} and {@code Resent-Bcc}. The message itself is not changed, except that Jakarta Mail
	 * saves pending changes first (adding {@code Message-ID} and MIME headers as
	 * {@code Transport.send} would).
	 */
	public static byte[] toBytesWithoutBcc(MimeMessage message) {
		try {
			ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
			writeWithoutBcc(message, bytes);
			return bytes.toByteArray();
		}
		catch (IOException ex) {
			throw new IllegalArgumentException("Cannot write the message: " + ex.getMessage(), ex);
		}
	}

	/**
	 * The largest message that {@link #sourceOf}'s {@code preparedToWrite} writes ahead into
	 * memory: a larger one is streamed as it is written (and what was written ahead of it is
	 * dropped, so the work on its first 256 KiB is done twice), since its transfer dwarfs the wait
	 * that writing ahead fills.
	 */
	public static final int MAX_PREPARED_BYTES = 256 * 1024;

	/**
	 * The source of {@link MessageSource#of(MimeMessage)}: the message streamed by
	 * {@link #writeWithoutBcc}; or, asked {@code preparedToWrite}, written ahead into memory and
	 * given as a source of those bytes, to be sent once.
	 */
	public static MessageSource sourceOf(MimeMessage message) {
		Objects.requireNonNull(message, "message");
		return new MessageSource() {

			@Override
			public long size() {
				return -1;
			}

			@Override
			public MessageSource preparedToWrite() {
				BoundedBuffer buffer = new BoundedBuffer();
				try {
					writeWithoutBcc(message, buffer);
				}
				catch (IOException | RuntimeException ex) {
					// Too large to keep, or not writable: streamed, and writeTo reports any failure.
					return this;
				}
				return new WrittenAhead(buffer);
			}

			@Override
			public void writeTo(OutputStream out) throws IOException {
				writeWithoutBcc(message, out);
			}

			@Override
			public String toString() {
				return "MessageSource[MimeMessage]";
			}

		};
	}

	/** A Jakarta Mail message written ahead: its bytes, written from the buffer without a copy. */
	private record WrittenAhead(BoundedBuffer bytes) implements MessageSource {

		@Override
		public long size() {
			return this.bytes.size();
		}

		@Override
		public void writeTo(OutputStream out) throws IOException {
			this.bytes.writeTo(out);
		}

		@Override
		public String toString() {
			return "MessageSource[MimeMessage, written ahead, " + this.bytes.size() + " bytes]";
		}

	}

	/** A byte buffer that refuses to grow past {@link #MAX_PREPARED_BYTES}. */
	private static final class BoundedBuffer extends ByteArrayOutputStream {

		BoundedBuffer() {
			super(4096);
		}

		@Override
		public void write(int b) {
			ensureRoom(1);
			super.write(b);
		}

		@Override
		public void write(byte[] b, int off, int len) {
			ensureRoom(len);
			super.write(b, off, len);
		}

		private void ensureRoom(int len) {
			if (this.count + len > MAX_PREPARED_BYTES) {
				throw new IllegalStateException("larger than " + MAX_PREPARED_BYTES + " bytes");
			}
		}

	}

	/**
	 * Streams the message as {@link #toBytesWithoutBcc} would return it, without flushing
	 * {@code out}: the caller decides when the bytes go.
	 * @throws IOException if writing fails, or Jakarta Mail cannot produce the message
	 */
	public static void writeWithoutBcc(MimeMessage message, OutputStream out) throws IOException {
		try {
			// Jakarta Mail writes a body's line endings as they are (Transport.send fixes them, as
			// smtplib's generator does with linesep='\r\n'): SMTP needs CRLF (RFC 5321 2.3.8).
			CrlfOutputStream crlf = new CrlfOutputStream(out);
			// Jakarta Mail looks its stream provider up for every part it writes: from memory here.
			StreamProviderLookup.run(() -> message.writeTo(crlf, HIDDEN_HEADERS));
			crlf.finish();
		}
		catch (MessagingException ex) {
			throw new IOException("Jakarta Mail cannot write the message: " + ex.getMessage(), ex);
		}
	}

	private static String resentPrefix(MimeMessage message) throws MessagingException {
		String[] resentDates = message.getHeader("Resent-Date");
		if (resentDates == null) {
			return "";
		}
		if (resentDates.length == 1) {
			return "Resent-";
		}
		throw new IllegalArgumentException("message has more than one 'Resent-' header block");
	}

	private static String first(MimeMessage message, String name) throws MessagingException {
		// As Python's msg[name]: the first such header only.
		return message.getHeader(name, null);
	}

	private static List<String> parse(String name, String header) {
		try {
			List<String> addresses = new ArrayList<>();
			for (InternetAddress address : InternetAddress.parseHeader(header, true)) {
				if (address.isGroup()) {
					for (InternetAddress member : address.getGroup(true)) {
						addresses.add(member.getAddress());
					}
				}
				else {
					addresses.add(address.getAddress());
				}
			}
			return addresses;
		}
		catch (AddressException ex) {
			throw new IllegalArgumentException("The " + name + " header does not parse as addresses (" + ex.getMessage()
					+ "): " + header, ex);
		}
	}

	/**
	 * Turns each lone CR and lone LF into CRLF, across write calls (DKIM signing uses it too, so
	 * that the bytes signed are the bytes sent). It is a Jakarta Mail
	 * {@link LineOutputStream}, writing header lines as Jakarta Mail's own does (UTF-8 unless
	 * {@code mail.mime.allowutf8=false}, then one byte per char), because Jakarta Mail looks up a
	 * stream provider to wrap any other stream in one, for the message and for every part of it.
	 * It buffers what it passes on ({@link #finish()} sends the rest): Jakarta Mail writes text
	 * bodies and quoted-printable one byte at a time, and each byte would otherwise go through
	 * every stream below on its own.
	 */
	static final class CrlfOutputStream extends FilterOutputStream implements LineOutputStream {

		/** Jakarta Mail's {@code MimeBodyPart} reads it once, with this default. */
		private static final boolean ALLOW_UTF8 = !"false"
			.equalsIgnoreCase(System.getProperty("mail.mime.allowutf8", "true"));

		private static final byte[] CRLF = { '\r', '\n' };

		private int last = -1;

		private final byte[] buffer = new byte[8192];

		private int count;

		CrlfOutputStream(OutputStream out) {
			super(out);
		}

		@Override
		public void write(int b) throws IOException {
			byte value = (byte) b;
			if (this.last == '\r' && value != '\n') {
				put((byte) '\n');
			}
			else if (value == '\n' && this.last != '\r') {
				put((byte) '\r');
			}
			put(value);
			this.last = value;
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			int runStart = offset;
			int end = offset + length;
			for (int i = offset; i < end; i++) {
				byte b = bytes[i];
				boolean loneCrBefore = this.last == '\r' && b != '\n';
				boolean loneLf = b == '\n' && this.last != '\r';
				if (loneCrBefore || loneLf) {
					put(bytes, runStart, i - runStart);
					put(loneCrBefore ? (byte) '\n' : (byte) '\r');
					runStart = i;
				}
				this.last = b;
			}
			put(bytes, runStart, end - runStart);
		}

		private void put(byte b) throws IOException {
			if (this.count == this.buffer.length) {
				drain();
			}
			this.buffer[this.count++] = b;
		}

		private void put(byte[] bytes, int offset, int length) throws IOException {
			if (length > this.buffer.length - this.count) {
				drain();
				if (length >= this.buffer.length) {
					this.out.write(bytes, offset, length);
					return;
				}
			}
			System.arraycopy(bytes, offset, this.buffer, this.count, length);
			this.count += length;
		}

		private void drain() throws IOException {
			if (this.count > 0) {
				this.out.write(this.buffer, 0, this.count);
				this.count = 0;
			}
		}

		@Override
		public void writeln(String line) throws IOException {
			byte[] bytes;
			if (ALLOW_UTF8) {
				bytes = line.getBytes(StandardCharsets.UTF_8);
			}
			else {
				bytes = new byte[line.length()];
				for (int i = 0; i < bytes.length; i++) {
					bytes[i] = (byte) line.charAt(i);
				}
			}
			write(bytes, 0, bytes.length);
			writeln();
		}

		@Override
		public void writeln() throws IOException {
			write(CRLF, 0, CRLF.length);
		}

		/**
		 * Does nothing: Jakarta Mail flushes after every part it writes, which would send each part
		 * (and the message without its end of data) in a packet of its own. Whoever writes the
		 * message flushes when it is time, such as after the end of data and the next commands.
		 */
		@Override
		public void flush() {
		}

		/** Completes a lone CR at the very end, and passes on what is buffered. */
		void finish() throws IOException {
			if (this.last == '\r') {
				put((byte) '\n');
				this.last = '\n';
			}
			drain();
		}

	}

	/**
	 * The sender and recipients of a message.
	 * @param sender the envelope sender
	 * @param recipients the envelope recipients
	 */
	public record Envelope(String sender, List<String> recipients) {

		/** Whether an address needs SMTPUTF8. */
		public boolean isInternational() {
			return Addresses.isInternational(this.sender)
					|| this.recipients.stream().anyMatch(Addresses::isInternational);
		}

		/**
		 * The MAIL options these addresses need, as smtplib's {@code send_message} adds them:
		 * {@code SMTPUTF8} and {@code BODY=8BITMIME} when one is not ASCII, else none.
		 */
		public List<String> mailOptions() {
			return isInternational() ? Addresses.INTERNATIONAL_MAIL_OPTIONS : List.of();
		}

		/**
		 * The given MAIL options followed by {@link #mailOptions()}, for a server with these
		 * extensions: smtplib's {@code send_message}.
		 * @param given the caller's options, or {@code null} for none
		 * @throws SmtpNotSupportedException if an address needs SMTPUTF8 and the server lacks it
		 */
		public List<String> mailOptionsFor(EsmtpFeatures features, List<String> given)
				throws SmtpNotSupportedException {
			List<String> options = new ArrayList<>((given != null) ? given : List.of());
			if (isInternational()) {
				if (!features.has("smtputf8")) {
					throw new SmtpNotSupportedException("One or more source or delivery addresses require"
							+ " internationalized email support, but the server does not advertise the required"
							+ " SMTPUTF8 capability");
				}
				options.addAll(mailOptions());
			}
			return options;
		}

	}

}
