package io.github.smtpkit.spring;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Path;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpImplicitTlsPortException;
import io.github.smtpkit.SmtpNotSupportedException;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpTlsCertificateException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A failed {@code smtp.test-connection} ends start-up with Spring Boot's failure analysis (the
 * server, where it is, what failed, what to set), not with a stack trace.
 */
@ExtendWith(OutputCaptureExtension.class)
class SmtpTestConnectionFailureAnalyzerTests {

	private static final SmtpEndpoint ENDPOINT = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 587);

	private final SmtpTestConnectionFailureAnalyzer analyzer = new SmtpTestConnectionFailureAnalyzer();

	@Test
	void aRefusedConnectionIsAnalysedWithoutAStackTrace(CapturedOutput output) throws IOException {
		int closedPort = closedPort();
		assertThatExceptionOfType(BeanCreationException.class).isThrownBy(() -> application()
			.run("--smtp.host=127.0.0.1", "--smtp.port=" + closedPort, "--smtp.test-connection=true")
			.close()).withRootCauseInstanceOf(ConnectException.class);

		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("SMTP server 'default' at 127.0.0.1:" + closedPort + " (smtp) failed the start-up check that "
					+ "smtp.test-connection=true asks for (NOOP through its pool): nothing accepted the connection.")
			.contains("Connection refused")
			.contains("Check that the server runs and listens at 127.0.0.1:" + closedPort + ", and smtp.host and "
					+ "smtp.port")
			.contains("To start without checking the server, set smtp.test-connection=false")
			.doesNotContain("Application run failed")
			.doesNotContainPattern("\\n\\s+at [a-z]+\\.[a-z]+\\.");
	}

	@Test
	void aNamedServerIsNamedWithItsOwnProperties(CapturedOutput output) throws IOException {
		int closedPort = closedPort();
		assertThatExceptionOfType(BeanCreationException.class).isThrownBy(() -> application()
			.run("--smtp.servers.bulk.host=127.0.0.1", "--smtp.servers.bulk.port=" + closedPort,
					"--smtp.servers.bulk.test-connection=true")
			.close());

		assertThat(output).contains("SMTP server 'bulk' at 127.0.0.1:" + closedPort + " (smtp) failed the start-up check "
				+ "that smtp.servers.bulk.test-connection=true asks for")
			.contains("smtp.servers.bulk.host and smtp.servers.bulk.port")
			.contains("set smtp.servers.bulk.test-connection=false");
	}

	@Test
	void refusedCredentialsNameTheUsernameAndPassword(CapturedOutput output) throws IOException {
		try (FakeSmtpServer server = FakeSmtpServer.refusingCredentials()) {
			assertThatExceptionOfType(BeanCreationException.class).isThrownBy(() -> application()
				.run("--smtp.host=127.0.0.1", "--smtp.port=" + server.port(), "--smtp.username=app",
						"--smtp.password=wrong-s3cret", "--smtp.test-connection=true")
				.close());
		}

		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("failed the start-up check that smtp.test-connection=true asks for (NOOP through its pool): "
					+ "it refused the login: 535 5.7.8 authentication failed")
			.contains("Check smtp.username and smtp.password, and smtp.auth.mechanisms if it is set")
			.contains("smtp.auth.oauth2.token-supplier or smtp.auth.oauth2.registration-id")
			.doesNotContain("wrong-s3cret");
	}

	@Test
	void aSilentServerTimesOut(CapturedOutput output) throws IOException {
		try (FakeSmtpServer server = FakeSmtpServer.silent()) {
			assertThatExceptionOfType(BeanCreationException.class).isThrownBy(() -> application()
				.run("--smtp.host=127.0.0.1", "--smtp.port=" + server.port(), "--smtp.connect-timeout=200ms",
						"--smtp.timeout=200ms", "--smtp.test-connection=true")
				.close());
		}

		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("failed the start-up check that smtp.test-connection=true asks for (NOOP through its pool): "
					+ "it did not answer in time.")
			.contains("for a slow server raise smtp.connect-timeout or smtp.timeout");
	}

	@Test
	void anUnknownHostNamesTheHostProperty() {
		FailureAnalysis analysis = analyze(new UnknownHostException("Unknown host mail.example.test"));

		assertThat(analysis.getDescription()).isEqualTo("SMTP server 'default' at mail.example.test:587 (smtp) failed "
				+ "the start-up check that smtp.test-connection=true asks for (NOOP through its pool): the host name is "
				+ "unknown. Unknown host mail.example.test");
		assertThat(analysis.getAction()).startsWith("Check the spelling of smtp.host, and that this machine can "
				+ "resolve it (DNS).")
			.endsWith("To start without checking the server, set smtp.test-connection=false: mail to it then fails "
					+ "when it is sent, not at start-up.");
	}

	@Test
	void port465WithoutTlsNamesTheProtocol() {
		FailureAnalysis analysis = analyze(new SmtpImplicitTlsPortException("No greeting", null));

		assertThat(analysis.getDescription()).contains("where servers expect a TLS handshake first");
		assertThat(analysis.getAction()).startsWith("Set smtp.protocol=smtps, or leave it unset");
	}

	@Test
	void aRefusedCertificateNamesTheSslBundleOrHostNameVerification() {
		FailureAnalysis untrusted = analyze(new SmtpTlsCertificateException("PKIX path building failed",
				SmtpTlsCertificateException.Problem.UNTRUSTED, true, null));
		assertThat(untrusted.getDescription()).contains("its TLS certificate was refused: it is not issued by an "
				+ "authority this application trusts");
		assertThat(untrusted.getAction()).contains("smtp.ssl.bundle=mail").contains("smtp.starttls=none");

		FailureAnalysis mismatch = analyze(new SmtpTlsCertificateException("No name matching",
				SmtpTlsCertificateException.Problem.HOSTNAME_MISMATCH, false, null));
		assertThat(mismatch.getDescription()).contains("it does not name mail.example.test");
		assertThat(mismatch.getAction()).contains("smtp.ssl.verify-hostname=false").doesNotContain("starttls");
	}

	@Test
	void aMissingStarttlsNamesTheStarttlsAndProtocolProperties() {
		FailureAnalysis analysis = analyze(new SmtpNotSupportedException("STARTTLS extension not supported by server."));

		assertThat(analysis.getDescription()).contains("it does not offer STARTTLS, which smtp.starttls=required "
				+ "demands");
		assertThat(analysis.getAction()).contains("smtp.protocol=smtps").contains("smtp.starttls=opportunistic");
	}

	@Test
	void credentialsRefusedInClearTextNameTheWaysOut() {
		FailureAnalysis analysis = analyze(new SmtpException("Refusing to send credentials in clear text to "
				+ "mail.example.test:587: call starttls() first"));

		assertThat(analysis.getAction()).contains("smtp.starttls=required")
			.contains("smtp.protocol=smtps")
			.contains("smtp.auth.allow-cleartext=true");
	}

	@Test
	void aUnixSocketNamesTheSocketProperty() {
		SmtpEndpoint socket = SmtpEndpoint.unix(SmtpProtocol.LMTP, Path.of("/run/dovecot/lmtp"));
		FailureAnalysis analysis = this.analyzer.analyze(new SmtpTestConnectionException("local", socket,
				new ConnectException("Could not connect to unix:/run/dovecot/lmtp")));

		assertThat(analysis.getDescription()).startsWith("SMTP server 'local' at unix:/run/dovecot/lmtp (lmtp)");
		assertThat(analysis.getAction()).startsWith("Check smtp.servers.local.unix-socket, that the server listens "
				+ "there");
	}

	@Test
	void anythingElseStillSaysWhatFailedAndWhatToCheck() {
		FailureAnalysis analysis = analyze(new IllegalStateException("Something new"));

		assertThat(analysis.getDescription()).endsWith("(NOOP through its pool): IllegalStateException: Something new");
		assertThat(analysis.getAction()).startsWith("Check smtp.host, smtp.port and smtp.protocol");
	}

	private FailureAnalysis analyze(Exception failure) {
		// As Spring Boot gets it: wrapped in the bean factory's exceptions.
		return this.analyzer.analyze(new BeanCreationException("smtpClient", "Failed",
				new SmtpTestConnectionException("default", ENDPOINT, failure)));
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static SpringApplicationBuilder application() {
		return new SpringApplicationBuilder(Application.class).web(WebApplicationType.NONE);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Application {

	}

}
