package io.github.smtpkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import io.github.smtpkit.testing.ScriptedSmtpServer;
import io.github.smtpkit.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * STARTTLS: smtplib's {@code starttls()}, which smtpkit makes verify the certificate chain and the
 * host name by default. Commands after the upgrade are read by the fake server over TLS.
 */
@Timeout(20)
class SmtpSessionTlsTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String EHLO_WITH_STARTTLS = "250-fake.test\n250-SIZE 1000\n250 STARTTLS";

	private static final String EHLO_OVER_TLS = "250-fake.test\n250-SIZE 1000\n250 AUTH PLAIN";

	@Test
	void starttlsWithTheBuildersContextForgetsWhatWasSaidInClearText() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptSuccessfulStarttls(server, TestCertificates.serverContext());
			SmtpSession session = client(server).sslContext(TestCertificates.clientContextTrustingCa()).connect();
			session.ehlo();
			assertThat(session.hasExtn("starttls")).isTrue();

			assertThat(session.starttls()).isEqualTo(new SmtpReply(220, "2.0.0 ready to start TLS"));

			assertThat(session.isTls()).isTrue();
			assertThat(session.isConnected()).isTrue();
			assertThat(session.esmtpFeatures().isEmpty()).isTrue();
			assertThat(session.ehloResp()).isNull();
			assertThat(session.heloResp()).isNull();
			assertThat(session.doesEsmtp()).isFalse();
			assertThat(session.hasExtn("starttls")).isFalse();

			session.ehloOrHeloIfNeeded();

			assertThat(session.doesEsmtp()).isTrue();
			assertThat(session.hasExtn("auth")).isTrue();
			assertThat(session.hasExtn("starttls")).isFalse();
			assertThat(session.quit()).isEqualTo(new SmtpReply(221, "bye"));
			server.awaitScriptDone(WAIT);
			// The fake server reads everything after STARTTLS through its TLS socket.
			assertThat(server.commands()).containsExactly("EHLO client.test", "STARTTLS", "EHLO client.test", "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void starttlsWithAnExplicitContextSaysEhloFirstIfNeeded() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptSuccessfulStarttls(server, TestCertificates.serverContext());
			// The builder's context is the JDK default, which would refuse the test CA.
			SmtpSession session = client(server).connect();

			session.starttls(TestCertificates.clientContextTrustingCa());

			assertThat(session.isTls()).isTrue();
			session.ehloOrHeloIfNeeded();
			session.quit();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "STARTTLS", "EHLO client.test", "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void starttlsVerifiesTheHostNameLocalhost() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptSuccessfulStarttls(server, TestCertificates.serverContext());
			SmtpSession session = SmtpSession.smtp()
				.host("localhost")
				.port(server.port())
				.localHostname("client.test")
				.sslContext(TestCertificates.clientContextTrustingCa())
				.timeout(WAIT)
				.connect();

			session.starttls();
			session.ehlo();
			session.quit();

			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "STARTTLS", "EHLO client.test", "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void starttlsNotAdvertisedIsNotSupportedAndNothingIsSent() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250 8BITMIME").reply("250 ok").awaitClose();
			SmtpSession session = client(server).sslContext(TestCertificates.clientContextTrustingCa()).connect();

			assertThatExceptionOfType(SmtpNotSupportedException.class).isThrownBy(session::starttls)
				.withMessage("STARTTLS extension not supported by server.");

			assertThat(session.isConnected()).isTrue();
			assertThat(session.isTls()).isFalse();
			assertThat(session.doesEsmtp()).as("the EHLO state is kept").isTrue();
			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "ok"));
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("EHLO client.test\r\nNOOP\r\n");
			server.assertNoFailures();
		}
	}

	@Test
	void starttlsRefusedByTheServerRaisesResponseExceptionAndStaysInClearText() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply(EHLO_WITH_STARTTLS).reply("454 4.7.0 TLS not available now")
				.reply("250 ok").awaitClose();
			SmtpSession session = client(server).sslContext(TestCertificates.clientContextTrustingCa()).connect();

			assertThatExceptionOfType(SmtpResponseException.class).isThrownBy(session::starttls).satisfies((ex) -> {
				assertThat(ex.smtpCode()).isEqualTo(454);
				assertThat(ex.smtpError()).isEqualTo("4.7.0 TLS not available now");
			});

			assertThat(session.isConnected()).isTrue();
			assertThat(session.isTls()).isFalse();
			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "ok"));
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("EHLO client.test\r\nSTARTTLS\r\nNOOP\r\n");
			server.assertNoFailures();
		}
	}

	@Test
	void defaultVerificationRefusesAnUntrustedCertificateAndCloses() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply(EHLO_WITH_STARTTLS).startTls(TestCertificates.serverContext(), "220 go ahead");
			// No sslContext: the JDK's trusted authorities, which do not include the test CA.
			SmtpSession session = client(server).connect();

			assertThatExceptionOfType(SmtpTlsCertificateException.class).isThrownBy(session::starttls)
				.withMessageContaining("TLS handshake with 127.0.0.1:" + server.port() + " failed")
				.withCauseInstanceOf(SSLHandshakeException.class)
				.satisfies((ex) -> assertThat(ex.problem()).isEqualTo(SmtpTlsCertificateException.Problem.UNTRUSTED));

			assertThat(session.isConnected()).isFalse();
			assertThat(session.isTls()).isFalse();
			assertThat(session.ehloResp()).isNull();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "STARTTLS");
		}
	}

	@Test
	void certificateFromAnotherAuthorityIsRefused() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply(EHLO_WITH_STARTTLS).startTls(TestCertificates.serverContext(), "220 go ahead");
			SmtpSession session = client(server).sslContext(TestCertificates.clientContextTrustingOtherCa()).connect();

			SSLHandshakeException failure = catchThrowableOfType(SSLHandshakeException.class, session::starttls);

			assertThat(failure).isInstanceOfSatisfying(SmtpTlsCertificateException.class, (ex) -> {
				assertThat(ex.problem()).isEqualTo(SmtpTlsCertificateException.Problem.UNTRUSTED);
				assertThat(ex.isStarttls()).isTrue();
			});
			assertThat(failure)
				.hasMessageStartingWith("TLS handshake with 127.0.0.1:" + server.port()
						+ " failed after STARTTLS: the server's certificate is not trusted (PKIX path ")
				.hasMessageContaining("To go on, trust its issuer with an SSLContext (sslContext(SmtpTls.trusting(")
				.hasMessageEndingWith(", or do not use STARTTLS (TlsMode.NONE; mail then travels in clear text).")
				.hasMessageNotContaining("hostnameVerification")
				.hasCauseInstanceOf(SSLHandshakeException.class);

			assertThat(session.isConnected()).isFalse();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "STARTTLS");
		}
	}

	@Test
	void certificateForAnotherHostIsRefused() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply(EHLO_WITH_STARTTLS)
				.startTls(TestCertificates.serverContextWithWrongHostname(), "220 go ahead");
			SmtpSession session = client(server).sslContext(TestCertificates.clientContextTrustingCa()).connect();

			SSLHandshakeException failure = catchThrowableOfType(SSLHandshakeException.class, session::starttls);

			assertThat(failure).isInstanceOfSatisfying(SmtpTlsCertificateException.class, (ex) -> {
				assertThat(ex.problem()).isEqualTo(SmtpTlsCertificateException.Problem.HOSTNAME_MISMATCH);
				assertThat(ex.isStarttls()).isTrue();
			});
			assertThat(failure)
				.hasMessageStartingWith("TLS handshake with 127.0.0.1:" + server.port()
						+ " failed after STARTTLS: the server's certificate does not name the host 127.0.0.1 (No subject ")
				.hasMessageContaining("To go on, connect to a name the certificate holds, turn host name verification"
						+ " off (hostnameVerification(false)), or do not use STARTTLS (TlsMode.NONE;")
				.hasMessageNotContaining("SmtpTls.trusting");
			assertThat(session.isConnected()).isFalse();
			assertThat(session.isTls()).isFalse();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "STARTTLS");
		}
	}

	@Test
	void certificateForAnotherHostIsAcceptedWithoutHostnameVerification() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptSuccessfulStarttls(server, TestCertificates.serverContextWithWrongHostname());
			SmtpSession session = client(server).sslContext(TestCertificates.clientContextTrustingCa())
				.hostnameVerification(false)
				.connect();

			session.starttls();

			assertThat(session.isTls()).isTrue();
			session.ehlo();
			session.quit();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "STARTTLS", "EHLO client.test", "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void trustingThePemOfThePrivateAuthorityWorks(@TempDir Path tempDir) throws Exception {
		SSLContext trusting = SmtpTls.trustingPem(TestCertificates.writeCaPem(tempDir));
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptSuccessfulStarttls(server, TestCertificates.serverContext());
			SmtpSession session = client(server).sslContext(trusting).connect();

			session.starttls();

			assertThat(session.isTls()).isTrue();
			session.ehlo();
			session.quit();
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void trustingTheCertificateObjectWorks() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptSuccessfulStarttls(server, TestCertificates.serverContext());
			SmtpSession session = client(server).sslContext(SmtpTls.trusting(TestCertificates.caCertificate())).connect();

			session.starttls();

			assertThat(session.isTls()).isTrue();
			session.ehlo();
			session.quit();
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void insecureContextWithoutHostnameVerificationAcceptsAnything() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptSuccessfulStarttls(server, TestCertificates.serverContextWithWrongHostname());
			SmtpSession session = client(server).sslContext(SmtpTls.insecureTrustAllCertificates())
				.hostnameVerification(false)
				.connect();

			session.starttls();

			assertThat(session.isTls()).isTrue();
			session.ehlo();
			session.quit();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "STARTTLS", "EHLO client.test", "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void aHandshakeThatFailsForAnotherReasonIsNoCertificateFailure() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply(EHLO_WITH_STARTTLS).startTls(TestCertificates.serverContext(), "220 go ahead");
			// The test certificate's key is EC: a client offering only RSA suites shares none with it.
			SmtpSession session = client(server).sslContext(TestCertificates.clientContextTrustingCa())
				.tlsProtocols(List.of("TLSv1.2"))
				.tlsCipherSuites(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))
				.connect();

			assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(session::starttls)
				.withMessageStartingWith("TLS handshake with 127.0.0.1:" + server.port() + " failed after STARTTLS: ")
				.withMessageNotContaining("certificate")
				.isNotInstanceOf(SmtpTlsCertificateException.class);

			assertThat(session.isConnected()).isFalse();
			server.awaitScriptDone(WAIT);
		}
	}

	@Test
	void starttlsAfterHeloOnlyIsNotSupported() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 old.test").reply("502 no EHLO").reply("250 old.test").awaitClose();
			SmtpSession session = client(server).sslContext(TestCertificates.clientContextTrustingCa()).connect();

			assertThatExceptionOfType(SmtpNotSupportedException.class).isThrownBy(session::starttls);

			assertThat(session.isConnected()).isTrue();
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "HELO client.test");
		}
	}

	private static void scriptSuccessfulStarttls(ScriptedSmtpServer server, SSLContext serverContext) {
		server.greet("220 fake.test ESMTP")
			.reply(EHLO_WITH_STARTTLS)
			.startTls(serverContext, "220 2.0.0 ready to start TLS")
			.reply(EHLO_OVER_TLS)
			.reply("221 bye")
			.awaitClose();
	}

	private static SmtpSession.Builder client(ScriptedSmtpServer server) {
		return SmtpSession.smtp().host(server.host()).port(server.port()).localHostname("client.test").timeout(WAIT);
	}

}
