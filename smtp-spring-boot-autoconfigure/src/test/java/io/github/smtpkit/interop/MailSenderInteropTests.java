package io.github.smtpkit.interop;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.github.smtpkit.spring.SmtpMailSender;
import jakarta.mail.Address;
import jakarta.mail.SendFailedException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.mail.autoconfigure.MailSenderAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.mail.MailSendException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Spring Boot's own {@link JavaMailSenderImpl} and smtpkit's {@link SmtpMailSender}, each made by
 * its auto-configuration, side by side against the rig's real Postfix (2587: AUTH as alice, no
 * TLS on either side): the same application code must reach the same mailboxes the same way, and
 * a message with a recipient Postfix does not know must reach nobody through either. Runs with
 * -Pinterop.
 */
class MailSenderInteropTests {

	private static final String UNKNOWN = "nobody-interop@example.test";

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	@Test
	void aMessageWithARecipientPostfixRefusesReachesNobodyThroughEitherSender() throws Exception {
		List<String> failures = new ArrayList<>();
		for (ApplicationContextRunner runner : List.of(boot(), smtpkit())) {
			runner.run((context) -> {
				JavaMailSender sender = context.getBean("mailSender", JavaMailSender.class);
				String refusedSubject = InteropRig.uniqueId("partly-refused");
				SimpleMailMessage partlyRefused = message(refusedSubject, "bob@example.test", UNKNOWN);
				assertThatExceptionOfType(MailSendException.class).isThrownBy(() -> sender.send(partlyRefused))
					.satisfies((ex) -> failures.add(describe(ex.getFailedMessages().get(partlyRefused))));

				// A message the server took would be in the maildir by the time a later one is: this one must not be.
				String laterSubject = InteropRig.uniqueId("after-the-refused");
				sender.send(message(laterSubject, "bob@example.test"));
				Maildir bob = InteropRig.maildir("bob");
				bob.awaitOne(laterSubject, (mail) -> mail.text().contains(laterSubject));
				assertThat(bob.matching((mail) -> mail.text().contains(refusedSubject))).isEmpty();
			});
		}
		assertThat(failures.get(0)).isEqualTo("SendFailedException unsent=[bob@example.test] invalid=[" + UNKNOWN + "]");
		assertThat(failures.get(1)).isEqualTo(failures.get(0));
	}

	@Test
	void nonAsciiTextArrivesTheSameThroughEitherSender() throws Exception {
		List<Maildir.Delivered> delivered = new ArrayList<>();
		for (ApplicationContextRunner runner : List.of(boot(), smtpkit())) {
			runner.run((context) -> {
				String marker = InteropRig.uniqueId("umlauts");
				SimpleMailMessage message = message("Grüße aus Köln " + marker, "Zoë <alice@example.test>",
						"bob@example.test");
				message.setFrom("Jürgen Müller <alice@example.test>");
				message.setText("Grüße aus Köln, " + marker);
				context.getBean("mailSender", JavaMailSender.class).send(message);
				delivered.add(InteropRig.maildir("bob").awaitOne(marker, (mail) -> mail.text().contains(marker)));
			});
		}
		for (String header : List.of("From", "To", "Content-Type", "Content-Transfer-Encoding", "MIME-Version")) {
			assertThat(delivered.get(1).header(header)).as(header).isEqualTo(delivered.get(0).header(header));
		}
		assertThat(delivered.get(0).header("Content-Type")).isEqualTo("text/plain; charset=UTF-8");
		assertThat(delivered.get(1).header("Subject")).startsWith("=?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln");
	}

	private static ApplicationContextRunner boot() {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MailSenderAutoConfiguration.class))
			.withPropertyValues("spring.mail.host=" + InteropRig.HOST,
					"spring.mail.port=" + InteropRig.CLEARTEXT_AUTH_PORT, "spring.mail.username=alice",
					"spring.mail.password=alice-pw", "spring.mail.properties.mail.smtp.localhost=" + InteropRig.CLIENT_NAME,
					"spring.mail.properties.mail.smtp.timeout=30000");
	}

	private static ApplicationContextRunner smtpkit() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(io.github.smtpkit.spring.SmtpClientAutoConfiguration.class,
					io.github.smtpkit.spring.SmtpMailSenderAutoConfiguration.class))
			.withPropertyValues("smtp.host=" + InteropRig.HOST, "smtp.port=" + InteropRig.CLEARTEXT_AUTH_PORT,
					"smtp.starttls=none", "smtp.username=alice", "smtp.password=alice-pw",
					"smtp.local-hostname=" + InteropRig.CLIENT_NAME, "smtp.timeout=30s");
	}

	private static SimpleMailMessage message(String subject, String... to) {
		SimpleMailMessage message = new SimpleMailMessage();
		message.setFrom("alice@example.test");
		message.setTo(to);
		message.setSubject(subject);
		message.setText("Sent by smtpkit's interoperability tests.");
		return message;
	}

	private static String describe(Exception failure) {
		assertThat(failure).isInstanceOf(SendFailedException.class);
		SendFailedException sendFailed = (SendFailedException) failure;
		return failure.getClass().getSimpleName() + " unsent=" + addresses(sendFailed.getValidUnsentAddresses())
				+ " invalid=" + addresses(sendFailed.getInvalidAddresses());
	}

	private static List<String> addresses(Address[] addresses) {
		return (addresses != null) ? Stream.of(addresses).map(Address::toString).toList() : List.of();
	}

}
