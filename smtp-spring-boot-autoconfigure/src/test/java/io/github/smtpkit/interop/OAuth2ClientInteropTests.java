package io.github.smtpkit.interop;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import io.github.smtpkit.spring.event.SmtpEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.security.oauth2.client.autoconfigure.OAuth2ClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties only: Spring Security's OAuth2 client gets tokens with the client credentials flow
 * from a token endpoint on loopback (as Microsoft 365's would), and the starter logs in to the
 * rig's Postfix + Dovecot on 2588 with OAUTHBEARER after STARTTLS. The first token the endpoint
 * issues is one the rig's introspection calls expired: it is dropped, a fresh one is fetched, and
 * the mail arrives. Neither a token nor the client secret appears in the output (debug lines at
 * level 1 included) or in an event. Runs with -Pinterop.
 */
@ExtendWith(OutputCaptureExtension.class)
class OAuth2ClientInteropTests {

	private static final String USER = "alice@example.test";

	private static final String CLIENT_SECRET = "rig-client-secret";

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	@Test
	void aRefusedTokenIsReplacedAndTheMailArrives(CapturedOutput output) throws Exception {
		List<String> issued = new CopyOnWriteArrayList<>();
		HttpServer tokenEndpoint = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		tokenEndpoint.createContext("/token", (exchange) -> {
			exchange.getRequestBody().readAllBytes();
			String token = (issued.isEmpty() ? "expired:" : "valid:") + USER + ":" + InteropRig.uniqueId("token");
			issued.add(token);
			byte[] body = ("{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}")
				.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		tokenEndpoint.start();
		List<String> events = new CopyOnWriteArrayList<>();
		String subject = InteropRig.uniqueId("oauth2-client");
		try {
			new ApplicationContextRunner()
				.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, OAuth2ClientAutoConfiguration.class,
						io.github.smtpkit.spring.SmtpOAuth2ClientAutoConfiguration.class,
						io.github.smtpkit.spring.SmtpEventsAutoConfiguration.class,
						io.github.smtpkit.spring.SmtpClientAutoConfiguration.class,
						io.github.smtpkit.spring.SmtpMailSenderAutoConfiguration.class))
				.withBean("eventRecorder", ApplicationListener.class,
						() -> (ApplicationListener<SmtpEvent>) (event) -> events.add(String.valueOf(event)))
				.withPropertyValues("spring.security.oauth2.client.registration.rig.client-id=smtp-app",
						"spring.security.oauth2.client.registration.rig.client-secret=" + CLIENT_SECRET,
						"spring.security.oauth2.client.registration.rig.authorization-grant-type=client_credentials",
						"spring.security.oauth2.client.registration.rig.provider=rig",
						"spring.security.oauth2.client.provider.rig.token-uri=http://127.0.0.1:"
								+ tokenEndpoint.getAddress().getPort() + "/token",
						"spring.ssl.bundle.pem.rig.truststore.certificate=file:" + InteropRig.certificate(),
						"smtp.host=" + InteropRig.HOST, "smtp.port=" + InteropRig.ALL_MECHANISMS_PORT,
						"smtp.starttls=required", "smtp.ssl.bundle=rig", "smtp.username=" + USER,
						"smtp.auth.oauth2.registration-id=rig", "smtp.local-hostname=" + InteropRig.CLIENT_NAME,
						"smtp.timeout=30s", "smtp.debug-level=1")
				.run((context) -> {
					assertThat(context).hasNotFailed();
					SimpleMailMessage message = new SimpleMailMessage();
					message.setFrom(USER);
					message.setTo("bob@example.test");
					message.setSubject(subject);
					message.setText("Sent with an OAuth 2.0 token from Spring Security.");
					context.getBean(JavaMailSender.class).send(message);
				});
		}
		finally {
			tokenEndpoint.stop(0);
		}
		Maildir.Delivered delivered = InteropRig.maildir("bob").awaitOne(subject, (mail) -> mail.text().contains(subject));
		assertThat(delivered.headers("Received"))
			.anySatisfy((received) -> assertThat(received).contains("(Authenticated sender: " + USER + ")"));
		assertThat(issued).hasSize(2);
		assertThat(output.getAll()).contains("AUTH OAUTHBEARER <redacted>");
		assertThat(events).isNotEmpty().anyMatch((event) -> event.contains("OAUTHBEARER"));
		for (String secret : List.of(issued.get(0), issued.get(1), CLIENT_SECRET, "expired:" + USER, "valid:" + USER)) {
			assertThat(output.getAll()).doesNotContain(secret);
			assertThat(events).noneMatch((event) -> event.contains(secret));
		}
	}

}
