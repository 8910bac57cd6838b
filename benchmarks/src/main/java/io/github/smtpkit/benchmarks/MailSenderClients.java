package io.github.smtpkit.benchmarks;

import java.nio.charset.StandardCharsets;

import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.internal.StreamProviderLookup;
import io.github.smtpkit.spring.SmtpMailSender;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

import org.springframework.core.io.ByteArrayResource;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;

/**
 * The {@link JavaMailSender} path, as applications call it: each message is built for its send,
 * with the same code whichever sender gets it, and sent through the injected sender.
 * <ul>
 * <li>{@code mailsender-simple}, {@code mailsender-mime}: the starter's {@link SmtpMailSender} over
 * one pooled connection, with the listeners the starter gives its client by default with the
 * actuator: Spring application events, Micrometer metrics and the {@code mail.send} observation
 * ({@link SendBenchmark.StarterClient#listener}). {@code -quiet}: the same with all three off.</li>
 * <li>{@code spring-simple}, {@code spring-mime}: Spring's {@link JavaMailSenderImpl}, which opens
 * a connection for every {@code send}. {@code spring-mime-pinned}: the same, with Jakarta Mail's
 * stream provider named in its system property as the starter names it, to show how much of the
 * difference that alone makes.</li>
 * </ul>
 * {@code -simple} sends a {@link SimpleMailMessage} (from, to, subject, a text of the message
 * size); {@code -mime} a {@link MimeMessage} from {@link JavaMailSender#createMimeMessage()} filled
 * by a multipart {@link MimeMessageHelper}: the same text and one small attachment, whose content
 * type comes from its file name.
 */
final class MailSenderClients {

	/** The attachment of the {@code -mime} messages: a few hundred bytes of text. */
	private static final byte[] ATTACHMENT = "Quarterly figures, in short: all up.\r\n".repeat(8)
		.getBytes(StandardCharsets.US_ASCII);

	private MailSenderClients() {
	}

	/** What is sent: a {@link SimpleMailMessage}, or a multipart message made with {@link MimeMessageHelper}. */
	enum Kind {

		SIMPLE, MIME

	}

	/** The starter's {@link SmtpMailSender}, with the starter's listeners or none. */
	static SendBenchmark.Client smtpkit(String host, int port, SendBenchmark.Message message, Kind kind,
			boolean instrumented) {
		SendBenchmark.StarterClient.Instruments instruments = instrumented
				? new SendBenchmark.StarterClient.Instruments(SendBenchmark.StarterClient.Events.ON) : null;
		SmtpEventListener listener = (instruments != null) ? instruments.listener() : SmtpEventListener.NONE;
		// As the starter's mail sender auto-configuration does (smtp.jakarta-mail.pin-stream-provider).
		StreamProviderLookup.pinProvider();
		SendBenchmark.SmtpkitClient client = new SendBenchmark.SmtpkitClient(host, port, 1, true, 1, message, listener);
		SmtpMailSender sender = new SmtpMailSender(client.client());
		return new Senders(sender, message, kind, () -> {
			client.close();
			if (instruments != null) {
				instruments.close();
			}
		});
	}

	/**
	 * Spring's {@link JavaMailSenderImpl}: a connection per {@code send}; with {@code pinProvider},
	 * Jakarta Mail's stream provider named as the starter names it.
	 */
	static SendBenchmark.Client spring(String host, int port, SendBenchmark.Message message, Kind kind,
			boolean pinProvider) {
		if (pinProvider) {
			StreamProviderLookup.pinProvider();
		}
		JavaMailSenderImpl sender = new JavaMailSenderImpl();
		sender.setJavaMailProperties(SendBenchmark.jakartaProperties(host, port));
		sender.setHost(host);
		sender.setPort(port);
		return new Senders(sender, message, kind, () -> {
		});
	}

	/** One sender shared by the threads; each thread builds and sends its messages. */
	private record Senders(JavaMailSender sender, SendBenchmark.Message message, Kind kind,
			Runnable closer) implements SendBenchmark.Client {

		@Override
		public SendBenchmark.Worker worker(int index) {
			String text = this.message.bodyText();
			String subject = "smtpkit benchmark, " + text.length() + " bytes";
			if (this.kind == Kind.SIMPLE) {
				return (SendBenchmark.SingleWorker) () -> {
					SimpleMailMessage mail = new SimpleMailMessage();
					mail.setFrom(SendBenchmark.FROM);
					mail.setTo(SendBenchmark.TO);
					mail.setSubject(subject);
					mail.setText(text);
					this.sender.send(mail);
				};
			}
			ByteArrayResource attachment = new ByteArrayResource(ATTACHMENT);
			return (SendBenchmark.SingleWorker) () -> this.sender.send(mime(subject, text, attachment));
		}

		private MimeMessage mime(String subject, String text, ByteArrayResource attachment) throws MessagingException {
			MimeMessage mime = this.sender.createMimeMessage();
			MimeMessageHelper helper = new MimeMessageHelper(mime, true);
			helper.setFrom(SendBenchmark.FROM);
			helper.setTo(SendBenchmark.TO);
			helper.setSubject(subject);
			helper.setText(text);
			helper.addAttachment("figures.txt", attachment);
			return mime;
		}

		@Override
		public void close() {
			this.closer.run();
		}

	}

}
