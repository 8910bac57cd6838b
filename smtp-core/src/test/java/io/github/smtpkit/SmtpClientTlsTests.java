package io.github.smtpkit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpClientTestSupport.RecordingListener;
import io.github.smtpkit.SmtpClientTestSupport.SendFinished;
import io.github.smtpkit.testing.ScriptedSmtpServer;
import io.github.smtpkit.testing.TestCertificates;

import static io.github.smtpkit.SmtpClientTestSupport.EHLO;
import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.GREETING;
import static io.github.smtpkit.SmtpClientTestSupport.TO;
import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.accepts;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.message;
import static io.github.smtpkit.SmtpClientTestSupport.opens;
import static io.github.smtpkit.SmtpClientTestSupport.quits;
import static io.github.smtpkit.SmtpClientTestSupport.received;
import static io.github.smtpkit.SmtpClientTestSupport.texts;
import static io.github.smtpkit.SmtpClientTestSupport.transaction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The TLS modes of {@link SmtpClient} against the scripted server with real TLS (a private test
 * CA): a session is lent only once it is as protected as the configuration asks.
 */
@Timeout(30)
class SmtpClientTlsTests {

	private static final String EHLO_LINE = "EHLO client.test";

	private static final String EHLO_WITH_STARTTLS = "250-fake.test greets client.test\n250-SIZE 10240000\n"
			+ "250-8BITMIME\n250 STARTTLS";

	private static final String EHLO_WITH_AUTH = "250-fake.test greets client.test\n250-SIZE 10240000\n"
			+ "250 AUTH PLAIN LOGIN";

