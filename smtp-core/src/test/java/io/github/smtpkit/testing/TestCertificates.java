package io.github.smtpkit.testing;

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
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

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
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates and TLS contexts for tests that need <em>real</em> TLS.
 * <p>
 * The client under test must be exercised the way production uses it: the JDK's normal PKIX
 * chain validation and, where the client asks for it, host-name verification. A "trust all"
 * trust manager would hide exactly the bugs these tests exist to catch (a client that forgets
 * host-name verification, or that does not pass the server name to the TLS layer), so this class
 * generates a small private PKI instead:
 * <ul>
 * <li>a self-signed test CA;</li>
 * <li>a server certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1} signed by that CA;</li>
 * <li>a server certificate whose only name is {@code mx.wrong.test}, also signed by that CA, so a
 * test can show host-name verification refusing a certificate whose chain is otherwise fine;</li>
 * <li>a second, unrelated CA, so a test can show a client that trusts only that CA refusing the
 * server's chain.</li>
 * </ul>
 * Keys are EC P-256 (fast to generate), signatures SHA256withECDSA, validity from yesterday
 * (tolerates clock skew) to ten days ahead. The material is generated once per JVM, lazily, on
 * first use, and cached; every method that returns an {@link SSLContext} returns a fresh context
 * (so TLS session caches are never shared between tests) built from that cached material, with
 * the JDK's default protocols (TLSv1.3 and TLSv1.2).
 * <p>
 * BouncyCastle is used only to <em>build</em> the certificates; everything this class returns is
 * a JDK type, and the BouncyCastle provider is never registered, so TLS itself runs on the JDK's
 * own providers exactly as in production.
 */
public final class TestCertificates {

	/** The alias of the server's key entry in {@link #serverKeyStore(char[])}. */
	public static final String SERVER_ALIAS = "server";

	/**
	 * The DNS name in the good server certificate (its CN and first subject alternative name; the
	 * certificate also names the IP addresses {@code 127.0.0.1} and {@code ::1}).
	 */
	public static final String SERVER_DNS_NAME = "localhost";

	/** The only name in the certificate returned by {@link #serverContextWithWrongHostname()}. */
	public static final String WRONG_DNS_NAME = "mx.wrong.test";

	private TestCertificates() {
	}

	/**
	 * A server-side context presenting the {@code localhost} certificate and its chain (server
	 * certificate, then CA certificate). Why: a fake server that a client with normal JDK
	 * verification (see {@link #clientContextTrustingCa()}) accepts, including host-name
	 * verification for {@code localhost}, {@code 127.0.0.1} and {@code ::1}.
	 * @return a new, initialised context
	 */
	public static SSLContext serverContext() {
		Material m = Holder.MATERIAL;
		return keyManagerContext(m.serverKey, m.serverCertificate, m.caCertificate);
	}

	/**
	 * A server-side context presenting a certificate, validly signed by the test CA, whose only
	 * subject alternative name (and CN) is {@code mx.wrong.test}. Why: the chain is trusted, so a
	 * handshake failure against it proves the client really performs host-name verification
	 * rather than only chain validation.
	 * @return a new, initialised context
	 */
	public static SSLContext serverContextWithWrongHostname() {
		Material m = Holder.MATERIAL;
		return keyManagerContext(m.wrongHostKey, m.wrongHostCertificate, m.caCertificate);
	}

	/**
	 * A client-side context whose trust store holds only the test CA, validated by the JDK's
	 * default (PKIX) trust manager. Why: it lets a client under test connect to the fake servers
	 * with normal verification instead of a trust-all shortcut. Host-name verification happens
	 * when the client sets an endpoint identification algorithm (for example {@code "HTTPS"}) on
	 * its {@link javax.net.ssl.SSLParameters}, as production code should.
	 * @return a new, initialised context
	 */
	public static SSLContext clientContextTrustingCa() {
		return trustManagerContext(Holder.MATERIAL.caCertificate);
	}

	/**
	 * A client-side context whose trust store holds only an unrelated CA that signed nothing the
	 * fake servers present. Why: a test can show that the client refuses a server whose chain it
	 * cannot validate (the handshake fails), i.e. that verification is not switched off.
	 * @return a new, initialised context
	 */
	public static SSLContext clientContextTrustingOtherCa() {
		return trustManagerContext(Holder.MATERIAL.otherCaCertificate);
	}

	/**
	 * The test CA's certificate (the same instance on every call). Why: tests that build their own
	 * trust store, or that pass the CA to the code under test as a certificate, need it directly.
	 * @return the self-signed CA certificate that signed both server certificates
	 */
	public static X509Certificate caCertificate() {
		return Holder.MATERIAL.caCertificate;
	}

	/**
	 * The {@code localhost} certificate that {@link #serverContext()} presents. Why: channel
	 * binding tests ({@code tls-server-end-point}, RFC 5929) hash the certificate the server sent.
	 * @return the server's end-entity certificate
	 */
	public static X509Certificate serverCertificate() {
		return Holder.MATERIAL.serverCertificate;
	}

