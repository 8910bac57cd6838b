package io.github.smtpkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.github.smtpkit.internal.Addresses;
import io.github.smtpkit.internal.CommandLines;
import io.github.smtpkit.internal.RequireTls;
import org.jspecify.annotations.Nullable;

/**
 * Who a message is from and to, as the server sees it (MAIL FROM and RCPT TO), with ESMTP
 * options. Immutable and checked when made: a bad address fails here, not half-way through a
 * transaction.
 *
 * @param from the envelope sender; {@code ""} for the null reverse-path {@code <>} (bounces)
 * @param recipients the envelope recipients, at least one
 * @param mailOptions ESMTP options for MAIL, such as {@code BODY=8BITMIME}; sent to every ESMTP
 * server, whatever it advertises
 * @param rcptOptions ESMTP options for every RCPT, such as {@code ORCPT=rfc822;user@example.org};
 * sent to every ESMTP server, whatever it advertises (for {@code NOTIFY=} use {@code dsn})
 * @param dsn the delivery status notifications to ask for (RFC 3461), sent only to a server that
 * advertises DSN (see {@link #withDsn(Dsn)}); {@code null} for none
 * @param requireAllRecipients whether the message goes to nobody unless the server accepts every
 * recipient at RCPT (see {@link #requiringAllRecipients()}); {@code false}, smtplib's way, delivers
 * to the recipients it accepted
 * @param requireTls whether the message may go only over verified TLS to a server that advertises
 * {@code REQUIRETLS} (RFC 8689), with that MAIL option (see {@link #requiringTls()}); {@code false}
 * sends it however the connection is configured
 */
