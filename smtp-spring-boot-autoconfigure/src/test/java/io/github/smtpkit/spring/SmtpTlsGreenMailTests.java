package io.github.smtpkit.spring;

import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.ssl.SSLHandshakeException;

import com.icegreen.greenmail.util.DummySSLServerSocketFactory;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.smtpkit.spring.event.SmtpTlsEvent;
import io.github.smtpkit.testing.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.MailSendException;
import org.springframework.mail.MailSender;
import org.springframework.mail.SimpleMailMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * TLS with Spring Boot SSL bundles, against GreenMail's SMTPS server (GreenMail 2.1.8 has no
 * STARTTLS) presenting a certificate from a private test CA: the bundle's trust material and
 * protocols are used, the host name is verified, and a renewed bundle applies to new connections.
 *
 * <p>GreenMail reads its key store from the {@code greenmail.tls.keystore.*} system properties
 * once per JVM, when its first TLS server starts; no other test class here starts one.
 */
class SmtpTlsGreenMailTests {

	private static final char[] KEY_STORE_PASSWORD = "greenmail-spring-tests".toCharArray();

	private static final Map<String, String> previousProperties = new LinkedHashMap<>();

	@TempDir
	static Path keyStoreDir;

	@TempDir
	Path pemDir;

	private GreenMail greenMail;

