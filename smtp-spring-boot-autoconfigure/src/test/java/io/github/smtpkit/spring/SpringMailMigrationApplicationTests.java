package io.github.smtpkit.spring;

import java.nio.charset.StandardCharsets;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpProtocol;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.mail.MailSender;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * An application that swapped {@code spring-boot-starter-mail} for smtpkit and kept only its
 * {@code spring.mail.*} properties, started as a user starts it, with Spring Boot's own mail
 * auto-configuration on the class path: smtpkit's conditions see the mapped {@code smtp.*} keys
 * unchanged.
 */
@ExtendWith(OutputCaptureExtension.class)
class SpringMailMigrationApplicationTests {

	private static final String PASSWORD = "s3cret-Pa55word";

	@Test
	void springMailPropertiesAloneStartSmtpkitAndNotSpringBootsMailSender(CapturedOutput output) {
		try (ConfigurableApplicationContext context = application().run("--spring.mail.host=mail.example.test",
				"--spring.mail.port=2465", "--spring.mail.username=app", "--spring.mail.password=" + PASSWORD,
				"--spring.mail.ssl.enabled=true", "--spring.mail.properties.mail.smtp.timeout=20000",
				"--spring.mail.properties.mail.smtp.ssl.trust=*")) {
			assertThat(context.getBean(SmtpClient.class).endpoint())
				.isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTPS, "mail.example.test", 2465));
			assertThat(context.getBeansOfType(MailSender.class)).containsOnlyKeys("smtpMailSender");
			assertThat(context.getBeansOfType(JavaMailSenderImpl.class)).isEmpty();
			assertThat(context.getBean(SmtpProperties.class).getTimeout()).hasSeconds(20);
		}
		assertThat(output).contains("No smtp.* server is configured, so smtpkit's default server takes its "
				+ "settings from spring.mail.*")
			.contains("spring.mail.password -> smtp.password=******")
			.contains("spring.mail.properties.mail.smtp.ssl.trust is not mapped")
			.doesNotContain(PASSWORD);
	}

	@Test
	void anApplicationWrittenForSpringBootsMailStarterSendsItsMailUnchanged() throws Exception {
		GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
		greenMail.start();
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class, Mailer.class)
			.web(WebApplicationType.NONE)
			.run("--spring.mail.host=127.0.0.1", "--spring.mail.port=" + greenMail.getSmtp().getPort(),
					"--spring.mail.default-encoding=UTF-8",
					"--spring.mail.properties.mail.smtp.connectiontimeout=2000",
					"--spring.mail.properties.mail.smtp.timeout=5000")) {
			context.getBean(Mailer.class).sendWelcome("you@example.test");

			assertThat(greenMail.waitForIncomingEmail(5_000, 2)).isTrue();
			MimeMessage[] received = greenMail.getReceivedMessages();
			assertThat(received).extracting(MimeMessage::getSubject).containsExactlyInAnyOrder("Grüße", "Your report");
			assertThat(received).allSatisfy((message) -> assertThat(message.getAllRecipients())
				.extracting(Object::toString)
				.containsExactly("you@example.test"));
		}
		finally {
			greenMail.stop();
		}
	}

	@Test
	void aTimeoutThatIsNotANumberFailsStartUpNamingTheKeyAndTheValue(CapturedOutput output) {
		assertThatException().isThrownBy(() -> application().run("--spring.mail.host=mail.example.test",
				"--spring.mail.properties.mail.smtp.connectiontimeout=ten"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid value 'ten' for configuration property 'spring.mail.properties.mail.smtp.connectiontimeout'")
			.contains("Expected a whole number of milliseconds");
	}

	@Test
	void aMappedValueThatSmtpkitRefusesIsTracedBackToItsSpringMailKey(CapturedOutput output) {
		assertThatException()
			.isThrownBy(() -> application().run("--spring.mail.host=mail.example.test", "--spring.mail.port=70000"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid value '70000' for configuration property 'smtp.port' (originating from 'mapped by "
					+ "smtpkit from spring.mail.port')");
	}

	private static SpringApplicationBuilder application() {
		return new SpringApplicationBuilder(Application.class).web(WebApplicationType.NONE);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Application {

	}

	/** Application code as written for spring-boot-starter-mail, injecting Boot's bean by its name. */
	static class Mailer {

		private final JavaMailSender mailSender;

		Mailer(@Qualifier("mailSender") JavaMailSender mailSender) {
			this.mailSender = mailSender;
		}

		void sendWelcome(String to) throws MessagingException {
			SimpleMailMessage welcome = new SimpleMailMessage();
			welcome.setFrom("app@example.test");
			welcome.setTo(to);
			welcome.setSubject("Grüße");
			welcome.setText("Willkommen!");
			this.mailSender.send(welcome);

			MimeMessage report = this.mailSender.createMimeMessage();
			MimeMessageHelper helper = new MimeMessageHelper(report, true);
			helper.setFrom("app@example.test");
			helper.setTo(to);
			helper.setSubject("Your report");
			helper.setText("Attached.");
			helper.addAttachment("report.txt", new ByteArrayResource("numbers".getBytes(StandardCharsets.US_ASCII)));
			this.mailSender.send(report);
		}

	}

}
