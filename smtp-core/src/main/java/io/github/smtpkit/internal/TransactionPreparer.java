package io.github.smtpkit.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

import io.github.smtpkit.Envelope;
import io.github.smtpkit.EsmtpFeatures;
import io.github.smtpkit.MessageSource;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpMessageTooLargeException;
import io.github.smtpkit.SmtpNotSupportedException;
import io.github.smtpkit.SmtpRequireTlsException;
import org.jspecify.annotations.Nullable;

/**
 * The request side of a mail transaction, kept apart from the engine that sends it and reads the
 * replies (as Netty's codec-smtp keeps request encoding apart from response decoding): checks the
 * sender, recipients and options, asks for EHLO if needed, works out the MAIL options the server
 * takes, and makes every MAIL and RCPT line, all before anything of the transaction is sent.
 */
final class TransactionPreparer {

	private final SmtpWire wire;

	private final TransactionEngine.Session session;

	private final boolean chunking;

	/** The lines of the last envelope prepared, and what they were made for: see {@link #prepare(Envelope, MessageSource)}. */
	private @Nullable KeptLines kept;

	/** @param chunking whether messages go in BDAT chunks when the server advertises CHUNKING */
	TransactionPreparer(SmtpWire wire, TransactionEngine.Session session, boolean chunking) {
		this.wire = wire;
		this.session = session;
		this.chunking = chunking;
	}

	/**
	 * Checks everything and makes every MAIL and RCPT line before anything is sent (a bad
	 * recipient must not strand a started transaction), says EHLO if needed, and works out the MAIL
	 * options: {@code SIZE=} when the server takes it, and only for ESMTP the caller's. The lines
	 * are encoded for this transaction: UTF-8 with {@code SMTPUTF8}, else ASCII.
	 * @throws IllegalArgumentException if an address or option contains CR or LF, or a character
	 * that needs {@code SMTPUTF8} when it is not asked for
	 * @throws SmtpMessageTooLargeException if the server's SIZE limit is below the message's size
	 * @throws SmtpRequireTlsException if {@code REQUIRETLS} is asked for and the connection may not
	 * carry it (RFC 8689)
	 * @throws SmtpNotSupportedException if {@code BODY=BINARYMIME} is asked for without BDAT, or
	 * {@code SMTPUTF8} without the server's support
	 */
	Transaction prepare(String from, Collection<String> to, List<String> mailOptions, List<String> rcptOptions,
			boolean requireAllRecipients, MessageSource source, byte[] shown) throws SmtpException {
		Objects.requireNonNull(from, "from");
		Objects.requireNonNull(to, "to");
		List<String> mailOpts = (mailOptions != null) ? mailOptions : List.of();
		List<String> rcptOpts = (rcptOptions != null) ? rcptOptions : List.of();
		CommandLines.requireSingleLine("sender", from);
		to.forEach((recipient) -> CommandLines.requireSingleLine("recipient", recipient));
		mailOpts.forEach((option) -> CommandLines.requireSingleLine("MAIL option", option));
		rcptOpts.forEach((option) -> CommandLines.requireSingleLine("RCPT option", option));

		this.session.greetIfNeeded();
		checkRequireTls(mailOpts);
		long size = source.size();
		checkSize(size);
		return envelopeCommands(from, to, mailOpts, rcptOpts, requireAllRecipients, size)
			.transaction(size, source, shown);
	}

