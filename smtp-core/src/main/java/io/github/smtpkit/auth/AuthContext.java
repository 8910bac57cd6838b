package io.github.smtpkit.auth;

import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

import com.ongres.scram.common.util.TlsServerEndpoint;
import org.jspecify.annotations.Nullable;

/**
 * What one AUTH exchange may know besides the credentials: the server it talks to, the TLS
 * session the connection is protected by (for channel binding) and the mechanisms the server
 * advertised. The session makes one for each exchange; a mechanism reads what it needs.
 *
 * <p>Holds the password: {@link #toString()} shows neither it nor the user name.
 */
public final class AuthContext {

	private final String username;

	private final String password;

	private final @Nullable String serverHost;

	private final int serverPort;

	private final @Nullable SSLSession tlsSession;

	private final List<String> advertisedMechanisms;

	/**
	 * A context for an exchange with a server.
	 * @param username the user name
	 * @param password the password or secret; empty when the mechanism needs none (OAuth 2.0)
	 * @param serverHost the server's host name as connected to, or {@code null} for a unix-domain
	 * socket
	 * @param serverPort the server's port, or {@code -1}
	 * @param tlsSession the connection's TLS session, or {@code null} when it is not encrypted
	 * @param advertisedMechanisms the mechanisms of the server's EHLO reply (any case)
	 */
	public AuthContext(String username, String password, @Nullable String serverHost, int serverPort,
			@Nullable SSLSession tlsSession, List<String> advertisedMechanisms) {
		this.username = Objects.requireNonNull(username, "username");
		this.password = Objects.requireNonNull(password, "password");
		this.serverHost = serverHost;
		this.serverPort = serverPort;
		this.tlsSession = tlsSession;
		this.advertisedMechanisms = advertisedMechanisms.stream()
			.map((name) -> name.toUpperCase(Locale.ROOT))
			.toList();
	}

	/** A context with credentials only: no server, no TLS, nothing advertised. */
	public static AuthContext of(String username, String password) {
		return new AuthContext(username, password, null, -1, null, List.of());
	}

	/** The user name. */
	public String username() {
		return this.username;
	}

	/** The password or secret; empty when none was given. */
	public String password() {
		return this.password;
	}

	/** The server's host name as connected to, or {@code null} for a unix-domain socket. */
	public @Nullable String serverHost() {
		return this.serverHost;
	}

	/** The server's port, or {@code -1} when unknown. */
	public int serverPort() {
		return this.serverPort;
	}

	/** The TLS session protecting the connection, or {@code null} when it is not encrypted. */
	public @Nullable SSLSession tlsSession() {
		return this.tlsSession;
	}

	/** The mechanisms the server advertised, upper case. */
	public List<String> advertisedMechanisms() {
		return this.advertisedMechanisms;
	}

	/** Whether the server advertised the mechanism (case-insensitive). */
	public boolean advertises(String mechanism) {
		return this.advertisedMechanisms.contains(mechanism.toUpperCase(Locale.ROOT));
	}

	/**
	 * The {@code tls-server-end-point} channel binding data (RFC 5929 4.1): the hash of the
	 * server's certificate as it was sent, with SHA-256 when the certificate is signed with MD5 or
	 * SHA-1 and otherwise with the hash of its signature algorithm.
	 * @return the data, or {@code null} without TLS, without an X.509 server certificate, or when
	 * the certificate's signature algorithm names no single hash (RFC 5929 defines none then)
	 */
	public byte @Nullable [] tlsServerEndPoint() {
		if (this.tlsSession == null) {
			return null;
		}
		Certificate[] chain;
		try {
			chain = this.tlsSession.getPeerCertificates();
		}
		catch (SSLPeerUnverifiedException ex) {
			return null;
		}
		if (chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
			return null;
		}
		try {
			byte[] data = TlsServerEndpoint.getChannelBindingData(certificate);
			return (data.length > 0) ? data : null;
		}
		catch (CertificateEncodingException ex) {
			return null;
		}
	}

	/** The server and whether TLS is on; never the credentials. */
	@Override
	public String toString() {
		return "AuthContext[server=" + ((this.serverHost != null) ? this.serverHost + ":" + this.serverPort : "unix socket")
				+ ", tls=" + (this.tlsSession != null) + ", advertised=" + this.advertisedMechanisms + "]";
	}

}
