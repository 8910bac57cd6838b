package io.github.smtpkit.sample;

import java.time.Duration;
import java.util.UUID;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample pointed at a server with {@code --smtp.host=... --smtp.username=...}, as a user
 * points it at a real one (here a GreenMail of the test's own, on loopback): no embedded server
 * starts, and the page's mail goes there, logged in, from the account's address.
 */
class SampleWithConfiguredServerTests {

	private GreenMail server;

	private ConfigurableApplicationContext context;

	@BeforeEach
	void startServer() {
		this.server = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort())
			.withConfiguration(GreenMailConfiguration.aConfig().withUser("me@example.com", "s3cret"));
		this.server.start();
	}

	@AfterEach
	void stop() {
		if (this.context != null) {
			this.context.close();
		}
		this.server.stop();
	}

	@Test
	void sendsThroughTheConfiguredServerAndStartsNoEmbeddedOne() {
		this.context = new SpringApplicationBuilder(SampleApplication.class).run("--server.port=0",
				"--smtp.host=127.0.0.1", "--smtp.port=" + this.server.getSmtp().getPort(), "--smtp.username=me@example.com",
				"--smtp.password=s3cret");
		assertThat(this.context.getBeanProvider(EmbeddedMailServer.class).getIfAvailable()).isNull();
		assertThat(this.context.getEnvironment().getPropertySources()
			.contains(EmbeddedMailServerInitializer.PROPERTY_SOURCE)).isFalse();
		RestClient client = RestClient.builder()
			.baseUrl("http://127.0.0.1:" + this.context.getEnvironment().getProperty("local.server.port"))
			.build();

		String subject = "For real " + UUID.randomUUID();
		MultiValueMap<String, Object> body = new LinkedMultiValueMap<>();
		body.add("to", "you@example.com");
		body.add("subject", subject);
		body.add("text", "Through the configured server");
		JsonNode sent = client.post()
			.uri("/api/mails")
			.contentType(MediaType.MULTIPART_FORM_DATA)
			.body(body)
			.retrieve()
			.body(JsonNode.class);

		assertThat(sent.path("server").asString()).isEqualTo("default");
		assertThat(this.server.waitForIncomingEmail(Duration.ofSeconds(10).toMillis(), 1)).isTrue();
		MimeMessage received = this.server.getReceivedMessages()[0];
		assertThat(received).satisfies((message) -> {
			assertThat(message.getSubject()).isEqualTo(subject);
			assertThat(message.getFrom()).extracting(Object::toString).containsExactly("me@example.com");
		});
		MeterRegistry registry = this.context.getBean(MeterRegistry.class);
		assertThat(registry.find("smtp.client.commands").tag("command", "AUTH").tag("reply.class", "2xx").timers())
			.extracting(Timer::count)
			.containsExactly(1L);
		JsonNode listed = client.get().uri("/api/mails").retrieve().body(JsonNode.class);
		assertThat(listed.path("embedded").asBoolean()).isFalse();
		assertThat(listed.path("mails").size()).isZero();
		assertThat(listed.path("servers").valueStream().map((server) -> server.path("name").asString()))
			.containsExactly("default");
	}

}
