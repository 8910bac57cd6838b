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
		List<String> esmtpOptions = new ArrayList<>();
		if (this.session.doesEsmtp()) {
			EsmtpFeatures features = this.session.features();
			if (features.has("size") && size >= 0) {
				OptionalLong limit = features.maxMessageSize();
				if (limit.isPresent() && size > limit.getAsLong()) {
					throw new SmtpMessageTooLargeException(size, limit.getAsLong(), this.wire.endpoint());
				}
				esmtpOptions.add("SIZE=" + size);
			}
			esmtpOptions.addAll(mailOpts);
		}
		boolean chunked = useChunking();
		if (esmtpOptions.stream().anyMatch("BODY=BINARYMIME"::equalsIgnoreCase) && !chunked) {
			throw new SmtpNotSupportedException("BODY=BINARYMIME needs BDAT (RFC 3030): the server must advertise"
					+ " CHUNKING and BINARYMIME, and chunking must be turned on");
		}
		Charset encoding = StandardCharsets.US_ASCII;
		if (requestsSmtputf8(esmtpOptions)) {
			encoding = StandardCharsets.UTF_8;
			// As smtplib's mail(): commands sent by hand after this one go out in UTF-8 too.
			this.wire.useCommandEncoding(encoding);
		}
		List<String> recipients = List.copyOf(to);
		PreparedCommand mail = PreparedCommand.of("MAIL",
				"FROM:" + Addresses.quote(from) + optionSuffix(esmtpOptions), encoding);
		String rcptSuffix = optionSuffix(rcptOpts);
		List<PreparedCommand> rcpts = new ArrayList<>(recipients.size());
		for (String recipient : recipients) {
			rcpts.add(PreparedCommand.of("RCPT", "TO:" + Addresses.quote(recipient) + rcptSuffix, encoding));
		}
		return new Transaction(from, recipients, mail, rcpts, source, shown, chunked, requireAllRecipients);
	}

	/**
	 * {@link #prepare(String, Collection, List, List, boolean, MessageSource, byte[])} for an
	 * envelope, after EHLO: its MAIL and RCPT options are those for the server's extensions
	 * ({@link TransactionEngine.Session#mailOptionsFor}), so that its DSN request goes only to a server that
	 * advertises DSN. Every envelope reaches the engine through here.
	 */
	Transaction prepare(Envelope envelope, MessageSource source) throws SmtpException {
		this.session.greetIfNeeded();
		return prepare(envelope.from(), envelope.recipients(), this.session.mailOptionsFor(envelope),
				this.session.rcptOptionsFor(envelope), envelope.requireAllRecipients(), source, null);
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

}
