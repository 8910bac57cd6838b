package io.github.smtpkit.internal;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

import javax.net.SocketFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpTimeoutException;

/**
 * One open transport to a server: a TCP socket (plain, or TLS after {@link #startTls}) or a
 * unix-domain socket. Every read is bounded by the read timeout, every write by the same timeout
 * (a server that stops reading must not hang the sender), and connecting by the connect timeout.
 */
public final class SmtpConnection implements Closeable {

	private static final int OUTPUT_BUFFER_SIZE = 64 * 1024;

	private final SmtpEndpoint endpoint;

	/** The bound on each write of a TCP connection: its reads may be given another. */
	private final Duration writeTimeout;

	/** The standing bound on each read: each reply's whole budget (see {@link #limitReads}). */
	private volatile Duration readTimeout;

	/** The TCP socket as connected, closed to abort a blocked write even under TLS. */
	private final Socket tcpSocket;

	private final UnixSocketStreams unixStreams;

	private SSLSocket tlsSocket;

	/** Whether the TLS handshake verified the certificate's chain and host name: see {@link #isTlsVerified()}. */
	private boolean tlsVerified;

	private InputStream input;

	private OutputStream output;

	/** Bounds the writes of a TCP connection (a unix-domain socket bounds its own). */
	private WriteTimeoutOutputStream writeGuard;

	private SmtpConnection(SmtpEndpoint endpoint, Duration timeout, Socket tcpSocket) throws IOException {
		this.endpoint = endpoint;
		this.writeTimeout = timeout;
		this.readTimeout = timeout;
		this.tcpSocket = tcpSocket;
		this.unixStreams = null;
		useStreams(tcpSocket.getInputStream(), tcpSocket.getOutputStream());
	}

	private SmtpConnection(SmtpEndpoint endpoint, Duration timeout, UnixSocketStreams unixStreams) {
		this.endpoint = endpoint;
		this.writeTimeout = timeout;
		this.readTimeout = timeout;
		this.tcpSocket = null;
		this.unixStreams = unixStreams;
		this.input = unixStreams.input();
		this.output = new BufferedOutputStream(unixStreams.output(), OUTPUT_BUFFER_SIZE);
	}

	/**
	 * Opens a connection, trying each address of the host in turn as Python's
	 * {@code socket.create_connection} does.
	 * @param endpoint where to connect
	 * @param socketFactory makes the unconnected TCP socket (smtplib's {@code _get_socket} seam:
	 * a proxy's socket, a test's), or {@code null} for {@code new Socket()}
	 * @param sourceAddress the local address to bind before connecting, or {@code null}
	 * @param connectTimeout the bound on each connection attempt
	 * @param readTimeout the bound on each read and each write from now on
	 * @return the open connection
	 * @throws SmtpTimeoutException if connecting timed out
	 * @throws IOException if connecting failed; the message names the server
	 */
	public static SmtpConnection open(SmtpEndpoint endpoint, SocketFactory socketFactory,
			InetSocketAddress sourceAddress, Duration connectTimeout, Duration readTimeout) throws IOException {
		if (endpoint.isUnixSocket()) {
			return openUnix(endpoint, readTimeout);
		}
		InetAddress[] addresses;
		try {
			addresses = InetAddress.getAllByName(endpoint.host());
		}
		catch (UnknownHostException ex) {
			UnknownHostException named = new UnknownHostException("Unknown host " + endpoint.host() + " (connecting to "
					+ endpoint + ")");
			named.initCause(ex);
			throw named;
		}
		return openFirst(endpoint, addresses, socketFactory, sourceAddress, connectTimeout, readTimeout);
	}

	/**
	 * Connects to the first of the addresses that accepts, trying each in turn (a name that
	 * resolves to {@code ::1} and {@code 127.0.0.1} is tried on both), each attempt bounded by the
	 * connect timeout; the last failure is thrown when none accepts.
	 */
	static SmtpConnection openFirst(SmtpEndpoint endpoint, InetAddress[] addresses, SocketFactory socketFactory,
			InetSocketAddress sourceAddress, Duration connectTimeout, Duration readTimeout) throws IOException {
		IOException lastFailure = null;
		for (InetAddress address : addresses) {
			Socket socket = (socketFactory != null) ? socketFactory.createSocket() : new Socket();
			try {
				if (sourceAddress != null) {
					socket.bind(sourceAddress);
				}
				socket.connect(new InetSocketAddress(address, endpoint.port()), millis(connectTimeout));
				socket.setSoTimeout(millis(readTimeout));
				// Commands are small and each waits for its reply: Nagle's algorithm would only add delay.
				socket.setTcpNoDelay(true);
				return new SmtpConnection(endpoint, readTimeout, socket);
			}
			catch (IOException ex) {
				closeQuietly(socket);
				lastFailure = ex;
			}
		}
		throw connectFailure(endpoint, connectTimeout, lastFailure);
	}

