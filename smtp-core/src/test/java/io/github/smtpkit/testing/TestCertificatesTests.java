package io.github.smtpkit.testing;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link TestCertificates}: the generated chain is what the JDK's own PKIX validation
 * and host-name verification accept or refuse, over real TLS handshakes.
 */
@Timeout(20)
class TestCertificatesTests {

	private static final int DNS_NAME = 2;

	private static final int IP_ADDRESS = 7;

	@Test
	void caCertificateIsASelfSignedCaValidNowForTenDays() throws Exception {
		X509Certificate ca = TestCertificates.caCertificate();

		ca.checkValidity();
		ca.verify(ca.getPublicKey());
		assertThat(ca.getBasicConstraints()).isNotNegative();
		assertThat(ca.getSubjectX500Principal()).isEqualTo(ca.getIssuerX500Principal());
		assertThat(ca.getSigAlgName()).isEqualTo("SHA256withECDSA");
		Instant now = Instant.now();
		assertThat(ca.getNotBefore().toInstant()).isBetween(now.minus(Duration.ofDays(2)), now.minus(Duration.ofHours(23)));
		assertThat(ca.getNotAfter().toInstant()).isBetween(now.plus(Duration.ofDays(9)), now.plus(Duration.ofDays(11)));
	}

	@Test
	void materialIsGeneratedOncePerJvm() {
		assertThat(TestCertificates.caCertificate()).isSameAs(TestCertificates.caCertificate());
		// Contexts, by contrast, are fresh so tests never share TLS session caches.
		assertThat(TestCertificates.serverContext()).isNotSameAs(TestCertificates.serverContext());
	}

	@Test
	void serverKeyStoreHoldsTheLocalhostKeyAndChainUnderAliasServer() throws Exception {
		char[] password = "secret".toCharArray();
		KeyStore store = TestCertificates.serverKeyStore(password);

		assertThat(store.getType()).isEqualToIgnoringCase("PKCS12");
		assertThat(store.isKeyEntry("server")).isTrue();
		assertThat(store.getKey("server", password)).isInstanceOf(PrivateKey.class);
		Certificate[] chain = store.getCertificateChain("server");
		assertThat(chain).hasSize(2);
		X509Certificate server = (X509Certificate) chain[0];
		assertThat(chain[1]).isEqualTo(TestCertificates.caCertificate());
		server.verify(TestCertificates.caCertificate().getPublicKey());
		server.checkValidity();
		assertThat(server.getBasicConstraints()).isEqualTo(-1);
		assertThat(server.getSubjectX500Principal().getName()).contains("CN=localhost");
		assertThat(server.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
		assertThat(server.getSubjectAlternativeNames()).containsExactlyInAnyOrder(List.of(DNS_NAME, "localhost"),
				List.of(IP_ADDRESS, "127.0.0.1"), List.of(IP_ADDRESS, "0:0:0:0:0:0:0:1"));
	}

	@Test
	void writeServerKeyStoreWritesALoadablePkcs12File(@TempDir Path dir) throws Exception {
		char[] password = "changeit".toCharArray();
		Path file = TestCertificates.writeServerKeyStore(dir.resolve("tls"), password);

		assertThat(file).hasFileName("server.p12").isRegularFile();
		KeyStore loaded = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(file)) {
			loaded.load(in, password);
		}
		assertThat(loaded.getKey("server", password)).isInstanceOf(PrivateKey.class);
		assertThat(loaded.getCertificateChain("server")).hasSize(2);
	}

	@Test
	void writeCaPemWritesTheCaCertificate(@TempDir Path dir) throws Exception {
		Path file = TestCertificates.writeCaPem(dir);

		assertThat(file).hasFileName("ca.pem");
		assertThat(Files.readString(file)).startsWith("-----BEGIN CERTIFICATE-----\n")
			.endsWith("-----END CERTIFICATE-----\n");
		try (InputStream in = Files.newInputStream(file)) {
			Certificate parsed = CertificateFactory.getInstance("X.509").generateCertificate(in);
			assertThat(parsed).isEqualTo(TestCertificates.caCertificate());
		}
	}

	@Test
	void clientTrustingTheCaAcceptsTheServerWithHostNameVerification() throws Exception {
		// By name and by address: both are subject alternative names of the server certificate.
		assertThat(handshake(TestCertificates.serverContext(), TestCertificates.clientContextTrustingCa(), "localhost"))
			.isEqualTo(TestCertificates.caCertificate());
		assertThat(handshake(TestCertificates.serverContext(), TestCertificates.clientContextTrustingCa(), "127.0.0.1"))
			.isEqualTo(TestCertificates.caCertificate());
	}

	@Test
	void clientTrustingAnotherCaRefusesTheServer() {
		assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(() -> handshake(
				TestCertificates.serverContext(), TestCertificates.clientContextTrustingOtherCa(), "localhost"));
	}

	@Test
	void hostNameVerificationRefusesTheWrongHostnameCertificate() {
		assertThatExceptionOfType(SSLHandshakeException.class)
			.isThrownBy(() -> handshake(TestCertificates.serverContextWithWrongHostname(),
					TestCertificates.clientContextTrustingCa(), "localhost"))
			.withMessageContaining("localhost");
	}

	/**
	 * Connects to a one-shot TLS server on 127.0.0.1 presenting {@code serverContext}'s certificate,
	 * as a client that verifies the chain and the host name {@code host}, and returns the last
	 * certificate of the chain the server presented.
	 */
	private static Certificate handshake(SSLContext serverContext, SSLContext clientContext, String host)
			throws Exception {
		try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
			.createServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			listener.setSoTimeout(5000);
			CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
				try (SSLSocket accepted = (SSLSocket) listener.accept()) {
					accepted.setSoTimeout(5000);
					accepted.startHandshake();
					accepted.getOutputStream().write('!');
					accepted.getOutputStream().flush();
					// Wait for the client to close, so a refused handshake is seen on the client first.
					accepted.getInputStream().read();
				}
				catch (Exception ex) {
					// The refused cases fail here too; the client side is what the tests assert on.
				}
			});
			try (Socket plain = new Socket()) {
				plain.connect(new InetSocketAddress("127.0.0.1", listener.getLocalPort()), 5000);
				plain.setSoTimeout(5000);
				try (SSLSocket client = (SSLSocket) clientContext.getSocketFactory()
					.createSocket(plain, host, listener.getLocalPort(), true)) {
					SSLParameters parameters = client.getSSLParameters();
					parameters.setEndpointIdentificationAlgorithm("HTTPS");
					client.setSSLParameters(parameters);
					client.startHandshake();
					assertThat(client.getInputStream().read()).isEqualTo('!');
					Certificate[] chain = client.getSession().getPeerCertificates();
					return chain[chain.length - 1];
				}
			}
			finally {
				server.get(5, TimeUnit.SECONDS);
			}
		}
	}

}
