package io.github.smtpkit.internal;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpHeloException;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpServerDisconnectedException;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * HELO and EHLO on their own, over a real wire to the scripted server: what each keeps, the
 * fallback of {@code ehloOrHeloIfNeeded}, and what {@code forget()} clears.
 */
@Timeout(20)
class GreetingTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private final List<String> disconnects = new ArrayList<>();

	private SmtpWire wire;

	@AfterEach
	void closeTheWire() {
		if (this.wire != null) {
			this.wire.close();
		}
	}

	@Test
	void ehloKeepsTheReplyAndTheFeaturesUntilForgotten() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\r\n250-SIZE 1000\r\n250 AUTH PLAIN LOGIN");
			Greeting greeting = connect(server, SmtpProtocol.SMTP);

			greeting.ehlo("client.test");

			assertThat(server.takeCommand(TIMEOUT)).isEqualTo("EHLO client.test");
			assertThat(greeting.ehloResp()).isEqualTo("fake.test\nSIZE 1000\nAUTH PLAIN LOGIN");
			assertThat(greeting.doesEsmtp()).isTrue();
			assertThat(greeting.features().has("size")).isTrue();
			assertThat(greeting.features().authMechanisms()).containsExactly("PLAIN", "LOGIN");
			greeting.forget();
			assertThat(greeting.ehloResp()).isNull();
			assertThat(greeting.doesEsmtp()).isFalse();
			assertThat(greeting.features().has("size")).isFalse();
		}
	}

	@Test
	void lmtpSaysLhlo() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test LMTP").reply("250 fake.test");
			Greeting greeting = connect(server, SmtpProtocol.LMTP);

			greeting.ehloOrHeloIfNeeded("client.test");

			assertThat(server.takeCommand(TIMEOUT)).isEqualTo("LHLO client.test");
		}
	}

	@Test
	void aRefusedEhloFallsBackToHeloOnceAndIsNotSaidAgain() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("502 no ehlo here").reply("250 fake.test");
			Greeting greeting = connect(server, SmtpProtocol.SMTP);

			greeting.ehloOrHeloIfNeeded("client.test");
			greeting.ehloOrHeloIfNeeded("client.test");

			assertThat(server.commands()).containsExactly("EHLO client.test", "HELO client.test");
			assertThat(greeting.heloResp()).isEqualTo("fake.test");
			assertThat(greeting.doesEsmtp()).isFalse();
		}
	}

	@Test
	void refusingBothIsAHeloException() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("502 no ehlo").reply("554 no helo either");
			Greeting greeting = connect(server, SmtpProtocol.SMTP);

			assertThatExceptionOfType(SmtpHeloException.class)
				.isThrownBy(() -> greeting.ehloOrHeloIfNeeded("client.test"))
				.satisfies((ex) -> assertThat(ex.smtpCode()).isEqualTo(554));
		}
	}

	@Test
	void aServerThatHangsUpOnEhloDisconnectsTheSession() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").disconnectAfterRead();
			Greeting greeting = connect(server, SmtpProtocol.SMTP);

			assertThatExceptionOfType(SmtpServerDisconnectedException.class)
				.isThrownBy(() -> greeting.ehlo("client.test"));
			assertThat(this.disconnects).isNotEmpty();
			assertThat(this.wire.isConnected()).isFalse();
		}
	}

	private Greeting connect(ScriptedSmtpServer server, SmtpProtocol protocol) throws IOException {
		DebugLog debug = new DebugLog((line) -> {
		}, Clock.systemUTC(), 0);
		this.wire = new SmtpWire(debug, SmtpEventListener.NONE, TIMEOUT, () -> {
			this.disconnects.add("disconnected");
			this.wire.close();
		});
		SessionSettings settings = new SessionSettings();
		settings.timeout(SessionSettings.Timeout.READ_WRITE, TIMEOUT);
		new SessionConnector(this.wire, protocol, settings, Set.of(465), null,
				(target, afterStarttls, failure) -> new SSLHandshakeException(failure.getMessage()))
			.connect(server.host(), server.port());
		return new Greeting(this.wire, protocol);
	}

}
