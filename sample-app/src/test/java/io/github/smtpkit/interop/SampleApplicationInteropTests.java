package io.github.smtpkit.interop;

import io.github.smtpkit.sample.SampleApplication;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample application as a user would point it at a real server: the rig's Postfix on 2525,
 * STARTTLS required, the rig's certificate trusted through an SSL bundle, AUTH as alice; a mail
 * sent through the injected {@link JavaMailSender} must reach bob's maildir. Runs with -Pinterop.
 */
@SpringBootTest(classes = SampleApplication.class, webEnvironment = WebEnvironment.NONE,
		properties = { "smtp.host=127.0.0.1", "smtp.port=2525", "smtp.starttls=required", "smtp.username=alice",
				"smtp.password=alice-pw", "smtp.default-from=alice@example.test", "smtp.ssl.bundle=interop-rig",
				"spring.ssl.bundle.pem.interop-rig.truststore.certificate=file:${INTEROP_RUN:/tmp/smtp-interop}/certs/cert.pem" })
class SampleApplicationInteropTests {

	@Autowired
	private JavaMailSender mailSender;

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	@Test
	void mailSentThroughTheInjectedMailSenderWithStarttlsAndAuthArrives() throws Exception {
		String subject = InteropRig.uniqueId("sample-app");
		MimeMessage message = this.mailSender.createMimeMessage();
		MimeMessageHelper helper = new MimeMessageHelper(message, true, "UTF-8");
		helper.setTo("bob@example.test");
		helper.setSubject(subject);
		helper.setText("Sent by the sample application to the real Postfix.");

		this.mailSender.send(message);

		Maildir.Delivered delivered = InteropRig.maildir("bob")
			.awaitOne("the sample's message", (mail) -> mail.text().contains(subject));
		assertThat(delivered.headers("Received"))
			.anySatisfy((received) -> assertThat(received).contains("using TLS")
				.contains("(Authenticated sender: alice@example.test)")
				.contains("with ESMTPSA"));
	}

}
