package io.github.smtpkit.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.net.SocketFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every address a host name resolves to is tried, in order, before a connection fails: a name
 * such as {@code localhost} that resolves to {@code ::1} and {@code 127.0.0.1}, with the server on
 * only one of them, still connects. Given the addresses directly, since what a name resolves to
 * depends on the machine; the attempts are recorded by the socket factory seam.
 */
@Timeout(30)
class SmtpConnectionAddressesTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	@Test
	void anAddressThatRefusesIsPassedOverForTheNextAddressOfTheSameName() throws Exception {
		InetAddress ipv6 = InetAddress.getByName("::1");
		InetAddress ipv4 = InetAddress.getByName("127.0.0.1");
		RecordingSockets sockets = new RecordingSockets();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// The scripted server listens on 127.0.0.1 only: [::1] on its port refuses (or has no IPv6).
			server.greet("220 fake.test ESMTP ready").awaitClose();
			SmtpEndpoint endpoint = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "localhost", server.port());

			SmtpConnection connection = SmtpConnection.openFirst(endpoint, new InetAddress[] { ipv6, ipv4 }, sockets,
					null, TIMEOUT, TIMEOUT);
			try {
				String greeting = new BufferedReader(new InputStreamReader(connection.input(), StandardCharsets.US_ASCII))
					.readLine();
				assertThat(greeting).startsWith("220 fake.test");
			}
			finally {
				connection.close();
			}
			assertThat(sockets.attempts).containsExactly(new InetSocketAddress(ipv6, server.port()),
					new InetSocketAddress(ipv4, server.port()));
			server.awaitScriptDone(TIMEOUT);
			assertThat(server.connectionCount()).isEqualTo(1);
		}
	}

	@Test
	void whenNoAddressAcceptsTheLastFailureIsThrownNamingTheServer() throws Exception {
		int port = closedPort();
		InetAddress ipv4 = InetAddress.getByName("127.0.0.1");
		RecordingSockets sockets = new RecordingSockets();
		SmtpEndpoint endpoint = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "localhost", port);

		Throwable thrown = catchThrowable(() -> SmtpConnection.openFirst(endpoint,
				new InetAddress[] { InetAddress.getByName("::1"), ipv4 }, sockets, null, TIMEOUT, TIMEOUT));

		assertThat(thrown).isInstanceOf(ConnectException.class).hasMessageStartingWith("Could not connect to localhost:" + port);
		assertThat(sockets.attempts).hasSize(2).last().isEqualTo(new InetSocketAddress(ipv4, port));
	}

	/** A loopback port nothing listens on: bound, then released. */
	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			return socket.getLocalPort();
		}
	}

	/** Makes plain sockets that record where each was asked to connect. */
	private static final class RecordingSockets extends SocketFactory {

		final List<SocketAddress> attempts = new CopyOnWriteArrayList<>();

		@Override
		public Socket createSocket() {
			return new Socket() {
				@Override
				public void connect(SocketAddress endpoint, int timeout) throws IOException {
					RecordingSockets.this.attempts.add(endpoint);
					super.connect(endpoint, timeout);
				}
			};
		}

		@Override
		public Socket createSocket(String host, int port) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Socket createSocket(InetAddress host, int port) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
			throw new UnsupportedOperationException();
		}

	}

}
