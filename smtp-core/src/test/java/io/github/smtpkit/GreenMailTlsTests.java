package io.github.smtpkit;

import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLHandshakeException;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.DummySSLServerSocketFactory;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.smtpkit.testing.TestCertificates;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Implicit TLS ({@link SmtpSession#smtps()}) against GreenMail 2.1.8's SMTPS server presenting
 * the certificate of {@link TestCertificates} (signed by the test CA, for {@code localhost},
 * {@code 127.0.0.1} and {@code ::1}), verified the way production verifies: PKIX chain and host name.
 *
 * <p>GreenMail reads its TLS key from the key store named by the system properties
 * {@code greenmail.tls.keystore.file}, {@code greenmail.tls.keystore.password} and
 * {@code greenmail.tls.key.password} (defaulting to the store password); there is no
 * {@code ServerSetup} option. It loads that key store once per JVM, in a singleton, the first time
 * any GreenMail TLS server starts: {@link #useTheTestCertificateForGreenMail()} sets the properties
 * and then checks that the loaded key store really holds the test CA's chain, so that GreenMail's
 * built-in certificate can never be what these tests trust.
 *
 * <p>GreenMail 2.1.8 has no STARTTLS (neither the command nor the EHLO keyword), so the upgrade
 * itself cannot be tested against it; {@link #starttlsIsRefusedBeforeAnythingIsSentBecauseGreenMailDoesNotOfferIt()}
 * covers what our session does with a server that does not offer it.
 */
class GreenMailTlsTests {

	private static final char[] KEY_STORE_PASSWORD = "greenmail-test-store".toCharArray();

	private static final String[] KEY_STORE_PROPERTIES = {
			DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_FILE_PROPERTY,
			DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_PASSWORD_PROPERTY,
			DummySSLServerSocketFactory.GREENMAIL_KEY_PASSWORD_PROPERTY };

	private static final Map<String, String> previousProperties = new LinkedHashMap<>();

	private static final String CLIENT_NAME = "client.test";

	private static final String USER = "tls-user";

	private static final String PASSWORD = "tls-secret";

	@TempDir
	static Path keyStoreDir;

	private GreenMail greenMail;

	@BeforeAll
	static void useTheTestCertificateForGreenMail() throws Exception {
		Path keyStore = TestCertificates.writeServerKeyStore(keyStoreDir, KEY_STORE_PASSWORD);
		String[] values = { keyStore.toString(), new String(KEY_STORE_PASSWORD), new String(KEY_STORE_PASSWORD) };
		for (int i = 0; i < KEY_STORE_PROPERTIES.length; i++) {
			previousProperties.put(KEY_STORE_PROPERTIES[i], System.getProperty(KEY_STORE_PROPERTIES[i]));
			System.setProperty(KEY_STORE_PROPERTIES[i], values[i]);
		}
		// Loads the key store now unless an earlier test in this JVM made GreenMail load it already.
		KeyStore loaded = ((DummySSLServerSocketFactory) DummySSLServerSocketFactory.getDefault()).getKeyStore();
		Certificate[] chain = loaded.getCertificateChain(TestCertificates.SERVER_ALIAS);
		String loadedTooEarly = "GreenMail's TLS key store, which it loads once per JVM, does not hold the test CA's "
				+ "chain: some test started a GreenMail TLS server before setting the greenmail.tls.keystore.* "
				+ "system properties to a key store written by TestCertificates.writeServerKeyStore";
		assertThat(chain).as(loadedTooEarly).isNotNull().hasSizeGreaterThanOrEqualTo(2);
		assertThat(chain[chain.length - 1]).as(loadedTooEarly).isEqualTo(TestCertificates.caCertificate());
		assertThat(((X509Certificate) chain[0]).getSubjectX500Principal().getName()).contains("CN=localhost");
	}

	@AfterAll
	static void restoreSystemProperties() {
		previousProperties.forEach((name, value) -> {
			if (value != null) {
				System.setProperty(name, value);
			}
			else {
				System.clearProperty(name);
			}
		});
		previousProperties.clear();
	}

	@BeforeEach
	void startGreenMail() {
		this.greenMail = new GreenMail(new ServerSetup[] {
				new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP),
				new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS) });
		this.greenMail.withConfiguration(GreenMailConfiguration.aConfig().withUser("tls-user@example.org", USER,
				PASSWORD));
		this.greenMail.start();
	}

	@AfterEach
	void stopGreenMail() {
		this.greenMail.stop();
	}

	@ParameterizedTest
	@ValueSource(strings = { "localhost", "127.0.0.1" })
	void implicitTlsTrustingTheTestCaVerifiesTheCertificateAndDeliversMail(String host) throws Exception {
		RecordingListener listener = new RecordingListener();
		SmtpSession smtp = smtps(host).sslContext(TestCertificates.clientContextTrustingCa())
			.eventListener(listener)
			.build();
		try (smtp) {
			SmtpReply greeting = smtp.connect();
			assertThat(greeting.code()).isEqualTo(220);
			assertThat(greeting.message()).contains("GreenMail SMTP Service");
			assertThat(smtp.isTls()).isTrue();
			assertThat(smtp.protocol()).isEqualTo(SmtpProtocol.SMTPS);

			Map<String, SmtpReply> refused = smtp.sendmail("sender@example.org", "secure@example.org",
					"Subject: over TLS via " + host + "\r\n\r\nEncrypted all the way.\r\n");
			assertThat(refused).isEmpty();
		}

		assertThat(listener.events).first().asString().startsWith("tls TLSv1.");
		assertThat(this.greenMail.waitForIncomingEmail(5000, 1)).isTrue();
		MimeMessage received = single(messagesFor("secure@example.org"));
		assertThat(received.getSubject()).isEqualTo("over TLS via " + host);
		assertThat(received.getContent()).isEqualTo("Encrypted all the way.");
	}

	@Test
	void implicitTlsWithTheJdkDefaultTrustStoreFailsTheHandshakeNamingTheServer() throws Exception {
		RecordingListener listener = new RecordingListener();
		SmtpSession smtp = smtps("localhost").eventListener(listener).build();

		assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(smtp::connect)
			.withMessageStartingWith("TLS handshake with localhost:" + smtpsPort() + " failed: ")
			.withMessageContaining("PKIX path building failed");

		assertThat(smtp.isConnected()).isFalse();
		assertThat(listener.events).containsExactly("tls failed", "connect failed");
		assertThat(this.greenMail.getReceivedMessages()).isEmpty();
	}

	@Test
	void implicitTlsTrustingAnotherCaFailsTheHandshake() throws Exception {
		SmtpSession smtp = smtps("127.0.0.1").sslContext(TestCertificates.clientContextTrustingOtherCa()).build();

		assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(smtp::connect)
			.withMessageStartingWith("TLS handshake with 127.0.0.1:" + smtpsPort() + " failed: ");

		assertThat(smtp.isConnected()).isFalse();
		assertThat(this.greenMail.getReceivedMessages()).isEmpty();
	}

	@Test
	void loginOverImplicitTlsThenSend() throws Exception {
		RecordingListener listener = new RecordingListener();
		try (SmtpSession smtp = smtps("localhost").sslContext(TestCertificates.clientContextTrustingCa())
			.eventListener(listener)
			.connect()) {
			SmtpReply reply = smtp.login(USER, PASSWORD);
			assertThat(reply.code()).isEqualTo(235);
			assertThat(smtp.sendmail("tls-user@example.org", "friend@example.org",
					"Subject: authenticated over TLS\r\n\r\nHello.\r\n"))
				.isEmpty();
		}

		assertThat(listener.events).contains("auth PLAIN");
		assertThat(this.greenMail.waitForIncomingEmail(5000, 1)).isTrue();
		assertThat(single(messagesFor("friend@example.org")).getSubject()).isEqualTo("authenticated over TLS");
	}

	@Test
	void starttlsIsRefusedBeforeAnythingIsSentBecauseGreenMailDoesNotOfferIt() throws Exception {
		RecordingListener listener = new RecordingListener();
		try (SmtpSession smtp = SmtpSession.smtp()
			.host("127.0.0.1")
			.port(this.greenMail.getSmtp().getPort())
			.localHostname(CLIENT_NAME)
			.timeout(Duration.ofSeconds(10))
			.sslContext(TestCertificates.clientContextTrustingCa())
			.eventListener(listener)
			.connect()) {
			assertThatExceptionOfType(SmtpNotSupportedException.class).isThrownBy(smtp::starttls)
				.withMessage("STARTTLS extension not supported by server.");

			assertThat(smtp.isTls()).isFalse();
			assertThat(smtp.hasExtn("starttls")).isFalse();
			assertThat(smtp.noop().code()).isEqualTo(250);
		}
		assertThat(listener.events).containsExactly("command EHLO " + CLIENT_NAME, "command NOOP", "command QUIT");
	}

	// ---------------------------------------------------------------- helpers

	private SmtpSession.Builder smtps(String host) {
		return SmtpSession.smtps()
			.host(host)
			.port(smtpsPort())
			.localHostname(CLIENT_NAME)
			.timeout(Duration.ofSeconds(10));
	}

	private int smtpsPort() {
		return this.greenMail.getSmtps().getPort();
	}

	private List<MimeMessage> messagesFor(String email) {
		return this.greenMail.findReceivedMessages((user) -> user.getEmail().equalsIgnoreCase(email), (m) -> true)
			.toList();
	}

	private static MimeMessage single(List<MimeMessage> messages) {
		assertThat(messages).hasSize(1);
		return messages.get(0);
	}

	/** Records TLS, auth, command and failure events, in order. */
	private static final class RecordingListener implements SmtpEventListener {

		final List<String> events = new ArrayList<>();

		@Override
		public void tlsEstablished(SmtpEndpoint endpoint, String protocol, String cipherSuite, Duration duration) {
			this.events.add("tls " + protocol);
		}

		@Override
		public void tlsFailed(SmtpEndpoint endpoint, IOException failure) {
			this.events.add("tls failed");
		}

		@Override
		public void connectFailed(SmtpEndpoint endpoint, IOException failure, Duration duration) {
			this.events.add("connect failed");
		}

		@Override
		public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
			this.events.add("command " + line);
		}

		@Override
		public void authSucceeded(SmtpEndpoint endpoint, String mechanism) {
			this.events.add("auth " + mechanism);
		}

	}

}
