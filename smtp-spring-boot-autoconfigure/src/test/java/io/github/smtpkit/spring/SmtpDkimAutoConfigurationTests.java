package io.github.smtpkit.spring;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

import io.github.smtpkit.testing.Dkimpy;
import io.github.smtpkit.testing.TestCertificates;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ContextConsumer;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code smtp.dkim.*}: the mail sender signs every message with the key from a PEM file or an SSL
 * bundle, RSA (rsa-sha256) or Ed25519 (ed25519-sha256) as the key is, and dkimpy verifies what the
 * server received; a configuration that cannot sign fails start-up naming the property.
 */
class SmtpDkimAutoConfigurationTests {

	private static final char[] KEY_STORE_PASSWORD = "changeit".toCharArray();

	private static KeyPair keys;

	private static KeyPair edKeys;

	@TempDir
	Path dir;

	private FakeSmtpServer server;

	private ApplicationContextRunner contextRunner;

	@BeforeAll
	static void makeKeys() throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		keys = generator.generateKeyPair();
		edKeys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
	}

	@BeforeEach
	void startServer() {
		this.server = FakeSmtpServer.refusing((line) -> false);
		this.contextRunner = new ApplicationContextRunner().withConfiguration(SmtpkitAutoConfigurations.all())
			.withPropertyValues("smtp.host=127.0.0.1", "smtp.port=" + this.server.port(), "smtp.starttls=none",
					"smtp.connect-timeout=2s", "smtp.timeout=5s");
	}

	@AfterEach
	void stopServer() throws IOException {
		this.server.close();
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "rsa-sha256", "ed25519-sha256" })
	void theMailSenderSignsWithTheKeyOfAPemFile(String algorithm) throws Exception {
		KeyPair pair = algorithm.equals("rsa-sha256") ? keys : edKeys;
		this.contextRunner
			.withPropertyValues("smtp.dkim.domain=example.test", "smtp.dkim.selector=mail",
					"smtp.dkim.private-key=" + pemFile(pair.getPrivate()).toUri())
			.run((context) -> assertSignsAndDkimpyVerifies(context, algorithm, pair));
	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "rsa-sha256", "ed25519-sha256" })
	void theMailSenderSignsWithTheKeyOfAPemSslBundle(String algorithm) throws Exception {
		KeyPair pair = algorithm.equals("rsa-sha256") ? keys : edKeys;
		Path certificate = TestCertificates.writePem(this.dir, "dkim-cert.pem", selfSigned(pair));
		this.contextRunner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withPropertyValues("spring.ssl.bundle.pem.dkim.keystore.certificate=" + certificate.toUri(),
					"spring.ssl.bundle.pem.dkim.keystore.private-key=" + pemFile(pair.getPrivate()).toUri(),
					"smtp.dkim.domain=example.test", "smtp.dkim.selector=mail", "smtp.dkim.key-bundle=dkim")
			.run((context) -> assertSignsAndDkimpyVerifies(context, algorithm, pair));
	}

	private void assertSignsAndDkimpyVerifies(AssertableApplicationContext context, String algorithm, KeyPair pair)
			throws Exception {
		assertThat(context).hasNotFailed();
		SimpleMailMessage message = new SimpleMailMessage();
		message.setFrom("app@example.test");
		message.setTo("user@example.test");
		message.setSubject("signed by smtp.dkim.*");
		message.setText("Hello.");

		context.getBean(JavaMailSender.class).send(message);

		String received = this.server.messages().get(0);
		assertThat(received).startsWith("DKIM-Signature: v=1; a=" + algorithm + ";")
			.contains("d=example.test", "s=mail");
		assertThat(new Dkimpy(this.dir, pair.getPublic(), "mail", "example.test")
			.verify(received.getBytes(StandardCharsets.ISO_8859_1))).isEqualTo("verified");
	}

	@Test
	void aKeyStoreWithSeveralKeysSignsWithTheBundlesKeyAliasAndWithoutOneFailsStartUp() throws Exception {
		KeyStore store = KeyStore.getInstance("PKCS12");
		store.load(null, null);
		store.setKeyEntry("rsa", keys.getPrivate(), KEY_STORE_PASSWORD, new Certificate[] { selfSigned(keys) });
		store.setKeyEntry("ed", edKeys.getPrivate(), KEY_STORE_PASSWORD, new Certificate[] { selfSigned(edKeys) });
		Path keyStore = this.dir.resolve("dkim.p12");
		try (OutputStream out = Files.newOutputStream(keyStore)) {
			store.store(out, KEY_STORE_PASSWORD);
		}
		ApplicationContextRunner bundled = this.contextRunner
			.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withPropertyValues("spring.ssl.bundle.jks.dkim.keystore.location=" + keyStore.toUri(),
					"spring.ssl.bundle.jks.dkim.keystore.password=changeit",
					"spring.ssl.bundle.jks.dkim.keystore.type=PKCS12", "smtp.dkim.domain=example.test",
					"smtp.dkim.selector=mail", "smtp.dkim.key-bundle=dkim");

		bundled.withPropertyValues("spring.ssl.bundle.jks.dkim.key.alias=ed")
			.run((context) -> assertSignsAndDkimpyVerifies(context, "ed25519-sha256", edKeys));
		bundled.run(failsOn("smtp.dkim.key-bundle", "holds several keys: name the one to sign with"));
	}

	@Test
	void theKeyOfAnSslBundleMustBeRsaOrEd25519() throws Exception {
		// The test CA's server key is an EC key: read from the bundle, and refused.
		Path keyStore = TestCertificates.writeServerKeyStore(this.dir, KEY_STORE_PASSWORD);
		this.contextRunner.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class))
			.withPropertyValues("spring.ssl.bundle.jks.signing.keystore.location=" + keyStore.toUri(),
					"spring.ssl.bundle.jks.signing.keystore.password=changeit",
					"spring.ssl.bundle.jks.signing.keystore.type=PKCS12", "smtp.dkim.domain=example.test",
					"smtp.dkim.selector=mail", "smtp.dkim.key-bundle=signing")
			.run(failsOn("smtp.dkim.domain",
					"RSA (rsa-sha256) or Ed25519 (ed25519-sha256) private key, but the key's algorithm is EC"));
	}

	@Test
	void aDomainWithoutSelectorOrWithTwoKeysOrAnUnreadableOneFailsStartUp() throws Exception {
		String pem = pemFile(keys.getPrivate()).toUri().toString();
		this.contextRunner.withPropertyValues("smtp.dkim.domain=example.test", "smtp.dkim.private-key=" + pem)
			.run(failsOn("smtp.dkim.selector", "A DKIM selector must be set"));
		this.contextRunner
			.withPropertyValues("smtp.dkim.domain=example.test", "smtp.dkim.selector=mail",
					"smtp.dkim.private-key=" + pem, "smtp.dkim.key-bundle=signing")
			.run(failsOn("smtp.dkim.private-key", "not both and not neither"));
		this.contextRunner
			.withPropertyValues("smtp.dkim.domain=example.test", "smtp.dkim.selector=mail",
					"smtp.dkim.private-key=" + this.dir.resolve("missing.pem").toUri())
			.run(failsOn("smtp.dkim.private-key", "Cannot read a DKIM private key there"));
	}

	private Path pemFile(PrivateKey key) throws IOException {
		String base64 = Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(key.getEncoded());
		return Files.writeString(this.dir.resolve("dkim.pem"),
				"-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n");
	}

	/** A certificate for the key pair, which a PEM SSL bundle's key store needs beside the key. */
	private static X509Certificate selfSigned(KeyPair pair) throws Exception {
		X500Name name = new X500Name("CN=dkim.example.test");
		Instant now = Instant.now();
		JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
				Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name,
				pair.getPublic());
		String signature = pair.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "Ed25519";
		return new JcaX509CertificateConverter()
			.getCertificate(builder.build(new JcaContentSignerBuilder(signature).build(pair.getPrivate())));
	}

	private static ContextConsumer<AssertableApplicationContext> failsOn(String property, String messagePart) {
		return (context) -> assertThat(NestedExceptionUtils.getMostSpecificCause(context.getStartupFailure()))
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.hasMessageContaining(messagePart)
			.satisfies((ex) -> assertThat(((InvalidConfigurationPropertyValueException) ex).getName())
				.isEqualTo(property));
	}

}