	/**
	 * The MAIL and RCPT lines of a transaction, checked and encoded, for messages of any size:
	 * what of {@link #prepare(String, Collection, List, List, boolean, MessageSource, byte[])}
	 * follows the size check.
	 */
	private EnvelopeCommands envelopeCommands(String from, Collection<String> to, List<String> mailOpts,
			List<String> rcptOpts, boolean requireAllRecipients, long size) throws SmtpException {
		boolean esmtp = this.session.doesEsmtp();
		boolean sizeOption = esmtp && this.session.features().has("size");
		List<String> callerOptions = esmtp ? mailOpts : List.of();
		boolean chunked = useChunking();
		if (callerOptions.stream().anyMatch("BODY=BINARYMIME"::equalsIgnoreCase) && !chunked) {
			throw new SmtpNotSupportedException("BODY=BINARYMIME needs BDAT (RFC 3030): the server must advertise"
					+ " CHUNKING and BINARYMIME, and chunking must be turned on");
		}
		Charset encoding = StandardCharsets.US_ASCII;
		if (requestsSmtputf8(callerOptions)) {
			encoding = StandardCharsets.UTF_8;
			// As smtplib's mail(): commands sent by hand after this one go out in UTF-8 too.
			this.wire.useCommandEncoding(encoding);
		}
		List<String> recipients = List.copyOf(to);
		String sender = "FROM:" + Addresses.quote(from);
		String options = callerOptions.isEmpty() ? "" : " " + String.join(" ", callerOptions);
		String sizeSuffix = (sizeOption && size >= 0) ? " SIZE=" + size : "";
		// The whole line first: a character the encoding lacks is reported with the whole command.
		PreparedCommand.of("MAIL", sender + sizeSuffix + options, encoding);
		String rcptSuffix = optionSuffix(rcptOpts);
		List<PreparedCommand> rcpts = new ArrayList<>(recipients.size());
		for (String recipient : recipients) {
			rcpts.add(PreparedCommand.of("RCPT", "TO:" + Addresses.quote(recipient) + rcptSuffix, encoding));
		}
		return new EnvelopeCommands(from, recipients, SmtpWire.encode("MAIL " + sender, encoding), sizeOption,
				SmtpWire.encode(options + "\r\n", encoding), encoding, List.copyOf(rcpts), chunked, requireAllRecipients);
	}

	/**
	 * {@link #prepare(String, Collection, List, List, boolean, MessageSource, byte[])} for an
	 * envelope, after EHLO: its MAIL and RCPT options are those for the server's extensions
	 * ({@link TransactionEngine.Session#mailOptionsFor}), so that its DSN request goes only to a server that
	 * advertises DSN. Every envelope reaches the engine through here.
	 *
	 * <p>The lines of the last envelope are kept and used again while the envelope, the connection
	 * and what the server advertised stay the same: a batch of messages to the same recipients
	 * (and a stream of sends through one session) checks, quotes and encodes them once. Only the
	 * size, which may differ from message to message, is checked and written each time.
	 */
	Transaction prepare(Envelope envelope, MessageSource source) throws SmtpException {
		this.session.greetIfNeeded();
		KeptLines kept = this.kept;
		if (kept != null && kept.isFor(envelope, this.session.doesEsmtp(), this.session.features(),
				this.wire.connection())) {
			EnvelopeCommands cached = kept.commands();
			long size = source.size();
			checkSize(size);
			if (cached.encoding() != StandardCharsets.US_ASCII) {
				this.wire.useCommandEncoding(cached.encoding());
			}
			return cached.transaction(size, source, null);
		}
		List<String> mailOptions = this.session.mailOptionsFor(envelope);
		List<String> rcptOptions = this.session.rcptOptionsFor(envelope);
		mailOptions.forEach((option) -> CommandLines.requireSingleLine("MAIL option", option));
		rcptOptions.forEach((option) -> CommandLines.requireSingleLine("RCPT option", option));
		checkRequireTls(mailOptions);
		long size = source.size();
		checkSize(size);
		EnvelopeCommands commands = envelopeCommands(envelope.from(), envelope.recipients(), mailOptions, rcptOptions,
				envelope.requireAllRecipients(), size);
		this.kept = new KeptLines(commands, envelope, this.session.doesEsmtp(), this.session.features(),
				this.wire.connection());
		return commands.transaction(size, source, null);
	}

	/**
	 * An envelope's lines and what they were made for: the envelope, and the session as it was
	 * (ESMTP or not, the features EHLO gave, the connection), any change of which makes new ones.
	 */
	private record KeptLines(EnvelopeCommands commands, Envelope envelope, boolean esmtp, EsmtpFeatures features,
			@Nullable SmtpConnection connection) {

		boolean isFor(Envelope envelope, boolean esmtp, EsmtpFeatures features, @Nullable SmtpConnection connection) {
			return envelope.equals(this.envelope) && esmtp == this.esmtp && features == this.features
					&& connection == this.connection;
		}

	}

