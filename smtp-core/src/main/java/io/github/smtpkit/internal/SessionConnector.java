package io.github.smtpkit.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import io.github.smtpkit.SmtpConnectException;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpImplicitTlsPortException;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpTimeoutException;
import io.github.smtpkit.SmtpTls;
import io.github.smtpkit.internal.SessionSettings.Timeout;

/**
 * Opens a session's connection and secures it: where to (a host and port, {@code "host:port"} as
 * smtplib parses it, or for LMTP a unix-domain socket), from where (the source address), the socket,
 * implicit TLS for SMTPS, and the greeting, which a plain SMTP session waits for only briefly on a
 * port where servers speak TLS first. It also runs the TLS handshake after STARTTLS.
 *
 * <p>It hands the open connection to the {@link SmtpWire}, which reads the greeting and reports the
 * events; when anything fails it gives the connection up through the wire (the session's
 * {@code disconnect()}). Not thread-safe, like the session that owns it.
 */
public final class SessionConnector {

	/** The wait for a plain session's greeting on an implicit-TLS port without a connect timeout. */
	static final Duration IMPLICIT_TLS_PORT_GREETING_TIMEOUT = Duration.ofSeconds(10);

	/** Turns what the JDK raised in a handshake into the exception that names the server and the ways out. */
	@FunctionalInterface
	public interface HandshakeFailure {

		SSLHandshakeException describe(SmtpEndpoint target, boolean afterStarttls, SSLException failure);

	}

	private final SmtpWire wire;

	private final SmtpProtocol protocol;

	private final SessionSettings settings;

	/** The bound on opening the connection: the connect timeout, else the timeout. */
	private final Duration connectTimeout;

	/** The ports where servers speak TLS from the first byte (RFC 8314 3.3): 465. */
	private final Set<Integer> implicitTlsPorts;

	/** The context for TLS, or {@code null} for {@link SmtpTls#defaultContext()}. */
	private final SSLContext sslContext;

	private final HandshakeFailure handshakeFailure;

	private InetSocketAddress sourceAddress;

	/**
	 * @param settings the session's timeouts and TLS settings; its TLS context is asked for once, here
	 * @param implicitTlsPorts the ports where a plain session's greeting is waited for only briefly
	 * @param sourceAddress the local address to connect from, or {@code null}
	 */
	public SessionConnector(SmtpWire wire, SmtpProtocol protocol, SessionSettings settings,
			Set<Integer> implicitTlsPorts, InetSocketAddress sourceAddress, HandshakeFailure handshakeFailure) {
		this.wire = wire;
		this.protocol = protocol;
		this.settings = settings;
		this.connectTimeout = Objects.requireNonNullElse(settings.timeout(Timeout.CONNECT),
				settings.timeout(Timeout.READ_WRITE));
		this.implicitTlsPorts = implicitTlsPorts;
		this.sslContext = (settings.sslContext() != null) ? settings.sslContext().get() : null;
		this.sourceAddress = sourceAddress;
		this.handshakeFailure = handshakeFailure;
	}

	/** The local address connections are made from, or {@code null} for any. */
	public InetSocketAddress sourceAddress() {
		return this.sourceAddress;
	}

	/** Connects from this local address from now on, or from any with {@code null}. */
	public void sourceAddress(InetSocketAddress sourceAddress) {
		this.sourceAddress = sourceAddress;
	}

	/**
	 * Connects, completes implicit TLS for SMTPS and reads the greeting, telling the listener how
	 * it went: the session's {@code connect(host, port)}.
	 * @param host a host name or address, {@code "host:port"} when {@code port} is 0, or for LMTP an
	 * absolute path to a unix-domain socket
	 * @param port the port, or 0 for the suffix or else the protocol's default
	 * @return the greeting, a 220 reply
	 * @throws SmtpConnectException if the greeting is not 220; disconnected
	 * @throws SmtpImplicitTlsPortException if a plain SMTP session got no greeting on port 465 in time
	 * @throws IOException if connecting, the handshake or the greeting failed; disconnected
	 */
	public SmtpReply connect(String host, int port) throws IOException {
		Objects.requireNonNull(host, "host");
		if (this.wire.isConnected()) {
			throw new IllegalStateException("Already connected to " + this.wire.endpoint() + ": close() it first");
		}
		SmtpEndpoint target = endpointFor(host, port);
		this.wire.connectingTo(target);
		this.wire.debug()
			.print("connect: to", target + ((this.sourceAddress != null) ? " from " + this.sourceAddress : ""));
		this.wire.event((l) -> l.connectStart(target));
		long started = System.nanoTime();
		SmtpReply greeting;
		try {
			this.wire.attach(SmtpConnection.open(target, this.settings.socketFactory(), this.sourceAddress,
					this.connectTimeout, this.wire.timeout()));
			if (this.protocol.isImplicitTls()) {
				handshake(null, false);
			}
			greeting = readGreeting(target);
		}
		catch (IOException ex) {
			this.wire.disconnect();
			this.wire.event((l) -> l.connectFailed(target, ex, SmtpWire.elapsedSince(started)));
			throw ex;
		}
		this.wire.debug().print("connect:", DebugLog.repr(greeting.message()));
		if (greeting.code() != 220) {
			SmtpConnectException refused = new SmtpConnectException(greeting.code(), greeting.message());
			this.wire.disconnect();
			this.wire.event((l) -> l.connectFailed(target, refused, SmtpWire.elapsedSince(started)));
			throw refused;
		}
		this.wire.greeted();
		this.wire.event((l) -> l.connectEnd(target, greeting, SmtpWire.elapsedSince(started)));
		return greeting;
	}