	private static SmtpConnection openUnix(SmtpEndpoint endpoint, Duration readTimeout) throws IOException {
		SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
		try {
			// A unix-domain connect either succeeds or fails at once: there is nothing to time out.
			channel.connect(UnixDomainSocketAddress.of(endpoint.unixSocket()));
			return new SmtpConnection(endpoint, readTimeout, new UnixSocketStreams(channel, readTimeout));
		}
		catch (IOException ex) {
			closeQuietly(channel);
			IOException named = new ConnectException("Could not connect to " + endpoint + ": " + ex.getMessage());
			named.initCause(ex);
			throw named;
		}
	}

	private static IOException connectFailure(SmtpEndpoint endpoint, Duration timeout, IOException failure) {
		if (failure instanceof SocketTimeoutException) {
			return new SmtpTimeoutException("Timed out after " + Durations.describe(timeout) + " connecting to "
					+ endpoint, failure);
		}
		String reason = (failure != null) ? failure.getMessage() : "no address";
		IOException named = (failure instanceof ConnectException || failure == null)
				? new ConnectException("Could not connect to " + endpoint + ": " + reason)
				: new IOException("Could not connect to " + endpoint + ": " + reason);
		named.initCause(failure);
		return named;
	}

	/**
	 * Starts TLS on this connection (STARTTLS, or implicit TLS before the greeting) and completes the
	 * handshake, bounded by the read timeout.
	 * @param context the context whose trust managers decide which certificates are accepted
	 * @param verifyHostname whether the certificate must name the host (RFC 2818 rules)
	 * @param protocols the TLS protocols to enable, or empty for the context's defaults
	 * @param cipherSuites the cipher suites to enable, or empty for the context's defaults
	 * @return the established TLS session
	 * @throws IOException if the handshake fails; the connection is then unusable
	 */
	public SSLSession startTls(SSLContext context, boolean verifyHostname, List<String> protocols,
			List<String> cipherSuites) throws IOException {
		if (this.tcpSocket == null) {
			throw new IllegalStateException("TLS over a unix-domain socket is not supported");
		}
		String host = this.endpoint.host();
		SSLSocket socket = (SSLSocket) context.getSocketFactory()
			.createSocket(this.tcpSocket, host, this.endpoint.port(), true);
		SSLParameters parameters = socket.getSSLParameters();
		if (!protocols.isEmpty()) {
			parameters.setProtocols(protocols.toArray(String[]::new));
		}
		if (!cipherSuites.isEmpty()) {
			parameters.setCipherSuites(cipherSuites.toArray(String[]::new));
		}
		if (verifyHostname) {
			parameters.setEndpointIdentificationAlgorithm("HTTPS");
		}
		if (!isIpLiteral(host)) {
			try {
				parameters.setServerNames(List.of(new SNIHostName(host)));
			}
			catch (IllegalArgumentException ex) {
				// Not a name SNI can carry (RFC 6066 3): go without, as Python does.
			}
		}
		socket.setSSLParameters(parameters);
		socket.setUseClientMode(true);
		socket.startHandshake();
		this.tlsSocket = socket;
		this.tlsVerified = verifyHostname && !InsecureTlsContexts.contains(context);
		useStreams(socket.getInputStream(), socket.getOutputStream());
		return socket.getSession();
	}

	private void useStreams(InputStream in, OutputStream out) {
		if (this.writeGuard != null) {
			this.writeGuard.release();
		}
		this.writeGuard = new WriteTimeoutOutputStream(out, this.writeTimeout, this::abort);
		this.input = in;
		this.output = new BufferedOutputStream(this.writeGuard, OUTPUT_BUFFER_SIZE);
	}

