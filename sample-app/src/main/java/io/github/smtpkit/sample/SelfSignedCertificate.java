package io.github.smtpkit.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed server certificate for the embedded server, made at start-up: an EC P-256 key and
 * a certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1}, valid from yesterday for
 * 30 days. The server presents it from a PKCS12 key store; the client trusts exactly this
 * certificate, from a PEM file, through a Spring Boot SSL bundle, and verifies the host name
 * against it as it would against any real server.
 *
 * <p>BouncyCastle only builds the certificate; TLS runs on the JDK's own providers.
 */
final class SelfSignedCertificate {

	/** The alias of the key entry in the key store. */
	static final String ALIAS = "embedded-smtp";

	private final KeyPair keys;

	private final X509Certificate certificate;

	private SelfSignedCertificate(KeyPair keys, X509Certificate certificate) {
		this.keys = keys;
		this.certificate = certificate;
	}

	static SelfSignedCertificate generate() {
		try {
			SecureRandom random = new SecureRandom();
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"), random);
			KeyPair keys = generator.generateKeyPair();
			Instant now = Instant.now();
			X500Name name = new X500Name("CN=localhost, O=smtpkit sample (embedded server)");
			X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
					new BigInteger(127, random).add(BigInteger.ONE), Date.from(now.minus(Duration.ofDays(1))),
					Date.from(now.plus(Duration.ofDays(30))), name, keys.getPublic());
			builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
			builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
			builder.addExtension(Extension.extendedKeyUsage, false,
					new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
			builder.addExtension(Extension.subjectAlternativeName, false,
					new GeneralNames(new GeneralName[] { new GeneralName(GeneralName.dNSName, "localhost"),
							new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
							new GeneralName(GeneralName.iPAddress, "::1") }));
			X509Certificate certificate = new JcaX509CertificateConverter()
				.getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
			return new SelfSignedCertificate(keys, certificate);
		}
		catch (GeneralSecurityException | IOException | OperatorCreationException ex) {
			throw new IllegalStateException("Cannot generate the embedded server's certificate", ex);
		}
	}

	X509Certificate certificate() {
		return this.certificate;
	}

	/** Writes the key and certificate as a PKCS12 key store, store and key protected by {@code password}. */
	void writeKeyStore(Path file, char[] password) {
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			store.setKeyEntry(ALIAS, this.keys.getPrivate(), password, new Certificate[] { this.certificate });
			try (OutputStream out = Files.newOutputStream(file)) {
				store.store(out, password);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot write the embedded server's key store", ex);
		}
	}

	/** Writes the certificate (not the key) as PEM. */
	void writeCertificatePem(Path file) {
		try {
			Base64.Encoder encoder = Base64.getMimeEncoder(64, new byte[] { '\n' });
			Files.writeString(file, "-----BEGIN CERTIFICATE-----\n" + encoder.encodeToString(this.certificate.getEncoded())
					+ "\n-----END CERTIFICATE-----\n", StandardCharsets.US_ASCII);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
