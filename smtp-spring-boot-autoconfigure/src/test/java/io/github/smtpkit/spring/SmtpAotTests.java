package io.github.smtpkit.spring;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.smtpkit.SendOutcome;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.spring.event.SmtpEvent;
import io.github.smtpkit.spring.event.SmtpSendFinishedEvent;
import io.github.smtpkit.spring.health.SmtpHealthIndicator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.aot.test.generate.TestGenerationContext;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.annotation.Order;
import org.springframework.core.test.tools.CompileWithForkedClassLoader;
import org.springframework.core.test.tools.TestCompiler;
import org.springframework.javapoet.ClassName;
import org.springframework.mail.MailSender;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Spring AOT, as {@code spring-boot:process-aot} and a native image build run it: smtpkit's
 * auto-configurations are processed ahead of time, the generated code is compiled, and a context
 * started from it alone (no configuration class is parsed, no condition evaluated) sends mail to
 * GreenMail. The servers' addresses differ between build time and run time, as they may in an
 * application, to show that their settings are read when the application starts.
 */
@CompileWithForkedClassLoader
class SmtpAotTests {

	private GreenMail greenMail;

	private GreenMail bulkGreenMail;

	/** A loopback port where nothing listens: what the servers are configured with at build time. */
	private int deadPort;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(SmtpkitAutoConfigurations.all());

	@BeforeEach
	void startGreenMail() throws IOException {
		this.greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
		this.greenMail.start();
		this.bulkGreenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
		this.bulkGreenMail.start();
		try (ServerSocket socket = new ServerSocket(0)) {
			this.deadPort = socket.getLocalPort();
		}
	}

	@AfterEach
	void stopGreenMail() {
		this.greenMail.stop();
		this.bulkGreenMail.stop();
	}

	@Test
	void theDefaultServerAlone() {
		processAheadOfTimeAndRun(this.contextRunner, properties("smtp.host=127.0.0.1", "smtp.port=%s"), (context) -> {
			assertThat(context.getBeanNamesForType(SmtpClient.class)).containsExactly("smtpClient");
			assertThat(context.getBean("mailSender")).isSameAs(context.getBean("smtpMailSender"));
			context.getBean(MailSender.class).send(message("you@example.test"));
			assertThat(this.greenMail.waitForIncomingEmail(5000, 1)).isTrue();
			assertThat(this.bulkGreenMail.getReceivedMessages()).isEmpty();
		});
	}

	@Test
	void namedServersBesideTheDefaultOne() {
		processAheadOfTimeAndRun(this.contextRunner.withUserConfiguration(CustomizerConfiguration.class),
				properties("smtp.host=127.0.0.1", "smtp.port=%s", "smtp.local-hostname=app.example.test",
						"smtp.servers.bulk.port=%2$s", "smtp.servers.bulk.local-hostname=bulk.example.test",
						"smtp.servers.audit.port=%s"),
				(context) -> {
					assertThat(context.getBeanNamesForType(SmtpClient.class)).containsExactlyInAnyOrder("smtpClient",
							"bulkSmtpClient", "auditSmtpClient");
					assertThat(context.getBeanNamesForType(JavaMailSender.class))
						.containsExactlyInAnyOrder("smtpMailSender", "bulkSmtpMailSender", "auditSmtpMailSender");
					context.getBean("bulkSmtpMailSender", MailSender.class).send(message("bulk@example.test"));
					context.getBean("auditSmtpMailSender", MailSender.class).send(message("audit@example.test"));
					context.getBean(MailSender.class).send(message("you@example.test"));
					assertThat(this.bulkGreenMail.waitForIncomingEmail(5000, 1)).isTrue();
					assertThat(this.greenMail.waitForIncomingEmail(5000, 2)).isTrue();
					assertThat(this.bulkGreenMail.getReceivedMessages()).extracting(this::recipient)
						.containsExactly("bulk@example.test");
					assertThat(this.greenMail.getReceivedMessages()).extracting(this::recipient)
						.containsExactlyInAnyOrder("audit@example.test", "you@example.test");
					// The customizer bean reached every server's builder, in order, with its name.
					List<String> calls = context.getBean(CustomizerConfiguration.class).calls;
					for (String server : List.of("default", "bulk", "audit")) {
						assertThat(calls).filteredOn((call) -> call.endsWith(":" + server))
							.containsExactly("first:" + server, "second:" + server);
					}
					SmtpClient bulk = context.getBean("bulkSmtpClient", SmtpClient.class);
					context.close();
					assertThat(bulk.isClosed()).isTrue();
				});
	}

