package io.github.smtpkit.interop;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import javax.net.ssl.SSLHandshakeException;

import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpAuthenticationException;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.Envelope;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpNotSupportedException;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpSession;
import io.github.smtpkit.TlsMode;
import io.github.smtpkit.auth.AuthMechanism;
import io.github.smtpkit.pool.PoolConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * STARTTLS on 2525 and implicit TLS on 4465 with the rig's self-signed certificate trusted
 * explicitly (and refused by the default, verifying context), then AUTH with each mechanism against
 * Postfix + Dovecot SASL. That the login was used is confirmed on the delivered copy: Postfix writes
 * {@code (Authenticated sender: ...)} and {@code with ESMTPSA} into its Received header.
 */
class TlsAndAuthInteropTests {

	private static final String CAROL = "carol@example.test";

	/** carol's password is not ASCII: credentials are UTF-8 (RFC 4616), as Dovecot expects. */
	private static final String CAROL_PASSWORD = "pässwörd-ü";

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	// ---------------------------------------------------------------- certificates

	@Test
	void starttlsWithTheRigsCertificateTrustedExplicitlyEncryptsTheConnection() throws Exception {
		Recorder events = new Recorder();
		try (SmtpSession smtp = smtp(InteropRig.SMTP_PORT, events).sslContext(InteropRig.trustingRigCertificate())
			.connect()) {
			SmtpReply reply = smtp.starttls();
			assertThat(reply.code()).isEqualTo(220);
			assertThat(smtp.isTls()).isTrue();
			assertThat(smtp.esmtpFeatures().isEmpty()).as("EHLO state forgotten after STARTTLS").isTrue();
			assertThat(smtp.noop().code()).isEqualTo(250);
		}
		assertThat(events.tls).singleElement().asString().startsWith("TLSv1.");
	}

	@Test
	void theDefaultVerifyingContextRefusesTheRigsSelfSignedCertificateWithAClearError() throws Exception {
		Recorder events = new Recorder();
		SmtpSession smtp = smtp(InteropRig.SMTP_PORT, events).connect();
		try {
			assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(smtp::starttls)
				.withMessageContaining("TLS handshake with")
				.withMessageContaining("127.0.0.1:2525")
				.withMessageContaining("PKIX path building failed");
			assertThat(smtp.isConnected()).as("connection closed after the failed handshake").isFalse();
			assertThat(events.tlsFailures).hasSize(1);
		}
		finally {
			smtp.disconnect();
		}
	}

	@Test
	void implicitTlsWithTheDefaultContextRefusesTheRigsCertificateWhenConnecting() throws Exception {
		assertThatExceptionOfType(SSLHandshakeException.class)
			.isThrownBy(() -> SmtpSession.smtps()
				.host(InteropRig.HOST)
				.port(InteropRig.SMTPS_PORT)
				.timeout(InteropRig.TIMEOUT)
				.connect())
			.withMessageContaining("127.0.0.1:4465")
			.withMessageContaining("PKIX path building failed");
	}

	@Test
	void postfixOffersNoAuthBeforeStarttlsOn2525SoLoginIsNotSupported() throws Exception {
		try (SmtpSession smtp = smtp(InteropRig.SMTP_PORT, new Recorder()).connect()) {
			assertThatExceptionOfType(SmtpNotSupportedException.class).isThrownBy(() -> smtp.login("alice", "alice-pw"))
				.withMessageContaining("AUTH");
			assertThat(smtp.noop().code()).isEqualTo(250);
		}
	}

	// ---------------------------------------------------------------- AUTH after STARTTLS

	static Stream<Arguments> mechanismsAndUsers() {
		Stream.Builder<Arguments> cases = Stream.builder();
		for (AuthMechanism mechanism : List.of(AuthMechanism.CRAM_MD5, AuthMechanism.PLAIN, AuthMechanism.LOGIN)) {
			for (boolean initialResponse : new boolean[] { true, false }) {
				cases.add(Arguments.of(mechanism.name(), "alice", "alice-pw", "alice@example.test", initialResponse));
				cases.add(Arguments.of(mechanism.name(), CAROL, CAROL_PASSWORD, CAROL, initialResponse));
			}
		}
		return cases.build();
	}

