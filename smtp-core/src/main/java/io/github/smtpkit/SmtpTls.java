package io.github.smtpkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import io.github.smtpkit.SmtpTlsCertificateException.Problem;
import io.github.smtpkit.internal.InsecureTlsContexts;

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
	 * A message that {@linkplain Envelope#requiringTls() requires TLS} is never sent over a
	 * connection that uses it.
	 * @return a new context that verifies nothing
	 */
	public static SSLContext insecureTrustAllCertificates() {
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, new TrustManager[] { new TrustEverything() }, null);
			// Remembered, so that a message requiring TLS is not sent over it (Envelope#requiringTls).
			return InsecureTlsContexts.register(context);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Could not build an SSLContext", ex);
		}
	}

	/**
	 * The exception for a failed handshake with a server, naming it: a
	 * {@link SmtpTlsCertificateException} that says what is wrong with the certificate and the
	 * ways out when the JDK refused the certificate, else an {@link SSLHandshakeException}.
	 * @param target the server
	 * @param afterStarttls whether the handshake followed STARTTLS (then not upgrading is a way out)
	 * @param failure what the JDK raised; the cause of the result
	 */
	static SSLHandshakeException handshakeFailure(SmtpEndpoint target, boolean afterStarttls, SSLException failure) {
		String failed = "TLS handshake with " + target + " failed" + (afterStarttls ? " after STARTTLS" : "");
		CertificateException refused = null;
		for (Throwable cause = failure.getCause(); cause != null && refused == null; cause = cause.getCause()) {
			if (cause instanceof CertificateException certificate) {
				refused = certificate;
			}
		}
		if (refused == null) {
			SSLHandshakeException other = new SSLHandshakeException(failed + ": " + failure.getMessage());
			other.initCause(failure);
			return other;
		}
		Problem problem = isHostnameMismatch(refused) ? Problem.HOSTNAME_MISMATCH : Problem.UNTRUSTED;
		List<String> waysOut = new ArrayList<>();
		String what = switch (problem) {
			case HOSTNAME_MISMATCH -> {
				waysOut.add("connect to a name the certificate holds");
				waysOut.add("turn host name verification off (hostnameVerification(false))");
				yield "does not name the host " + target.host();
			}
			case UNTRUSTED -> {
				waysOut.add("trust its issuer with an SSLContext (sslContext(SmtpTls.trusting(issuer))"
						+ " or SmtpTls.trustingPem(file))");
				yield "is not trusted";
			}
		};
		if (afterStarttls) {
			waysOut.add("do not use STARTTLS (TlsMode.NONE; mail then travels in clear text)");
		}
		String message = failed + ": the server's certificate " + what + " (" + refused.getMessage() + "). To go on, "
				+ alternatives(waysOut) + ".";
		return new SmtpTlsCertificateException(message, problem, afterStarttls, failure);
	}

	/** {@code a}, {@code a, or b}, {@code a, b, or c}. */
	private static String alternatives(List<String> choices) {
		int last = choices.size() - 1;
		return (last == 0) ? choices.get(0) : String.join(", ", choices.subList(0, last)) + ", or " + choices.get(last);
	}

	/**
	 * Whether the JDK refused the certificate for naming another host. Its host name checker
	 * raises a plain {@link CertificateException} whose message (the same in JDK 17 to 25) is the
	 * only sign: {@code No subject alternative DNS name matching ...}, {@code No subject alternative
	 * names matching IP address ...}, {@code No subject alternative names present} or
	 * {@code No name matching ...}.
	 */
	private static boolean isHostnameMismatch(CertificateException refused) {
		String message = String.valueOf(refused.getMessage());
		return message.startsWith("No subject alternative") || message.startsWith("No name matching");
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
