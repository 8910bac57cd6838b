package io.github.smtpkit.sample;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.spring.SmtpMailSender;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.util.StringUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * The JSON endpoints behind the page: send a mail, list what the embedded server received, and
 * the last SMTP command timings.
 *
 * <p>Mail goes out through the {@link JavaMailSender} beans of the smtpkit starter, as in any
 * application: {@code smtpMailSender} for the server under {@code smtp.*} and
 * {@code <name>SmtpMailSender} for each under {@code smtp.servers.<name>}. Errors are answered
 * with problem details by {@link ApiExceptionHandler}.
 */
@RestController
@RequestMapping("/api")
public class MailController {

	private static final String DEFAULT_SERVER = "default";

	private static final String DEFAULT_SENDER = "smtpMailSender";

	private static final String SENDER_SUFFIX = "SmtpMailSender";

	private final Map<String, JavaMailSender> senders = new LinkedHashMap<>();

	private final ObjectProvider<EmbeddedMailServer> embeddedServer;

	private final SmtpCommandLog commandLog;

	/**
	 * @param senders the mail senders by bean name
	 * @param embeddedServer the embedded server, when no real one is configured
	 * @param commandLog the recent command timings
	 */
	public MailController(Map<String, JavaMailSender> senders, ObjectProvider<EmbeddedMailServer> embeddedServer,
			SmtpCommandLog commandLog) {
		senders.forEach((beanName, sender) -> this.senders.put(serverName(beanName), sender));
		this.embeddedServer = embeddedServer;
		this.commandLog = commandLog;
	}

	/** The servers mail can be sent through, and what the embedded server received. */
	@GetMapping("/mails")
	public Mails mails() {
		List<Server> servers = new ArrayList<>();
		this.senders.forEach((name, sender) -> servers.add(new Server(name, describe(sender))));
		EmbeddedMailServer embedded = this.embeddedServer.getIfAvailable();
		return new Mails(embedded != null, servers, (embedded != null) ? embedded.receivedMails() : List.of());
	}

	/**
	 * Sends a mail from {@code smtp.default-from}.
	 * @param to one or more addresses, separated by commas
	 * @param subject the subject
	 * @param text the plain-text body
	 * @param attachment a file to attach, if any
	 * @param server the server to send through: {@code default} or a name under {@code smtp.servers}
	 * @return what was sent
	 */
	@PostMapping("/mails")
	public Sent send(@RequestParam String to, @RequestParam(defaultValue = "") String subject,
			@RequestParam(defaultValue = "") String text, @RequestParam(required = false) MultipartFile attachment,
			@RequestParam(defaultValue = DEFAULT_SERVER) String server) throws MessagingException, IOException {
		JavaMailSender sender = this.senders.get(server);
		if (sender == null) {
			throw new InvalidFieldException("server", "No server named '" + server + "' (field 'server'); there are "
					+ this.senders.keySet() + ".", null);
		}
		InternetAddress[] recipients;
		try {
			recipients = InternetAddress.parse(to, true);
		}
		catch (AddressException ex) {
			throw new InvalidFieldException("to", "Not an address list in 'to': '" + to + "' (" + ex.getMessage() + ").",
					ex);
		}
		if (recipients.length == 0) {
			throw new InvalidFieldException("to", "Give at least one recipient in 'to'.", null);
		}
		boolean withAttachment = attachment != null && !attachment.isEmpty();
		MimeMessage message = sender.createMimeMessage();
		MimeMessageHelper helper = new MimeMessageHelper(message, withAttachment, "UTF-8");
		helper.setTo(recipients);
		helper.setSubject(subject);
		helper.setText(text);
		if (withAttachment) {
			String fileName = StringUtils.hasText(attachment.getOriginalFilename())
					? StringUtils.getFilename(attachment.getOriginalFilename()) : "attachment";
			String contentType = StringUtils.hasText(attachment.getContentType()) ? attachment.getContentType()
					: "application/octet-stream";
			helper.addAttachment(fileName, new ByteArrayResource(attachment.getBytes()), contentType);
		}
		sender.send(message);
		return new Sent(server, message.getMessageID(), Arrays.stream(recipients).map(InternetAddress::toString).toList(),
				subject);
	}

	/** The most recent SMTP steps with their timings, newest first. */
	@GetMapping("/commands")
	public List<SmtpCommandLog.Entry> commands() {
		return this.commandLog.recent();
	}

	private static String serverName(String beanName) {
		if (beanName.equals(DEFAULT_SENDER)) {
			return DEFAULT_SERVER;
		}
		if (beanName.endsWith(SENDER_SUFFIX) && beanName.length() > SENDER_SUFFIX.length()) {
			return beanName.substring(0, beanName.length() - SENDER_SUFFIX.length());
		}
		return beanName;
	}

	private static String describe(JavaMailSender sender) {
		if (sender instanceof SmtpMailSender smtp) {
			SmtpEndpoint endpoint = smtp.getClient().endpoint();
			return endpoint.protocol().name().toLowerCase(Locale.ROOT) + "://" + endpoint;
		}
		return sender.toString();
	}

	/** What GET /api/mails answers. */
	public record Mails(boolean embedded, List<Server> servers, List<EmbeddedMailServer.ReceivedMail> mails) {
	}

	/** A server mail can be sent through. */
	public record Server(String name, String address) {
	}

	/** What POST /api/mails answers. */
	public record Sent(String server, String messageId, List<String> to, String subject) {
	}

}