	/**
	 * The {@code mx.wrong.test} certificate that {@link #serverContextWithWrongHostname()}
	 * presents. Why: a channel binding test needs a second server's certificate, as a man in the
	 * middle would present one.
	 * @return that end-entity certificate
	 */
	public static X509Certificate wrongHostnameCertificate() {
		return Holder.MATERIAL.wrongHostCertificate;
	}

	/**
	 * The unrelated CA's certificate, which signed nothing the fixtures serve. Why: a trust store
	 * holding only it must make the client refuse every test server.
	 * @return the untrusted CA certificate
	 */
	public static X509Certificate otherCaCertificate() {
		return Holder.MATERIAL.otherCaCertificate;
	}

	/**
	 * An in-memory trust store (PKCS12) holding just this certificate. Why: Spring Boot's SSL bundles
	 * and other configuration take trust stores rather than {@link SSLContext}s.
	 * @param trusted the certificate to trust
	 * @return a new trust store
	 */
	public static KeyStore trustStore(X509Certificate trusted) {
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			store.setCertificateEntry("trusted", trusted);
			return store;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException("Cannot build the test trust store", ex);
		}
	}

	/**
	 * An in-memory PKCS12 key store holding the {@code localhost} key and chain under the alias
	 * {@value #SERVER_ALIAS}, protected (store and key) by {@code password}. Why: servers that are
	 * configured with a key store rather than an {@link SSLContext} (GreenMail) need the same
	 * certificate the other fixtures use, so one trust store ({@link #clientContextTrustingCa()})
	 * works against all of them.
	 * @param password the store and key password
	 * @return a new key store
	 */
	public static KeyStore serverKeyStore(char[] password) {
		Material m = Holder.MATERIAL;
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			store.setKeyEntry(SERVER_ALIAS, m.serverKey, password,
					new Certificate[] { m.serverCertificate, m.caCertificate });
			return store;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException("Cannot build the test server key store", ex);
		}
	}

	/**
	 * Writes {@link #serverKeyStore(char[])} to {@code dir/server.p12} (creating {@code dir} if
	 * needed, replacing an existing file). Why: GreenMail reads its TLS key from a file named by
	 * the system properties {@code greenmail.tls.keystore.file} and
	 * {@code greenmail.tls.keystore.password} (key password defaults to the store password); note
	 * that GreenMail loads that key store once per JVM, on first TLS use.
	 * @param dir the directory to write into, typically a JUnit {@code @TempDir}
	 * @param password the store and key password
	 * @return the path of the written file
	 */
	public static Path writeServerKeyStore(Path dir, char[] password) {
		KeyStore store = serverKeyStore(password);
		try {
			Files.createDirectories(dir);
			Path file = dir.resolve("server.p12");
			try (OutputStream out = Files.newOutputStream(file)) {
				store.store(out, password);
			}
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot write the test server key store", ex);
		}
	}

	/**
	 * Writes the CA certificate as a PEM file to {@code dir/ca.pem} (creating {@code dir} if
	 * needed, replacing an existing file). Why: code that is configured with a trust file path
	 * (as a Spring Boot property would be) must be tested with a real file containing the CA.
	 * @param dir the directory to write into, typically a JUnit {@code @TempDir}
	 * @return the path of the written file
	 */
	public static Path writeCaPem(Path dir) {
		return writePem(dir, "ca.pem", caCertificate());
	}

	/**
	 * Writes a certificate as a PEM file {@code dir/fileName} (creating {@code dir} if needed,
	 * replacing an existing file). Why: PEM SSL bundles are configured with file locations.
	 * @param dir the directory to write into, typically a JUnit {@code @TempDir}
	 * @param fileName the file's name
	 * @param certificate the certificate to write
	 * @return the path of the written file
	 */
	public static Path writePem(Path dir, String fileName, X509Certificate certificate) {
		try {
			Files.createDirectories(dir);
			Path file = dir.resolve(fileName);
			Files.writeString(file, toPem(certificate), StandardCharsets.US_ASCII);
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String toPem(X509Certificate certificate) {
		try {
			Base64.Encoder encoder = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
			return "-----BEGIN CERTIFICATE-----\n" + encoder.encodeToString(certificate.getEncoded())
					+ "\n-----END CERTIFICATE-----\n";
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static SSLContext keyManagerContext(PrivateKey key, X509Certificate... chain) {
		try {
			// The password only protects the key inside this throwaway in-memory store.
			char[] password = "unused".toCharArray();
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			store.setKeyEntry(SERVER_ALIAS, key, password, chain);
			KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			kmf.init(store, password);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(kmf.getKeyManagers(), null, null);
			return context;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException("Cannot build a test server SSLContext", ex);
		}
	}

	private static SSLContext trustManagerContext(X509Certificate trusted) {
		try {
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(null, null);
			store.setCertificateEntry("ca", trusted);
			TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			tmf.init(store);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, tmf.getTrustManagers(), null);
			return context;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException("Cannot build a test client SSLContext", ex);
		}
	}

	/** Initialization-on-demand holder: the JVM generates the material once, on first access. */
	private static final class Holder {

		static final Material MATERIAL = Material.generate();

	}

	/** The generated keys and certificates. */
	private static final class Material {

		private static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

		final X509Certificate caCertificate;

		final X509Certificate otherCaCertificate;

		final PrivateKey serverKey;

		final X509Certificate serverCertificate;

		final PrivateKey wrongHostKey;

		final X509Certificate wrongHostCertificate;

		private Material(X509Certificate caCertificate, X509Certificate otherCaCertificate, PrivateKey serverKey,
				X509Certificate serverCertificate, PrivateKey wrongHostKey, X509Certificate wrongHostCertificate) {
			this.caCertificate = caCertificate;
			this.otherCaCertificate = otherCaCertificate;
			this.serverKey = serverKey;
			this.serverCertificate = serverCertificate;
			this.wrongHostKey = wrongHostKey;
			this.wrongHostCertificate = wrongHostCertificate;
		}

		static Material generate() {
			try {
				SecureRandom random = new SecureRandom();
				Instant now = Instant.now();
				// Yesterday, so a client whose clock is a little behind still accepts the chain.
				Date notBefore = Date.from(now.minus(Duration.ofDays(1)));
				Date notAfter = Date.from(now.plus(Duration.ofDays(10)));

				KeyPair caKeys = newKeyPair(random);
				X500Name caName = new X500Name("CN=smtpkit test CA, O=smtpkit tests");
				X509Certificate ca = caCertificate(caName, caKeys, notBefore, notAfter, random);

				KeyPair otherCaKeys = newKeyPair(random);
				X509Certificate otherCa = caCertificate(new X500Name("CN=smtpkit untrusted test CA, O=smtpkit tests"),
						otherCaKeys, notBefore, notAfter, random);

				KeyPair serverKeys = newKeyPair(random);
				GeneralNames localNames = new GeneralNames(new GeneralName[] {
						new GeneralName(GeneralName.dNSName, SERVER_DNS_NAME),
						new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
						new GeneralName(GeneralName.iPAddress, "::1") });
				X509Certificate server = serverCertificate(new X500Name("CN=" + SERVER_DNS_NAME + ", O=smtpkit tests"),
						localNames, serverKeys, ca, caName, caKeys.getPrivate(), notBefore, notAfter, random);

				KeyPair wrongHostKeys = newKeyPair(random);
				GeneralNames wrongNames = new GeneralNames(new GeneralName(GeneralName.dNSName, WRONG_DNS_NAME));
				X509Certificate wrongHost = serverCertificate(new X500Name("CN=" + WRONG_DNS_NAME + ", O=smtpkit tests"),
						wrongNames, wrongHostKeys, ca, caName, caKeys.getPrivate(), notBefore, notAfter, random);

				return new Material(ca, otherCa, serverKeys.getPrivate(), server, wrongHostKeys.getPrivate(), wrongHost);
			}
			catch (GeneralSecurityException | IOException | OperatorCreationException ex) {
				throw new IllegalStateException("Cannot generate the test certificates", ex);
			}
		}

		private static KeyPair newKeyPair(SecureRandom random) throws GeneralSecurityException {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"), random);
			return generator.generateKeyPair();
		}

		private static X509Certificate caCertificate(X500Name name, KeyPair keys, Date notBefore, Date notAfter,
				SecureRandom random) throws GeneralSecurityException, IOException, OperatorCreationException {
			JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
			X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serialNumber(random), notBefore,
					notAfter, name, keys.getPublic());
			builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
			builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
			builder.addExtension(Extension.subjectKeyIdentifier, false,
					extensions.createSubjectKeyIdentifier(keys.getPublic()));
			return sign(builder, keys.getPrivate());
		}

		private static X509Certificate serverCertificate(X500Name subject, GeneralNames names, KeyPair keys,
				X509Certificate issuer, X500Name issuerName, PrivateKey issuerKey, Date notBefore, Date notAfter,
				SecureRandom random) throws GeneralSecurityException, IOException, OperatorCreationException {
			JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
			X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName, serialNumber(random),
					notBefore, notAfter, subject, keys.getPublic());
			builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
			// digitalSignature is what an EC key does in every TLS 1.2 (ECDHE) and 1.3 handshake.
			builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
			builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
			builder.addExtension(Extension.subjectAlternativeName, false, names);
			builder.addExtension(Extension.subjectKeyIdentifier, false,
					extensions.createSubjectKeyIdentifier(keys.getPublic()));
			builder.addExtension(Extension.authorityKeyIdentifier, false,
					extensions.createAuthorityKeyIdentifier(issuer));
			return sign(builder, issuerKey);
		}

		private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey)
				throws GeneralSecurityException, OperatorCreationException {
			// No provider is named, so signing and conversion use the JDK's own providers.
			ContentSigner signer = new JcaContentSignerBuilder(SIGNATURE_ALGORITHM).build(signingKey);
			return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
		}

		private static BigInteger serialNumber(SecureRandom random) {
			// Positive and unique, as RFC 5280 asks, at most 20 octets.
			return new BigInteger(127, random).add(BigInteger.ONE);
		}

	}

}
