package io.github.smtpkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

import io.github.smtpkit.internal.Addresses;
import io.github.smtpkit.internal.CommandLines;

/**
 * Who a message is from and to, as the server sees it (MAIL FROM and RCPT TO), with ESMTP
 * options. Immutable and checked when made: a bad address fails here, not half-way through a
 * transaction.
 *
 * @param from the envelope sender; {@code ""} for the null reverse-path {@code <>} (bounces)
 * @param recipients the envelope recipients, at least one
 * @param mailOptions ESMTP options for MAIL, such as {@code BODY=8BITMIME}
 * @param rcptOptions ESMTP options for every RCPT, such as {@code NOTIFY=FAILURE}
 * @param requireAllRecipients whether the message goes to nobody unless the server accepts every
 * recipient at RCPT (see {@link #requiringAllRecipients()}); {@code false}, smtplib's way, delivers
 * to the recipients it accepted
 */
public record Envelope(String from, List<String> recipients, List<String> mailOptions, List<String> rcptOptions,
		boolean requireAllRecipients) {

	/**
	 * @throws IllegalArgumentException if there is no recipient, or an address or option is blank
	 * (sender excepted) or contains CR or LF
	 */
	public Envelope {
		Objects.requireNonNull(from, "from");
		CommandLines.requireSingleLine("Envelope sender", from);
		recipients = checked("Envelope recipient", Objects.requireNonNull(recipients, "recipients"));
		if (recipients.isEmpty()) {
			throw new IllegalArgumentException("Envelope needs at least one recipient");
		}
		mailOptions = checked("MAIL option", (mailOptions != null) ? mailOptions : List.of());
		rcptOptions = checked("RCPT option", (rcptOptions != null) ? rcptOptions : List.of());
	}

	/**
	 * An envelope that delivers to the recipients the server accepts, as smtplib does.
	 * @throws IllegalArgumentException if there is no recipient, or an address or option is blank
	 * (sender excepted) or contains CR or LF
	 */
	public Envelope(String from, List<String> recipients, List<String> mailOptions, List<String> rcptOptions) {
		this(from, recipients, mailOptions, rcptOptions, false);
	}

	/** An envelope without options. */
	public static Envelope of(String from, String... recipients) {
		return new Envelope(from, List.of(recipients), List.of(), List.of());
	}

	/** An envelope without options. */
	public static Envelope of(String from, Collection<String> recipients) {
		return new Envelope(from, List.copyOf(recipients), List.of(), List.of());
	}

	/** This envelope with these MAIL options instead. */
	public Envelope withMailOptions(String... options) {
		return new Envelope(this.from, this.recipients, List.of(options), this.rcptOptions, this.requireAllRecipients);
	}

	/** This envelope with these RCPT options instead. */
	public Envelope withRcptOptions(String... options) {
		return new Envelope(this.from, this.recipients, this.mailOptions, List.of(options), this.requireAllRecipients);
	}

	/**
	 * This envelope, all or nothing: when the server refuses any recipient at RCPT, the message
	 * goes to nobody. DATA (or BDAT) is then never sent, the transaction is ended with RSET (on a
	 * 421 the session closes instead), and the send fails with
	 * {@link SmtpRecipientsRefusedException} naming the refused recipients. This is what Jakarta
	 * Mail's SMTP transport does with {@code mail.smtp.sendpartial=false}, its default.
	 *
	 * <p>With PIPELINING, DATA is not pipelined with the RCPT commands of such an envelope: once the
	 * server has answered DATA with 354, the transaction can no longer be abandoned without closing
	 * the connection. MAIL and every RCPT still go out in one write, but DATA follows on its own
	 * once their replies are in: one more round trip per message, the price of the guarantee.
	 *
	 * <p>Only refusals at RCPT are covered. An LMTP server answers the message once per recipient
	 * after its end; a recipient refused there does not take it back from those who accepted it,
	 * and is reported among the refused as without this setting.
	 * @return a copy of this envelope with {@code requireAllRecipients} set
	 */
	public Envelope requiringAllRecipients() {
		return new Envelope(this.from, this.recipients, this.mailOptions, this.rcptOptions, true);
	}

	/**
	 * This envelope with the MAIL options an address outside ASCII needs, {@code SMTPUTF8} and
	 * {@code BODY=8BITMIME} (RFC 6531), as smtplib's {@code send_message} adds them; itself when
	 * every address is ASCII. Options already there are not added twice.
	 */
	public Envelope withSmtputf8IfNeeded() {
		boolean international = Addresses.isInternational(this.from)
				|| this.recipients.stream().anyMatch(Addresses::isInternational);
		if (!international) {
			return this;
		}
		List<String> options = new ArrayList<>(this.mailOptions);
		for (String option : Addresses.INTERNATIONAL_MAIL_OPTIONS) {
			if (options.stream().noneMatch(option::equalsIgnoreCase)) {
				options.add(option);
			}
		}
		return new Envelope(this.from, this.recipients, options, this.rcptOptions, this.requireAllRecipients);
	}

	/** A copy, each element checked: not blank, one line. */
	private static List<String> checked(String what, List<String> values) {
		List<String> copy = List.copyOf(values);
		for (String value : copy) {
			if (value.isBlank()) {
				throw new IllegalArgumentException(what + " must not be blank: " + copy);
			}
			CommandLines.requireSingleLine(what, value);
		}
		return copy;
	}

}