	@ParameterizedTest(name = "{0} as {1}, initial response {4}")
	@MethodSource("mechanismsAndUsers")
	void authWithEachMechanismAfterStarttlsLogsInAndPostfixRecordsTheAuthenticatedSender(String mechanismName,
			String user, String password, String address, boolean initialResponseOk) throws Exception {
		AuthMechanism mechanism = mechanism(mechanismName);
		Recorder events = new Recorder();
		String messageId = InteropRig.messageId("auth-" + mechanismName.toLowerCase(java.util.Locale.ROOT));
		try (SmtpSession smtp = smtp(InteropRig.SMTP_PORT, events).sslContext(InteropRig.trustingRigCertificate())
			.connect()) {
			smtp.starttls();
			smtp.ehlo();
			SmtpReply reply = smtp.auth(mechanism, user, password, initialResponseOk);
			assertThat(reply.code()).isEqualTo(235);
			assertThat(smtp.sendmail(address, List.of("bob@example.test"),
					InteropRig.message(address, "bob@example.test", messageId, "AUTH " + mechanismName)))
				.isEmpty();
		}
		assertThat(events.authSucceeded).containsExactly(mechanismName);
		assertThat(events.authCommands).singleElement().asString().startsWith("AUTH " + mechanismName);
		Maildir.Delivered delivered = InteropRig.maildir("bob").awaitMessage(messageId);
		assertThat(delivered.headers("Received"))
			.anySatisfy((received) -> assertThat(received).contains("(Authenticated sender: " + address + ")")
				.contains("with ESMTPSA"));
	}

	@Test
	void loginChoosesCramMd5FirstAndWorksWithCarolsUtf8Password() throws Exception {
		Recorder events = new Recorder();
		try (SmtpSession smtp = smtp(InteropRig.SMTP_PORT, events).sslContext(InteropRig.trustingRigCertificate())
			.connect()) {
			smtp.starttls();
			assertThat(smtp.login(CAROL, CAROL_PASSWORD).code()).isEqualTo(235);
		}
		assertThat(events.authSucceeded).containsExactly("CRAM-MD5");
	}

