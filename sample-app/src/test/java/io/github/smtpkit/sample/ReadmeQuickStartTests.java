package io.github.smtpkit.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.core.io.FileSystemResource;
import org.springframework.mail.MailSender;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * README's Quick start code, run against the sample's embedded server: a {@link SimpleMailMessage}
 * through the injected {@link MailSender}, and a {@link MimeMessage} with an attachment through the
 * injected {@link JavaMailSender}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ReadmeQuickStartTests {

	@Autowired
	MailSender mailSender;

	@Autowired
	JavaMailSender javaMailSender;

	@Autowired
	EmbeddedMailServer embeddedServer;

	@TempDir
	Path temp;

	@Test
	void sendsASimpleMailMessage() {
		String subject = "Hello " + UUID.randomUUID();
		// As in README:
		SimpleMailMessage message = new SimpleMailMessage();
		message.setTo("you@example.org");
		message.setSubject(subject);
		message.setText("Sent with smtpkit.");
		this.mailSender.send(message);

		EmbeddedMailServer.ReceivedMail received = awaitReceived(subject);
		assertThat(received.from()).containsExactly("sample@smtpkit.test");
		assertThat(received.to()).containsExactly("you@example.org");
	}

	@Test
	void sendsAMimeMessageWithAnAttachment() throws MessagingException, IOException {
		String subject = "Monthly report " + UUID.randomUUID();
		Path pdf = Files.write(this.temp.resolve("report.pdf"), "%PDF-1.4 not really".getBytes());
		// As in README:
		MimeMessage message = this.javaMailSender.createMimeMessage();
		MimeMessageHelper helper = new MimeMessageHelper(message, true, "UTF-8");
		helper.setTo("you@example.org");
		helper.setSubject(subject);
		helper.setText("The report is attached.");
		helper.addAttachment("report.pdf", new FileSystemResource(pdf));
		this.javaMailSender.send(message);

		assertThat(awaitReceived(subject).attachments()).containsExactly("report.pdf");
	}

	private EmbeddedMailServer.ReceivedMail awaitReceived(String subject) {
		return await().atMost(Duration.ofSeconds(10))
			.until(() -> this.embeddedServer.receivedMails()
				.stream()
				.filter((mail) -> subject.equals(mail.subject()))
				.findFirst()
				.orElse(null), (mail) -> mail != null);
	}

}