	@BeforeAll
	static void useTheTestCertificateForGreenMail() throws Exception {
		Path keyStore = TestCertificates.writeServerKeyStore(keyStoreDir, KEY_STORE_PASSWORD);
		setSystemProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_FILE_PROPERTY, keyStore.toString());
		setSystemProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_PASSWORD_PROPERTY,
				new String(KEY_STORE_PASSWORD));
		setSystemProperty(DummySSLServerSocketFactory.GREENMAIL_KEY_PASSWORD_PROPERTY, new String(KEY_STORE_PASSWORD));
		KeyStore loaded = ((DummySSLServerSocketFactory) DummySSLServerSocketFactory.getDefault()).getKeyStore();
		Certificate[] chain = loaded.getCertificateChain(TestCertificates.SERVER_ALIAS);
		assertThat(chain).as("GreenMail loaded its key store before these tests could set it").isNotNull();
		assertThat(chain[chain.length - 1]).isEqualTo(TestCertificates.caCertificate());
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

	private static void setSystemProperty(String name, String value) {
		previousProperties.put(name, System.getProperty(name));
		System.setProperty(name, value);
	}

	@BeforeEach
	void startGreenMail() {
		this.greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS).dynamicPort());
		this.greenMail.start();
	}

	@AfterEach
	void stopGreenMail() {
		this.greenMail.stop();
	}

	private ApplicationContextRunner contextRunner() {
		return new ApplicationContextRunner().withConfiguration(SmtpkitAutoConfigurations.all())
			.withUserConfiguration(TlsEvents.class)
			.withPropertyValues("smtp.host=" + TestCertificates.SERVER_DNS_NAME,
					"smtp.port=" + this.greenMail.getSmtps().getPort(),
					"smtp.protocol=smtps", "smtp.ssl.bundle=mail", "smtp.connect-timeout=2s", "smtp.timeout=5s");
	}

	@Test
	void sendsOverSmtpsTrustingTheBundlesAuthorityWithItsProtocols() {
		Path ca = TestCertificates.writePem(this.pemDir, "ca.pem", TestCertificates.caCertificate());
		contextRunner().withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withPropertyValues("spring.ssl.bundle.pem.mail.truststore.certificate=" + ca.toUri(),
					"spring.ssl.bundle.pem.mail.options.enabled-protocols=TLSv1.2")
			.run((context) -> {
				context.getBean(MailSender.class).send(message());

				assertThat(this.greenMail.waitForIncomingEmail(5000, 1)).isTrue();
				assertThat(this.greenMail.getReceivedMessages()[0].getSubject()).isEqualTo("Over TLS");
				assertThat(context.getBean(TlsEvents.class).events).singleElement()
					.satisfies((event) -> assertThat(event.getProtocol()).isEqualTo("TLSv1.2"));
			});
	}

	@Test
	void refusesAServerItsBundleDoesNotTrust() {
		Path otherCa = TestCertificates.writePem(this.pemDir, "other-ca.pem", TestCertificates.otherCaCertificate());
		contextRunner().withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withPropertyValues("spring.ssl.bundle.pem.mail.truststore.certificate=" + otherCa.toUri())
			.run((context) -> {
				assertThatExceptionOfType(MailSendException.class)
					.isThrownBy(() -> context.getBean(MailSender.class).send(message()))
					.satisfies((ex) -> {
						assertThat(ex.getMessageExceptions()).singleElement().isInstanceOf(SSLHandshakeException.class);
						// Implicit TLS: no STARTTLS to turn off, only trust to add.
						assertThat(ex.getMessage()).contains("set smtp.ssl.bundle to an SSL bundle that trusts its issuer")
							.doesNotContain("starttls");
					});
				assertThat(this.greenMail.getReceivedMessages()).isEmpty();
			});
	}

	@Test
	void verifiesTheHostNameUnlessToldNotTo() {
		Path ca = TestCertificates.writePem(this.pemDir, "ca.pem", TestCertificates.caCertificate());
		// The certificate names localhost, 127.0.0.1 and ::1; 127.0.0.2 is loopback too, but unnamed.
		GreenMail unnamed = new GreenMail(new ServerSetup(0, "127.0.0.2", ServerSetup.PROTOCOL_SMTPS).dynamicPort());
		unnamed.start();
		try {
			ApplicationContextRunner byUnnamedAddress = contextRunner()
				.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
				.withPropertyValues("smtp.host=127.0.0.2", "smtp.port=" + unnamed.getSmtps().getPort(),
						"spring.ssl.bundle.pem.mail.truststore.certificate=" + ca.toUri());
			byUnnamedAddress.run((context) -> assertThatExceptionOfType(MailSendException.class)
				.isThrownBy(() -> context.getBean(MailSender.class).send(message()))
				.satisfies((ex) -> {
					assertThat(ex.getMessageExceptions()).singleElement().isInstanceOf(SSLHandshakeException.class);
					assertThat(ex.getMessage()).contains("or set smtp.ssl.verify-hostname=false");
				}));
			byUnnamedAddress.withPropertyValues("smtp.ssl.verify-hostname=false")
				.run((context) -> context.getBean(MailSender.class).send(message()));
			assertThat(unnamed.waitForIncomingEmail(5000, 1)).isTrue();
		}
		finally {
			unnamed.stop();
		}
	}

	@Test
	void aRenewedBundleIsUsedForNewConnections() {
		DefaultSslBundleRegistry bundles = new DefaultSslBundleRegistry("mail",
				trusting(TestCertificates.otherCaCertificate()));
		contextRunner().withBean(DefaultSslBundleRegistry.class, () -> bundles)
			.withPropertyValues("smtp.pool.max-idle=0")
			.run((context) -> {
				MailSender mailSender = context.getBean(MailSender.class);
				assertThatExceptionOfType(MailSendException.class).isThrownBy(() -> mailSender.send(message()));

				bundles.updateBundle("mail", trusting(TestCertificates.caCertificate()));
				mailSender.send(message());
				assertThat(this.greenMail.waitForIncomingEmail(5000, 1)).isTrue();
			});
	}

	private static SslBundle trusting(X509Certificate ca) {
		return SslBundle.of(SslStoreBundle.of(null, null, TestCertificates.trustStore(ca)));
	}

	private static SimpleMailMessage message() {
		SimpleMailMessage message = new SimpleMailMessage();
		message.setFrom("app@example.test");
		message.setTo("you@example.test");
		message.setSubject("Over TLS");
		message.setText("Encrypted from the first byte.");
		return message;
	}

	@Configuration(proxyBeanMethods = false)
	static class TlsEvents implements ApplicationListener<SmtpTlsEvent> {

		final List<SmtpTlsEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(SmtpTlsEvent event) {
			this.events.add(event);
		}

	}

}