	@Test
	void aWrongPasswordIsAnAuthenticationErrorWith535AndTheSessionStaysUsable() throws Exception {
		Recorder events = new Recorder();
		try (SmtpSession smtp = smtp(InteropRig.SMTP_PORT, events).sslContext(InteropRig.trustingRigCertificate())
			.connect()) {
			smtp.starttls();
			smtp.ehlo();
			assertThatExceptionOfType(SmtpAuthenticationException.class)
				.isThrownBy(() -> smtp.auth(AuthMechanism.PLAIN, "alice", "not-alice-pw"))
				.satisfies((ex) -> assertThat(ex.smtpCode()).isEqualTo(535))
				.satisfies((ex) -> assertThat(ex.smtpError()).startsWith("5.7.8"))
				.satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain("not-alice-pw"));
			assertThat(smtp.noop().code()).isEqualTo(250);
			// Every mechanism refused: login() reports the last refusal.
			assertThatExceptionOfType(SmtpAuthenticationException.class)
				.isThrownBy(() -> smtp.login("alice", "not-alice-pw"))
				.satisfies((ex) -> assertThat(ex.smtpCode()).isEqualTo(535));
			assertThat(smtp.auth(AuthMechanism.PLAIN, "alice", "alice-pw").code()).isEqualTo(235);
		}
		assertThat(events.authFailed).containsExactly("PLAIN", "CRAM-MD5", "PLAIN", "LOGIN");
	}

	// ---------------------------------------------------------------- implicit TLS

	@Test
	void implicitTlsOn4465WithAuthDeliversAsTheAuthenticatedSender() throws Exception {
		String messageId = InteropRig.messageId("smtps");
		try (SmtpSession smtp = SmtpSession.smtps()
			.host(InteropRig.HOST)
			.port(InteropRig.SMTPS_PORT)
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.sslContext(InteropRig.trustingRigCertificate())
			.connect()) {
			assertThat(smtp.isTls()).isTrue();
			assertThat(smtp.login("alice", "alice-pw").code()).isEqualTo(235);
			assertThat(smtp.sendmail("alice@example.test", List.of("bob@example.test"),
					InteropRig.message("alice@example.test", "bob@example.test", messageId, "implicit TLS")))
				.isEmpty();
		}
		Maildir.Delivered delivered = InteropRig.maildir("bob").awaitMessage(messageId);
		assertThat(delivered.headers("Received"))
			.anySatisfy((received) -> assertThat(received).contains("(Authenticated sender: alice@example.test)")
				.contains("with ESMTPSA"));
	}

	@Test
	void smtpClientWithImplicitTlsAndCredentialsDelivers() throws Exception {
		String messageId = InteropRig.messageId("client-smtps");
		try (SmtpClient client = SmtpClient.builder()
			.protocol(SmtpProtocol.SMTPS)
			.host(InteropRig.HOST)
			.port(InteropRig.SMTPS_PORT)
			.sslContext(InteropRig.trustingRigCertificate())
			.credentials(CAROL, CAROL_PASSWORD)
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.pool(PoolConfig.builder().maxTotal(1).maxWait(Duration.ofSeconds(30)).build())
			.build()) {
			SendResult result = client.send(Envelope.of(CAROL, "bob@example.test"),
					InteropRig.message(CAROL, "bob@example.test", messageId, "client over implicit TLS"));
			assertThat(result.accepted()).containsExactly("bob@example.test");
			assertThat(result.finalReply().code()).isEqualTo(250);
		}
		Maildir.Delivered delivered = InteropRig.maildir("bob").awaitMessage(messageId);
		assertThat(delivered.headers("Received"))
			.anySatisfy((received) -> assertThat(received).contains("(Authenticated sender: " + CAROL + ")"));
	}

	@Test
	void smtpClientWithStarttlsRequiredAndCredentialsDelivers() throws Exception {
		String messageId = InteropRig.messageId("client-starttls");
		try (SmtpClient client = SmtpClient.builder()
			.host(InteropRig.HOST)
			.port(InteropRig.SMTP_PORT)
			.tls(TlsMode.STARTTLS_REQUIRED)
			.sslContext(InteropRig.trustingRigCertificate())
			.credentials("alice", "alice-pw")
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.build()) {
			SendResult result = client.send(Envelope.of("alice@example.test", "bob@example.test"),
					InteropRig.message("alice@example.test", "bob@example.test", messageId, "client STARTTLS"));
			assertThat(result.isFullyAccepted()).isTrue();
		}
		Maildir.Delivered delivered = InteropRig.maildir("bob").awaitMessage(messageId);
		assertThat(delivered.headers("Received"))
			.anySatisfy((received) -> assertThat(received).contains("(Authenticated sender: alice@example.test)")
				.contains("with ESMTPSA"));
	}

	// ---------------------------------------------------------------- helpers

	private static SmtpSession.Builder smtp(int port, Recorder events) {
		return SmtpSession.smtp()
			.host(InteropRig.HOST)
			.port(port)
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.eventListener(events);
	}

	private static AuthMechanism mechanism(String name) {
		return Stream.of(AuthMechanism.CRAM_MD5, AuthMechanism.PLAIN, AuthMechanism.LOGIN)
			.filter((mechanism) -> mechanism.name().equals(name))
			.findFirst()
			.orElseThrow();
	}

	/** Records TLS and AUTH events, and the AUTH command lines as listeners see them. */
	private static final class Recorder implements SmtpEventListener {

		final List<String> tls = new CopyOnWriteArrayList<>();

		final List<IOException> tlsFailures = new CopyOnWriteArrayList<>();

		final List<String> authSucceeded = new CopyOnWriteArrayList<>();

		final List<String> authFailed = new CopyOnWriteArrayList<>();

		final List<String> authCommands = new CopyOnWriteArrayList<>();

		@Override
		public void tlsEstablished(SmtpEndpoint endpoint, String protocol, String cipherSuite, Duration duration) {
			this.tls.add(protocol);
		}

		@Override
		public void tlsFailed(SmtpEndpoint endpoint, IOException failure) {
			this.tlsFailures.add(failure);
		}

		@Override
		public void authSucceeded(SmtpEndpoint endpoint, String mechanism) {
			this.authSucceeded.add(mechanism);
		}

		@Override
		public void authFailed(SmtpEndpoint endpoint, String mechanism, SmtpReply reply) {
			this.authFailed.add(mechanism);
		}

		@Override
		public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
			if (line.startsWith("AUTH ")) {
				this.authCommands.add(line);
			}
		}

	}

}
