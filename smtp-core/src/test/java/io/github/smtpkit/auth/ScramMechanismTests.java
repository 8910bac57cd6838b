package io.github.smtpkit.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import javax.security.sasl.SaslException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpAuthenticationException;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpSession;
import io.github.smtpkit.TlsMode;
import io.github.smtpkit.testing.ScriptedSmtpServer;
import io.github.smtpkit.testing.TestCertificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * SCRAM-SHA-256 and SCRAM-SHA-256-PLUS against the scripted server, byte for byte: RFC 7677's
 * example exchange, channel binding to the certificate the server presented (RFC 5929
 * {@code tls-server-end-point}), and the ways a server that is not who it claims must fail the
 * login without a fallback to a weaker mechanism. The expected messages are computed here from
 * RFC 5802's formulas with the JDK's crypto, independently of the library under test.
 */
@Timeout(20)
class ScramMechanismTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	// RFC 7677 3: the SCRAM-SHA-256 example exchange.
	private static final String RFC_USER = "user";

	private static final String RFC_PASSWORD = "pencil";

	private static final String RFC_CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";

	private static final String RFC_SERVER_FIRST = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
			+ "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

	private static final String RFC_CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
			+ "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";

	private static final String RFC_SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

	private static final String OK = "235 2.7.0 Authentication successful";

	private static final String EHLO_STARTTLS = "250-fake.test\n250 STARTTLS";

	@Test
	void theIndependentComputationReproducesRfc7677() throws Exception {
		Exchange rfc = Exchange.of("n,,", RFC_SERVER_FIRST, new byte[0]);
		assertThat(rfc.clientFinal()).isEqualTo(RFC_CLIENT_FINAL);
		assertThat(rfc.serverFinal()).isEqualTo(RFC_SERVER_FINAL);
	}

	@Test
	void scramSha256SendsRfc7677sExchangeAndChecksTheServersSignature() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test ESMTP")
				.reply("250-fake.test\n250 AUTH SCRAM-SHA-256 PLAIN")
				.reply("334 " + b64(RFC_SERVER_FIRST))
				.reply("334 " + b64(RFC_SERVER_FINAL))
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = plain(server)) {
				smtp.ehlo();
				assertThat(smtp.auth(scram("SCRAM-SHA-256"), RFC_USER, RFC_PASSWORD).code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test",
					"AUTH SCRAM-SHA-256 " + b64("n,,n=user,r=" + RFC_CLIENT_NONCE), b64(RFC_CLIENT_FINAL), "", "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void plusBindsToTheCertificateTheServerPresented() throws Exception {
		X509Certificate certificate = TestCertificates.serverCertificate();
		Exchange plus = Exchange.of("p=tls-server-end-point,,", RFC_SERVER_FIRST, tlsServerEndPoint(certificate));
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptStarttls(server, "250-fake.test\n250 AUTH SCRAM-SHA-256-PLUS SCRAM-SHA-256 PLAIN")
				.reply("334 " + b64(RFC_SERVER_FIRST))
				.reply("334 " + b64(plus.serverFinal()))
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = tls(server)) {
				smtp.ehlo();
				assertThat(smtp.login(RFC_USER, RFC_PASSWORD,
						List.of(scram("SCRAM-SHA-256-PLUS"), scram("SCRAM-SHA-256"), AuthMechanism.PLAIN), true)
					.code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "STARTTLS", "EHLO client.test",
					"AUTH SCRAM-SHA-256-PLUS " + b64("p=tls-server-end-point,,n=user,r=" + RFC_CLIENT_NONCE),
					b64(plus.clientFinal()), "", "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void aBindingMismatchFailsTheLoginWithoutFallingBack() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// The real server behind a man in the middle sees another certificate hash in c=.
			scriptStarttls(server, "250-fake.test\n250 AUTH SCRAM-SHA-256-PLUS PLAIN")
				.reply("334 " + b64(RFC_SERVER_FIRST))
				.reply("334 " + b64("e=channel-bindings-dont-match"))
				.reply("501 5.7.0 Authentication cancelled")
				.reply("221 bye");
			try (SmtpSession smtp = tls(server)) {
				smtp.ehlo();
				Throwable thrown = catchThrowable(() -> smtp.login(RFC_USER, RFC_PASSWORD,
						List.of(scram("SCRAM-SHA-256-PLUS"), AuthMechanism.PLAIN), true));
				assertThat(thrown).isInstanceOf(SmtpAuthenticationException.class)
					.hasMessageContaining("Channel bindings sent by the client don't match")
					.hasCauseInstanceOf(SaslException.class);
				assertThat(((SmtpAuthenticationException) thrown).smtpCode()).isEqualTo(501);
			}
			server.awaitScriptDone(WAIT);
			// "*" cancels; PLAIN is not tried, though offered: the password stays home.
			assertThat(server.commands()).hasSize(7).endsWith("*", "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void aServerBoundToAnotherCertificateCannotProduceTheSignature() throws Exception {
		// A man in the middle with the password's verifier but its own certificate: its signature
		// covers its own binding data, not the certificate this client saw.
		Exchange mitm = Exchange.of("p=tls-server-end-point,,", RFC_SERVER_FIRST,
				tlsServerEndPoint(TestCertificates.wrongHostnameCertificate()));
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptStarttls(server, "250-fake.test\n250 AUTH SCRAM-SHA-256-PLUS PLAIN")
				.reply("334 " + b64(RFC_SERVER_FIRST))
				.reply("334 " + b64(mitm.serverFinal()))
				.reply("501 5.7.0 Authentication cancelled")
				.reply("221 bye");
			try (SmtpSession smtp = tls(server)) {
				smtp.ehlo();
				Throwable thrown = catchThrowable(() -> smtp.login(RFC_USER, RFC_PASSWORD,
						List.of(scram("SCRAM-SHA-256-PLUS"), AuthMechanism.PLAIN), true));
				assertThat(thrown).isInstanceOf(SmtpAuthenticationException.class)
					.hasMessageContaining("server's signature is wrong")
					.hasCauseInstanceOf(SaslException.class);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).endsWith("*", "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void aServerThatDoesNotKnowThePasswordFailsTheLogin() throws Exception {
		Exchange impostor = Exchange.of("n,,", RFC_SERVER_FIRST, new byte[0], "not-pencil");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test ESMTP")
				.reply("250-fake.test\n250 AUTH SCRAM-SHA-256 CRAM-MD5")
				.reply("334 " + b64(RFC_SERVER_FIRST))
				.reply("334 " + b64(impostor.serverFinal()))
				.reply("501 5.7.0 Authentication cancelled")
				.reply("221 bye");
			try (SmtpSession smtp = plain(server)) {
				smtp.ehlo();
				Throwable thrown = catchThrowable(() -> smtp.login(RFC_USER, RFC_PASSWORD,
						List.of(scram("SCRAM-SHA-256"), AuthMechanism.CRAM_MD5), true));
				assertThat(thrown).isInstanceOf(SmtpAuthenticationException.class)
					.hasMessageContaining("does not know the password")
					.hasMessageNotContaining(RFC_PASSWORD);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).endsWith("*", "QUIT").noneMatch((line) -> line.startsWith("AUTH CRAM-MD5"));
			server.assertNoFailures();
		}
	}

	@Test
	void aServerThatAcceptsWithoutItsSignatureFailsTheLogin() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test ESMTP")
				.reply("250-fake.test\n250 AUTH SCRAM-SHA-256")
				.reply("334 " + b64(RFC_SERVER_FIRST))
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = plain(server)) {
				smtp.ehlo();
				Throwable thrown = catchThrowable(() -> smtp.auth(scram("SCRAM-SHA-256"), RFC_USER, RFC_PASSWORD));
				assertThat(thrown).isInstanceOf(SmtpAuthenticationException.class)
					.hasMessageContaining("without proving that it knows the password");
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void withoutPlusOverTlsTheClientSaysItCouldBindUnlessTheServerOffersPlus() throws Exception {
		assertThat(firstClientMessage("250-fake.test\n250 AUTH SCRAM-SHA-256")).startsWith("y,,n=user,r=");
		// Offered -PLUS, declined by the caller's choice of mechanisms: "n", or a binding server refuses.
		assertThat(firstClientMessage("250-fake.test\n250 AUTH SCRAM-SHA-256 SCRAM-SHA-256-PLUS"))
			.startsWith("n,,n=user,r=");
	}

	@Test
	void plusIsNotTriedWithoutTlsAndThePreferenceIsStrongestFirst() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test ESMTP")
				.reply("250-fake.test\n250 AUTH PLAIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256 SCRAM-SHA-256-PLUS LOGIN")
				.reply("535 5.7.8 no")
				.reply("535 5.7.8 no")
				.reply("535 5.7.8 no")
				.reply("535 5.7.8 no")
				.reply("535 5.7.8 no")
				.reply("221 bye");
			try (SmtpSession smtp = plain(server)) {
				assertThat(catchThrowable(() -> smtp.login(RFC_USER, RFC_PASSWORD)))
					.isInstanceOf(SmtpAuthenticationException.class);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands().stream().skip(1).map((line) -> line.replaceFirst("^AUTH (\\S+).*", "$1")))
				.containsExactly("SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN", "QUIT");
		}
	}

	@Test
	void plusCannotBeUsedWithoutTls() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test ESMTP").reply("250-fake.test\n250 AUTH SCRAM-SHA-256-PLUS").reply("221 bye");
			try (SmtpSession smtp = plain(server)) {
				smtp.ehlo();
				assertThat(catchThrowable(() -> smtp.auth(AuthMechanism.SCRAM_SHA_256_PLUS, RFC_USER, RFC_PASSWORD)))
					.isInstanceOf(SmtpException.class)
					.hasMessageContaining("SCRAM-SHA-256-PLUS cannot be used");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "QUIT");
		}
	}

	@Test
	void anExcessiveIterationCountIsRefusedBeforeAnyWork() throws Exception {
		String greedy = "r=" + RFC_CLIENT_NONCE + "srv,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=2000000000";
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test ESMTP")
				.reply("250-fake.test\n250 AUTH SCRAM-SHA-256")
				.reply("334 " + b64(greedy))
				.reply("501 5.7.0 cancelled")
				.reply("221 bye");
			try (SmtpSession smtp = plain(server)) {
				smtp.ehlo();
				assertThat(catchThrowable(() -> smtp.auth(scram("SCRAM-SHA-256"), RFC_USER, RFC_PASSWORD)))
					.isInstanceOf(SmtpAuthenticationException.class)
					.hasMessageContaining("2000000000 iterations");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).endsWith("*", "QUIT");
		}
	}

	// ---------------------------------------------------------------- helpers

	/** The first SCRAM message the client sends over TLS to a server with this EHLO reply. */
	private static String firstClientMessage(String ehloOverTls) throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			scriptStarttls(server, ehloOverTls).reply("535 5.7.8 no").reply("221 bye");
			try (SmtpSession smtp = tls(server)) {
				smtp.ehlo();
				assertThat(catchThrowable(() -> smtp.auth(scram("SCRAM-SHA-256"), RFC_USER, RFC_PASSWORD)))
					.isInstanceOf(SmtpAuthenticationException.class);
			}
			server.awaitScriptDone(WAIT);
			String command = server.commands().get(3);
			assertThat(command).startsWith("AUTH SCRAM-SHA-256 ");
			return new String(Base64.getDecoder().decode(command.substring("AUTH SCRAM-SHA-256 ".length())),
					StandardCharsets.UTF_8);
		}
	}

	private static AuthMechanism scram(String name) {
		return new ScramMechanism(name, () -> RFC_CLIENT_NONCE);
	}

	private static ScriptedSmtpServer scriptStarttls(ScriptedSmtpServer server, String ehloOverTls) {
		return server.greet("220 fake.test ESMTP")
			.reply(EHLO_STARTTLS)
			.startTls(TestCertificates.serverContext(), "220 2.0.0 go ahead")
			.reply(ehloOverTls);
	}

	private static SmtpSession plain(ScriptedSmtpServer server) throws IOException {
		return SmtpSession.smtp()
			.host(server.host())
			.port(server.port())
			.localHostname("client.test")
			.timeout(WAIT)
			.connect();
	}

	private static SmtpSession tls(ScriptedSmtpServer server) throws IOException {
		SmtpSession smtp = plain(server);
		smtp.starttls(TestCertificates.clientContextTrustingCa());
		return smtp;
	}

	/** RFC 5929 4.1, by hand: the test certificates are signed SHA256withECDSA, so SHA-256. */
	private static byte[] tlsServerEndPoint(X509Certificate certificate) throws Exception {
		assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
		return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
	}

	private static String b64(String text) {
		return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
	}

	/** RFC 5802 3's formulas for SCRAM-SHA-256, for the RFC's user and nonce. */
	private record Exchange(String clientFinal, String serverFinal) {

		static Exchange of(String gs2Header, String serverFirst, byte[] bindingData) throws Exception {
			return of(gs2Header, serverFirst, bindingData, RFC_PASSWORD);
		}

		static Exchange of(String gs2Header, String serverFirst, byte[] bindingData, String password)
				throws Exception {
			String clientFirstBare = "n=" + RFC_USER + ",r=" + RFC_CLIENT_NONCE;
			String nonce = serverFirst.split(",")[0].substring(2);
			byte[] salt = Base64.getDecoder().decode(serverFirst.split(",")[1].substring(2));
			int iterations = Integer.parseInt(serverFirst.split(",")[2].substring(2));
			byte[] cbind = concat(gs2Header.getBytes(StandardCharsets.US_ASCII), bindingData);
			String withoutProof = "c=" + Base64.getEncoder().encodeToString(cbind) + ",r=" + nonce;
			byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
				.getBytes(StandardCharsets.UTF_8);
			byte[] salted = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
				.generateSecret(new PBEKeySpec(password.toCharArray(), salt, iterations, 256))
				.getEncoded();
			byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
			byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
			byte[] signature = hmac(storedKey, authMessage);
			byte[] proof = new byte[clientKey.length];
			for (int i = 0; i < proof.length; i++) {
				proof[i] = (byte) (clientKey[i] ^ signature[i]);
			}
			byte[] serverKey = hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
			return new Exchange(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof),
					"v=" + Base64.getEncoder().encodeToString(hmac(serverKey, authMessage)));
		}

		private static byte[] hmac(byte[] key, byte[] data) throws Exception {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(key, "HmacSHA256"));
			return mac.doFinal(data);
		}

		private static byte[] concat(byte[] a, byte[] b) {
			byte[] both = new byte[a.length + b.length];
			System.arraycopy(a, 0, both, 0, a.length);
			System.arraycopy(b, 0, both, a.length, b.length);
			return both;
		}

	}

}