	/**
	 * Reads the greeting. A plain SMTP session on a port where servers speak TLS from the first byte
	 * (465, RFC 8314 3.3) waits only the connect timeout (10 s unless set, and no longer than the
	 * timeout): such a server says nothing until it gets a TLS handshake, so the wait would end only
	 * after the whole reply timeout, with no hint of the cause.
	 * @throws SmtpImplicitTlsPortException if no greeting came on such a port within that bound
	 */
	private SmtpReply readGreeting(SmtpEndpoint target) throws IOException {
		boolean implicitTlsPort = this.protocol == SmtpProtocol.SMTP && !target.isUnixSocket()
				&& this.implicitTlsPorts.contains(target.port());
		if (!implicitTlsPort) {
			return this.wire.readReply();
		}
		Duration timeout = this.wire.timeout();
		Duration configured = Objects.requireNonNullElse(this.settings.timeout(Timeout.CONNECT),
				IMPLICIT_TLS_PORT_GREETING_TIMEOUT);
		Duration bound = (configured.compareTo(timeout) < 0) ? configured : timeout;
		this.wire.connection().setReadTimeout(bound);
		SmtpReply greeting;
		try {
			greeting = this.wire.readReply();
		}
		catch (SmtpTimeoutException ex) {
			throw new SmtpImplicitTlsPortException("No greeting from " + target + " within "
					+ Durations.describe(bound) + ": port " + target.port()
					+ " is for SMTP over implicit TLS (RFC 8314 3.3), where the server waits for a TLS handshake"
					+ " before it greets, but this session speaks plain SMTP. Connect with SMTPS instead:"
					+ " SmtpSession.smtps(), or SmtpProtocol.SMTPS for SmtpSession.builder(protocol) and"
					+ " SmtpClient.Builder.protocol(protocol).",
					ex.getCause());
		}
		this.wire.connection().setReadTimeout(timeout);
		return greeting;
	}

	/**
	 * Where {@code connect(host, port)} goes: as smtplib, {@code "host:port"} only when the host has
	 * exactly one colon (with more it is an IPv6 address) and the port is 0.
	 * @throws IllegalArgumentException if the port suffix is not a number or a port is out of range
	 */
	private SmtpEndpoint endpointFor(String host, int port) {
		requirePort(port, "");
		if (this.protocol == SmtpProtocol.LMTP && host.startsWith("/")) {
			return SmtpEndpoint.unix(this.protocol, Path.of(host));
		}
		String name = host;
		int number = port;
		if (number == 0 && host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
			int colon = host.lastIndexOf(':');
			name = host.substring(0, colon);
			String suffix = host.substring(colon + 1);
			try {
				number = Integer.parseInt(suffix.strip());
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException("nonnumeric port '" + suffix + "' in host '" + host + "'");
			}
			requirePort(number, " in host '" + host + "'");
		}
		return SmtpEndpoint.tcp(this.protocol, name, (number != 0) ? number : this.protocol.defaultPort());
	}

	/**
	 * A port, or 0 for the protocol's default.
	 * @param where what follows the value in the message, such as {@code " in host 'h:99999'"}
	 * @throws IllegalArgumentException if it is out of range
	 */
	public static int requirePort(int port, String where) {
		if (port < 0 || port > 65535) {
			throw new IllegalArgumentException("port must be between 0 and 65535, but was " + port + where);
		}
		return port;
	}

	/**
	 * A unix-domain socket to connect to: for LMTP only, as in smtplib, and an absolute path, as
	 * {@code connect(host)} tells a socket from a host name by its leading {@code /}.
	 * @throws IllegalArgumentException if the protocol is not LMTP or the path is relative
	 */
	public static Path requireUnixSocket(SmtpProtocol protocol, Path socket) {
		if (protocol != SmtpProtocol.LMTP) {
			throw new IllegalArgumentException("unixSocket is for LMTP, but this builder is for " + protocol);
		}
		if (!socket.isAbsolute()) {
			throw new IllegalArgumentException("unixSocket must be an absolute path, but was " + socket);
		}
		return socket;
	}

	/**
	 * Completes the TLS handshake after the server's 220 to STARTTLS, with the session's host name
	 * verification, protocols and cipher suites. A connection whose handshake failed is given up:
	 * what went before it in clear text cannot be continued.
	 * @param context the context, or {@code null} for the configured one (by default the JDK's)
	 * @throws SSLHandshakeException if it failed, naming the server and, for a refused certificate,
	 * the ways out; disconnected
	 * @throws SmtpTimeoutException if it took longer than the timeout; disconnected
	 */
	public void starttls(SSLContext context) throws IOException {
		try {
			handshake(context, true);
		}
		catch (IOException ex) {
			this.wire.disconnect();
			throw ex;
		}
	}

	private void handshake(SSLContext context, boolean afterStarttls) throws IOException {
		SSLContext chosen = (context != null) ? context
				: (this.sslContext != null) ? this.sslContext : SmtpTls.defaultContext();
		SmtpEndpoint target = this.wire.endpoint();
		this.wire.startTls(chosen, this.settings.hostnameVerification(), this.settings.tlsProtocols(),
				this.settings.tlsCipherSuites(),
				(failure) -> this.handshakeFailure.describe(target, afterStarttls, failure));
	}

}