public record Envelope(String from, List<String> recipients, List<String> mailOptions, List<String> rcptOptions,
		@Nullable Dsn dsn, boolean requireAllRecipients, boolean requireTls) {

	/**
	 * @throws IllegalArgumentException if there is no recipient, or an address or option is blank
	 * (sender excepted) or contains CR or LF, or the {@code dsn} asks for {@code NOTIFY} or
	 * {@code RET} which an option gives too, or {@code requireTls} is set and an option gives
	 * {@code REQUIRETLS} too
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
		if (dsn != null) {
			notGivenTwice("RET", dsn.retParameter().isPresent(), mailOptions, "MAIL");
			notGivenTwice("NOTIFY", dsn.notifyParameter().isPresent(), rcptOptions, "RCPT");
		}
		if (requireTls && RequireTls.isRequested(mailOptions)) {
			throw new IllegalArgumentException("REQUIRETLS is asked for twice: by requireTls and by the MAIL options "
					+ mailOptions + "; give it one way only");
		}
	}

	/**
	 * An envelope with these options that does not require TLS.
	 * @throws IllegalArgumentException as the canonical constructor
	 */
	public Envelope(String from, List<String> recipients, List<String> mailOptions, List<String> rcptOptions,
			@Nullable Dsn dsn, boolean requireAllRecipients) {
		this(from, recipients, mailOptions, rcptOptions, dsn, requireAllRecipients, false);
	}

	/**
	 * An envelope that delivers to the recipients the server accepts, as smtplib does.
	 * @throws IllegalArgumentException if there is no recipient, or an address or option is blank
	 * (sender excepted) or contains CR or LF
	 */
	public Envelope(String from, List<String> recipients, List<String> mailOptions, List<String> rcptOptions) {
		this(from, recipients, mailOptions, rcptOptions, null, false, false);
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
		return new Envelope(this.from, this.recipients, List.of(options), this.rcptOptions, this.dsn,
				this.requireAllRecipients, this.requireTls);
	}

	/** This envelope with these RCPT options instead. */
	public Envelope withRcptOptions(String... options) {
		return new Envelope(this.from, this.recipients, this.mailOptions, List.of(options), this.dsn,
				this.requireAllRecipients, this.requireTls);
	}

	/**
	 * This envelope asking for these delivery status notifications (RFC 3461): {@code NOTIFY=} with
	 * every RCPT and {@code RET=} with MAIL, before the envelope's own options.
	 *
	 * <p>They are sent only when the server advertises DSN in its EHLO reply; to any other server
	 * the message goes without them, and without an error (a server without DSN would refuse
	 * them, and the message with them). This is what Jakarta Mail's SMTP transport (and so Spring's
	 * {@code JavaMailSenderImpl}) and nodemailer do. A caller who must know whether the request went
	 * out can check {@link SmtpSession#hasExtn(String) hasExtn("dsn")} on a session to the same
	 * server. To send the parameters to every server regardless, give them as raw options with
	 * {@link #withMailOptions(String...)} and {@link #withRcptOptions(String...)} instead.
	 * @param dsn what to ask for, or {@code null} for nothing
	 * @return a copy of this envelope with {@code dsn} replaced
	 * @throws IllegalArgumentException if the envelope's options already give {@code NOTIFY} or
	 * {@code RET} and {@code dsn} asks for it too
	 */
	public Envelope withDsn(@Nullable Dsn dsn) {
		return new Envelope(this.from, this.recipients, this.mailOptions, this.rcptOptions, dsn,
				this.requireAllRecipients, this.requireTls);
	}

	/**
	 * This envelope, all or nothing: when the server refuses any recipient at RCPT, the message
	 * goes to nobody: no message data is sent, the transaction is ended with RSET (on a 421 the
	 * session closes instead), and the send fails with {@link SmtpRecipientsRefusedException}
	 * naming the refused recipients. This is what Jakarta Mail's SMTP transport does with
	 * {@code mail.smtp.sendpartial=false}, its default.
	 *
	 * <p>With PIPELINING, DATA still goes in one write with MAIL and the RCPT commands, so that a
	 * message every recipient accepts costs no extra round trip. When a recipient is refused and
	 * the server has already answered DATA with 354, nothing but closing the connection can abandon
	 * the transaction: the session is closed before the message's end was sent (the server discards
	 * the unfinished message), and {@link SmtpClient} goes on over another connection. A refusal
	 * thus costs a reconnection; the usual case costs nothing.
	 *
	 * <p>Only refusals at RCPT are covered. An LMTP server answers the message once per recipient
	 * after its end; a recipient refused there does not take it back from those who accepted it,
	 * and is reported among the refused as without this setting.
	 * @return a copy of this envelope with {@code requireAllRecipients} set
	 */
	public Envelope requiringAllRecipients() {
		return new Envelope(this.from, this.recipients, this.mailOptions, this.rcptOptions, this.dsn, true,
				this.requireTls);
	}

	/**
	 * This envelope, requiring TLS all the way (RFC 8689): the message goes only over a TLS
	 * connection whose certificate and host name were verified, to a server that advertises
	 * {@code REQUIRETLS}, and with the {@code REQUIRETLS} MAIL option, which asks every further hop
	 * to do the same or to return the message rather than send it in clear text.
	 *
	 * <p>When this hop cannot honour it (the connection is in clear text, its TLS did not verify
	 * the certificate because host name verification is off or the context is
	 * {@link SmtpTls#insecureTrustAllCertificates()}, or the server's EHLO reply does not advertise
	 * {@code REQUIRETLS}), nothing of the transaction is sent, not even MAIL, and the send fails
	 * with {@link SmtpRequireTlsException}; the session stays usable for other messages. Unlike a
	 * {@linkplain #withDsn DSN request}, it is never dropped silently.
	 *
	 * <p>The same rule holds for {@code REQUIRETLS} given as a raw MAIL option (to
	 * {@link SmtpSession#sendmail}, or as an Angus {@code SMTPMessage}'s MAIL extension through the
	 * Spring mail sender).
	 * @return a copy of this envelope with {@code requireTls} set
	 * @throws IllegalArgumentException if the MAIL options already give {@code REQUIRETLS}
	 */
	public Envelope requiringTls() {
		return new Envelope(this.from, this.recipients, this.mailOptions, this.rcptOptions, this.dsn,
				this.requireAllRecipients, true);
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
		return new Envelope(this.from, this.recipients, options, this.rcptOptions, this.dsn, this.requireAllRecipients,
				this.requireTls);
	}

	/**
	 * The MAIL options to send to a server with these extensions: the {@link #dsn()}'s
	 * {@code RET=} when the server advertises DSN, then {@link #mailOptions()}, then
	 * {@code REQUIRETLS} when {@link #requireTls()}, whatever the server advertises (the
	 * transaction engine refuses to send it where it may not go). The one place the DSN rule of
	 * {@link #withDsn(Dsn)} is applied, for every path of the transaction engine.
	 */
	List<String> mailOptionsFor(EsmtpFeatures features) {
		List<String> options = withDsnParameter(sendsDsn(features) ? this.dsn.retParameter() : Optional.empty(),
				this.mailOptions);
		if (!this.requireTls) {
			return options;
		}
		List<String> all = new ArrayList<>(options);
		all.add(RequireTls.OPTION);
		return all;
	}

	/**
	 * The RCPT options to send, with every recipient, to a server with these extensions: the
	 * {@link #dsn()}'s {@code NOTIFY=} when the server advertises DSN, then {@link #rcptOptions()}.
	 */
	List<String> rcptOptionsFor(EsmtpFeatures features) {
		return withDsnParameter(sendsDsn(features) ? this.dsn.notifyParameter() : Optional.empty(),
				this.rcptOptions);
	}

	private boolean sendsDsn(EsmtpFeatures features) {
		return this.dsn != null && features.has("dsn");
	}

	private static List<String> withDsnParameter(Optional<String> parameter, List<String> options) {
		if (parameter.isEmpty()) {
			return options;
		}
		List<String> all = new ArrayList<>(options.size() + 1);
		all.add(parameter.get());
		all.addAll(options);
		return all;
	}

	/** A DSN parameter must not go twice, once from the {@link Dsn} and once as a raw option. */
	private static void notGivenTwice(String keyword, boolean inDsn, List<String> options, String command) {
		if (!inDsn) {
			return;
		}
		for (String option : options) {
			if (option.regionMatches(true, 0, keyword + "=", 0, keyword.length() + 1)) {
				throw new IllegalArgumentException(keyword + "= is asked for twice: by the Dsn and by the " + command
						+ " option " + option + "; give it one way only");
			}
		}
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
