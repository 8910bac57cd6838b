package io.github.smtpkit.spring;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.github.smtpkit.Envelope;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpAmbiguousOutcomeException;
import io.github.smtpkit.SmtpAuthenticationException;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpImplicitTlsPortException;
import io.github.smtpkit.SmtpMessageTooLargeException;
import io.github.smtpkit.SmtpNotSupportedException;
import io.github.smtpkit.SmtpTlsCertificateException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.jspecify.annotations.Nullable;

import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailParseException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMailMessage;
import org.springframework.mail.javamail.MimeMessageHelper;

/**
 * A {@link JavaMailSender} that sends through a pooled, thread-safe {@link SmtpClient}: a drop-in
 * for Spring's {@link JavaMailSenderImpl}, with pooled connections and bounded waits. What
 * applications see is {@code JavaMailSenderImpl}'s, as its differential tests check side by side:
 * <ul>
 * <li><b>Messages</b> are made as {@code JavaMailSenderImpl} makes them (it makes them, and never
 * sends): {@link #createMimeMessage()} carries the {@link #setDefaultEncoding default encoding}
 * (UTF-8, as Spring Boot's {@code spring.mail.default-encoding}) and a shared file-type map, which
 * {@link MimeMessageHelper} and {@link SimpleMailMessage}'s copy pick up.</li>
 * <li><b>The envelope</b> follows Angus Mail's transport: MAIL FROM is an {@link SMTPMessage}'s
 * envelope-from, else the {@link #setEnvelopeFrom bounce address}, else the {@code From} address;
 * the recipients are {@link MimeMessage#getAllRecipients()} ({@code To}, {@code Cc}, {@code Bcc},
 * in that order), and {@code Bcc} is not sent. An {@code SMTPMessage}'s {@code NOTIFY} and
 * {@code RET} go with RCPT and MAIL when the server advertises DSN, and are dropped silently when
 * it does not, so that the message is still delivered.</li>
 * <li><b>All recipients or none</b>: when the server refuses a recipient, nobody gets the message
 * (RSET, nothing sent), as with Angus Mail's default {@code mail.smtp.sendpartial=false}, so that
 * code that retries a failed message mails nobody twice. {@link #setPartialDelivery} (or an
 * {@code SMTPMessage}'s {@code sendPartial}) delivers to the accepted recipients instead.</li>
 * </ul>
 *
 * <p>Failures are Spring's {@link org.springframework.mail.MailException} types, as
 * {@code JavaMailSenderImpl} throws them:
 * <ul>
 * <li>{@link MailSendException} whose {@link MailSendException#getFailedMessages() failed
 * messages} are exactly the messages not delivered to every recipient, keyed by the object passed
 * in. A refusal is Angus Mail's exception: {@link SendFailedException} ("Invalid Addresses") for
 * refused recipients, {@code SMTPSendFailedException} for a refused sender or message, or a
 * message delivered to only some recipients; their valid-sent, valid-unsent and invalid addresses
 * say who has it. Other failures keep smtpkit's exception ({@link SmtpAmbiguousOutcomeException}
 * when the server may have the message, a timeout, a broken connection). The others of a batch
 * were delivered. When the server cannot be reached or talked to at all (no connection, no free
 * session, a timeout), the rest of the batch is not tried: it fails with the same cause.</li>
 * <li>{@link MailAuthenticationException} when the server refuses the credentials.</li>
 * <li>{@link MailParseException} (or {@link org.springframework.mail.MailPreparationException}
 * for a {@link org.springframework.mail.javamail.MimeMessagePreparator}) when a message cannot
 * be made; nothing of that call is sent then.</li>
 * </ul>
 *
 * <p>Each message is observed where every message of the client is: by the client's listener
 * ({@link io.github.smtpkit.spring.observation.SmtpSendObservations}, which the starter adds to
 * its clients), one {@code mail.send} observation per message, with the message's visible headers
 * (it is sent as a {@link MimeMessageSource}). Thread-safe once configured; the setters are for
 * configuration, before the sender is shared.
 */
public class SmtpMailSender implements JavaMailSender {

	private static final String MESSAGE_ID = "Message-ID";

	private final SmtpClient client;

	/**
	 * Makes the messages, exactly as Spring's sender makes them: its messages are the only ones
	 * whose default encoding and file-type map {@link MimeMessageHelper} can see. It never sends.
	 */
	private final JavaMailSenderImpl messageFactory = new JavaMailSenderImpl();

