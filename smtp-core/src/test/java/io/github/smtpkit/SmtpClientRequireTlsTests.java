package io.github.smtpkit;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpClientTestSupport.RecordingListener;
import io.github.smtpkit.SmtpClientTestSupport.SendFinished;
import io.github.smtpkit.SmtpRequireTlsException.Problem;
import io.github.smtpkit.testing.ScriptedSmtpServer;
import io.github.smtpkit.testing.TestCertificates;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.FROM;
import static io.github.smtpkit.SmtpClientTestSupport.GREETING;
import static io.github.smtpkit.SmtpClientTestSupport.TO;
import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.accepts;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.message;
import static io.github.smtpkit.SmtpClientTestSupport.quits;
import static io.github.smtpkit.SmtpClientTestSupport.received;
import static io.github.smtpkit.SmtpClientTestSupport.texts;
import static io.github.smtpkit.SmtpClientTestSupport.transaction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link Envelope#requiringTls()} (RFC 8689) through {@link SmtpClient}, against the scripted
 * server with real TLS (a private test CA): the {@code REQUIRETLS} MAIL option goes only over TLS
 * whose certificate and host name were verified, to a server that advertises it; otherwise the
 * message fails with {@link SmtpRequireTlsException} before MAIL, and the session serves the next
 * message.
 */
@Timeout(30)
class SmtpClientRequireTlsTests {

	private static final String EHLO_LINE = "EHLO client.test";

	private static final String EHLO_REQUIRETLS = "250-fake.test greets client.test\n250-SIZE 10240000\n"
			+ "250-8BITMIME\n250 REQUIRETLS";

	private static final String EHLO_STARTTLS = "250-fake.test greets client.test\n250-8BITMIME\n250 STARTTLS";

	private static final String EHLO_WITHOUT_REQUIRETLS = "250-fake.test greets client.test\n250-SIZE 10240000\n"
			+ "250 8BITMIME";

	private static final Envelope REQUIRING_TLS = ENVELOPE.requiringTls();

