package io.github.smtpkit.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.smtpkit.Envelope;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpDataException;
import io.github.smtpkit.SmtpRecipientsRefusedException;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpSenderRefusedException;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.jspecify.annotations.Nullable;

/**
 * A refusal by the server, told as Angus Mail's SMTP transport tells it to code written for
 * Spring's {@code JavaMailSenderImpl}: the {@link SendFailedException} family, whose valid-sent,
 * valid-unsent and invalid addresses say who has the message, with the server's reply code per
 * address in the chain of {@link MessagingException#getNextException() next exceptions}. The chain
 * ends with smtpkit's own exception, for the whole story.
 */
final class JavaMailFailures {

	private JavaMailFailures() {
	}

	/**
	 * Angus Mail's exception for a refusal, or {@code null} when the failure is not one (a broken
	 * connection, a timeout, an ambiguous outcome): those keep smtpkit's exception.
	 */
	static @Nullable MessagingException of(Exception failure, Envelope envelope) {
		if (failure instanceof SmtpRecipientsRefusedException refused) {
			return recipientsRefused(refused, envelope);
		}
		if (failure instanceof SmtpSenderRefusedException refused) {
			String command = "MAIL FROM:<" + refused.sender() + ">";
			SMTPSendFailedException exception = new SMTPSendFailedException(command, refused.smtpCode(),
					reply(refused.smtpCode(), refused.smtpError()), null, null, addresses(envelope.recipients()), null);
			exception.setNextException(chain(List.of(new SMTPSenderFailedException(address(refused.sender()), command,
					refused.smtpCode(), reply(refused.smtpCode(), refused.smtpError()))), failure));
			return exception;
		}
		if (failure instanceof SmtpDataException refused) {
			return new SMTPSendFailedException(".", refused.smtpCode(), reply(refused.smtpCode(), refused.smtpError()),
					failure, null, addresses(envelope.recipients()), null);
		}
		return null;
	}

	/**
	 * A message delivered to some recipients and refused for others (partial delivery, or LMTP's
	 * replies after the data): Angus Mail's exception after a partial send.
	 */
	static SMTPSendFailedException partialDelivery(SendResult result, Envelope envelope) {
		Refusals refusals = Refusals.of(result.refused(), envelope);
		SmtpReply last = result.finalReply();
		return new SMTPSendFailedException(".", last.code(), reply(last.code(), last.message()),
				chain(refusals.perAddress(), null), addresses(result.accepted()),
				addresses(refusals.temporary()), addresses(refusals.permanent()));
	}

	/**
	 * "Invalid Addresses", as Angus Mail says when it sent nothing because recipients were refused:
	 * the accepted and the temporarily refused are valid but unsent, the permanently refused
	 * invalid.
	 */
	private static SendFailedException recipientsRefused(SmtpRecipientsRefusedException refused, Envelope envelope) {
		Refusals refusals = Refusals.of(refused.recipients(), envelope);
		List<String> validUnsent = new ArrayList<>(envelope.recipients());
		validUnsent.removeIf(refused.recipients()::containsKey);
		validUnsent.addAll(refusals.temporary());
		return new SendFailedException("Invalid Addresses", chain(refusals.perAddress(), refused), null,
				addresses(validUnsent), addresses(refusals.permanent()));
	}

	/**
	 * Refused recipients sorted as Angus Mail sorts them, in envelope order: a 4xx refusal leaves a
	 * valid address, a 5xx one an invalid address; each with its {@link SMTPAddressFailedException}.
	 */
	private record Refusals(List<String> temporary, List<String> permanent,
			List<SMTPAddressFailedException> perAddress) {

		static Refusals of(Map<String, SmtpReply> refused, Envelope envelope) {
			Refusals refusals = new Refusals(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
			for (String recipient : envelope.recipients()) {
				SmtpReply reply = refused.get(recipient);
				if (reply == null) {
					continue;
				}
				(reply.code() / 100 == 4 ? refusals.temporary : refusals.permanent).add(recipient);
				refusals.perAddress.add(new SMTPAddressFailedException(address(recipient), "RCPT TO:<" + recipient + ">",
						reply.code(), reply(reply.code(), reply.message())));
			}
			return refusals;
		}

	}

	/**
	 * The exceptions linked by their next exceptions, then {@code last}; the head of the chain, or
	 * {@code null} for none.
	 */
	private static @Nullable Exception chain(List<? extends MessagingException> exceptions, @Nullable Exception last) {
		MessagingException head = null;
		MessagingException tail = null;
		for (MessagingException exception : exceptions) {
			if (head == null) {
				head = exception;
			}
			else {
				tail.setNextException(exception);
			}
			tail = exception;
		}
		if (head == null) {
			return last;
		}
		if (last != null) {
			tail.setNextException(last);
		}
		return head;
	}

	/** The server's reply as Angus Mail keeps it: the code, then the text. */
	private static String reply(int code, String message) {
		return code + " " + message;
	}

	private static Address[] addresses(List<String> addresses) {
		return addresses.stream().map(JavaMailFailures::address).toArray(Address[]::new);
	}

	/** As the envelope has it: these addresses were parsed (or given) before they were sent. */
	private static InternetAddress address(String text) {
		InternetAddress address = new InternetAddress();
		address.setAddress(text);
		return address;
	}

}
