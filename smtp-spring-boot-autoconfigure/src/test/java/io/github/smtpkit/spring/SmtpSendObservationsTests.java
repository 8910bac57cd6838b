package io.github.smtpkit.spring;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.smtpkit.BatchResult;
import io.github.smtpkit.Envelope;
import io.github.smtpkit.OutgoingMessage;
import io.github.smtpkit.SendOutcome;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpRecipientsRefusedException;
import io.github.smtpkit.spring.observation.DefaultSmtpSendObservationConvention;
import io.github.smtpkit.spring.observation.SmtpObservationDocumentation;
import io.github.smtpkit.spring.observation.SmtpSendObservationContext;
import io.github.smtpkit.spring.observation.SmtpSendObservationConvention;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import jakarta.mail.Address;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.mail.MailSender;
import org.springframework.mail.SimpleMailMessage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every message sent through the starter's beans is one {@code mail.send} observation, batches
 * included, observed in one place (the client's listener): a client span whose parent is what the
 * caller was doing, named and keyed as {@link SmtpObservationDocumentation} says, and timed once.
 */
class SmtpSendObservationsTests {

	private static final Envelope ENVELOPE = Envelope.of("app@example.test", "you@example.test");

	private GreenMail greenMail;

	private ApplicationContextRunner contextRunner;

	@BeforeEach
	void startGreenMail() {
		this.greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
		this.greenMail.start();
		this.contextRunner = new ApplicationContextRunner().withConfiguration(SmtpkitAutoConfigurations.all())
			.withPropertyValues("smtp.host=127.0.0.1", "smtp.port=" + this.greenMail.getSmtp().getPort(),
					"smtp.connect-timeout=2s", "smtp.timeout=5s", "smtp.local-hostname=app.example.test");
	}

	@AfterEach
	void stopGreenMail() {
		this.greenMail.stop();
	}

	@Test
	void sendAllIsOneObservationPerMessageEachAChildOfTheCallersObservation() {
		this.contextRunner.withBean(TestObservationRegistry.class, TestObservationRegistry::create).run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			SmtpClient client = context.getBean(SmtpClient.class);
			Observation caller = Observation.start("caller", registry);
			List<BatchResult> results;
			try (Observation.Scope scope = caller.openScope()) {
				results = client.sendAll(List.of(message(1), message(2), message(3)));
			}
			caller.stop();

			assertThat(results).allSatisfy((result) -> assertThat(result.isSent()).isTrue());
			TestObservationRegistryAssert.assertThat(registry)
				.hasNumberOfObservationsWithNameEqualTo("mail.send", 3)
				.forAllObservationsWithNameEqualTo("mail.send", (observation) -> observation
					.hasParentObservationEqualTo(caller)
					.hasLowCardinalityKeyValue("server", "default")
					.hasLowCardinalityKeyValue("outcome", "accepted")
					.hasLowCardinalityKeyValue("network.protocol.name", "smtp")
					// Bytes only: the sender from the envelope, never its recipients (Bcc among them).
					.hasHighCardinalityKeyValue("smtp.message.from", "app@example.test")
					.hasHighCardinalityKeyValue("smtp.message.to", "unknown"));
		});
	}

	@Test
	void theMailSendersMessagesAreObservedOnceEachWithTheirHeaders() {
		this.contextRunner.withBean(TestObservationRegistry.class, TestObservationRegistry::create).run((context) -> {
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			Observation caller = Observation.start("caller", registry);
			try (Observation.Scope scope = caller.openScope()) {
				context.getBean(MailSender.class).send(simple("you@example.test"), simple("them@example.test"));
			}
			caller.stop();

			TestObservationRegistryAssert.assertThat(registry)
				.hasNumberOfObservationsWithNameEqualTo("mail.send", 2)
				.forAllObservationsWithNameEqualTo("mail.send",
						(observation) -> observation.hasParentObservationEqualTo(caller)
							.hasHighCardinalityKeyValue("smtp.message.from", "app@example.test")
							.hasHighCardinalityKeyValueWithKey("smtp.message.id"))
				.hasAnObservationWithAKeyValue("smtp.message.to", "you@example.test")
				.hasAnObservationWithAKeyValue("smtp.message.to", "them@example.test");
		});
	}

	@Test
	void aRefusedMessageIsAnErrorWithItsOutcomeAndTheOthersOfTheBatchAreNot() throws Exception {
		try (FakeSmtpServer server = FakeSmtpServer.refusing((line) -> line.contains("nobody@"))) {
			this.contextRunner.withBean(TestObservationRegistry.class, TestObservationRegistry::create)
				.withPropertyValues("smtp.port=" + server.port())
				.run((context) -> {
					List<BatchResult> results = context.getBean(SmtpClient.class)
						.sendAll(List.of(message(1), OutgoingMessage.of(Envelope.of("app@example.test", "nobody@example.test"),
								bytes(2))));
					assertThat(results.get(1).failure()).isInstanceOf(SmtpRecipientsRefusedException.class);

					TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
						.hasNumberOfObservationsWithNameEqualTo("mail.send", 2)
						.hasAnObservation((observation) -> observation.hasLowCardinalityKeyValue("outcome", "refused")
							.assertThatError()
							.isInstanceOf(SmtpRecipientsRefusedException.class))
						.hasAnObservation((observation) -> observation.hasLowCardinalityKeyValue("outcome", "accepted")
							.doesNotHaveError()
							.satisfies((send) -> assertThat(((SmtpSendObservationContext) send).getOutcome())
								.isEqualTo(SendOutcome.ACCEPTED)));
				});
		}
	}

	@Test
	void aConventionBeanNamesAndKeysTheObservations() {
		this.contextRunner.withBean(TestObservationRegistry.class, TestObservationRegistry::create)
			.withBean(SmtpSendObservationConvention.class, CustomConvention::new)
			.run((context) -> {
				context.getBean(SmtpClient.class).sendAll(List.of(message(1)));
				TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
					.hasObservationWithNameEqualTo("custom.send")
					.that()
					.hasLowCardinalityKeyValue("team", "mail")
					.hasLowCardinalityKeyValue("server", "default");
			});
	}

	@Test
	void eachSendIsTimedOnceByMailSendWithTheServerTagAndItsOutcome() {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class, MetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
			.run((context) -> {
				context.getBean(SmtpClient.class).sendAll(List.of(message(1), message(2)));
				context.getBean(MailSender.class).send(simple("you@example.test"));

				MeterRegistry meters = context.getBean(MeterRegistry.class);
				assertThat(meters.get("mail.send")
					.tag("server", "default")
					.tag("outcome", "accepted")
					.tag("error", "none")
					.tag("server.address", "127.0.0.1")
					.timer()
					.count()).isEqualTo(3);
				assertThat(meters.find("smtp.client.sends").meters()).isEmpty();
				assertThat(meters.get("mail.send").timers()).singleElement()
					.satisfies((timer) -> assertThat(timer.getId().getTags()).extracting((tag) -> tag.getKey())
						.containsExactlyInAnyOrder("error", "network.protocol.name", "outcome", "server",
								"server.address", "server.port"));
			});
	}

	@Test
	void anObservationSwitchedOffIsNeitherObservedNorTimed() {
		this.contextRunner
			.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class, MetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
			.withPropertyValues("management.observations.enable.mail.send=false")
			.run((context) -> {
				assertThat(context.getBean(ObservationRegistry.class).isNoop()).isFalse();
				List<BatchResult> results = context.getBean(SmtpClient.class).sendAll(List.of(message(1)));
				assertThat(results.get(0).isSent()).isTrue();
				assertThat(context.getBean(MeterRegistry.class).find("mail.send").meters()).isEmpty();
			});
	}

	@Test
	void theConventionReadsAMessagesHeadersOncePerObservationWhenAskedAndKeepsEachServersKeys() throws Exception {
		int[] fromReads = { 0 };
		MimeMessage message = new MimeMessage(Session.getInstance(new Properties())) {

			@Override
			public Address[] getFrom() throws MessagingException {
				fromReads[0]++;
				return super.getFrom();
			}

		};
		message.setFrom("app@example.test");
		message.setRecipients(RecipientType.TO, "you@example.test");
		DefaultSmtpSendObservationConvention convention = new DefaultSmtpSendObservationConvention();
		SmtpSendObservationContext context = new SmtpSendObservationContext("default",
				SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 587), ENVELOPE, message);

		KeyValues atStart = convention.getHighCardinalityKeyValues(context);
		KeyValues atStop = convention.getHighCardinalityKeyValues(context);

		assertThat(fromReads[0]).as("no header is read until a handler asks for its value (meters never do)")
			.isZero();
		assertThat(atStop).isSameAs(atStart).contains(KeyValue.of("smtp.message.from", "app@example.test"),
				KeyValue.of("smtp.message.to", "you@example.test"));
		assertThat(atStart.stream().map(KeyValue::getValue)).containsExactlyInAnyOrder("app@example.test",
				"you@example.test", "unknown", "unknown");
		assertThat(fromReads[0]).isEqualTo(1);
		assertThat(convention.getLowCardinalityKeyValues(context)).contains(KeyValue.of("outcome", "none"),
				KeyValue.of("server.address", "mail.example.test"), KeyValue.of("server.port", "587"));
		context.setOutcome(SendOutcome.ACCEPTED);
		assertThat(convention.getLowCardinalityKeyValues(context)).contains(KeyValue.of("outcome", "accepted"));
		SmtpSendObservationContext other = new SmtpSendObservationContext("backup",
				SmtpEndpoint.tcp(SmtpProtocol.SMTP, "backup.example.test", 25), ENVELOPE, null);
		assertThat(convention.getLowCardinalityKeyValues(other)).contains(KeyValue.of("server", "backup"),
				KeyValue.of("server.address", "backup.example.test"), KeyValue.of("server.port", "25"));
		assertThat(convention.getLowCardinalityKeyValues(context)).contains(KeyValue.of("server", "default"),
				KeyValue.of("server.address", "mail.example.test"));
	}

	@Test
	void theDocumentationListsTheConventionsKeys() {
		assertThat(SmtpObservationDocumentation.MAIL_SEND.getDefaultConvention())
			.isEqualTo(DefaultSmtpSendObservationConvention.class);
		assertThat(SmtpObservationDocumentation.MAIL_SEND.getLowCardinalityKeyNames())
			.extracting((key) -> key.asString())
			.containsExactly("server", "server.address", "server.port", "network.protocol.name", "outcome");
		assertThat(SmtpObservationDocumentation.MAIL_SEND.getHighCardinalityKeyNames())
			.extracting((key) -> key.asString())
			.containsExactly("smtp.message.from", "smtp.message.to", "smtp.message.cc", "smtp.message.id");
	}

	private static OutgoingMessage message(int number) {
		return OutgoingMessage.of(ENVELOPE, bytes(number));
	}

	private static byte[] bytes(int number) {
		return ("Subject: message " + number + "\r\n\r\nHello " + number + ".\r\n").getBytes(StandardCharsets.US_ASCII);
	}

	private static SimpleMailMessage simple(String to) {
		SimpleMailMessage message = new SimpleMailMessage();
		message.setFrom("app@example.test");
		message.setTo(to);
		message.setSubject("Hello");
		message.setText("Hello, " + to);
		return message;
	}

	/** An application's convention: its own name and one more key. */
	static class CustomConvention extends DefaultSmtpSendObservationConvention {

		@Override
		public String getName() {
			return "custom.send";
		}

		@Override
		public io.micrometer.common.KeyValues getLowCardinalityKeyValues(SmtpSendObservationContext context) {
			return super.getLowCardinalityKeyValues(context).and("team", "mail");
		}

	}

}