	/** The stream of the server's bytes (decrypted under TLS). A new one after {@link #startTls}. */
	public InputStream input() {
		return this.input;
	}

	/** The buffered stream to the server; flush to send. A new one after {@link #startTls}. */
	public OutputStream output() {
		return this.output;
	}

	/** Whether TLS is on. */
	public boolean isTls() {
		return this.tlsSocket != null;
	}

	/** The TLS session, for channel binding; {@code null} when TLS is not on. */
	public SSLSession tlsSession() {
		return (this.tlsSocket != null) ? this.tlsSocket.getSession() : null;
	}

	/**
	 * Whether TLS is on with the server's certificate verified: its host name checked, and its
	 * chain by a context other than {@code SmtpTls.insecureTrustAllCertificates()}. A context of the
	 * application's own that trusts everything cannot be told apart, and counts as verifying.
	 */
	public boolean isTlsVerified() {
		return this.tlsSocket != null && this.tlsVerified;
	}

	/**
	 * Whether the server is on this machine: a unix-domain socket, or a TCP peer with a loopback
	 * address (127.0.0.0/8 or ::1). Credentials may travel in clear text only to such a server.
	 */
	public boolean isLoopback() {
		return this.unixStreams != null || this.tcpSocket.getInetAddress().isLoopbackAddress();
	}

	/** Whether this is a unix-domain socket. */
	public boolean isUnixSocket() {
		return this.unixStreams != null;
	}

	/**
	 * Changes the bound on each read from now on (over TCP writes keep theirs; a unix-domain
	 * socket has one bound for both): for a quick check, such as a pool's validation, that must
	 * not wait as long as a transaction may.
	 */
	public void setReadTimeout(Duration timeout) throws IOException {
		limitReads(millis(timeout));
		this.readTimeout = timeout;
	}

	/**
	 * The standing bound on each read, as given when opened or by {@link #setReadTimeout}: the
	 * budget of each whole reply.
	 */
	public Duration readTimeout() {
		return this.readTimeout;
	}

	/**
	 * Bounds the next reads by {@code millis} without changing the standing {@link #readTimeout()}:
	 * for the later reads of a reply, which get only what is left of its budget.
	 */
	public void limitReads(int millis) throws IOException {
		if (this.unixStreams != null) {
			this.unixStreams.setTimeout(Duration.ofMillis(millis));
		}
		else {
			// Under TLS the SSLSocket reads through the TCP socket, whose timeout is the one that counts.
			this.tcpSocket.setSoTimeout(millis);
		}
	}

	/**
	 * The bound on each write: for TCP the timeout the connection was opened with, whatever its
	 * reads were given since; a unix-domain socket has one bound for both.
	 */
	public Duration writeTimeout() {
		return (this.unixStreams != null) ? this.unixStreams.timeout() : this.writeTimeout;
	}

	/**
	 * Aborts the connection if the returned handle is not closed within the timeout: the bound on a
	 * whole message transfer, which per-write timeouts cannot give when a server reads slowly.
	 * @param timeout the deadline from now
	 * @param onTimeout runs, on the timer thread, just before the connection is aborted
	 * @return closing it cancels the deadline
	 */
	public AutoCloseable abortAfter(Duration timeout, Runnable onTimeout) {
		ScheduledFuture<?> deadline = Timeouts.schedule(() -> {
			onTimeout.run();
			abort();
		}, timeout);
		return () -> deadline.cancel(false);
	}

	/** Closes the transport at once, without TLS close_notify, unblocking any read or write. */
	public void abort() {
		if (this.writeGuard != null) {
			this.writeGuard.release();
		}
		closeQuietly(this.tcpSocket);
		closeQuietly(this.unixStreams);
	}

	@Override
	public void close() {
		closeQuietly(this.tlsSocket);
		abort();
	}

	private static boolean isIpLiteral(String host) {
		return host.indexOf(':') >= 0 || host.chars().allMatch((c) -> c == '.' || Character.isDigit(c));
	}

	static int millis(Duration duration) {
		return (int) Math.min(Integer.MAX_VALUE, Math.max(1, duration.toMillis()));
	}

	private static void closeQuietly(Closeable closeable) {
		if (closeable != null) {
			try {
				closeable.close();
			}
			catch (IOException ex) {
				// Closing is best effort: the connection is being given up either way.
			}
		}
	}

}
