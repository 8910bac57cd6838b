package io.github.smtpkit.spring;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.smtpkit.SendOutcome;
import io.github.smtpkit.SmtpAuthenticationException;
import io.github.smtpkit.spring.event.SmtpAuthenticationEvent;
import io.github.smtpkit.spring.event.SmtpCommandEvent;
import io.github.smtpkit.spring.event.SmtpConnectionEvent;
import io.github.smtpkit.spring.event.SmtpEvent;
import io.github.smtpkit.spring.event.SmtpPoolEvent;
import io.github.smtpkit.spring.event.SmtpSendFinishedEvent;
import io.github.smtpkit.spring.SmtpHealthIndicatorTests.MutableClock;
import io.github.smtpkit.spring.health.SmtpHealthIndicator;
import io.github.smtpkit.spring.observation.SmtpSendObservationContext;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.observation.transport.Kind;
import jakarta.mail.BodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailSender;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * End to end against GreenMail: an application context sends through the injected
 * {@link MailSender}, and the test reads the mail from GreenMail, the metrics from a
 * {@link SimpleMeterRegistry}, the application events from a listener bean, the observations from
 * a {@link TestObservationRegistry}, and the health from the indicator.
 */
@ExtendWith(OutputCaptureExtension.class)
class SmtpMailSenderGreenMailTests {

	private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(2);

	private static final String USER = "app";

	private static final String PASSWORD = "Gr33nM@il-secret";

	private GreenMail greenMail;

	private ApplicationContextRunner contextRunner;

