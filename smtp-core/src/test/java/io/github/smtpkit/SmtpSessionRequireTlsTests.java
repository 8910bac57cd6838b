package io.github.smtpkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpRequireTlsException.Problem;
import io.github.smtpkit.testing.ScriptedSmtpServer;
import io.github.smtpkit.testing.TestCertificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * REQUIRETLS (RFC 8689) through {@link SmtpSession}: an envelope that
 * {@linkplain Envelope#requiringTls() requires TLS} sent with
 * {@link SmtpSession#sendmail(Envelope, MessageSource)}, and the {@code REQUIRETLS} option given
 * raw to smtplib's {@code sendmail} and {@code mail}, which keep the same rule. A refusal sends
 * nothing and leaves the session in step.
 */
@Timeout(20)
class SmtpSessionRequireTlsTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String EHLO_REQUIRETLS = "250-fake.test\n250-8BITMIME\n250 REQUIRETLS";

	private static final String EHLO_PLAIN = "250-fake.test\n250 8BITMIME";

	private static final String MESSAGE = "Subject: sealed\r\n\r\nOver TLS only.\r\n";

	private static final Envelope REQUIRING_TLS = Envelope.of("from@example.test", "to@example.test").requiringTls();

	@Test
	void anEnvelopeThatRequiresTlsGoesWithTheOptionOverVerifiedTls() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startImplicitTls(TestCertificates.serverContext())) {
			server.greet("220 fake.test")
				.reply(EHLO_REQUIRETLS)
				.reply("250 sender ok")
				.reply("250 recipient ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			try (SmtpSession smtp = implicitTls(server).connect()) {
				assertThat(smtp.sendmail(REQUIRING_TLS, MessageSource.of(bytes(MESSAGE)))).isEmpty();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test",
					"MAIL FROM:<from@example.test> REQUIRETLS", "RCPT TO:<to@example.test>", "DATA", "QUIT");
			assertThat(new String(server.messages().get(0), StandardCharsets.US_ASCII)).isEqualTo(MESSAGE + ".\r\n");
			server.assertNoFailures();
		}
	}

	@Test
	void theRawOptionInClearTextIsRefusedBeforeMailAndTheSessionStaysInStep() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply(EHLO_REQUIRETLS).reply("250 noop").reply("221 bye");
			try (SmtpSession smtp = client(server).connect()) {
				assertThatExceptionOfType(SmtpRequireTlsException.class)
					.isThrownBy(() -> smtp.sendmail("from@example.test", List.of("to@example.test"), bytes(MESSAGE),
							List.of("REQUIRETLS"), List.of()))
					.satisfies((ex) -> assertThat(ex.problem()).isEqualTo(Problem.NOT_TLS))
					.withMessageContaining("127.0.0.1:" + server.port());
				assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "noop"));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP", "QUIT");
			assertThat(server.messages()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void mailWithTheOptionToAServerThatDoesNotAdvertiseItIsRefusedBeforeItIsSent() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startImplicitTls(TestCertificates.serverContext())) {
			server.greet("220 fake.test").reply(EHLO_PLAIN).reply("221 bye");
			try (SmtpSession smtp = implicitTls(server).connect()) {
				smtp.ehlo();
				assertThatExceptionOfType(SmtpRequireTlsException.class)
					.isThrownBy(() -> smtp.mail("from@example.test", List.of("requiretls")))
					.satisfies((ex) -> assertThat(ex.problem()).isEqualTo(Problem.NOT_ADVERTISED));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void aServerThatRefusesEhloCannotTakeIt() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startImplicitTls(TestCertificates.serverContext())) {
			server.greet("220 fake.test").reply("502 no EHLO here").reply("250 fake.test").reply("221 bye");
			try (SmtpSession smtp = implicitTls(server).connect()) {
				// Without ESMTP the options would be dropped: the message must not go without it.
				assertThatExceptionOfType(SmtpRequireTlsException.class)
					.isThrownBy(() -> smtp.sendmail(REQUIRING_TLS, MessageSource.of(bytes(MESSAGE))))
					.satisfies((ex) -> assertThat(ex.problem()).isEqualTo(Problem.NOT_ADVERTISED));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "HELO client.test", "QUIT");
			server.assertNoFailures();
		}
	}

	private static SmtpSession.Builder client(ScriptedSmtpServer server) {
		return SmtpSession.smtp().host(server.host()).port(server.port()).localHostname("client.test").timeout(WAIT);
	}

	private static SmtpSession.Builder implicitTls(ScriptedSmtpServer server) {
		return SmtpSession.smtps()
			.host(server.host())
			.port(server.port())
			.localHostname("client.test")
			.timeout(WAIT)
			.sslContext(TestCertificates.clientContextTrustingCa());
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