	@Test
	void namedServersAlone() {
		processAheadOfTimeAndRun(this.contextRunner,
				properties("smtp.servers.bulk.host=127.0.0.1", "smtp.servers.bulk.port=%2$s"), (context) -> {
					assertThat(context.getBeanNamesForType(SmtpClient.class)).containsExactly("bulkSmtpClient");
					context.getBean(MailSender.class).send(message("bulk@example.test"));
					assertThat(this.bulkGreenMail.waitForIncomingEmail(5000, 1)).isTrue();
				});
	}

	@Test
	void namedServersAloneWithSmtpPrimary() {
		processAheadOfTimeAndRun(this.contextRunner,
				properties("smtp.servers.audit.host=127.0.0.1", "smtp.servers.audit.port=%s",
						"smtp.servers.bulk.host=127.0.0.1", "smtp.servers.bulk.port=%2$s", "smtp.primary=bulk"),
				(context) -> {
					assertThat(context.getBean(SmtpClient.class)).isSameAs(context.getBean("bulkSmtpClient"));
					context.getBean(JavaMailSender.class).send(message("bulk@example.test"));
					assertThat(this.bulkGreenMail.waitForIncomingEmail(5000, 1)).isTrue();
					assertThat(this.greenMail.getReceivedMessages()).isEmpty();
				});
	}