	@Test
	void sendsTheRequireTlsOptionAfterStartTlsToAServerThatAdvertisesIt() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_STARTTLS)
				.startTls(TestCertificates.serverContext(), "220 2.0.0 ready to start TLS")
				.reply(EHLO_REQUIRETLS);
			quits(accepts(server));
			try (SmtpClient client = clientFor(server).tls(TlsMode.STARTTLS_REQUIRED)
				.sslContext(TestCertificates.clientContextTrustingCa())
				.build()) {
				assertThat(client.send(REQUIRING_TLS, message(1)).accepted()).containsExactly(TO);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly(EHLO_LINE, "STARTTLS", EHLO_LINE,
					"MAIL FROM:<" + FROM + "> SIZE=" + message(1).length + " REQUIRETLS", "RCPT TO:<" + TO + ">", "DATA",
					"QUIT");
			assertThat(texts(server.messages())).containsExactly(received(1));
			server.assertNoFailures();
		}
	}

	@Test
	void aServerThatDoesNotAdvertiseItGetsNoMailCommandAndTheSessionServesTheNextMessage() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startImplicitTls(TestCertificates.serverContext())) {
			server.greet(GREETING).reply(EHLO_WITHOUT_REQUIRETLS);
			quits(accepts(server));
			try (SmtpClient client = implicitTls(server).eventListener(events).build()) {
				Throwable thrown = catchThrowable(() -> client.send(REQUIRING_TLS, message(1)));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRequireTlsException.class,
						(ex) -> assertThat(ex.problem()).isEqualTo(Problem.NOT_ADVERTISED))
					.isInstanceOf(SmtpNotSupportedException.class)
					.hasMessageContaining("requires TLS (REQUIRETLS, RFC 8689) and was not sent")
					.hasMessageContaining("does not advertise REQUIRETLS");
				assertThat(client.send(ENVELOPE, message(2)).accepted()).containsExactly(TO);
				assertThat(client.poolStats().created()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			List<String> expected = new ArrayList<>(List.of(EHLO_LINE));
			expected.addAll(transaction(2));
			expected.add("QUIT");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			assertThat(texts(server.messages())).containsExactly(received(2));
			server.assertNoFailures();
		}
		assertThat(events.sends()).extracting(SendFinished::outcome)
			.containsExactly(SendOutcome.FAILED, SendOutcome.ACCEPTED);
	}

	@Test
	void aConnectionInClearTextCarriesNoMessageThatRequiresTlsEvenToAServerThatAdvertisesIt() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_REQUIRETLS);
			quits(server);
			try (SmtpClient client = clientFor(server).tls(TlsMode.NONE).build()) {
				Throwable thrown = catchThrowable(() -> client.send(REQUIRING_TLS, message(1)));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRequireTlsException.class,
						(ex) -> assertThat(ex.problem()).isEqualTo(Problem.NOT_TLS))
					.hasMessageContaining("is not TLS");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly(EHLO_LINE, "QUIT");
			assertThat(server.messages()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void tlsWithoutHostnameVerificationIsNotVerifiedTls() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startImplicitTls(TestCertificates.serverContext())) {
			server.greet(GREETING).reply(EHLO_REQUIRETLS);
			quits(server);
			try (SmtpClient client = implicitTls(server).hostnameVerification(false).build()) {
				Throwable thrown = catchThrowable(() -> client.send(REQUIRING_TLS, message(1)));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRequireTlsException.class,
						(ex) -> assertThat(ex.problem()).isEqualTo(Problem.CERTIFICATE_NOT_VERIFIED))
					.hasMessageContaining("did not verify the server's certificate and host name");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly(EHLO_LINE, "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void tlsThatTrustsEveryCertificateIsNotVerifiedTlsEvenWithHostnameVerificationOn() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startImplicitTls(TestCertificates.serverContext())) {
			server.greet(GREETING).reply(EHLO_REQUIRETLS);
			quits(server);
			try (SmtpClient client = clientFor(server).tls(TlsMode.IMPLICIT)
				.sslContext(SmtpTls.insecureTrustAllCertificates())
				.build()) {
				Throwable thrown = catchThrowable(() -> client.send(REQUIRING_TLS, message(1)));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRequireTlsException.class,
						(ex) -> assertThat(ex.problem()).isEqualTo(Problem.CERTIFICATE_NOT_VERIFIED));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly(EHLO_LINE, "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void inAPipelinedBatchOnlyTheMessageThatRequiresTlsFailsAndNothingOfItIsSent() throws Exception {
		String ehloPipelining = "250-fake.test greets client.test\n250-PIPELINING\n250 8BITMIME";
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startImplicitTls(TestCertificates.serverContext())) {
			server.greet(GREETING).reply(ehloPipelining);
			// Message 1's group, answered after its DATA; then its data in one write with message 3's
			// group, all answered after that DATA (so a client that waited in between would time out).
			server.read().read().replies("250 2.1.0 sender ok", "250 2.1.5 recipient ok", "354 go ahead");
			server.read().read().read().replies("250 2.0.0 queued 1", "250 2.1.0 sender ok", "250 2.1.5 recipient ok",
					"354 go ahead");
			server.reply("250 2.0.0 queued 3");
			quits(server);
			try (SmtpClient client = implicitTls(server).build()) {
				List<BatchResult> results = client.sendAll(List.of(OutgoingMessage.of(ENVELOPE, message(1)),
						OutgoingMessage.of(REQUIRING_TLS, message(2)), OutgoingMessage.of(ENVELOPE, message(3))));

				assertThat(results.get(0).isSent()).isTrue();
				assertThat(results.get(1).failure()).isInstanceOfSatisfying(SmtpRequireTlsException.class,
						(ex) -> assertThat(ex.problem()).isEqualTo(Problem.NOT_ADVERTISED));
				assertThat(results.get(2).isSent()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			String mail = "MAIL FROM:<" + FROM + ">";
			String rcpt = "RCPT TO:<" + TO + ">";
			assertThat(server.commands()).containsExactly(EHLO_LINE, mail, rcpt, "DATA", mail, rcpt, "DATA", "QUIT");
			assertThat(texts(server.messages())).containsExactly(received(1), received(3));
			server.assertNoFailures();
		}
	}

	/** A client over implicit TLS that verifies the test CA's certificate and the host name. */
	private static SmtpClient.Builder implicitTls(ScriptedSmtpServer server) {
		return clientFor(server).tls(TlsMode.IMPLICIT).sslContext(TestCertificates.clientContextTrustingCa());
	}

}
