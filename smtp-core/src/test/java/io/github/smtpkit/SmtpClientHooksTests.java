package io.github.smtpkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.testing.ScriptedSmtpServer;
import io.github.smtpkit.testing.TestCertificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The hooks of {@link SmtpClient} that the Spring Boot starter builds on: {@code ping} for health
 * checks, TLS protocols and cipher suites from an SSL bundle, an SSL context supplier for
 * certificate reloading, and debug output routed to a logger.
 */
@Timeout(30)
class SmtpClientHooksTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String GREETING = "220 fake.test ESMTP ready";

	private static final String EHLO = "250-fake.test greets client.test\n250 8BITMIME";

	@Test
	void pingSendsNoopThroughAPooledSessionAndKeepsIt() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO).reply("250 2.0.0 ok").reply("250 2.0.0 still ok").reply("221 bye");
			try (SmtpClient client = clientFor(server).build()) {
				assertThat(client.ping(WAIT)).isEqualTo(new SmtpReply(250, "2.0.0 ok"));
				assertThat(client.ping(WAIT)).isEqualTo(new SmtpReply(250, "2.0.0 still ok"));
				assertThat(client.poolStats().idle()).isEqualTo(1);
				assertThat(client.poolStats().created()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP", "NOOP", "QUIT");
			assertThat(server.connectionCount()).isEqualTo(1);
			server.assertNoFailures();
		}
	}

	@Test
	void pingAsksAFreshConnectionWhenThePooledOneWasClosedByTheServer() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO).reply("250 2.0.0 ok").disconnectAfterRead();
			server.greet(GREETING).reply(EHLO).reply("250 2.0.0 fresh").reply("221 bye");
			try (SmtpClient client = clientFor(server).build()) {
				client.ping(WAIT);

				assertThat(client.ping(WAIT)).isEqualTo(new SmtpReply(250, "2.0.0 fresh"));
				assertThat(client.poolStats().created()).isEqualTo(2);
				assertThat(client.poolStats().destroyed()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void pingClosesAPooledSessionAnswering421WithoutQuitAndAsksAFreshOne() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// A restart: the old connection says 421 and the server waits for the client to hang up.
			server.greet(GREETING).reply(EHLO).reply("250 2.0.0 ok").reply("421 4.3.2 restarting").awaitClose();
			server.greet(GREETING).reply(EHLO).reply("250 2.0.0 fresh").reply("221 bye");
			try (SmtpClient client = clientFor(server).build()) {
				client.ping(WAIT);

				assertThat(client.ping(WAIT)).isEqualTo(new SmtpReply(250, "2.0.0 fresh"));
				assertThat(client.poolStats().created()).isEqualTo(2);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP", "NOOP", "EHLO client.test",
					"NOOP", "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void pingFailsWhenNoConnectionCanBeOpened() throws Exception {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		try (SmtpClient client = SmtpClient.builder().host("127.0.0.1").port(closedPort).tls(TlsMode.NONE).build()) {
			assertThatExceptionOfType(IOException.class).isThrownBy(() -> client.ping(WAIT))
				.withMessageContaining("127.0.0.1:" + closedPort);
		}
	}

	@Test
	void pingNeedsAPositiveWait() {
		try (SmtpClient client = SmtpClient.builder().host("127.0.0.1").build()) {
			assertThatIllegalArgumentException().isThrownBy(() -> client.ping(Duration.ZERO))
				.withMessageContaining("maxWait");
		}
	}

	@Test
	void tlsProtocolsAndCipherSuitesAreTheOnlyOnesOffered() throws Exception {
		String cipherSuite = "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
		TlsEvents events = new TlsEvents();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startImplicitTls(TestCertificates.serverContext())) {
			server.greet(GREETING).reply(EHLO).reply("250 2.0.0 ok").reply("221 bye");
			try (SmtpClient client = tlsClientFor(server).sslContext(TestCertificates.clientContextTrustingCa())
				.tlsProtocols(List.of("TLSv1.2"))
				.tlsCipherSuites(List.of(cipherSuite))
				.eventListener(events)
				.build()) {
				client.ping(WAIT);
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
		assertThat(events.established).containsExactly("TLSv1.2 " + cipherSuite);
	}

	@Test
	void blankTlsProtocolIsRefusedWhenSet() {
		SmtpClient.Builder builder = SmtpClient.builder().host("127.0.0.1");
		assertThatIllegalArgumentException().isThrownBy(() -> builder.tlsProtocols(List.of(" ")))
			.withMessageContaining("tlsProtocols");
	}

	@Test
	void sslContextSupplierIsAskedForEveryNewConnection() throws Exception {
		AtomicReference<SSLContext> current = new AtomicReference<>(TestCertificates.clientContextTrustingOtherCa());
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startImplicitTls(TestCertificates.serverContext())) {
			server.greet(GREETING).reply(EHLO).reply("250 2.0.0 ok").reply("221 bye");
			try (SmtpClient client = tlsClientFor(server).sslContextSupplier(current::get).build()) {
				assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(() -> client.ping(WAIT));

				// As a renewed SSL bundle would: the next connection trusts the new authority.
				current.set(TestCertificates.clientContextTrustingCa());
				assertThat(client.ping(WAIT).code()).isEqualTo(250);
			}
			server.awaitScriptDone(WAIT);
		}
	}

	@Test
	void debugLinesGoToTheDebugOutput() throws Exception {
		List<String> lines = new CopyOnWriteArrayList<>();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO).reply("250 2.0.0 ok").reply("221 bye");
			try (SmtpClient client = clientFor(server).debugLevel(1).debugOutput(lines::add).build()) {
				client.ping(WAIT);
			}
			server.awaitScriptDone(WAIT);
		}
		assertThat(lines).anySatisfy((line) -> assertThat(line).contains("send:").contains("NOOP"));
	}

	@Test
	void negativeDebugLevelIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpClient.builder().debugLevel(-1))
			.withMessageContaining("debugLevel");
	}

	private static SmtpClient.Builder clientFor(ScriptedSmtpServer server) {
		return SmtpClient.builder()
			.host(server.host())
			.port(server.port())
			.tls(TlsMode.NONE)
			.localHostname("client.test")
			.timeout(WAIT)
			.connectTimeout(WAIT);
	}

	private static SmtpClient.Builder tlsClientFor(ScriptedSmtpServer server) {
		return clientFor(server).protocol(SmtpProtocol.SMTPS).tls(TlsMode.IMPLICIT);
	}

	/** Records each TLS handshake as {@code "<protocol> <cipher suite>"}. */
	private static final class TlsEvents implements SmtpEventListener {

		private final List<String> established = new CopyOnWriteArrayList<>();

		@Override
		public void tlsEstablished(SmtpEndpoint endpoint, String protocol, String cipherSuite, Duration duration) {
			this.established.add(protocol + " " + cipherSuite);
		}

	}

}