	@BeforeEach
	void startGreenMail() {
		// With a user, GreenMail refuses wrong credentials; a client that does not log in is served all the same.
		this.greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort())
			.withConfiguration(GreenMailConfiguration.aConfig().withUser("app@example.test", USER, PASSWORD));
		this.greenMail.start();
		this.contextRunner = new ApplicationContextRunner()
			.withConfiguration(SmtpkitAutoConfigurations.all())
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class))
			.withUserConfiguration(ObservingConfiguration.class)
			.withPropertyValues("smtp.host=127.0.0.1", "smtp.port=" + this.greenMail.getSmtp().getPort(),
					"smtp.connect-timeout=2s", "smtp.timeout=5s", "smtp.local-hostname=app.example.test",
					"management.health.smtp.timeout=" + HEALTH_TIMEOUT.toMillis() + "ms");
	}

	@AfterEach
	void stopGreenMail() {
		this.greenMail.stop();
	}

	@Test
	void sendsASimpleMessageAndAMimeMessageWithAnAttachment() {
		this.contextRunner.run((context) -> {
			SimpleMailMessage simple = new SimpleMailMessage();
			simple.setFrom("app@example.test");
			simple.setTo("you@example.test");
			simple.setSubject("Simple");
			simple.setText("Hello from a SimpleMailMessage");
			context.getBean(MailSender.class).send(simple);

			JavaMailSender javaMailSender = context.getBean(JavaMailSender.class);
			MimeMessage mime = javaMailSender.createMimeMessage();
			MimeMessageHelper helper = new MimeMessageHelper(mime, true, "UTF-8");
			helper.setFrom("app@example.test");
			helper.setTo("them@example.test");
			helper.setBcc("hidden@example.test");
			helper.setSubject("With an attachment");
			helper.setText("See the attachment.");
			helper.addAttachment("report.csv", new ByteArrayResource("a,b\n1,2\n".getBytes()), "text/csv");
			javaMailSender.send(mime);

			// One copy per envelope recipient: you, them, and hidden (Bcc).
			assertThat(this.greenMail.waitForIncomingEmail(5000, 3)).isTrue();
			assertThat(this.greenMail.getReceivedMessages()).extracting(MimeMessage::getSubject)
				.containsExactlyInAnyOrder("Simple", "With an attachment", "With an attachment");
			MimeMessage simpleReceived = this.greenMail.getReceivedMessagesForDomain("you@example.test")[0];
			assertThat(GreenMailUtil.getBody(simpleReceived)).contains("Hello from a SimpleMailMessage");
			assertThat(simpleReceived.getSentDate()).isNotNull();
			MimeMessage withAttachment = this.greenMail.getReceivedMessagesForDomain("them@example.test")[0];
			assertThat(withAttachment.getHeader("Bcc")).isNull();
			BodyPart attachment = ((MimeMultipart) withAttachment.getContent()).getBodyPart(1);
			assertThat(attachment.getFileName()).isEqualTo("report.csv");
			assertThat(GreenMailUtil.getBody(attachment)).contains("a,b");
		});
	}

	@Test
	void timesEveryCommandAndSendPerServer() {
		this.contextRunner.run((context) -> {
			sendTwoMessages(context.getBean(MailSender.class));
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			for (String verb : List.of("EHLO", "MAIL", "RCPT", "DATA", "END-OF-DATA")) {
				assertThat(registry.get("smtp.client.commands")
					.tag("command", verb)
					.tag("reply.class", verb.equals("DATA") ? "3xx" : "2xx")
					.tag("server", "default")
					.timer()
					.count()).as(verb).isEqualTo(verb.equals("EHLO") ? 1 : 2);
			}
			assertThat(registry.find("smtp.client.sends").meters()).as("sends are timed by mail.send only").isEmpty();
			assertThat(registry.get("smtp.client.pool.idle").tag("server", "default").gauge().value()).isEqualTo(1);
			assertThat(registry.get("smtp.client.pool.acquire").tag("server", "default").timer().count()).isEqualTo(2);
			assertThat(registry.get("smtp.client.pool.created").tag("server", "default").counter().count()).isEqualTo(1);
			assertThat(registry.get("smtp.client.pool.timeouts").tag("server", "default").counter().count()).isZero();
			assertThat(registry.getMeters()).flatExtracting((meter) -> meter.getId().getTags())
				.allSatisfy((tag) -> assertThat(tag.getValue()).doesNotContain("@"));
		});
	}

	@Test
	void publishesApplicationEvents() {
		this.contextRunner.run((context) -> {
			sendTwoMessages(context.getBean(MailSender.class));
			List<SmtpEvent> events = context.getBean(EventRecorder.class).events;
			assertThat(events).allSatisfy((event) -> assertThat(event.getServerName()).isEqualTo("default"));
			assertThat(events).filteredOn(SmtpConnectionEvent.class::isInstance)
				.extracting((event) -> ((SmtpConnectionEvent) event).getKind())
				.containsExactly(SmtpConnectionEvent.Kind.STARTED, SmtpConnectionEvent.Kind.ESTABLISHED);
			assertThat(events).filteredOn(SmtpCommandEvent.class::isInstance)
				.extracting((event) -> ((SmtpCommandEvent) event).getLine())
				.containsSubsequence("EHLO app.example.test", "MAIL FROM:<app@example.test>",
						"RCPT TO:<you@example.test>", "DATA", "MAIL FROM:<app@example.test>");
			assertThat(events).filteredOn(SmtpSendFinishedEvent.class::isInstance)
				.extracting((event) -> ((SmtpSendFinishedEvent) event).getOutcome())
				.containsExactly(SendOutcome.ACCEPTED, SendOutcome.ACCEPTED);
			assertThat(events).filteredOn(SmtpPoolEvent.class::isInstance)
				.extracting((event) -> ((SmtpPoolEvent) event).getKind())
				.startsWith(SmtpPoolEvent.Kind.SESSION_CREATED, SmtpPoolEvent.Kind.SESSION_BORROWED,
						SmtpPoolEvent.Kind.SESSION_RETURNED);
		});
	}

	@Test
	void observesEachSendWithTheServerAsLowCardinalityKeysOnly() {
		this.contextRunner.run((context) -> {
			sendTwoMessages(context.getBean(MailSender.class));
			TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
			TestObservationRegistryAssert.assertThat(registry)
				.hasNumberOfObservationsWithNameEqualTo("mail.send", 2)
				.hasObservationWithNameEqualTo("mail.send")
				.that()
				.hasBeenStarted()
				.hasBeenStopped()
				.hasLowCardinalityKeyValue("server", "default")
				.hasLowCardinalityKeyValue("outcome", "accepted")
				.hasLowCardinalityKeyValue("server.address", "127.0.0.1")
				.hasLowCardinalityKeyValue("server.port", String.valueOf(this.greenMail.getSmtp().getPort()))
				.hasLowCardinalityKeyValue("network.protocol.name", "smtp")
				.hasHighCardinalityKeyValue("smtp.message.from", "app@example.test")
				.hasHighCardinalityKeyValue("smtp.message.to", "you@example.test")
				.doesNotHaveLowCardinalityKeyValueWithKey("smtp.message.to")
				.doesNotHaveHighCardinalityKeyValueWithKey("smtp.message.subject")
				.satisfies((observed) -> {
					SmtpSendObservationContext send = (SmtpSendObservationContext) observed;
					assertThat(send.getKind()).isEqualTo(Kind.CLIENT);
					assertThat(send.getRemoteServiceName()).isEqualTo("127.0.0.1");
					assertThat(send.getRemoteServiceAddress())
						.isEqualTo("smtp://127.0.0.1:" + this.greenMail.getSmtp().getPort());
					assertThat(send.getResult().accepted()).containsExactly("you@example.test");
				});
		});
	}

	@Test
	void healthIsUpThenDownWithinTheTimeoutOnceTheServerStops() {
		MutableClock clock = new MutableClock();
		this.contextRunner.withBean(SmtpClientBuilderCustomizer.class, () -> (server, builder) -> builder.clock(clock))
			.run((context) -> {
			SmtpHealthIndicator indicator = context.getBean("smtpHealthContributor", SmtpHealthIndicator.class);
			Health up = indicator.health();
			assertThat(up.getStatus()).isEqualTo(Status.UP);
			assertThat(up.getDetails()).containsEntry("protocol", "smtp")
				.containsEntry("host", "127.0.0.1")
				.containsEntry("port", this.greenMail.getSmtp().getPort())
				.containsEntry("check", "noop")
				.containsKey("pool")
				.containsKey("reply");

			this.greenMail.stop();
			// Until the server's last answer is older than the reply age, the check asks nothing.
			assertThat(indicator.health().getDetails()).containsEntry("check", "recent-reply");
			clock.advance(Duration.ofSeconds(31));
			await().atMost(HEALTH_TIMEOUT.multipliedBy(3)).untilAsserted(() -> {
				long started = System.nanoTime();
				Health down = indicator.health();
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(HEALTH_TIMEOUT.plusSeconds(1));
				assertThat(down.getStatus()).isEqualTo(Status.DOWN);
				assertThat(down.getDetails()).containsKey("error").containsEntry("host", "127.0.0.1");
			});
			});
	}

	@Test
	void logsInAndNeverShowsThePassword() {
		this.contextRunner.withPropertyValues("smtp.username=" + USER, "smtp.password=" + PASSWORD).run((context) -> {
			sendTwoMessages(context.getBean(MailSender.class));
			assertThat(this.greenMail.waitForIncomingEmail(5000, 2)).isTrue();
			List<SmtpEvent> events = context.getBean(EventRecorder.class).events;
			assertThat(events).filteredOn(SmtpAuthenticationEvent.class::isInstance)
				.singleElement()
				.satisfies((event) -> assertThat(((SmtpAuthenticationEvent) event).isSucceeded()).isTrue());
			assertThat(events).filteredOn(SmtpCommandEvent.class::isInstance)
				.extracting((event) -> ((SmtpCommandEvent) event).getLine())
				.anySatisfy((line) -> assertThat(line).startsWith("AUTH ").endsWith("<redacted>"));
			assertThat(events).allSatisfy((event) -> assertThat(event.toString()).doesNotContain(PASSWORD));
			assertThat(context.getBean(MeterRegistry.class).getMeters()).extracting(Meter::getId)
				.allSatisfy((id) -> assertThat(id.toString()).doesNotContain(PASSWORD).doesNotContain(USER));
			assertThat(context.getBean(SmtpMailSender.class).toString()).doesNotContain(PASSWORD);
		});
	}

	@Test
	void debugLinesGoToTheDebugLoggerWithoutTheCredentials(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("smtp.debug-level=1", "smtp.username=" + USER, "smtp.password=" + PASSWORD)
			.run((context) -> sendTwoMessages(context.getBean(MailSender.class)));
		assertThat(output).contains(SmtpClientFactory.DEBUG_LOGGER)
			.contains("[default] send:")
			.contains("MAIL FROM:<app@example.test>")
			.contains("<redacted>")
			.doesNotContain(PASSWORD);
	}

	@Test
	void refusedCredentialsAreAMailAuthenticationException() {
		this.contextRunner.withPropertyValues("smtp.username=" + USER, "smtp.password=wrong-password")
			.run((context) -> {
				SimpleMailMessage message = message("you@example.test");
				assertThatExceptionOfType(MailAuthenticationException.class)
					.isThrownBy(() -> context.getBean(MailSender.class).send(message, message("them@example.test")))
					.withCauseInstanceOf(SmtpAuthenticationException.class)
					.withMessageNotContaining("wrong-password");
				assertThat(this.greenMail.getReceivedMessages()).isEmpty();
			});
	}

	private static void sendTwoMessages(MailSender mailSender) {
		mailSender.send(message("you@example.test"), message("them@example.test"));
	}

	private static SimpleMailMessage message(String to) {
		SimpleMailMessage message = new SimpleMailMessage();
		message.setFrom("app@example.test");
		message.setTo(to);
		message.setSubject("Hello");
		message.setText("Hello, " + to);
		return message;
	}

	@Configuration(proxyBeanMethods = false)
	static class ObservingConfiguration {

		@Bean
		SimpleMeterRegistry simpleMeterRegistry() {
			return new SimpleMeterRegistry();
		}

		@Bean
		TestObservationRegistry testObservationRegistry() {
			return TestObservationRegistry.create();
		}

		@Bean
		EventRecorder eventRecorder() {
			return new EventRecorder();
		}

	}

	/** Records every {@link SmtpEvent}, as an application's audit listener would. */
	static class EventRecorder implements ApplicationListener<SmtpEvent> {

		final List<SmtpEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(SmtpEvent event) {
			this.events.add(event);
		}

	}

}