	/**
	 * Checks the message's size against the server's SIZE limit (RFC 1870), when the server
	 * advertises one and the size is known.
	 * @throws SmtpMessageTooLargeException if the message is larger
	 */
	private void checkSize(long size) throws SmtpMessageTooLargeException {
		if (size < 0 || !this.session.doesEsmtp()) {
			return;
		}
		EsmtpFeatures features = this.session.features();
		if (features.has("size")) {
			OptionalLong limit = features.maxMessageSize();
			if (limit.isPresent() && size > limit.getAsLong()) {
				throw new SmtpMessageTooLargeException(size, limit.getAsLong(), this.wire.endpoint());
			}
		}
	}

	/** Whether messages go in BDAT chunks: asked for, and advertised by the server. */
	boolean useChunking() {
		return this.chunking && this.session.doesEsmtp() && this.session.features().has("chunking");
	}

	/**
	 * Whether the options ask for SMTPUTF8 (RFC 6531), which makes commands UTF-8; options go only
	 * to an ESMTP server.
	 * @throws SmtpNotSupportedException if they do and the server does not advertise it
	 */
	boolean requestsSmtputf8(List<String> options) throws SmtpNotSupportedException {
		if (!this.session.doesEsmtp()) {
			return false;
		}
		// A loop, not a stream: this runs for every message.
		for (String option : options) {
			if (option.equalsIgnoreCase("smtputf8")) {
				if (!this.session.features().has("smtputf8")) {
					throw new SmtpNotSupportedException("SMTPUTF8 not supported by server");
				}
				return true;
			}
		}
		return false;
	}

	/**
	 * Checks RFC 8689's conditions when the options ask for REQUIRETLS; without a connection the
	 * command itself reports that.
	 * @throws SmtpRequireTlsException if they do and this connection may not carry it
	 */
	void checkRequireTls(List<String> mailOptions) throws SmtpRequireTlsException {
		if (!this.wire.isConnected()) {
			return;
		}
		RequireTls.checkIfRequested(mailOptions, this.wire.connection(), this.session.doesEsmtp(),
				this.session.features(), this.wire.endpoint());
	}

	/** The options as they follow an address: none unless the server speaks ESMTP, as in smtplib. */
	String optionSuffix(List<String> options) {
		return (!options.isEmpty() && this.session.doesEsmtp()) ? " " + String.join(" ", options) : "";
	}

	/**
	 * An envelope's MAIL and RCPT lines, encoded, for messages of any size: MAIL is the sender's
	 * part, the {@code SIZE=} parameter (when the server takes it and the size is known) and the
	 * options with CRLF, joined as bytes for each message; every RCPT line is whole.
	 */
	private record EnvelopeCommands(String from, List<String> to, byte[] mailStart, boolean sizeOption,
			byte[] mailEnd, Charset encoding, List<PreparedCommand> rcpts, boolean chunked,
			boolean requireAllRecipients) {

		private static final byte[] SIZE = " SIZE=".getBytes(StandardCharsets.US_ASCII);

		Transaction transaction(long size, MessageSource source, byte[] shown) {
			return new Transaction(this.from, this.to, mail(size), this.rcpts, source, shown, this.chunked,
					this.requireAllRecipients);
		}

		/** {@code MAIL FROM:<sender> [SIZE=n] [options]CRLF}, as bytes without a string between. */
		private PreparedCommand mail(long size) {
			boolean withSize = this.sizeOption && size >= 0;
			int digits = 0;
			if (withSize) {
				digits = 1;
				for (long rest = size; rest >= 10; rest /= 10) {
					digits++;
				}
			}
			byte[] line = new byte[this.mailStart.length + (withSize ? SIZE.length + digits : 0) + this.mailEnd.length];
			System.arraycopy(this.mailStart, 0, line, 0, this.mailStart.length);
			int at = this.mailStart.length;
			if (withSize) {
				System.arraycopy(SIZE, 0, line, at, SIZE.length);
				at += SIZE.length;
				long rest = size;
				for (int i = at + digits - 1; i >= at; i--) {
					line[i] = (byte) ('0' + (int) (rest % 10));
					rest /= 10;
				}
				at += digits;
			}
			System.arraycopy(this.mailEnd, 0, line, at, this.mailEnd.length);
			return PreparedCommand.ofEncoded("MAIL", line, this.encoding);
		}

	}

}
