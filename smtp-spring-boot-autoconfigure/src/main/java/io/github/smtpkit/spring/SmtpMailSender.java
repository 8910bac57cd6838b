package io.github.smtpkit.spring;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpAmbiguousOutcomeException;
import io.github.smtpkit.SmtpAuthenticationException;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpDataException;
import io.github.smtpkit.SmtpNotSupportedException;
import io.github.smtpkit.SmtpRecipientsRefusedException;
import io.github.smtpkit.SmtpSenderRefusedException;
import io.github.smtpkit.spring.observation.DefaultSmtpSendObservationConvention;
import io.github.smtpkit.spring.observation.SmtpSendObservationContext;
import io.github.smtpkit.spring.observation.SmtpSendObservationConvention;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailParseException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMailMessage;

/**
 * A {@link JavaMailSender} that sends through a pooled, thread-safe {@link SmtpClient}, so code
 * written for {@code spring-boot-starter-mail} works unchanged, with pooled connections and
 * bounded waits. MIME is Jakarta Mail's: a {@link SimpleMailMessage} becomes a
 * {@link MimeMessage}, and every message goes to the recipients of its {@code To}, {@code Cc} and
 * {@code Bcc} headers (which is left out of what is sent), from its {@code Sender} or else
 * {@code From} address.
 *
 * <p>Failures are Spring's {@link org.springframework.mail.MailException} types:
 * <ul>
 * <li>{@link MailSendException} whose {@link MailSendException#getFailedMessages() failed
 * messages} are exactly the messages not delivered to every recipient, each with its cause,
 * keyed by the object passed in: the core's {@link SmtpRecipientsRefusedException},
 * {@link SmtpDataException}, {@link SmtpAmbiguousOutcomeException} (the server may have it),
 * and so on; a {@link SendFailedException} when some recipients accepted the message and others
 * refused it (its valid-sent and invalid addresses say who). The others of a batch were
 * delivered. When the server cannot be reached or talked to at all (no connection, no free
 * session, a timeout), the rest of the batch is not tried: it fails with the same cause.</li>
 * <li>{@link MailAuthenticationException} when the server refuses the credentials before the
 * first message of a call; later in a batch, that refusal fails the rest as above.</li>
 * <li>{@link MailParseException} (or {@link org.springframework.mail.MailPreparationException}
 * for a {@link org.springframework.mail.javamail.MimeMessagePreparator}) when a message cannot
 * be made; nothing of that call is sent then.</li>
 * </ul>
 *
 * <p>Each message is one {@code mail.send} {@link Observation} when an
 * {@link ObservationRegistry} is set. Thread-safe once configured; the setters are for
 * configuration, before the sender is shared.
 */
public class SmtpMailSender implements JavaMailSender {

	private static final String MESSAGE_ID = "Message-ID";

	private static final SmtpSendObservationConvention DEFAULT_CONVENTION = new DefaultSmtpSendObservationConvention();

	private final SmtpClient client;

	/** Only for making messages: smtpkit, not Jakarta Mail's transports, sends them. */
	private final Session session = Session.getInstance(new Properties());

	private InternetAddress defaultFrom;

	private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

	private SmtpSendObservationConvention observationConvention;

	/**
	 * A sender through this client. The client stays the caller's to close.
	 * @param client the pooled client that sends every message
	 */
	public SmtpMailSender(SmtpClient client) {
		this.client = Objects.requireNonNull(client, "client");
	}

	/** The client that sends the messages. */
	public SmtpClient getClient() {
		return this.client;
	}

	/**
	 * The {@code From} address of messages that have none.
	 * @param defaultFrom an address, optionally with a display name, or {@code null} for none
	 * @throws IllegalArgumentException if it is not an address
	 */
	public void setDefaultFrom(String defaultFrom) {
		if (defaultFrom == null) {
			this.defaultFrom = null;
			return;
		}
		try {
			this.defaultFrom = new InternetAddress(defaultFrom, true);
		}
		catch (AddressException ex) {
			throw new IllegalArgumentException("Not an address: '" + defaultFrom + "' (" + ex.getMessage() + ")", ex);
		}
	}

	/** The {@code From} address of messages that have none, or {@code null}. */
	public String getDefaultFrom() {
		return (this.defaultFrom != null) ? this.defaultFrom.toString() : null;
	}

	/** Where the {@code mail.send} observation of each message goes (default: nowhere). */
	public void setObservationRegistry(ObservationRegistry observationRegistry) {
		this.observationRegistry = Objects.requireNonNull(observationRegistry, "observationRegistry");
	}

	/** How the observations are named and tagged (default {@link DefaultSmtpSendObservationConvention}). */
	public void setObservationConvention(SmtpSendObservationConvention observationConvention) {
		this.observationConvention = observationConvention;
	}

	@Override
	public MimeMessage createMimeMessage() {
		return new MimeMessage(this.session);
	}

