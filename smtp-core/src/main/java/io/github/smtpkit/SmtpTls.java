package io.github.smtpkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * {@link SSLContext}s for sessions. The default, {@link #defaultContext()}, verifies the server's
 * certificate chain against the JDK's trusted authorities; {@link #trusting} trusts your own
 * authority or a self-signed certificate instead (and still verifies); trusting anything at all
 * takes the deliberately named {@link #insecureTrustAllCertificates()}.
 *
 * <p>Unlike CPython, whose {@code starttls()} and {@code SMTP_SSL} check no certificate unless given
 * a context, smtpkit verifies the chain and the host name by default and sends SNI.
 */
public final class SmtpTls {

	private SmtpTls() {
	}

	/**
	 * The JDK's default context: chains are verified against the default trust store
	 * ({@code cacerts}, or {@code javax.net.ssl.trustStore}).
	 * @throws IllegalStateException if the JDK has no TLS support configured
	 */
	public static SSLContext defaultContext() {
		try {
			return SSLContext.getDefault();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("The JDK's default SSLContext is not available", ex);
		}
	}

	/**
	 * A context that trusts exactly these certificates as roots: a private CA, or a server's
	 * self-signed certificate. Chains are still verified, and the session still checks the host name.
	 * @param trustedCertificates the certificates to trust; at least one
	 * @return a new context
	 */
	public static SSLContext trusting(Collection<? extends X509Certificate> trustedCertificates) {
		if (trustedCertificates.isEmpty()) {
			throw new IllegalArgumentException("trustedCertificates must not be empty");
		}
		try {
			KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
			trustStore.load(null, null);
			int index = 0;
			for (X509Certificate certificate : trustedCertificates) {
				trustStore.setCertificateEntry("trusted-" + index++, certificate);
			}
			TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			factory.init(trustStore);
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, factory.getTrustManagers(), null);
			return context;
		}
		catch (GeneralSecurityException | IOException ex) {
			throw new IllegalStateException("Could not build an SSLContext trusting the given certificates", ex);
		}
	}

	/** {@link #trusting(Collection)} for one or a few certificates. */
	public static SSLContext trusting(X509Certificate... trustedCertificates) {
		return trusting(List.of(trustedCertificates));
	}

	/**
	 * {@link #trusting(Collection)} with the certificates of a PEM file (one or more
	 * {@code BEGIN CERTIFICATE} blocks).
	 * @param pemFile the file to read
	 * @return a new context
	 * @throws IOException if the file cannot be read or holds no certificate
	 */
	public static SSLContext trustingPem(Path pemFile) throws IOException {
		try (InputStream in = Files.newInputStream(pemFile)) {
			Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
				.generateCertificates(in);
			if (certificates.isEmpty()) {
				throw new IOException("No certificate found in " + pemFile);
			}
			return trusting(certificates.stream().map(X509Certificate.class::cast).toList());
		}
		catch (java.security.cert.CertificateException ex) {
			throw new IOException("Could not read the certificates in " + pemFile + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * A context that accepts any certificate from anyone, for tests against throw-away servers only:
	 * with it, TLS protects against nobody who can intercept the connection. Combine it with
	 * {@code hostnameVerification(false)}, since the certificate's names are not checked either.
	 * @return a new context that verifies nothing
	 */
	public static SSLContext insecureTrustAllCertificates() {
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, new TrustManager[] { new TrustEverything() }, null);
			return context;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Could not build an SSLContext", ex);
		}
	}

	/**
	 * Accepts every chain and, being an {@link X509ExtendedTrustManager}, also skips the JDK's
	 * host-name check that a plain {@code X509TrustManager} would get.
	 */
	private static final class TrustEverything extends X509ExtendedTrustManager {

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) {
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) {
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return new X509Certificate[0];
		}

	}

}
