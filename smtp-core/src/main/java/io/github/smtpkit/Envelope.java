package io.github.smtpkit;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

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
 */
public record Envelope(String from, List<String> recipients, List<String> mailOptions, List<String> rcptOptions) {

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
		return new Envelope(this.from, this.recipients, List.of(options), this.rcptOptions);
	}

	/** This envelope with these RCPT options instead. */
	public Envelope withRcptOptions(String... options) {
		return new Envelope(this.from, this.recipients, this.mailOptions, List.of(options));
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
