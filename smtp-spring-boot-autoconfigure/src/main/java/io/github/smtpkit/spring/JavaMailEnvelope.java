package io.github.smtpkit.spring;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.github.smtpkit.Dsn;
import io.github.smtpkit.Dsn.Notify;
import io.github.smtpkit.Dsn.Ret;
import io.github.smtpkit.Envelope;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.jspecify.annotations.Nullable;

/**
 * The envelope of a message sent through {@link SmtpMailSender}, by the rules of Spring's
 * {@code JavaMailSenderImpl} on Angus Mail's SMTP transport, which applications written for
 * {@code spring-boot-starter-mail} rely on (not smtplib's {@code send_message} rules, which
 * {@link io.github.smtpkit.SmtpSession#sendMessage} keeps):
 * <ul>
 * <li>MAIL FROM: an {@link SMTPMessage}'s envelope-from, else the configured bounce address
 * ({@code mail.smtp.from}'s role), else the first {@code From} address (or, without one, the first
 * {@code Sender}: {@link MimeMessage#getFrom()});</li>
 * <li>RCPT TO: {@link MimeMessage#getAllRecipients()}, groups expanded: {@code To}, {@code Cc},
 * then {@code Bcc};</li>
 * <li>an {@link SMTPMessage}'s DSN settings ({@code NOTIFY}, {@code RET}), sent only when the
 * server advertises DSN, and its MAIL extension, sent always;</li>
 * <li>all recipients or none, unless partial delivery is chosen (for all messages, or by an
 * {@link SMTPMessage}'s {@code sendPartial}).</li>
 * </ul>
 */
final class JavaMailEnvelope {

	private JavaMailEnvelope() {
	}

	/**
	 * The envelope of a message whose pending changes are saved.
	 * @param envelopeFrom the configured bounce address, or {@code null}
	 * @param partialDelivery whether to deliver to the accepted recipients when others are refused
	 * @throws SendFailedException if the message has no recipient, as Angus Mail says it
	 * @throws MessagingException if there is no sender, or an address header does not parse
	 */
	static Envelope of(MimeMessage message, @Nullable String envelopeFrom, boolean partialDelivery)
			throws MessagingException {
		SMTPMessage smtpMessage = (message instanceof SMTPMessage smtp) ? smtp : null;
		String from = sender(message, smtpMessage, envelopeFrom);
		List<String> recipients = recipients(message);
		List<String> mailOptions = new ArrayList<>();
		Dsn dsn = null;
		if (smtpMessage != null) {
			dsn = dsn(smtpMessage);
			String extension = smtpMessage.getMailExtension();
			if (extension != null && !extension.isBlank()) {
				mailOptions.addAll(Arrays.asList(extension.strip().split("\\s+")));
			}
		}
		// Angus Mail sends an address that is not ASCII only with mail.mime.allowutf8, and then with
		// SMTPUTF8 too: here it always goes, with the options it needs.
		boolean partial = partialDelivery || (smtpMessage != null && smtpMessage.getSendPartial());
		return new Envelope(from, recipients, mailOptions, List.of(), dsn, !partial).withSmtputf8IfNeeded();
	}

	private static String sender(MimeMessage message, @Nullable SMTPMessage smtpMessage, @Nullable String envelopeFrom)
			throws MessagingException {
		if (smtpMessage != null && hasText(smtpMessage.getEnvelopeFrom())) {
			return smtpMessage.getEnvelopeFrom();
		}
		if (hasText(envelopeFrom)) {
			return envelopeFrom;
		}
		Address[] from = message.getFrom();
		if (from != null && from.length > 0 && from[0] instanceof InternetAddress address) {
			return address.getAddress();
		}
		throw new MessagingException("The message has no From (or Sender) address and no envelope sender is"
				+ " configured (a default From or a bounce address): there is no sender for MAIL FROM");
	}

	private static List<String> recipients(MimeMessage message) throws MessagingException {
		Address[] all = message.getAllRecipients();
		if (all == null || all.length == 0) {
			throw new SendFailedException("No recipient addresses");
		}
		List<String> recipients = new ArrayList<>(all.length);
		for (Address address : all) {
			if (!(address instanceof InternetAddress internetAddress)) {
				throw new MessagingException(address + " is not an InternetAddress");
			}
			if (internetAddress.isGroup()) {
				for (InternetAddress member : internetAddress.getGroup(false)) {
					recipients.add(member.getAddress());
				}
			}
			else {
				recipients.add(internetAddress.getAddress());
			}
		}
		return recipients;
	}

	/**
	 * The DSN request (RFC 3461) the message makes with {@link SMTPMessage#setNotifyOptions} and
	 * {@link SMTPMessage#setReturnOption}, or {@code null} when it makes none. As with Angus Mail,
	 * it goes only to a server that advertises DSN ({@link Envelope#withDsn(Dsn)}).
	 */
	private static @Nullable Dsn dsn(SMTPMessage message) {
		int notify = message.getNotifyOptions();
		Set<Notify> conditions = EnumSet.noneOf(Notify.class);
		if (notify == SMTPMessage.NOTIFY_NEVER) {
			conditions.add(Notify.NEVER);
		}
		else {
			if ((notify & SMTPMessage.NOTIFY_SUCCESS) != 0) {
				conditions.add(Notify.SUCCESS);
			}
			if ((notify & SMTPMessage.NOTIFY_FAILURE) != 0) {
				conditions.add(Notify.FAILURE);
			}
			if ((notify & SMTPMessage.NOTIFY_DELAY) != 0) {
				conditions.add(Notify.DELAY);
			}
		}
		Ret ret = switch (message.getReturnOption()) {
			case SMTPMessage.RETURN_FULL -> Ret.FULL;
			case SMTPMessage.RETURN_HDRS -> Ret.HDRS;
			default -> null;
		};
		return (conditions.isEmpty() && ret == null) ? null : new Dsn(conditions, ret);
	}

	private static boolean hasText(@Nullable String text) {
		return text != null && !text.isEmpty();
	}

}
