package io.github.smtpkit.spring;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.smtpkit.SmtpImplicitTlsPortException;
import io.github.smtpkit.SmtpRequireTlsException;
import io.github.smtpkit.spring.event.SmtpConnectionEvent;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.MailParseException;
import org.springframework.mail.MailPreparationException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * How {@link SmtpMailSender} reports what was not delivered, against a server that refuses chosen
 * recipients: exactly the failed messages, keyed by the objects the application passed in.
 */
class SmtpMailSenderFailureTests {

	private FakeSmtpServer server;

	private ApplicationContextRunner contextRunner;

	@BeforeEach
	void startServer() {
		this.server = FakeSmtpServer.refusing((rcptLine) -> rcptLine.contains("refused@"));
		this.contextRunner = new ApplicationContextRunner().withConfiguration(SmtpkitAutoConfigurations.all())
			.withPropertyValues("smtp.host=127.0.0.1", "smtp.port=" + this.server.port(), "smtp.starttls=none",
					"smtp.connect-timeout=2s", "smtp.timeout=5s");
	}

	@AfterEach
	void stopServer() throws IOException {
		this.server.close();
	}

	@Test
	void aRefusedRecipientFailsExactlyItsMessage() {
		this.contextRunner.run((context) -> {
			SimpleMailMessage first = message("one@example.test");
			SimpleMailMessage refused = message("refused@example.test");
			SimpleMailMessage third = message("three@example.test");

			assertThatExceptionOfType(MailSendException.class)
				.isThrownBy(() -> context.getBean(JavaMailSender.class).send(first, refused, third))
				.satisfies((ex) -> {
					assertThat(ex.getFailedMessages()).containsOnlyKeys(refused);
					assertThat(ex.getFailedMessages().get(refused)).isInstanceOfSatisfying(SendFailedException.class,
							(failure) -> assertThat(failure.getInvalidAddresses()).extracting(Object::toString)
								.containsExactly("refused@example.test"));
					assertThat(ex.getMessage()).contains("1 of 3 messages");
				});
			assertThat(this.server.messages()).hasSize(2)
				.anySatisfy((data) -> assertThat(data).contains("To: one@example.test"))
				.anySatisfy((data) -> assertThat(data).contains("To: three@example.test"));
		});
	}

	@Test
	void failedMimeMessagesAreKeyedByThemselves() {
		this.contextRunner.run((context) -> {
			JavaMailSender mailSender = context.getBean(JavaMailSender.class);
			MimeMessage delivered = mimeMessage(mailSender, "one@example.test");
			MimeMessage refused = mimeMessage(mailSender, "refused@example.test");

			assertThatExceptionOfType(MailSendException.class).isThrownBy(() -> mailSender.send(delivered, refused))
				.satisfies((ex) -> assertThat(ex.getFailedMessages()).containsOnlyKeys(refused));
		});
	}

	@Test
	void aMessageRefusedForSomeRecipientsGoesToNobodyByDefault() {
		this.contextRunner.run((context) -> {
			SimpleMailMessage partly = message("one@example.test", "refused@example.test");

			assertThatExceptionOfType(MailSendException.class)
				.isThrownBy(() -> context.getBean(JavaMailSender.class).send(partly))
				.satisfies((ex) -> assertThat(ex.getFailedMessages().get(partly))
					.isInstanceOfSatisfying(SendFailedException.class, (failure) -> {
						assertThat(failure.getValidSentAddresses()).isNull();
						assertThat(failure.getValidUnsentAddresses()).extracting(Object::toString)
							.containsExactly("one@example.test");
						assertThat(failure.getInvalidAddresses()).extracting(Object::toString)
							.containsExactly("refused@example.test");
						assertThat(failure.getNextException()).isInstanceOf(SMTPAddressFailedException.class);
					}));
			assertThat(this.server.messages()).isEmpty();
			// DATA went with the RCPTs (PIPELINING) and got 354: only closing the connection, before
			// the final dot, abandons the transaction; the next message goes over a new one.
			assertThat(this.server.commands()).contains("DATA").doesNotContain("RSET");
			context.getBean(JavaMailSender.class).send(message("one@example.test"));
			assertThat(this.server.messages()).hasSize(1);
			assertThat(this.server.connections()).isEqualTo(2);
		});
	}

	@Test
	void withPartialDeliveryAMessageRefusedForSomeRecipientsIsReportedWithWhoGotIt() {
		this.contextRunner.withPropertyValues("smtp.partial-delivery=true").run((context) -> {
			SimpleMailMessage partly = message("one@example.test", "refused@example.test");

			assertThatExceptionOfType(MailSendException.class)
				.isThrownBy(() -> context.getBean(JavaMailSender.class).send(partly))
				.satisfies((ex) -> assertThat(ex.getFailedMessages().get(partly))
					.isInstanceOfSatisfying(SMTPSendFailedException.class, (failure) -> {
						assertThat(failure.getReturnCode()).isEqualTo(250);
						assertThat(failure.getValidSentAddresses()).extracting(Object::toString)
							.containsExactly("one@example.test");
						assertThat(failure.getInvalidAddresses()).extracting(Object::toString)
							.containsExactly("refused@example.test");
					}));
			assertThat(this.server.messages()).hasSize(1);
		});
	}

