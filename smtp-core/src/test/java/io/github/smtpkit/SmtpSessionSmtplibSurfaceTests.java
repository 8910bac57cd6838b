package io.github.smtpkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.SocketFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The parts of smtplib's surface that have no other home: {@code send} given bytes, the debug
 * level, {@code source_address}, the socket seam ({@code _get_socket}) and {@code quotedata}.
 */
@Timeout(20)
class SmtpSessionSmtplibSurfaceTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	@Test
	void sendGivenBytesWritesThemAsTheyAre() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250 ok").awaitClose();
			try (SmtpSession session = client(server).connect()) {
				session.send("XCAF\u00e9 \u00ff\r\n".getBytes(StandardCharsets.ISO_8859_1));
				assertThat(session.getreply()).isEqualTo(new SmtpReply(250, "ok"));
				session.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.received()).isEqualTo("XCAF\u00e9 \u00ff\r\n".getBytes(StandardCharsets.ISO_8859_1));
			server.assertNoFailures();
		}
	}

	@Test
	void theDebugLevelCanBeRead() {
		SmtpSession session = SmtpSession.smtp().debugLevel(2).debugOutput((line) -> {
		}).build();
		assertThat(session.debugLevel()).isEqualTo(2);
		session.setDebugLevel(0);
		assertThat(session.debugLevel()).isZero();
	}

	@Test
	void theSourceAddressIsTheOneConnectionsAreMadeFrom() throws Exception {
		InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
		assertThat(SmtpSession.smtp().build().sourceAddress()).isNull();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").awaitClose();
			SmtpSession session = SmtpSession.smtp().localHostname("client.test").timeout(WAIT).build();
			session.connect(server.host(), server.port(), loopback);
			assertThat(session.sourceAddress()).isEqualTo(loopback);
			session.disconnect();
			server.awaitScriptDone(WAIT);
		}
	}

	@Test
	void connectionsAreMadeWithTheSocketFactoryGiven() throws Exception {
		AtomicInteger sockets = new AtomicInteger();
		SocketFactory counting = new SocketFactory() {

			@Override
			public Socket createSocket() {
				sockets.incrementAndGet();
				return new Socket();
			}

			@Override
			public Socket createSocket(String host, int port) throws IOException {
				throw new UnsupportedOperationException("the session asks for an unconnected socket");
			}

			@Override
			public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
				throw new UnsupportedOperationException("the session asks for an unconnected socket");
			}

			@Override
			public Socket createSocket(InetAddress host, int port) {
				throw new UnsupportedOperationException("the session asks for an unconnected socket");
			}

			@Override
			public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
				throw new UnsupportedOperationException("the session asks for an unconnected socket");
			}

		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250 ok").reply("221 bye");
			try (SmtpSession session = client(server).socketFactory(counting).connect()) {
				assertThat(session.noop().code()).isEqualTo(250);
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
		assertThat(sockets).hasValue(1);
	}

	@Test
	void quotedataIsSmtplibs() {
		// What CPython's smtplib.quotedata returns for the same input.
		assertThat(SmtpSession.quotedata(".a\n.b\r.c\r\n..d")).isEqualTo("..a\r\n..b\r\n..c\r\n...d");
	}

	private static SmtpSession.Builder client(ScriptedSmtpServer server) {
		return SmtpSession.smtp().host(server.host()).port(server.port()).localHostname("client.test").timeout(WAIT);
	}

}
