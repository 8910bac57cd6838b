package io.github.smtpkit;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;

import io.github.smtpkit.internal.CommandLines;
import io.github.smtpkit.internal.SessionSettings;
import io.github.smtpkit.internal.SessionSettings.Timeout;

/**
 * The settings {@link SmtpSession.Builder} and {@link SmtpClient.Builder} share, because a client
 * hands them to the session of every connection it opens: timeouts, TLS, the clear-text policy,
 * chunking, debug output and the event listener. Each is written, documented and checked here
 * once; the two builders add what is theirs (where to connect, credentials, the pool).
 *
 * <p>Every value is checked when it is set, and a bad one is named in an
 * {@link IllegalArgumentException} or {@link NullPointerException}.
 *
 * @param <B> the builder, which every method returns for chaining
 */
public abstract sealed class SessionSettingsBuilder<B extends SessionSettingsBuilder<B>>
		permits SmtpSession.Builder, SmtpClient.Builder {

	/** What the methods below set, copied for each session the builder makes. */
	SessionSettings settings = new SessionSettings();

	SessionSettingsBuilder() {
	}

	/** This builder as its own type, for chaining. */
	@SuppressWarnings("unchecked")
	private B self() {
		return (B) this;
	}

	/**
	 * The name to say in HELO and EHLO (default: this machine's fully qualified name, else its
	 * address as a literal such as {@code [192.0.2.1]}, as smtplib does).
	 * @throws IllegalArgumentException if it contains CR or LF
	 */
	public B localHostname(String localHostname) {
		this.settings.localHostname(CommandLines.requireSingleLine("localHostname",
				Objects.requireNonNull(localHostname, "localHostname")));
		return self();
	}

	/**
	 * The bound on each reply and each write, and on connecting unless
	 * {@link #connectTimeout(Duration)} is set. Default {@link SmtpSession#DEFAULT_TIMEOUT} (60 s).
	 * @throws IllegalArgumentException if zero or negative
	 */
	public B timeout(Duration timeout) {
		this.settings.timeout(Timeout.READ_WRITE, timeout);
		return self();
	}

	/**
	 * The bound on opening the TCP connection (default: the timeout for a session, 10 s for a
	 * client). For a plain SMTP session on port 465, where servers speak TLS first, it also bounds
	 * the wait for the greeting (default there 10 s): see {@link SmtpImplicitTlsPortException}.
	 * @throws IllegalArgumentException if zero or negative
	 */
	public B connectTimeout(Duration connectTimeout) {
		this.settings.timeout(Timeout.CONNECT, connectTimeout);
		return self();
	}

	/**
	 * The bound on sending one whole message, from DATA's 354 to the terminating dot (default: none
	 * beyond the timeout on each write). A server that reads, but very slowly, is cut off.
	 * @throws IllegalArgumentException if zero or negative
	 */
	public B dataTimeout(Duration dataTimeout) {
		this.settings.timeout(Timeout.DATA, dataTimeout);
		return self();
	}

	/**
	 * The TLS context for implicit TLS and STARTTLS (default: {@link SmtpTls#defaultContext()},
	 * which verifies certificates against the JDK's authorities).
	 */
	public B sslContext(SSLContext sslContext) {
		Objects.requireNonNull(sslContext, "sslContext");
		this.settings.sslContext(() -> sslContext);
		return self();
	}

	/**
	 * The TLS protocols to enable, such as {@code TLSv1.3} (default: the context's). For a policy
	 * that the context alone does not carry, as Spring Boot's SSL bundle options.
	 * @throws IllegalArgumentException if a name is blank
	 */
	public B tlsProtocols(List<String> protocols) {
		this.settings.tlsProtocols(SessionSettings.requireNames("tlsProtocols", protocols));
		return self();
	}

	/**
	 * The cipher suites to enable, in JSSE's names (default: the context's).
	 * @throws IllegalArgumentException if a name is blank
	 */
	public B tlsCipherSuites(List<String> cipherSuites) {
		this.settings.tlsCipherSuites(SessionSettings.requireNames("tlsCipherSuites", cipherSuites));
		return self();
	}

	/**
	 * Whether the server's certificate must name the host connected to (default {@code true}).
	 * Turning it off lets anyone with a certificate from a trusted authority pose as the server.
	 */
	public B hostnameVerification(boolean hostnameVerification) {
		this.settings.hostnameVerification(hostnameVerification);
		return self();
	}

	/**
	 * Whether AUTH may send credentials over an unencrypted connection to a server that is not on
	 * this machine (default {@code false}; loopback and unix-domain sockets are always allowed).
	 */
	public B allowCleartextAuth(boolean allowCleartextAuth) {
		this.settings.allowCleartextAuth(allowCleartextAuth);
		return self();
	}

	/**
	 * Whether messages go with BDAT (RFC 3030) instead of DATA when the server advertises CHUNKING
	 * (default {@code false}). BDAT needs no dot-stuffing and is required for
	 * {@code BODY=BINARYMIME}; the message must already have CRLF line endings, as every
	 * {@link MessageSource} does. With PIPELINING advertised too, a message of known size up to
	 * 256 KiB goes as one {@code BDAT n LAST} chunk in the same write as its MAIL and RCPT: one
	 * round trip per message (not for an envelope that requires all recipients, nor for LMTP,
	 * whose data must wait for the RCPT replies). Off by default, as smtplib never sends BDAT.
	 */
	public B chunking(boolean chunking) {
		this.settings.chunking(chunking);
		return self();
	}

	/** Receives the events of the sessions (and, for a client, of its pool and sends); default none. */
	public B eventListener(SmtpEventListener listener) {
		this.settings.listener(listener);
		return self();
	}

	/**
	 * The debug level to start with: 0 off (default), 1 connections and every line, 2 (or more, as
	 * in smtplib) the same with time stamps. AUTH payloads are shown as {@code <redacted>}.
	 * @throws IllegalArgumentException if negative
	 */
	public B debugLevel(int debugLevel) {
		this.settings.debugLevel(debugLevel);
		return self();
	}

	/** Where debug lines go (default: standard error). */
	public B debugOutput(Consumer<String> debugOutput) {
		this.settings.debugOutput(debugOutput);
		return self();
	}

	/**
	 * Makes the TCP sockets of the connections (smtplib's {@code _get_socket} seam): for example
	 * one whose {@code createSocket()} returns {@code new Socket(proxy)}, through a SOCKS proxy, or
	 * a test's instrumented socket. Its
	 * {@link SocketFactory#createSocket()} is called for an unconnected socket, which the session
	 * then binds to the source address and connects, bounded by the connect timeout. TLS goes over
	 * the socket it returns. Default: plain {@code new Socket()}.
	 */
	public B socketFactory(SocketFactory socketFactory) {
		this.settings.socketFactory(Objects.requireNonNull(socketFactory, "socketFactory"));
		return self();
	}

}
