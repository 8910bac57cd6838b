package io.github.smtpkit.spring;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.smtpkit.Envelope;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.spring.event.SmtpBackoffEvent;
import io.github.smtpkit.spring.event.SmtpSendFinishedEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failover is visible: with {@code smtp.hosts} listing a dead port before a live server, the host
 * that took each message is the one in the {@link SendResult}, the application events and the
 * {@code mail.send} timer, not the first host configured.
 */
class SmtpFailoverVisibilityTests {

	private FakeSmtpServer server;

	private int deadPort;

	private ApplicationContextRunner contextRunner;

	@BeforeEach
	void startServer() throws IOException {
		this.server = FakeSmtpServer.refusing((line) -> line.contains("nobody@"));
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			this.deadPort = socket.getLocalPort();
		}
		this.contextRunner = new ApplicationContextRunner().withConfiguration(SmtpkitAutoConfigurations.all())
			.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class, MetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
			.withBean(SendsFinished.class, SendsFinished::new)
			.withPropertyValues("smtp.hosts=127.0.0.1:" + this.deadPort + ",127.0.0.1:" + this.server.port(),
					"smtp.starttls=none", "smtp.connect-timeout=2s", "smtp.timeout=5s");
	}

	@AfterEach
	void stopServer() throws IOException {
		this.server.close();
	}

	@Test
	void theHostThatTookEachMessageIsInTheResultTheEventsAndTheMailSendTimer() {
		this.contextRunner.run((context) -> {
			SmtpEndpoint live = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "127.0.0.1", this.server.port());
			SmtpClient client = context.getBean(SmtpClient.class);
			assertThat(client.endpoint().port()).as("the first host configured").isEqualTo(this.deadPort);

			SendResult result = client.send(Envelope.of("app@example.test", "you@example.test"),
					"Subject: hello\r\n\r\nHello.\r\n".getBytes(StandardCharsets.US_ASCII));
			context.getBean(JavaMailSender.class).send(message("them@example.test"));
			// Refused by the live host: it is still the one that had the message.
			catchAny(() -> context.getBean(JavaMailSender.class).send(message("nobody@example.test")));

			assertThat(result.endpoint()).isEqualTo(live);
			assertThat(context.getBean(SendsFinished.class).events).hasSize(3)
				.allSatisfy((event) -> assertThat(event.getEndpoint()).isEqualTo(live));
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("mail.send").timers()).allSatisfy((timer) -> {
				assertThat(timer.getId().getTag("server.address")).isEqualTo("127.0.0.1");
				assertThat(timer.getId().getTag("server.port")).isEqualTo(String.valueOf(this.server.port()));
			});
			assertThat(meters.get("mail.send").tag("outcome", "accepted").timer().count()).isEqualTo(2);
			assertThat(meters.get("mail.send").tag("outcome", "refused").timer().count()).isEqualTo(1);
			assertThat(this.server.messages()).hasSize(2);
		});
	}

	@Test
	void aServerThatSaysNotNowStartsABackoffAndASendThatCannotWaitForItIsRefusedBothAsEvents() throws Exception {
		try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			Thread greeter = new Thread(() -> greetWith421(busy), "greets-421");
			greeter.setDaemon(true);
			greeter.start();
			this.contextRunner.withBean(BackoffEvents.class, BackoffEvents::new)
				.withPropertyValues("smtp.hosts=127.0.0.1:" + busy.getLocalPort(), "smtp.pool.max-wait=100ms",
						"smtp.backoff.initial=1m", "smtp.backoff.max=1m")
				.run((context) -> {
					SmtpClient client = context.getBean(SmtpClient.class);
					Envelope envelope = Envelope.of("app@example.test", "you@example.test");
					catchAny(() -> client.send(envelope, "Subject: 1\r\n\r\n1\r\n".getBytes(StandardCharsets.US_ASCII)));
					catchAny(() -> client.send(envelope, "Subject: 2\r\n\r\n2\r\n".getBytes(StandardCharsets.US_ASCII)));

					List<SmtpBackoffEvent> events = context.getBean(BackoffEvents.class).events;
					assertThat(events).extracting(SmtpBackoffEvent::getKind)
						.containsExactly(SmtpBackoffEvent.Kind.STARTED, SmtpBackoffEvent.Kind.REFUSED);
					assertThat(events).extracting(SmtpBackoffEvent::getUntil)
						.containsOnly(client.backoffUntil().orElseThrow());
					assertThat(events).extracting(SmtpBackoffEvent::getServerName).containsOnly("default");
				});
			greeter.join(5000);
		}
	}

	/** Greets one connection with 421 and closes it, as a server too busy to take mail does. */
	private static void greetWith421(ServerSocket server) {
		try (java.net.Socket socket = server.accept()) {
			socket.getOutputStream().write("421 4.7.0 too busy, try later\r\n".getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().flush();
			// Waits for the client to hang up, so that it reads the whole greeting first.
			socket.setSoTimeout(5000);
			socket.getInputStream().read();
		}
		catch (IOException ex) {
			// The test's assertions say what went wrong.
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

	private static void catchAny(ThrowingRunnable runnable) {
		try {
			runnable.run();
		}
		catch (Exception ex) {
			// Expected: what matters is what the events say about it.
		}
	}

	@FunctionalInterface
	private interface ThrowingRunnable {

		void run() throws Exception;

	}

	static class SendsFinished implements ApplicationListener<SmtpSendFinishedEvent> {

		final List<SmtpSendFinishedEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(SmtpSendFinishedEvent event) {
			this.events.add(event);
		}

	}

	static class BackoffEvents implements ApplicationListener<SmtpBackoffEvent> {

		final List<SmtpBackoffEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(SmtpBackoffEvent event) {
			this.events.add(event);
		}

	}

}
