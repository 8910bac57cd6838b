package io.github.smtpkit;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;

import javax.net.ssl.SSLHandshakeException;

import io.github.smtpkit.testing.ScriptedSmtpServer;
import io.github.smtpkit.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Opening a session: smtplib's constructor and {@code connect()}, the {@code host:port} form,
 * default ports, greetings, connection failures, timeouts, source addresses and implicit TLS.
 */
@Timeout(20)
class SmtpSessionConnectTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String LOOPBACK = "127.0.0.1";

	@Test
	void builderConnectReturnsAConnectedSession() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test ESMTP ready").reply("221 bye").awaitClose();

			SmtpSession session = client(server).connect();

			assertThat(session.isConnected()).isTrue();
			assertThat(session.isTls()).isFalse();
			assertThat(session.protocol()).isEqualTo(SmtpProtocol.SMTP);
			assertThat(session.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, LOOPBACK, server.port()));
			assertThat(session.quit()).isEqualTo(new SmtpReply(221, "bye"));
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void constructThenConnectReturnsTheGreeting() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test ESMTP ready").awaitClose();
			SmtpSession session = SmtpSession.smtp().timeout(WAIT).build();
			assertThat(session.isConnected()).isFalse();
			assertThat(session.endpoint()).isNull();

			SmtpReply greeting = session.connect(server.host(), server.port());

			assertThat(greeting).isEqualTo(new SmtpReply(220, "fake.test ESMTP ready"));
			assertThat(session.isConnected()).isTrue();
			assertThat(session.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, LOOPBACK, server.port()));
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.received()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void connectWithoutArgumentsUsesTheBuildersHostAndPort() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").awaitClose();
			SmtpSession session = client(server).build();

			assertThat(session.connect()).isEqualTo(new SmtpReply(220, "fake.test"));

			assertThat(session.endpoint().port()).isEqualTo(server.port());
			session.disconnect();
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void hostWithOneColonNamesThePort() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 first").awaitClose().greet("220 second").awaitClose();

			SmtpSession session = SmtpSession.smtp().timeout(WAIT).build();
			assertThat(session.connect(LOOPBACK + ":" + server.port())).isEqualTo(new SmtpReply(220, "first"));
			assertThat(session.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, LOOPBACK, server.port()));
			session.disconnect();

			SmtpSession viaBuilder = SmtpSession.smtp().host(LOOPBACK + ":" + server.port()).timeout(WAIT).build();
			assertThat(viaBuilder.connect()).isEqualTo(new SmtpReply(220, "second"));
			assertThat(viaBuilder.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, LOOPBACK, server.port()));
			viaBuilder.disconnect();

			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			server.assertNoFailures();
		}
	}

	@Test
	void nonNumericPortSuffixIsRefusedBeforeConnecting() {
		SmtpSession session = SmtpSession.smtp().timeout(WAIT).build();

		assertThatIllegalArgumentException().isThrownBy(() -> session.connect("localhost:bogus"))
			.withMessageContaining("nonnumeric port")
			.withMessageContaining("bogus");

		assertThat(session.isConnected()).isFalse();
		assertThat(session.endpoint()).isNull();
	}

	@Test
	void outOfRangePortsAreRefused() {
		SmtpSession session = SmtpSession.smtp().timeout(WAIT).build();

		assertThatIllegalArgumentException().isThrownBy(() -> session.connect("localhost:65536"))
			.withMessageContaining("65536");
		assertThatIllegalArgumentException().isThrownBy(() -> session.connect("localhost", -1))
			.withMessageContaining("-1");
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpSession.smtp().port(70000))
			.withMessageContaining("70000");
		assertThat(session.isConnected()).isFalse();
	}

	@Test
	void hostWithSeveralColonsIsAnIpv6LiteralWithoutPort() throws Exception {
		try (ServerSocket taken = takenLoopbackPort()) {
			SmtpSession session = SmtpSession.smtp()
				.sourceAddress(new InetSocketAddress(LOOPBACK, taken.getLocalPort()))
				.timeout(Duration.ofSeconds(1))
				.build();

			IOException failure = catchThrowableOfType(IOException.class, () -> session.connect("::1"));

			assertThat(session.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "::1", 25));
			assertThat(failure).hasMessageContaining("[::1]:25");
			assertThat(session.isConnected()).isFalse();
		}
	}

	@ParameterizedTest
	@CsvSource({ "SMTP, 25", "SMTPS, 465", "LMTP, 2003" })
	void eachProtocolHasItsDefaultPort(SmtpProtocol protocol, int port) throws Exception {
		assertThat(protocol.defaultPort()).isEqualTo(port);
		// The source address is in use, so binding fails and no connection to the default port is made.
		try (ServerSocket taken = takenLoopbackPort()) {
			SmtpSession session = SmtpSession.builder(protocol)
				.host(LOOPBACK)
				.sourceAddress(new InetSocketAddress(LOOPBACK, taken.getLocalPort()))
				.timeout(Duration.ofSeconds(1))
				.build();

			IOException failure = catchThrowableOfType(IOException.class, session::connect);

			assertThat(session.endpoint()).isEqualTo(SmtpEndpoint.tcp(protocol, LOOPBACK, port));
			assertThat(failure).hasMessageContaining(LOOPBACK + ":" + port);
			assertThat(session.isConnected()).isFalse();
		}
	}

	@Test
	void defaultHostIsLocalhost() throws Exception {
		try (ServerSocket taken = takenLoopbackPort()) {
			SmtpSession session = SmtpSession.smtp()
				.sourceAddress(new InetSocketAddress(LOOPBACK, taken.getLocalPort()))
				.timeout(Duration.ofSeconds(1))
				.build();

			catchThrowableOfType(IOException.class, session::connect);

			assertThat(session.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "localhost", 25));
		}
	}

	@Test
	void multiLineGreetingIsJoined() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220-fake.test ESMTP\n220-no spam please\n220 ready").awaitClose();
			SmtpSession session = client(server).build();

			assertThat(session.connect()).isEqualTo(new SmtpReply(220, "fake.test ESMTP\nno spam please\nready"));

			session.disconnect();
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void greetingOtherThan220RaisesConnectExceptionAndCloses() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("554 5.3.2 no service for you").awaitClose();
			SmtpSession session = client(server).build();

			assertThatExceptionOfType(SmtpConnectException.class).isThrownBy(session::connect).satisfies((ex) -> {
				assertThat(ex.smtpCode()).isEqualTo(554);
				assertThat(ex.smtpError()).isEqualTo("5.3.2 no service for you");
				assertThat(ex.reply()).isEqualTo(new SmtpReply(554, "5.3.2 no service for you"));
			});

			assertThat(session.isConnected()).isFalse();
			// awaitClose() finishes only when the client has closed its socket.
			server.awaitScriptDone(WAIT);
			assertThat(server.received()).as("no QUIT to a server that refused us").isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void builderConnectRaisesConnectExceptionForAMultiLineRefusal() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("421-4.3.2 busy\n421 4.3.2 try again later").awaitClose();

			assertThatExceptionOfType(SmtpConnectException.class).isThrownBy(() -> client(server).connect())
				.satisfies((ex) -> {
					assertThat(ex.smtpCode()).isEqualTo(421);
					assertThat(ex.smtpError()).isEqualTo("4.3.2 busy\n4.3.2 try again later");
				});

			server.awaitScriptDone(WAIT);
			assertThat(server.received()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void sessionCanConnectAgainAfterARefusedGreeting() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("554 not now").awaitClose().greet("220 welcome back").reply("250 ok").awaitClose();
			SmtpSession session = client(server).build();
			assertThatExceptionOfType(SmtpConnectException.class).isThrownBy(session::connect);

			assertThat(session.connect()).isEqualTo(new SmtpReply(220, "welcome back"));
			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "ok"));

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("NOOP");
			server.assertNoFailures();
		}
	}

	@Test
	void refusedConnectionRaisesIoExceptionNamingTheServer() throws Exception {
		int closedPort;
		try (ServerSocket socket = takenLoopbackPort()) {
			closedPort = socket.getLocalPort();
		}
		SmtpSession session = SmtpSession.smtp().host(LOOPBACK).port(closedPort).timeout(WAIT).build();

		assertThatExceptionOfType(ConnectException.class).isThrownBy(session::connect)
			.withMessageContaining(LOOPBACK + ":" + closedPort)
			.satisfies((ex) -> assertThat(ex).isNotInstanceOf(SmtpException.class));

		assertThat(session.isConnected()).isFalse();
		assertThat(session.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, LOOPBACK, closedPort));
	}

	@Test
	void timeoutMustBePositive() {
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpSession.smtp().timeout(Duration.ZERO))
			.withMessageContaining("timeout");
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpSession.smtp().timeout(Duration.ofMillis(-1)))
			.withMessageContaining("timeout");
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpSession.lmtp().timeout(Duration.ofSeconds(-30)))
			.withMessageContaining("timeout");
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpSession.smtp().timeout(null))
			.withMessageContaining("timeout");
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpSession.smtp().connectTimeout(Duration.ZERO))
			.withMessageContaining("connectTimeout");
	}

	@Test
	void timeoutIsFiniteByDefaultAndConfigurable() {
		assertThat(SmtpSession.smtp().build().timeout()).isEqualTo(SmtpSession.DEFAULT_TIMEOUT)
			.isEqualTo(Duration.ofSeconds(60));
		assertThat(SmtpSession.smtp().timeout(Duration.ofSeconds(30)).build().timeout())
			.isEqualTo(Duration.ofSeconds(30));
	}

	@Test
	void connectingTwiceIsRefusedAndKeepsTheFirstConnection() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250 still here").awaitClose();
			SmtpSession session = client(server).connect();

			assertThatExceptionOfType(IllegalStateException.class)
				.isThrownBy(() -> session.connect(server.host(), server.port()))
				.withMessageContaining(LOOPBACK + ":" + server.port());

			assertThat(session.isConnected()).isTrue();
			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "still here"));
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(1);
			server.assertNoFailures();
		}
	}

	@Test
	void everyCommandBeforeConnectAsksForConnect() {
		SmtpSession session = SmtpSession.smtp().localHostname("client.test").timeout(WAIT).build();

		assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(session::ehlo)
			.withMessage("please run connect() first");
		assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(session::helo)
			.withMessage("please run connect() first");
		assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(() -> session.send("test msg"))
			.withMessage("please run connect() first");
		assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(session::noop)
			.withMessage("please run connect() first");
		assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(session::getreply)
			.withMessage("please run connect() first");
		assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(() -> session.mail("a@x.test"))
			.withMessage("please run connect() first");
		assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(() -> session.data("hi"))
			.withMessage("please run connect() first");
		assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(session::quit)
			.withMessage("please run connect() first");
		assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(session::ehloOrHeloIfNeeded)
			.withMessage("please run connect() first");
		assertThat(session.isConnected()).isFalse();
	}

	@Test
	void closeAndDisconnectBeforeConnectDoNothing() throws Exception {
		SmtpSession session = SmtpSession.smtp().build();

		session.close();
		session.disconnect();

		assertThat(session.isConnected()).isFalse();
		assertThat(session.endpoint()).isNull();
	}

	@Test
	void connectsFromTheGivenSourceAddress() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 first").reply("250 ok").awaitClose().greet("220 second").awaitClose();

			SmtpSession session = client(server).sourceAddress(new InetSocketAddress(LOOPBACK, 0)).connect();
			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "ok"));
			session.disconnect();

			SmtpSession other = SmtpSession.smtp().timeout(WAIT).build();
			assertThat(other.connect(server.host(), server.port(), new InetSocketAddress(LOOPBACK, 0)))
				.isEqualTo(new SmtpReply(220, "second"));
			other.disconnect();

			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void sourceAddressThatCannotBeBoundFailsTheConnect() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start(); ServerSocket taken = takenLoopbackPort()) {
			SmtpSession session = SmtpSession.smtp().timeout(WAIT).build();

			assertThatExceptionOfType(IOException.class)
				.isThrownBy(() -> session.connect(server.host(), server.port(),
						new InetSocketAddress(LOOPBACK, taken.getLocalPort())))
				.withMessageContaining(LOOPBACK + ":" + server.port());

			assertThat(session.isConnected()).isFalse();
			assertThat(server.connectionCount()).isZero();
		}
	}

	@Test
	void implicitTlsWithTheRightTrustConnects() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startImplicitTls(TestCertificates.serverContext())) {
			server.greet("220 tls.test ESMTP").reply("250 ok").reply("221 bye").awaitClose();
			SmtpSession session = SmtpSession.smtps()
				.host("localhost")
				.port(server.port())
				.sslContext(TestCertificates.clientContextTrustingCa())
				.timeout(WAIT)
				.build();

			assertThat(session.connect()).isEqualTo(new SmtpReply(220, "tls.test ESMTP"));

			assertThat(session.isTls()).isTrue();
			assertThat(session.protocol()).isEqualTo(SmtpProtocol.SMTPS);
			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "ok"));
			assertThat(session.quit()).isEqualTo(new SmtpReply(221, "bye"));
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("NOOP", "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void implicitTlsWithTheDefaultJdkTrustRefusesThePrivateCertificate() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startImplicitTls(TestCertificates.serverContext())) {
			SmtpSession session = SmtpSession.smtps().host(LOOPBACK).port(server.port()).timeout(WAIT).build();

			assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(session::connect)
				.withMessageContaining(LOOPBACK + ":" + server.port());

			assertThat(session.isConnected()).isFalse();
			assertThat(session.isTls()).isFalse();
			assertThat(server.commands()).isEmpty();
		}
	}

	@Test
	void implicitTlsRefusesACertificateForAnotherHostUnlessVerificationIsOff() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer
			.startImplicitTls(TestCertificates.serverContextWithWrongHostname())) {
			SmtpSession verifying = SmtpSession.smtps()
				.host("localhost")
				.port(server.port())
				.sslContext(TestCertificates.clientContextTrustingCa())
				.timeout(WAIT)
				.build();

			assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(verifying::connect)
				.withMessageStartingWith("TLS handshake with localhost:" + server.port()
						+ " failed: the server's certificate does not name the host localhost (")
				.withMessageEndingWith("To go on, connect to a name the certificate holds, or turn host name"
						+ " verification off (hostnameVerification(false)).")
				.isInstanceOfSatisfying(SmtpTlsCertificateException.class, (ex) -> {
					assertThat(ex.problem()).isEqualTo(SmtpTlsCertificateException.Problem.HOSTNAME_MISMATCH);
					assertThat(ex.isStarttls()).as("implicit TLS").isFalse();
				});
			assertThat(verifying.isConnected()).isFalse();

			server.greet("220 wrong.test").awaitClose();
			SmtpSession trusting = SmtpSession.smtps()
				.host("localhost")
				.port(server.port())
				.sslContext(TestCertificates.clientContextTrustingCa())
				.hostnameVerification(false)
				.timeout(WAIT)
				.build();
			assertThat(trusting.connect()).isEqualTo(new SmtpReply(220, "wrong.test"));
			assertThat(trusting.isTls()).isTrue();
			trusting.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
		}
	}

	@Test
	void plainSmtpOnAnImplicitTlsPortThatStaysSilentFailsWithinTheConnectTimeoutNamingSmtps() throws Exception {
		// A listening socket that never accepts: the connection completes in its backlog and no
		// byte ever comes, as from a server waiting for a TLS ClientHello.
		try (ServerSocket silent = takenLoopbackPort()) {
			int port = silent.getLocalPort();
			SmtpSession session = SmtpSession.smtp()
				.host(LOOPBACK)
				.port(port)
				.implicitTlsPorts(port)
				.connectTimeout(Duration.ofMillis(200))
				.timeout(WAIT)
				.build();
			long started = System.nanoTime();

			SmtpImplicitTlsPortException failure = catchThrowableOfType(SmtpImplicitTlsPortException.class,
					session::connect);

			assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(WAIT);
			assertThat(failure).isInstanceOf(SmtpTimeoutException.class)
				.hasMessageStartingWith("No greeting from " + LOOPBACK + ":" + port + " within 200 ms: ")
				.hasMessageContaining("port " + port + " is for SMTP over implicit TLS (RFC 8314 3.3)")
				.hasMessageContaining("Connect with SMTPS instead: SmtpSession.smtps()")
				.hasMessageContaining("SmtpProtocol.SMTPS");
			assertThat(session.isConnected()).isFalse();
		}
	}

	@Test
	void theGreetingWaitOnAnImplicitTlsPortIsNoLongerThanTheTimeout() throws Exception {
		try (ServerSocket silent = takenLoopbackPort()) {
			int port = silent.getLocalPort();
			// No connect timeout: 10 s, but the timeout is shorter still.
			SmtpSession session = SmtpSession.smtp()
				.host(LOOPBACK)
				.port(port)
				.implicitTlsPorts(port)
				.timeout(Duration.ofMillis(300))
				.build();

			assertThatExceptionOfType(SmtpImplicitTlsPortException.class).isThrownBy(session::connect)
				.withMessageContaining(" within 300 ms: ");
		}
	}

	@ParameterizedTest
	@CsvSource({ "SMTP, false", "LMTP, true" })
	void otherPortsAndProtocolsWaitForTheGreetingAsLongAsTheTimeout(SmtpProtocol protocol, boolean implicitTlsPort)
			throws Exception {
		try (ServerSocket silent = takenLoopbackPort()) {
			int port = silent.getLocalPort();
			SmtpSession session = SmtpSession.builder(protocol)
				.host(LOOPBACK)
				.port(port)
				.implicitTlsPorts(implicitTlsPort ? port : port + 1)
				.connectTimeout(Duration.ofMillis(100))
				.timeout(Duration.ofMillis(600))
				.build();

			assertThatExceptionOfType(SmtpTimeoutException.class).isThrownBy(session::connect)
				.withMessage("Timed out after 600 ms waiting for the greeting from " + LOOPBACK + ":" + port)
				.isNotInstanceOf(SmtpImplicitTlsPortException.class);
		}
	}

	@Test
	void plainSmtpOnAnImplicitTlsPortWorksWhenTheServerGreets() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 plain.test").reply("250 ok").awaitClose();
			SmtpSession session = client(server).implicitTlsPorts(server.port())
				.connectTimeout(Duration.ofSeconds(2))
				.build();

			assertThat(session.connect()).isEqualTo(new SmtpReply(220, "plain.test"));

			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "ok"));
			session.disconnect();
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@ParameterizedTest
	@EnumSource(SmtpProtocol.class)
	void factoriesMakeSessionsOfTheirProtocol(SmtpProtocol protocol) {
		SmtpSession.Builder builder = switch (protocol) {
			case SMTP -> SmtpSession.smtp();
			case SMTPS -> SmtpSession.smtps();
			case LMTP -> SmtpSession.lmtp();
		};

		assertThat(builder.build().protocol()).isEqualTo(protocol);
		assertThat(SmtpSession.builder(protocol).build().protocol()).isEqualTo(protocol);
	}

	private static SmtpSession.Builder client(ScriptedSmtpServer server) {
		return SmtpSession.smtp().host(server.host()).port(server.port()).localHostname("client.test").timeout(WAIT);
	}

	/** A listening socket on the loopback address: its port can be neither bound nor (once closed) connected to. */
	private static ServerSocket takenLoopbackPort() throws IOException {
		return new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK));
	}

}