	@Override
	public MimeMessage createMimeMessage(InputStream contentStream) {
		try {
			return new MimeMessage(this.session, contentStream);
		}
		catch (MessagingException ex) {
			throw new MailParseException("Could not parse raw MIME content", ex);
		}
	}

	/**
	 * Sends each message as a {@link MimeMessage}.
	 * @throws MailParseException if a message cannot be turned into one; nothing is sent then
	 */
	@Override
	public void send(SimpleMailMessage... simpleMessages) {
		MimeMessage[] mimeMessages = new MimeMessage[simpleMessages.length];
		for (int i = 0; i < simpleMessages.length; i++) {
			MimeMailMessage message = new MimeMailMessage(createMimeMessage());
			simpleMessages[i].copyTo(message);
			mimeMessages[i] = message.getMimeMessage();
		}
		sendAll(Arrays.asList(mimeMessages), Arrays.asList((Object[]) simpleMessages));
	}

	@Override
	public void send(MimeMessage... mimeMessages) {
		sendAll(Arrays.asList(mimeMessages), Arrays.asList((Object[]) mimeMessages));
	}

	private void sendAll(List<MimeMessage> messages, List<Object> originals) {
		Map<Object, Exception> failures = new LinkedHashMap<>();
		Exception unreachable = null;
		for (int i = 0; i < messages.size(); i++) {
			Object original = originals.get(i);
			if (unreachable != null) {
				failures.put(original, unreachable);
				continue;
			}
			try {
				sendOne(messages.get(i));
			}
			catch (SmtpAuthenticationException ex) {
				if (i == 0) {
					throw new MailAuthenticationException("The SMTP server " + this.client.endpoint()
							+ " refused the credentials: " + ex.getMessage(), ex);
				}
				failures.put(original, ex);
				unreachable = ex;
			}
			catch (IOException | MessagingException | RuntimeException ex) {
				failures.put(original, ex);
				if (!concernsOnlyThisMessage(ex)) {
					unreachable = ex;
				}
			}
		}
		if (!failures.isEmpty()) {
			throw new MailSendException(failures.size() + " of " + messages.size() + " messages could not be sent to "
					+ this.client.endpoint(), null, failures);
		}
	}

	/**
	 * Whether the server refused or misunderstood this message in particular, so that the next
	 * may well go through; otherwise it could not be reached or talked to, and the next would only
	 * wait for the same failure.
	 */
	private static boolean concernsOnlyThisMessage(Exception ex) {
		return ex instanceof SmtpSenderRefusedException || ex instanceof SmtpRecipientsRefusedException
				|| ex instanceof SmtpDataException || ex instanceof SmtpAmbiguousOutcomeException
				|| ex instanceof SmtpNotSupportedException || ex instanceof MessagingException
				|| ex instanceof IllegalArgumentException;
	}

	private void sendOne(MimeMessage message) throws IOException, MessagingException {
		prepare(message);
		SmtpSendObservationContext context = new SmtpSendObservationContext(message, this.client.endpoint());
		Observation observation = Observation.createNotStarted(this.observationConvention, DEFAULT_CONVENTION,
				() -> context, this.observationRegistry);
		observation.start();
		Observation.Scope scope = observation.openScope();
		try {
			SendResult result = this.client.send(message);
			context.setResult(result);
			if (!result.isFullyAccepted()) {
				throw partialDelivery(result);
			}
		}
		catch (IOException | MessagingException | RuntimeException ex) {
			observation.error(ex);
			throw ex;
		}
		finally {
			scope.close();
			observation.stop();
		}
	}

	/** As Spring's {@code JavaMailSenderImpl}: a sent date, and a Message-ID that saving keeps. */
	private void prepare(MimeMessage message) throws MessagingException {
		if (this.defaultFrom != null && message.getHeader("From", null) == null) {
			message.setFrom(this.defaultFrom);
		}
		if (message.getSentDate() == null) {
			message.setSentDate(new Date());
		}
		String messageId = message.getMessageID();
		message.saveChanges();
		if (messageId != null) {
			// saveChanges() makes a new Message-ID; one the application set must survive.
			message.setHeader(MESSAGE_ID, messageId);
		}
	}

	/** Jakarta Mail's way of saying that a message went to some recipients and not to others. */
	private static SendFailedException partialDelivery(SendResult result) {
		return new SendFailedException("The message was delivered to " + result.accepted()
				+ " but refused for " + result.refused(), null, addresses(result.accepted()), null,
				addresses(result.refused().keySet().stream().toList()));
	}

	private static Address[] addresses(List<String> addresses) {
		return addresses.stream().map((text) -> {
			// Set as they are: these are the envelope's addresses, already accepted by the client.
			InternetAddress address = new InternetAddress();
			address.setAddress(text);
			return address;
		}).toArray(Address[]::new);
	}

	@Override
	public String toString() {
		return "SmtpMailSender[" + this.client + "]";
	}

}
