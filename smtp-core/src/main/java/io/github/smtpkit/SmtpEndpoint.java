package io.github.smtpkit;

import java.nio.file.Path;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Where a session is connected: the protocol and either a host and port or a unix-domain socket.
 * Events and error messages name the server with it.
 *
 * @param protocol the dialect spoken
 * @param host the host name or address as given (for a unix-domain socket, its path)
 * @param port the TCP port, or {@code 0} for a unix-domain socket
 * @param unixSocket the socket file, or {@code null} for TCP
 */
public record SmtpEndpoint(SmtpProtocol protocol, String host, int port, @Nullable Path unixSocket) {

	public SmtpEndpoint {
		Objects.requireNonNull(protocol, "protocol");
		Objects.requireNonNull(host, "host");
	}

	/** A TCP endpoint. */
	public static SmtpEndpoint tcp(SmtpProtocol protocol, String host, int port) {
		return new SmtpEndpoint(protocol, host, port, null);
	}

	/** A unix-domain socket endpoint. */
	public static SmtpEndpoint unix(SmtpProtocol protocol, Path socket) {
		return new SmtpEndpoint(protocol, socket.toString(), 0, socket);
	}

	/** Whether this is a unix-domain socket rather than TCP. */
	public boolean isUnixSocket() {
		return this.unixSocket != null;
	}

	/** {@code host:port} (IPv6 literals in brackets), or {@code unix:/path}. */
	@Override
	public String toString() {
		if (isUnixSocket()) {
			return "unix:" + this.unixSocket;
		}
		return (this.host.indexOf(':') >= 0 ? "[" + this.host + "]" : this.host) + ":" + this.port;
	}

}