	private final SentDates sentDates = new SentDates(System::currentTimeMillis);

	private @Nullable InternetAddress defaultFrom;

	private @Nullable String envelopeFrom;

	private boolean partialDelivery;

	/** The properties that configure this sender's server, to name in hints; {@code null} outside Spring Boot. */
	private @Nullable String propertyPrefix;

	/**
	 * A sender through this client, with UTF-8 as the default encoding. The client stays the
	 * caller's to close.
	 * @param client the pooled client that sends every message
	 */
	public SmtpMailSender(SmtpClient client) {
		this.client = Objects.requireNonNull(client, "client");
		this.messageFactory.setDefaultEncoding(StandardCharsets.UTF_8.name());
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
	public void setDefaultFrom(@Nullable String defaultFrom) {
		this.defaultFrom = (defaultFrom != null) ? parse(defaultFrom) : null;
	}

	/** The {@code From} address of messages that have none, or {@code null}. */
	public @Nullable String getDefaultFrom() {
		return (this.defaultFrom != null) ? this.defaultFrom.toString() : null;
	}

	/**
	 * The charset of text, subjects and display names in the messages that
	 * {@link #createMimeMessage()} makes, where {@link MimeMessageHelper} or
	 * {@link SimpleMailMessage} is not told another: Spring Boot's
	 * {@code spring.mail.default-encoding}. Without it, Jakarta Mail would use the JVM's default
	 * charset, which is not UTF-8 on JDK 17 under {@code LANG=C}.
	 * @param defaultEncoding the charset (default UTF-8), or {@code null} for Jakarta Mail's choice
	 */
	public void setDefaultEncoding(@Nullable Charset defaultEncoding) {
		this.messageFactory.setDefaultEncoding((defaultEncoding != null) ? defaultEncoding.name() : null);
	}

	/** The charset of messages made here, where not told another; {@code null} for Jakarta Mail's choice. */
	public @Nullable Charset getDefaultEncoding() {
		String encoding = this.messageFactory.getDefaultEncoding();
		return (encoding != null) ? Charset.forName(encoding) : null;
	}

	/**
	 * The bounce address: MAIL FROM for every message that is not an {@link SMTPMessage} with an
	 * envelope-from of its own, whatever its {@code From} says (Angus Mail's {@code mail.smtp.from}).
	 * @param envelopeFrom an address, or {@code null} to use each message's {@code From}
	 * @throws IllegalArgumentException if it is not an address
	 */
	public void setEnvelopeFrom(@Nullable String envelopeFrom) {
		this.envelopeFrom = (envelopeFrom != null) ? parse(envelopeFrom).getAddress() : null;
	}

	/** The bounce address, or {@code null}. */
	public @Nullable String getEnvelopeFrom() {
		return this.envelopeFrom;
	}

	/**
	 * Whether a message goes to the recipients the server accepted when it refuses others (then
	 * reported as a failed message whose exception says who got it), rather than to nobody: Angus
	 * Mail's {@code mail.smtp.sendpartial}. Off by default, as there.
	 */
	public void setPartialDelivery(boolean partialDelivery) {
		this.partialDelivery = partialDelivery;
	}

	/** Whether a message goes to the accepted recipients when others are refused. */
	public boolean isPartialDelivery() {
		return this.partialDelivery;
	}

	@Override
	public MimeMessage createMimeMessage() {
		return this.messageFactory.createMimeMessage();
	}

	@Override
	public MimeMessage createMimeMessage(InputStream contentStream) {
		return this.messageFactory.createMimeMessage(contentStream);
	}

	/**
	 * Sends each message as a {@link MimeMessage} made by {@link #createMimeMessage()}.
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
		sendAll(mimeMessages, simpleMessages);
	}

	@Override
	public void send(MimeMessage... mimeMessages) {
		sendAll(mimeMessages, mimeMessages);
	}

	private void sendAll(MimeMessage[] messages, Object[] originals) {
		Map<Object, Exception> failures = new LinkedHashMap<>();
		Exception unreachable = null;
		for (int i = 0; i < messages.length; i++) {
			Object original = originals[i];
			if (unreachable != null) {
				failures.put(original, unreachable);
				continue;
			}
			try {
				sendOne(messages[i]);
			}
			catch (SmtpAuthenticationException ex) {
				// As JavaMailSenderImpl: refused credentials end the call, whichever message was next.
				throw new MailAuthenticationException("The SMTP server " + this.client.endpoint()
						+ " refused the credentials: " + ex.getMessage(), ex);
			}
			catch (IOException | MessagingException | RuntimeException ex) {
				failures.put(original, ex);
				if (!concernsOnlyThisMessage(ex)) {
					unreachable = ex;
				}
			}
		}
		if (!failures.isEmpty()) {
			throw new MailSendException(failures.size() + " of " + messages.length + " messages could not be sent to "
					+ this.client.endpoint() + hint(unreachable), null, failures);
		}
	}

	/**
	 * Whether the server refused or misunderstood this message in particular, so that the next
	 * may well go through; otherwise it could not be reached or talked to, and the next would only
	 * wait for the same failure.
	 */
	private static boolean concernsOnlyThisMessage(Exception ex) {
		return ex instanceof SmtpAmbiguousOutcomeException || ex instanceof SmtpNotSupportedException
				|| ex instanceof SmtpMessageTooLargeException || ex instanceof MessagingException
				|| ex instanceof IllegalArgumentException;
	}

	/**
	 * Sends one message.
	 * @throws MessagingException a refusal, as Angus Mail reports it; or a message without sender
	 * or recipients
	 * @throws IOException any other failure to send, as smtpkit reports it
	 */
	private void sendOne(MimeMessage message) throws IOException, MessagingException {
		prepare(message);
		Envelope envelope = JavaMailEnvelope.of(message, this.envelopeFrom, this.partialDelivery);
		SendResult result;
		try {
			// Observed by the client's listener, which reads the headers from the MimeMessageSource.
			result = this.client.send(envelope, new MimeMessageSource(message));
		}
		catch (IOException | RuntimeException ex) {
			MessagingException refusal = JavaMailFailures.of(ex, envelope);
			if (refusal != null) {
				throw refusal;
			}
			throw ex;
		}
		if (!result.isFullyAccepted()) {
			throw JavaMailFailures.partialDelivery(result, envelope);
		}
	}

	/** As Spring's {@code JavaMailSenderImpl}: a sent date, and a Message-ID that saving keeps. */
	private void prepare(MimeMessage message) throws MessagingException {
		if (this.defaultFrom != null && message.getHeader("From", null) == null) {
			message.setFrom(this.defaultFrom);
		}
		if (message.getSentDate() == null) {
			this.sentDates.stamp(message);
		}
		String messageId = message.getMessageID();
		message.saveChanges();
		if (messageId != null) {
			// saveChanges() makes a new Message-ID; one the application set must survive.
			message.setHeader(MESSAGE_ID, messageId);
		}
	}

	/**
	 * For a failure that configuration can cure, the property to set: the core's message names the
	 * builder's methods, a Spring Boot user needs the keys.
	 */
	private String hint(@Nullable Exception failure) {
		if (this.propertyPrefix == null) {
			return "";
		}
		String prefix = this.propertyPrefix + ".";
		if (failure instanceof SmtpImplicitTlsPortException) {
			return " (port 465 is SMTP over implicit TLS: set " + prefix + "protocol=smtps, or leave it unset)";
		}
		if (failure instanceof SmtpTlsCertificateException certificate) {
			String cure = (certificate.problem() == SmtpTlsCertificateException.Problem.HOSTNAME_MISMATCH)
					? "connect to a name the certificate holds, or set " + prefix + "ssl.verify-hostname=false"
					: "set " + prefix + "ssl.bundle to an SSL bundle that trusts its issuer";
			return " (the server's certificate was refused: " + cure
					+ (certificate.isStarttls() ? ", or " + prefix + "starttls=none to send in clear text" : "") + ")";
		}
		return "";
	}

	/** Names the properties that configure this sender in hints on failures, as the auto-configuration does. */
	void setPropertyPrefix(String propertyPrefix) {
		this.propertyPrefix = propertyPrefix;
	}

	private static InternetAddress parse(String address) {
		try {
			return new InternetAddress(address, true);
		}
		catch (AddressException ex) {
			throw new IllegalArgumentException("Not an address: '" + address + "' (" + ex.getMessage() + ")", ex);
		}
	}

	@Override
	public String toString() {
		return "SmtpMailSender[" + this.client + "]";
	}

}