	@Test
	void aServerThatCannotBeReachedFailsTheWholeBatchAfterOneTry() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		this.contextRunner.withUserConfiguration(ConnectionEvents.class)
			.withPropertyValues("smtp.port=" + closedPort)
			.run((context) -> {
				SimpleMailMessage first = message("one@example.test");
				SimpleMailMessage second = message("two@example.test");

				assertThatExceptionOfType(MailSendException.class)
					.isThrownBy(() -> context.getBean(JavaMailSender.class).send(first, second))
					.satisfies((ex) -> {
						assertThat(ex.getFailedMessages()).containsOnlyKeys(first, second);
						assertThat(ex.getFailedMessages().get(second)).isSameAs(ex.getFailedMessages().get(first));
					});
				assertThat(context.getBean(ConnectionEvents.class).kinds).containsExactly(SmtpConnectionEvent.Kind.STARTED,
						SmtpConnectionEvent.Kind.FAILED);
			});
	}

	@Test
	void plainSmtpOnPort465FailsWithinTheConnectTimeoutNamingSmtps() throws IOException {
		ServerSocket silent;
		try {
			// Accepts connections (the backlog does) and never says a word, as an SMTPS server does.
			silent = new ServerSocket(465, 50, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			assumeTrue(false, "port 465 cannot be bound here (it takes root, as CI has): " + ex.getMessage());
			return;
		}
		try (silent) {
			this.contextRunner
				.withPropertyValues("smtp.port=465", "smtp.protocol=smtp", "smtp.connect-timeout=1s", "smtp.timeout=60s")
				.run((context) -> assertThatExceptionOfType(MailSendException.class)
					.isThrownBy(() -> context.getBean(JavaMailSender.class).send(message("one@example.test")))
					.satisfies((ex) -> {
						assertThat(ex.getMessageExceptions()).singleElement()
							.isInstanceOf(SmtpImplicitTlsPortException.class);
						assertThat(ex.getMessage()).contains("set smtp.protocol=smtps");
					}));
		}
	}

	@Test
	void aMessageThatCannotBeMadeSendsNothing() {
		this.contextRunner.run((context) -> {
			JavaMailSender mailSender = context.getBean(JavaMailSender.class);
			SimpleMailMessage unparsable = message("not an address <");
			assertThatExceptionOfType(MailParseException.class)
				.isThrownBy(() -> mailSender.send(message("one@example.test"), unparsable));
			assertThatExceptionOfType(MailPreparationException.class).isThrownBy(() -> mailSender.send((mime) -> {
				throw new IOException("cannot read the template");
			}));
			assertThat(this.server.messages()).isEmpty();
		});
	}

	@Test
	void theDefaultFromAndAnApplicationsMessageIdAreKept() {
		this.contextRunner.withPropertyValues("smtp.default-from=App <app@example.test>").run((context) -> {
			JavaMailSender mailSender = context.getBean(JavaMailSender.class);
			MimeMessage message = mailSender.createMimeMessage(new ByteArrayInputStream(
					"To: one@example.test\r\nSubject: raw\r\n\r\nFrom a stream.\r\n".getBytes(StandardCharsets.US_ASCII)));
			message.setHeader("Message-ID", "<fixed@app.example.test>");
			mailSender.send(message);

			assertThat(message.getFrom()).containsExactly(new InternetAddress("App <app@example.test>"));
			assertThat(this.server.messages()).singleElement()
				.satisfies((data) -> assertThat(data).contains("From: App <app@example.test>")
					.contains("Message-ID: <fixed@app.example.test>")
					.contains("From a stream."));
		});
	}

	@Test
	void aMessageWhoseMailExtensionRequiresTlsIsNotSentOverAConnectionInClearText() {
		this.contextRunner.run((context) -> {
			JavaMailSender mailSender = context.getBean(JavaMailSender.class);
			SMTPMessage sealed = new SMTPMessage(mimeMessage(mailSender, "one@example.test"));
			sealed.setMailExtension("REQUIRETLS");
			SimpleMailMessage plain = message("two@example.test");

			assertThatExceptionOfType(MailSendException.class).isThrownBy(() -> mailSender.send(sealed))
				.satisfies((ex) -> assertThat(ex.getFailedMessages().get(sealed))
					.isInstanceOfSatisfying(SmtpRequireTlsException.class,
							(failure) -> assertThat(failure.problem()).isEqualTo(SmtpRequireTlsException.Problem.NOT_TLS)));
			mailSender.send(plain);
			assertThat(this.server.commands()).filteredOn((command) -> command.startsWith("MAIL"))
				.singleElement()
				.asString()
				.doesNotContain("REQUIRETLS");
			assertThat(this.server.messages()).singleElement().asString().contains("To: two@example.test");
		});
	}

	private static SimpleMailMessage message(String... to) {
		SimpleMailMessage message = new SimpleMailMessage();
		message.setFrom("app@example.test");
		message.setTo(to);
		message.setSubject("Hello");
		message.setText("Hello");
		return message;
	}

	private static MimeMessage mimeMessage(JavaMailSender mailSender, String to) throws Exception {
		MimeMessage message = mailSender.createMimeMessage();
		MimeMessageHelper helper = new MimeMessageHelper(message);
		helper.setFrom("app@example.test");
		helper.setTo(to);
		helper.setSubject("Hello");
		helper.setText("Hello");
		return message;
	}

	@Configuration(proxyBeanMethods = false)
	static class ConnectionEvents implements ApplicationListener<SmtpConnectionEvent> {

		final List<SmtpConnectionEvent.Kind> kinds = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(SmtpConnectionEvent event) {
			this.kinds.add(event.getKind());
		}

	}

}
