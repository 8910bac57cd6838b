package io.github.smtpkit.sample;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.spring.SmtpMailSender;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.BufferingClientHttpRequestFactory;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample as a newcomer runs it: no SMTP server configured, so the embedded one starts, and the
 * page's endpoints send through the starter's mail senders to it.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class SampleApplicationTests {

	@LocalServerPort
	int port;

	@Autowired
	EmbeddedMailServer embeddedServer;

	@Autowired
	MeterRegistry meterRegistry;

	@Autowired
	SmtpCommandLog commandLog;

	@Test
	void pointsSmtpAtTheEmbeddedServerWithTheSecureServerTrustedThroughAnSslBundle(
			@Autowired Environment environment, @Autowired JavaMailSender mailSender,
			@Autowired SslBundles sslBundles) {
		assertThat(environment.getProperty("smtp.host")).isEqualTo("127.0.0.1");
		assertThat(environment.getProperty("smtp.port", Integer.class)).isEqualTo(this.embeddedServer.smtpPort());
		assertThat(environment.getProperty("smtp.servers.secure.port", Integer.class))
			.isEqualTo(this.embeddedServer.smtpsPort());
		assertThat(environment.getProperty("smtp.servers.secure.ssl.bundle"))
			.isEqualTo(EmbeddedMailServerInitializer.SSL_BUNDLE);
		assertThat(sslBundles.getBundle(EmbeddedMailServerInitializer.SSL_BUNDLE).getStores().getTrustStore())
			.isNotNull();
		assertThat(mailSender).isInstanceOfSatisfying(SmtpMailSender.class,
				(sender) -> assertThat(sender.getClient().endpoint())
					.isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "127.0.0.1", this.embeddedServer.smtpPort())));
	}

	@Test
	void aMailPostedToTheEndpointArrivesInTheEmbeddedServer() {
		String subject = "Posted " + UUID.randomUUID();
		ResponseEntity<JsonNode> response = postMail("default", "you@example.com, them@example.org", subject,
				"notes.txt");

		assertThat(response.getStatusCode().value()).isEqualTo(200);
		assertThat(response.getBody().path("server").asString()).isEqualTo("default");
		assertThat(response.getBody().path("messageId").asString()).isNotBlank();
		EmbeddedMailServer.ReceivedMail received = awaitReceived(subject);
		assertThat(received.to()).containsExactly("you@example.com", "them@example.org");
		assertThat(received.from()).containsExactly("sample@smtpkit.test");
		assertThat(received.attachments()).containsExactly("notes.txt");
		assertThat(received.size()).isPositive();

		JsonNode listed = client().get().uri("/api/mails").retrieve().body(JsonNode.class);
		assertThat(listed.path("embedded").asBoolean()).isTrue();
		assertThat(listed.path("mails").valueStream().map((mail) -> mail.path("subject").asString()))
			.contains(subject);
	}

	@Test
	void aMailPostedForTheSecureServerGoesOverSmtpsAndArrives() {
		String subject = "Over TLS " + UUID.randomUUID();
		ResponseEntity<JsonNode> response = postMail("secure", "you@example.com", subject, null);

		assertThat(response.getStatusCode().value()).isEqualTo(200);
		assertThat(response.getBody().path("server").asString()).isEqualTo("secure");
		assertThat(awaitReceived(subject).attachments()).isEmpty();
		assertThat(this.commandLog.recent())
			.anySatisfy((entry) -> {
				assertThat(entry.server()).isEqualTo("secure");
				assertThat(entry.command()).isEqualTo("SEND");
				assertThat(entry.detail()).startsWith("accepted");
			});
	}

	@Test
	void refusesWhatItCannotSendWithAProblemDetailNamingTheField() {
		ResponseEntity<JsonNode> badAddress = postMail("default", "not an <address", "Bad", null);
		assertThat(badAddress.getStatusCode().value()).isEqualTo(400);
		assertThat(badAddress.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(badAddress.getBody().path("detail").asString()).startsWith("Not an address list in 'to'");
		assertThat(badAddress.getBody().path("field").asString()).isEqualTo("to");

		ResponseEntity<JsonNode> unknownServer = postMail("nowhere", "you@example.com", "Bad", null);
		assertThat(unknownServer.getStatusCode().value()).isEqualTo(400);
		assertThat(unknownServer.getBody().path("detail").asString()).contains("No server named 'nowhere'");
		assertThat(unknownServer.getBody().path("field").asString()).isEqualTo("server");
	}

	@Test
	void aMissingFieldIsNamed() {
		MultiValueMap<String, Object> form = new LinkedMultiValueMap<>();
		form.add("subject", "No recipient");
		ResponseEntity<JsonNode> response = post(form);

		assertThat(response.getStatusCode().value()).isEqualTo(400);
		assertThat(response.getBody().path("detail").asString())
			.isEqualTo("The field 'to' is missing: give one or more recipients, separated by commas.");
		assertThat(response.getBody().path("field").asString()).isEqualTo("to");
	}

	@Test
	void anAttachmentOverTheFileLimitGetsA413NamingTheLimit() {
		ResponseEntity<JsonNode> response = postMail("default", "you@example.com", "Too big", "big.bin",
				new byte[10 * 1024 * 1024 + 1]);

		assertThat(response.getStatusCode().value()).isEqualTo(413);
		assertThat(response.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
		assertThat(response.getBody().path("detail").asString()).isEqualTo("The attachment is larger than 10MB, the "
				+ "most this sample accepts for a file (spring.servlet.multipart.max-file-size).");
		assertThat(response.getBody().path("limit").asString()).isEqualTo("10MB");
		assertThat(response.getBody().path("property").asString()).isEqualTo("spring.servlet.multipart.max-file-size");
		assertThat(response.getBody().path("field").asString()).isEqualTo("attachment");
	}

	/**
	 * Sent as browsers and curl send a form, with its length: Tomcat then refuses it for its size
	 * before reading it. (Sent in chunks, it reads the attachment and stops at the file limit.)
	 */
	@Test
	void aMailOverTheRequestLimitGetsA413NamingTheLimit() {
		MultiValueMap<String, Object> form = form("default", "you@example.com", "Far too big", "huge.bin",
				new byte[20 * 1024 * 1024]);
		ResponseEntity<JsonNode> response = post(form, RestClient.builder()
			.baseUrl("http://127.0.0.1:" + this.port)
			.requestFactory(new BufferingClientHttpRequestFactory(new JdkClientHttpRequestFactory()))
			.build());

		assertThat(response.getStatusCode().value()).isEqualTo(413);
		assertThat(response.getBody().path("detail").asString()).isEqualTo("The mail with its attachment is larger "
				+ "than 11MB, the most this sample accepts in one request (spring.servlet.multipart.max-request-size); "
				+ "attachments may be up to 10MB (spring.servlet.multipart.max-file-size).");
		assertThat(response.getBody().path("limit").asString()).isEqualTo("11MB");
	}

	@Test
	void healthIsUpWithTheSmtpComponentOfEachServer() {
		JsonNode health = client().get().uri("/actuator/health").retrieve().body(JsonNode.class);

		assertThat(health.path("status").asString()).isEqualTo("UP");
		JsonNode smtp = health.path("components").path("smtp");
		assertThat(smtp.path("status").asString()).isEqualTo("UP");
		JsonNode plain = smtp.path("components").path("default");
		assertThat(plain.path("status").asString()).isEqualTo("UP");
		assertThat(plain.path("details").path("protocol").asString()).isEqualTo("smtp");
		assertThat(plain.path("details").path("port").asInt()).isEqualTo(this.embeddedServer.smtpPort());
		JsonNode secure = smtp.path("components").path("secure");
		assertThat(secure.path("status").asString()).isEqualTo("UP");
		assertThat(secure.path("details").path("protocol").asString()).isEqualTo("smtps");
		assertThat(secure.path("details").path("port").asInt()).isEqualTo(this.embeddedServer.smtpsPort());
	}

	@Test
	void theCommandTimerCountsEachCommandOfASend() {
		long mailsBefore = commandCount("MAIL");
		long rcptsBefore = commandCount("RCPT");
		long dataBefore = commandCount("DATA");
		String subject = "Timed " + UUID.randomUUID();

		assertThat(postMail("default", "you@example.com", subject, null).getStatusCode().value()).isEqualTo(200);
		awaitReceived(subject);

		// EHLO only on a new connection, which may have been opened for an earlier send or health check.
		assertThat(commandCount("EHLO")).isPositive();
		assertThat(commandCount("MAIL")).isEqualTo(mailsBefore + 1);
		assertThat(commandCount("RCPT")).isEqualTo(rcptsBefore + 1);
		assertThat(commandCount("DATA")).isEqualTo(dataBefore + 1);
		assertThat(commandCount("END-OF-DATA")).isPositive();

		JsonNode metric = client().get()
			.uri("/actuator/metrics/smtp.client.commands?tag=command:MAIL&tag=server:default")
			.retrieve()
			.body(JsonNode.class);
		assertThat(metric.path("measurements").valueStream()
			.filter((measurement) -> measurement.path("statistic").asString().equals("COUNT"))
			.map((measurement) -> measurement.path("value").asDouble())).containsExactly((double) (mailsBefore + 1));
	}

	@Test
	void eachSendIsTimedByTheMailSendObservation() {
		String subject = "Observed " + UUID.randomUUID();
		assertThat(postMail("default", "you@example.com", subject, null).getStatusCode().value()).isEqualTo(200);
		awaitReceived(subject);

		JsonNode metric = client().get()
			.uri("/actuator/metrics/mail.send?tag=server:default&tag=outcome:accepted")
			.retrieve()
			.body(JsonNode.class);
		assertThat(metric.path("measurements").valueStream()
			.filter((measurement) -> measurement.path("statistic").asString().equals("COUNT"))
			.map((measurement) -> measurement.path("value").asDouble())).singleElement()
			.satisfies((count) -> assertThat(count).isPositive());
		assertThat(this.meterRegistry.find("smtp.client.sends").meters()).isEmpty();
	}

	@Test
	void logsAndListsEachCommandWithItsDuration(CapturedOutput output) {
		String subject = "Logged " + UUID.randomUUID();
		postMail("default", "you@example.com", subject, null);
		awaitReceived(subject);

		assertThat(output.getOut()).containsPattern("\\[default\\] MAIL -> 250 in \\d+\\.\\d\\d ms")
			.containsPattern("\\[default\\] END-OF-DATA -> 250 in \\d+\\.\\d\\d ms")
			.containsPattern("\\[default\\] SEND in \\d+\\.\\d\\d ms \\(accepted, 1 recipient\\(s\\)");
		JsonNode commands = client().get().uri("/api/commands").retrieve().body(JsonNode.class);
		assertThat(commands.valueStream().filter((entry) -> entry.path("command").asString().equals("RCPT")))
			.isNotEmpty()
			.allSatisfy((entry) -> assertThat(entry.path("millis").asDouble()).isGreaterThanOrEqualTo(0.0));
	}

	/**
	 * A pooled session idle past the server's limit is dropped by the server (421), which the
	 * command table shows: the pools close theirs first. The pool looks for idle sessions every
	 * idle-timeout/2 (30 s at most), so one may stay open that much past its timeout.
	 */
	@Test
	void thePoolsCloseIdleSessionsBeforeTheEmbeddedServerDoes(@Autowired Map<String, SmtpClient> clients) {
		assertThat(clients).containsOnlyKeys("smtpClient", "secureSmtpClient");
		clients.forEach((name, client) -> {
			Duration idleTimeout = client.poolConfig().idleTimeout();
			Duration sweep = idleTimeout.dividedBy(2).compareTo(Duration.ofSeconds(30)) < 0 ? idleTimeout.dividedBy(2)
					: Duration.ofSeconds(30);
			assertThat(idleTimeout.plus(sweep)).as("the latest %s closes an idle session", name)
				.isLessThan(EmbeddedMailServer.IDLE_LIMIT);
		});
	}

	@Test
	void servesThePage() {
		String page = client().get().uri("/").retrieve().body(String.class);
		assertThat(page).contains("<form id=\"send-form\"", "href=\"/actuator/health\"",
				"href=\"/actuator/metrics/smtp.client.commands\"", "<script src=\"app.js\">");
	}

	private long commandCount(String command) {
		return this.meterRegistry.find("smtp.client.commands")
			.tag("command", command)
			.tag("server", "default")
			.timers()
			.stream()
			.mapToLong(Timer::count)
			.sum();
	}

	private EmbeddedMailServer.ReceivedMail awaitReceived(String subject) {
		return await().atMost(Duration.ofSeconds(10))
			.until(() -> this.embeddedServer.receivedMails()
				.stream()
				.filter((mail) -> subject.equals(mail.subject()))
				.findFirst()
				.orElse(null), (mail) -> mail != null);
	}

	private ResponseEntity<JsonNode> postMail(String server, String to, String subject, String attachmentName) {
		return postMail(server, to, subject, attachmentName, "some notes\n".getBytes(StandardCharsets.UTF_8));
	}

	private ResponseEntity<JsonNode> postMail(String server, String to, String subject, String attachmentName,
			byte[] attachment) {
		return post(form(server, to, subject, attachmentName, attachment));
	}

	private MultiValueMap<String, Object> form(String server, String to, String subject, String attachmentName,
			byte[] attachment) {
		MultiValueMap<String, Object> body = new LinkedMultiValueMap<>();
		body.add("server", server);
		body.add("to", to);
		body.add("subject", subject);
		body.add("text", "Hello from " + getClass().getSimpleName());
		if (attachmentName != null) {
			HttpHeaders headers = new HttpHeaders();
			headers.setContentType(MediaType.TEXT_PLAIN);
			headers.setContentDispositionFormData("attachment", attachmentName);
			body.add("attachment", new HttpEntity<>(new ByteArrayResource(attachment), headers));
		}
		return body;
	}

	private ResponseEntity<JsonNode> post(MultiValueMap<String, Object> form) {
		return post(form, client());
	}

	private ResponseEntity<JsonNode> post(MultiValueMap<String, Object> form, RestClient client) {
		return client.post()
			.uri("/api/mails")
			.contentType(MediaType.MULTIPART_FORM_DATA)
			.body(form)
			.exchange((request, response) -> ResponseEntity.status(response.getStatusCode())
				.headers(response.getHeaders())
				.body(response.bodyTo(JsonNode.class)), true);
	}

	private RestClient client() {
		return RestClient.builder().baseUrl("http://127.0.0.1:" + this.port).build();
	}

}
