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
	static MessagingException of(Exception failure, Envelope envelope) {
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
		SmtpReply last = result.finalReply();
		List<SMTPAddressFailedException> perAddress = new ArrayList<>();
		result.refused().forEach((recipient, reply) -> perAddress
			.add(new SMTPAddressFailedException(address(recipient), "RCPT TO:<" + recipient + ">", reply.code(),
					reply(reply.code(), reply.message()))));
		return new SMTPSendFailedException(".", last.code(), reply(last.code(), last.message()),
				chain(perAddress, null), addresses(result.accepted()), null,
				addresses(refusedInOrder(envelope, result.refused())));
	}

	/**
	 * "Invalid Addresses", as Angus Mail says when it sent nothing because recipients were refused:
	 * permanent refusals (5xx) are invalid, temporary ones (4xx) and the accepted are valid but
	 * unsent.
	 */
	private static SendFailedException recipientsRefused(SmtpRecipientsRefusedException refused, Envelope envelope) {
		Map<String, SmtpReply> replies = refused.recipients();
		List<String> invalid = new ArrayList<>();
		List<String> accepted = new ArrayList<>();
		List<String> refusedForNow = new ArrayList<>();
		List<SMTPAddressFailedException> perAddress = new ArrayList<>();
		for (String recipient : envelope.recipients()) {
			SmtpReply reply = replies.get(recipient);
			if (reply == null) {
				accepted.add(recipient);
				continue;
			}
			(reply.code() / 100 == 4 ? refusedForNow : invalid).add(recipient);
			perAddress.add(new SMTPAddressFailedException(address(recipient), "RCPT TO:<" + recipient + ">",
					reply.code(), reply(reply.code(), reply.message())));
		}
		List<String> validUnsent = new ArrayList<>(accepted);
		validUnsent.addAll(refusedForNow);
		return new SendFailedException("Invalid Addresses", chain(perAddress, refused), null,
				addresses(validUnsent), addresses(invalid));
	}

	private static List<String> refusedInOrder(Envelope envelope, Map<String, SmtpReply> refused) {
		return envelope.recipients().stream().filter(refused::containsKey).toList();
	}

	/** The exceptions linked by their next exceptions, then {@code last}; the head of the chain. */
	private static Exception chain(List<? extends MessagingException> exceptions, Exception last) {
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