	@Test
	void requiredStartTlsFailsWithoutSendingMailWhenTheServerDoesNotOfferIt() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			opens(server);
			try (SmtpClient client = clientFor(server).tls(TlsMode.STARTTLS_REQUIRED).eventListener(events).build()) {
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(1)));

				assertThat(thrown).isInstanceOf(SmtpNotSupportedException.class).hasMessageContaining("STARTTLS");
				assertThat(client.poolStats().total()).isZero();
				assertThat(client.poolStats().created()).isZero();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly(EHLO_LINE);
			assertThat(server.messages()).isEmpty();
			server.assertNoFailures();
		}
		assertThat(events.count("connectionClosed")).isEqualTo(1);
		assertThat(events.sends()).singleElement().extracting(SendFinished::outcome).isEqualTo(SendOutcome.FAILED);
	}

	@Test
	void opportunisticStartTlsSendsInClearTextWhenTheServerDoesNotOfferIt() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).tls(TlsMode.STARTTLS_OPPORTUNISTIC)
				.sslContext(TestCertificates.clientContextTrustingCa())
				.eventListener(events)
				.build()) {
				assertThat(client.send(ENVELOPE, message(1)).accepted()).containsExactly(TO);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(dialogue(List.of()));
			server.assertNoFailures();
		}
		assertThat(events.count("tlsEstablished")).isZero();
	}

	@Test
	void opportunisticStartTlsUpgradesSaysEhloAgainAndSendsOverTls() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITH_STARTTLS)
				.startTls(TestCertificates.serverContext(), "220 2.0.0 ready to start TLS")
				.reply(EHLO);
			quits(accepts(accepts(server)));
			try (SmtpClient client = clientFor(server).tls(TlsMode.STARTTLS_OPPORTUNISTIC)
				.sslContext(TestCertificates.clientContextTrustingCa())
				.eventListener(events)
				.build()) {
				assertThat(client.send(ENVELOPE, message(1)).accepted()).containsExactly(TO);
				assertThat(client.send(ENVELOPE, message(2)).accepted()).containsExactly(TO);
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>(List.of(EHLO_LINE, "STARTTLS", EHLO_LINE));
			expected.addAll(transaction(1));
			expected.addAll(transaction(2));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			assertThat(texts(server.messages())).containsExactly(received(1), received(2));
			server.assertNoFailures();
		}
		assertThat(events.count("tlsEstablished")).isEqualTo(1);
	}

	@Test
	void requiredStartTlsAuthenticatesOnlyAfterTheUpgrade() throws Exception {
		String password = "Tls-Only-P@ss";
		String plain = Base64.getEncoder().encodeToString(("\0app\0" + password).getBytes(StandardCharsets.UTF_8));
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITH_STARTTLS)
				.startTls(TestCertificates.serverContext(), "220 2.0.0 ready to start TLS")
				.reply(EHLO_WITH_AUTH)
				.reply("235 2.7.0 authenticated");
			quits(accepts(server));
			try (SmtpClient client = clientFor(server).tls(TlsMode.STARTTLS_REQUIRED)
				.sslContext(TestCertificates.clientContextTrustingCa())
				.credentials("app", password)
				.build()) {
				assertThat(client.send(ENVELOPE, message(1)).accepted()).containsExactly(TO);
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>(List.of(EHLO_LINE, "STARTTLS", EHLO_LINE, "AUTH PLAIN " + plain));
			expected.addAll(transaction(1));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			server.assertNoFailures();
		}
	}

	@Test
	void startTlsWithACertificateTheClientDoesNotTrustFailsBeforeAnyMail() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITH_STARTTLS)
				.startTls(TestCertificates.serverContext(), "220 2.0.0 ready to start TLS");
			try (SmtpClient client = clientFor(server).tls(TlsMode.STARTTLS_OPPORTUNISTIC)
				.sslContext(TestCertificates.clientContextTrustingOtherCa())
				.eventListener(events)
				.build()) {
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(1)));

				assertThat(thrown).isInstanceOfSatisfying(SmtpTlsCertificateException.class, (ex) -> {
					assertThat(ex.problem()).isEqualTo(SmtpTlsCertificateException.Problem.UNTRUSTED);
					assertThat(ex.isStarttls()).isTrue();
				})
					.isInstanceOf(SSLHandshakeException.class)
					.hasMessageContaining(" failed after STARTTLS: the server's certificate is not trusted (")
					.hasMessageContaining("trust its issuer with an SSLContext")
					.hasMessageContaining("do not use STARTTLS (TlsMode.NONE;");
				assertThat(client.poolStats().total()).isZero();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly(EHLO_LINE, "STARTTLS");
			// The server's side of the refused handshake.
			assertThat(server.failures()).hasSize(1);
		}
		assertThat(events.count("tlsFailed")).isEqualTo(1);
		assertThat(events.count("tlsEstablished")).isZero();
	}

	@Test
	void implicitTlsSendsOverTlsFromTheFirstByte() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startImplicitTls(TestCertificates.serverContext())) {
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).protocol(SmtpProtocol.SMTPS)
				.tls(TlsMode.IMPLICIT)
				.sslContext(TestCertificates.clientContextTrustingCa())
				.eventListener(events)
				.build()) {
				assertThat(client.send(ENVELOPE, message(1)).accepted()).containsExactly(TO);
				assertThat(client.endpoint().protocol()).isEqualTo(SmtpProtocol.SMTPS);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(dialogue(List.of()));
			server.assertNoFailures();
		}
		assertThat(events.count("tlsEstablished")).isEqualTo(1);
	}

	@Test
	void certificateForAnotherHostIsRefusedUnlessHostnameVerificationIsTurnedOff() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer
			.startImplicitTls(TestCertificates.serverContextWithWrongHostname())) {
			try (SmtpClient verifying = clientFor(server).tls(TlsMode.IMPLICIT)
				.sslContext(TestCertificates.clientContextTrustingCa())
				.build()) {
				assertThat(catchThrowable(() -> verifying.send(ENVELOPE, message(1))))
					.isInstanceOf(SSLHandshakeException.class);
			}
			quits(accepts(opens(server)));
			try (SmtpClient trusting = clientFor(server).tls(TlsMode.IMPLICIT)
				.sslContext(TestCertificates.clientContextTrustingCa())
				.hostnameVerification(false)
				.build()) {
				assertThat(trusting.send(ENVELOPE, message(1)).accepted()).containsExactly(TO);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(dialogue(List.of()));
			assertThat(server.failures()).as("only the refused handshake").hasSize(1);
		}
	}

	/** One connection: EHLO, message 1, QUIT (preceded by these lines). */
	private static List<String> dialogue(List<String> before) {
		List<String> commands = new ArrayList<>(before);
		commands.add(EHLO_LINE);
		commands.addAll(transaction(1));
		commands.add("QUIT");
		return commands;
	}

}
