package io.github.smtpkit.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpConnectException;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The connector on its own, over a real wire to the scripted server: where it connects, that it
 * hands the connection to the wire, and that a failed connect is given up through the wire and
 * reported to the listener. How the greeting is bounded on port 465, implicit TLS and the source
 * address are covered through the session in {@code SmtpSessionConnectTests}.
 */
@Timeout(20)
class SessionConnectorTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private final List<String> events = new ArrayList<>();

	private final List<String> disconnects = new ArrayList<>();

	private SmtpWire wire;

	@AfterEach
	void closeTheWire() {
		if (this.wire != null) {
			this.wire.close();
		}
	}

	@Test
	void connectsHandsTheConnectionToTheWireAndReportsTheGreeting() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test ready").reply("250 ok");
			SessionConnector connector = connector(SmtpProtocol.SMTP);

			SmtpReply greeting = connector.connect(server.host(), server.port());

			assertThat(greeting).isEqualTo(new SmtpReply(220, "fake.test ready"));
			SmtpEndpoint target = SmtpEndpoint.tcp(SmtpProtocol.SMTP, server.host(), server.port());
			assertThat(this.wire.isConnected()).isTrue();
			assertThat(this.wire.endpoint()).isEqualTo(target);
			assertThat(this.events).containsExactly("start " + target, "end " + target + " 220");
			this.wire.writeCommand("NOOP");
			assertThat(this.wire.readReply()).isEqualTo(new SmtpReply(250, "ok"));
		}
	}

	@Test
	void aHostWithOneColonNamesThePortWhenNoneIsGivenAsSmtplibReadsIt() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test");
			SessionConnector connector = connector(SmtpProtocol.SMTP);

			connector.connect(server.host() + ":" + server.port(), 0);

			assertThat(this.wire.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, server.host(), server.port()));
		}
	}

	@Test
	void aGreetingOtherThan220GivesTheConnectionUpThroughTheWire() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("554 go away").awaitClose();
			SessionConnector connector = connector(SmtpProtocol.SMTP);

			Throwable thrown = catchThrowable(() -> connector.connect(server.host(), server.port()));

			assertThat(thrown).isInstanceOf(SmtpConnectException.class).hasMessageContaining("go away");
			assertThat(this.disconnects).containsExactly("disconnected");
			assertThat(this.wire.isConnected()).isFalse();
			SmtpEndpoint target = SmtpEndpoint.tcp(SmtpProtocol.SMTP, server.host(), server.port());
			assertThat(this.events).containsExactly("start " + target, "failed " + target);
		}
	}

	@Test
	void aSecondConnectWhileConnectedIsRefused() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test");
			SessionConnector connector = connector(SmtpProtocol.SMTP);
			connector.connect(server.host(), server.port());

			assertThatIllegalStateException().isThrownBy(() -> connector.connect(server.host(), server.port()))
				.withMessageContaining("Already connected to " + server.host() + ":" + server.port());
		}
	}

	@Test
	void portsAndUnixSocketsAreCheckedNamingTheBadValue() {
		assertThat(SessionConnector.requirePort(0, "")).isZero();
		assertThatIllegalArgumentException().isThrownBy(() -> SessionConnector.requirePort(65536, " in host 'h'"))
			.withMessage("port must be between 0 and 65535, but was 65536 in host 'h'");
		Path socket = Path.of("/run/dovecot/lmtp");
		assertThat(SessionConnector.requireUnixSocket(SmtpProtocol.LMTP, socket)).isEqualTo(socket);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SessionConnector.requireUnixSocket(SmtpProtocol.SMTP, socket))
			.withMessage("unixSocket is for LMTP, but this builder is for SMTP");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SessionConnector.requireUnixSocket(SmtpProtocol.LMTP, Path.of("lmtp")))
			.withMessage("unixSocket must be an absolute path, but was lmtp");
	}

	@Test
	void aPortSuffixThatIsNotANumberIsRefusedBeforeAnythingIsOpened() {
		SessionConnector connector = connector(SmtpProtocol.SMTP);

		assertThatIllegalArgumentException().isThrownBy(() -> connector.connect("mail.example.test:smtp", 0))
			.withMessage("nonnumeric port 'smtp' in host 'mail.example.test:smtp'");
		assertThat(this.events).isEmpty();
	}

	private SessionConnector connector(SmtpProtocol protocol) {
		SmtpEventListener listener = new SmtpEventListener() {

			@Override
			public void connectStart(SmtpEndpoint endpoint) {
				SessionConnectorTests.this.events.add("start " + endpoint);
			}

			@Override
			public void connectEnd(SmtpEndpoint endpoint, SmtpReply greeting, Duration duration) {
				SessionConnectorTests.this.events.add("end " + endpoint + " " + greeting.code());
			}

			@Override
			public void connectFailed(SmtpEndpoint endpoint, IOException failure, Duration duration) {
				SessionConnectorTests.this.events.add("failed " + endpoint);
			}

		};
		DebugLog debug = new DebugLog((line) -> {
		}, Clock.systemUTC(), 0);
		this.wire = new SmtpWire(debug, listener, TIMEOUT, () -> {
			this.disconnects.add("disconnected");
			this.wire.close();
		});
		SessionSettings settings = new SessionSettings();
		settings.timeout(SessionSettings.Timeout.READ_WRITE, TIMEOUT);
		return new SessionConnector(this.wire, protocol, settings, Set.of(465), null,
				(target, afterStarttls, failure) -> new SSLHandshakeException(failure.getMessage()));
	}

}
