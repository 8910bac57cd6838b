package io.github.smtpkit.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import org.springframework.context.support.GenericApplicationContext;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class EmbeddedMailServerInitializerTests {

	@ParameterizedTest
	@ValueSource(strings = { "smtp.host=mail.example.com", "smtp.unix-socket=/run/dovecot/lmtp",
			"smtp.servers.bulk.host=bulk.example.com" })
	void startsNothingWhenAServerIsConfigured(String property) {
		String[] keyValue = property.split("=", 2);
		MockEnvironment environment = new MockEnvironment().withProperty(keyValue[0], keyValue[1]);
		try (GenericApplicationContext context = new GenericApplicationContext()) {
			context.setEnvironment(environment);
			new EmbeddedMailServerInitializer().initialize(context);

			assertThat(environment.getPropertySources().contains(EmbeddedMailServerInitializer.PROPERTY_SOURCE))
				.isFalse();
			assertThat(context.getBeanFactory().containsSingleton(EmbeddedMailServerInitializer.BEAN_NAME)).isFalse();
		}
	}

	@Test
	void startsAServerOnLoopbackPointsSmtpAtItAndStopsItWithTheContext() throws IOException {
		MockEnvironment environment = new MockEnvironment().withProperty("smtp.host", " ");
		GenericApplicationContext context = new GenericApplicationContext();
		context.setEnvironment(environment);
		new EmbeddedMailServerInitializer().initialize(context);
		context.refresh();
		EmbeddedMailServer server = context.getBean(EmbeddedMailServer.class);

		assertThat(environment.getProperty("smtp.host")).isEqualTo("127.0.0.1");
		assertThat(environment.getProperty("smtp.port", Integer.class)).isEqualTo(server.smtpPort());
		assertThat(environment.getProperty("smtp.servers.secure.port", Integer.class)).isEqualTo(server.smtpsPort());
		assertThat(environment.getProperty("smtp.servers.secure.protocol")).isEqualTo("smtps");
		assertThat(environment.getProperty("spring.ssl.bundle.pem.embedded-smtps.truststore.certificate"))
			.isEqualTo(server.certificatePem().toUri().toString());
		assertThat(server.certificatePem()).content().startsWith("-----BEGIN CERTIFICATE-----");
		assertThat(greeting(server.smtpPort())).startsWith("220 ");

		context.close();

		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThatExceptionOfType(ConnectException.class)
				.isThrownBy(() -> greeting(server.smtpPort())));
	}

	private static String greeting(int port) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
			socket.setSoTimeout(5000);
			return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
				.readLine();
		}
	}

}