	@Test
	void eventsMetricsObservationsAndHealth() {
		ApplicationContextRunner runner = this.contextRunner
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class))
			.withUserConfiguration(ObservingConfiguration.class);
		processAheadOfTimeAndRun(runner,
				properties("smtp.host=127.0.0.1", "smtp.port=%s", "smtp.servers.bulk.port=%2$s",
						"management.health.smtp.timeout=2s"),
				(context) -> {
					context.getBean(MailSender.class).send(message("you@example.test"));
					context.getBean("bulkSmtpMailSender", MailSender.class).send(message("bulk@example.test"));
					assertThat(this.greenMail.waitForIncomingEmail(5000, 1)).isTrue();
					assertThat(this.bulkGreenMail.waitForIncomingEmail(5000, 1)).isTrue();

					List<SmtpEvent> events = context.getBean(EventRecorder.class).events;
					assertThat(events).filteredOn(SmtpSendFinishedEvent.class::isInstance)
						.extracting(SmtpEvent::getServerName, (event) -> ((SmtpSendFinishedEvent) event).getOutcome())
						.containsExactlyInAnyOrder(tuple("default", SendOutcome.ACCEPTED), tuple("bulk", SendOutcome.ACCEPTED));

					MeterRegistry registry = context.getBean(MeterRegistry.class);
					for (String server : List.of("default", "bulk")) {
						assertThat(registry.get("smtp.client.commands").tag("server", server).tag("command", "END-OF-DATA")
							.timer()
							.count()).as(server).isEqualTo(1);
						assertThat(registry.get("smtp.client.pool.idle").tag("server", server).gauge().value())
							.as(server)
							.isEqualTo(1);
					}

					TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
						.hasNumberOfObservationsWithNameEqualTo("mail.send", 2)
						.hasAnObservationWithAKeyValue("server", "default")
						.hasAnObservationWithAKeyValue("server", "bulk");

					HealthContributor health = context.getBean("smtpHealthContributor", HealthContributor.class);
					assertThat(health).isInstanceOf(CompositeHealthContributor.class);
					for (String server : List.of("default", "bulk")) {
						SmtpHealthIndicator indicator = (SmtpHealthIndicator) ((CompositeHealthContributor) health)
							.getContributor(server);
						assertThat(indicator.health().getStatus()).as(server).isEqualTo(Status.UP);
					}
				});
	}

	@Test
	void registersTheHintsANativeImageNeeds() {
		RuntimeHints hints = processAheadOfTime(this.contextRunner,
				properties("smtp.host=127.0.0.1", "smtp.servers.bulk.port=%2$s")).getRuntimeHints();
		// Named servers' settings are bound to SmtpServerProperties when their beans are made, outside
		// the @ConfigurationProperties bean that Spring Boot writes hints for (today its servers map
		// covers the type too; smtpkit does not rely on that).
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(SmtpServerProperties.class, "setHost"))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(SmtpServerProperties.Pool.class,
				"setMaxTotal"))
			.accepts(hints);
		// Spring's own hints, which the mail senders rely on: the file-type map of the messages
		// createMimeMessage() makes, and the spring.factories entry that maps spring.mail.*.
		assertThat(RuntimeHintsPredicates.resource().forResource("org/springframework/mail/javamail/mime.types"))
			.accepts(hints);
		assertThat(RuntimeHintsPredicates.resource().forResource("META-INF/spring.factories")).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection()
			.onType(SpringMailEnvironmentPostProcessor.class)
			.withMemberCategory(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS)).accepts(hints);
		// And its failure analyzers, which Spring Boot makes from there when start-up fails.
		for (Class<?> analyzer : List.of(SmtpServerInjectionFailureAnalyzer.class,
				SmtpTestConnectionFailureAnalyzer.class)) {
			assertThat(RuntimeHintsPredicates.reflection()
				.onType(analyzer)
				.withMemberCategory(MemberCategory.INVOKE_DECLARED_CONSTRUCTORS)).as(analyzer.getName()).accepts(hints);
		}
	}

	/**
	 * The application's properties: {@code %s} is the default GreenMail's port, {@code %2$s} the
	 * bulk one's at run time; both are a dead port at build time.
	 */
	private PropertiesAtBuildAndRunTime properties(String... templates) {
		return new PropertiesAtBuildAndRunTime(format(templates, this.deadPort, this.deadPort),
				format(templates, this.greenMail.getSmtp().getPort(), this.bulkGreenMail.getSmtp().getPort()));
	}

	private static String[] format(String[] templates, int port, int bulkPort) {
		List<String> properties = new ArrayList<>(List.of("smtp.connect-timeout=2s", "smtp.timeout=5s"));
		for (String template : templates) {
			properties.add(String.format(template, port, bulkPort));
		}
		return properties.toArray(String[]::new);
	}

	private TestGenerationContext processAheadOfTime(ApplicationContextRunner runner,
			PropertiesAtBuildAndRunTime properties) {
		TestGenerationContext generationContext = new TestGenerationContext();
		runner.withPropertyValues(properties.buildTime())
			.prepare((context) -> new ApplicationContextAotGenerator().processAheadOfTime(
					(GenericApplicationContext) context.getSourceApplicationContext(), generationContext));
		return generationContext;
	}

	/**
	 * Processes the context ahead of time with the build-time properties, compiles the generated
	 * code, and starts a context from it alone with the run-time properties, as the AOT-processed
	 * application would start.
	 */
	@SuppressWarnings("unchecked")
	private void processAheadOfTimeAndRun(ApplicationContextRunner runner, PropertiesAtBuildAndRunTime properties,
			Consumer<GenericApplicationContext> assertions) {
		TestGenerationContext generationContext = new TestGenerationContext();
		ClassName[] initializer = new ClassName[1];
		runner.withPropertyValues(properties.buildTime())
			.prepare((context) -> initializer[0] = new ApplicationContextAotGenerator().processAheadOfTime(
					(GenericApplicationContext) context.getSourceApplicationContext(), generationContext));
		generationContext.writeGeneratedContent();
		TestCompiler.forSystem().with(generationContext).compile((compiled) -> {
			try (GenericApplicationContext context = new GenericApplicationContext()) {
				TestPropertyValues.of(properties.runTime()).applyTo(context);
				compiled.getInstance(ApplicationContextInitializer.class, initializer[0].toString()).initialize(context);
				context.refresh();
				assertions.accept(context);
			}
		});
	}

	private String recipient(MimeMessage message) {
		try {
			return message.getAllRecipients()[0].toString();
		}
		catch (jakarta.mail.MessagingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static SimpleMailMessage message(String to) {
		SimpleMailMessage message = new SimpleMailMessage();
		message.setFrom("app@example.test");
		message.setTo(to);
		message.setSubject("Hello");
		message.setText("Hello, " + to);
		return message;
	}

	record PropertiesAtBuildAndRunTime(String[] buildTime, String[] runTime) {
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerConfiguration {

		final List<String> calls = new CopyOnWriteArrayList<>();

		@Bean
		@Order(2)
		SmtpClientBuilderCustomizer secondCustomizer() {
			return (server, builder) -> this.calls.add("second:" + server);
		}

		@Bean
		@Order(1)
		SmtpClientBuilderCustomizer firstCustomizer() {
			return (server, builder) -> {
				this.calls.add("first:" + server);
				builder.dataTimeout(Duration.ofSeconds(30));
			};
		}

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

	static class EventRecorder implements ApplicationListener<SmtpEvent> {

		final List<SmtpEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(SmtpEvent event) {
			this.events.add(event);
		}

	}

}
