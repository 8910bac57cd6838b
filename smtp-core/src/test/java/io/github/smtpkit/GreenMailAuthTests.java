package io.github.smtpkit;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.smtpkit.auth.AuthMechanism;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * SMTP AUTH against GreenMail 2.1.8 with configured users and authentication required (GreenMail's
 * default once users are configured: unknown users and wrong passwords are refused).
 *
 * <p>What GreenMail 2.1.8 does, read from its sources:
 * <ul>
 * <li>EHLO advertises {@code AUTH PLAIN LOGIN XOAUTH2}; CRAM-MD5 is neither advertised nor
 * implemented ({@code 500 syntax error : Unsupported auth mechanism ...}).</li>
 * <li>PLAIN works with and without an initial response; LOGIN only without one: {@code AUTH LOGIN
 * <user>} is answered {@code 500} (smtplib, and so {@link SmtpSession}, sends the user name as the
 * LOGIN initial response when initial responses are allowed).</li>
 * <li>Credentials are base64-decoded as UTF-8, so UTF-8 passwords work.</li>
 * <li>Success is {@code 235 2.7.0  Authentication Succeeded}, refusal {@code 535 5.7.8  Authentication
 * credentials invalid}, a second AUTH {@code 503 already authenticated}.</li>
 * <li>It never requires AUTH before MAIL, even with authentication "required": that setting only
 * decides whether AUTH accepts unknown users. Refusal of unauthenticated mail therefore cannot be
 * shown against GreenMail.</li>
 * </ul>
 */
class GreenMailAuthTests {

	private static final String CLIENT_NAME = "client.test";

	private static final String USER = "alice";

	private static final String PASSWORD = "s3cret-Pa55";

	private static final String UTF8_USER = "bob";

	private static final String UTF8_PASSWORD = "pässwörd-密码-🔑";

	private static final SmtpReply AUTHENTICATED = new SmtpReply(235, "2.7.0  Authentication Succeeded");

	private static final SmtpReply INVALID_CREDENTIALS = new SmtpReply(535, "5.7.8  Authentication credentials invalid");

	private GreenMail greenMail;

	private final RecordingListener listener = new RecordingListener();

	@BeforeEach
	void startGreenMail() {
		this.greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
		this.greenMail.withConfiguration(GreenMailConfiguration.aConfig()
			.withUser("alice@example.org", USER, PASSWORD)
			.withUser("bob@example.org", UTF8_USER, UTF8_PASSWORD));
		this.greenMail.start();
		assertThat(this.greenMail.getUserManager().isAuthRequired()).isTrue();
	}

	@AfterEach
	void stopGreenMail() {
		this.greenMail.stop();
	}

	@Test
	void loginPicksPlainBecauseGreenMailAdvertisesPlainLoginAndXoauth2ButNotCramMd5() throws Exception {
		try (SmtpSession smtp = connect()) {
			SmtpReply reply = smtp.login(USER, PASSWORD);

			assertThat(reply).isEqualTo(AUTHENTICATED);
			assertThat(smtp.esmtpFeatures().authMechanisms()).containsExactly("PLAIN", "LOGIN", "XOAUTH2");
			assertThat(smtp.sendmail("alice@example.org", "friend@example.org",
					"Subject: after login\r\n\r\nHello.\r\n"))
				.isEmpty();
		}

		assertThat(this.listener.authCommands()).containsExactly("AUTH PLAIN <redacted>");
		assertThat(this.listener.events).contains("auth succeeded PLAIN").doesNotContain("auth succeeded CRAM-MD5");
		assertThat(this.greenMail.waitForIncomingEmail(5000, 1)).isTrue();
		assertThat(single(messagesFor("friend@example.org")).getSubject()).isEqualTo("after login");
	}

	@ParameterizedTest
	@ValueSource(booleans = { true, false })
	void authPlainSucceeds(boolean initialResponse) throws Exception {
		try (SmtpSession smtp = connect()) {
			smtp.ehlo();
			assertThat(smtp.auth(AuthMechanism.PLAIN, USER, PASSWORD, initialResponse)).isEqualTo(AUTHENTICATED);
		}
		if (initialResponse) {
			assertThat(this.listener.authCommands()).containsExactly("AUTH PLAIN <redacted>");
		}
		else {
			// GreenMail's empty challenge ("334 "), then the response.
			assertThat(this.listener.authCommands()).containsExactly("AUTH PLAIN", "<redacted>");
		}
		assertThat(this.listener.events).contains("auth succeeded PLAIN");
	}

	@Test
	void authLoginWithoutInitialResponseSucceeds() throws Exception {
		try (SmtpSession smtp = connect()) {
			smtp.ehlo();
			assertThat(smtp.auth(AuthMechanism.LOGIN, USER, PASSWORD, false)).isEqualTo(AUTHENTICATED);
		}
		// "334 VXNlcm5hbWU6" (Username:) and "334 UGFzc3dvcmQ6" (Password:), each answered.
		assertThat(this.listener.authCommands()).containsExactly("AUTH LOGIN", "<redacted>", "<redacted>");
		assertThat(this.listener.events).contains("auth succeeded LOGIN");
	}

	@Test
	void authLoginWithInitialResponseIsRefusedByGreenMailAndTheSessionCanRetryWithout() throws Exception {
		try (SmtpSession smtp = connect()) {
			smtp.ehlo();

			assertThatExceptionOfType(SmtpAuthenticationException.class)
				.isThrownBy(() -> smtp.auth(AuthMechanism.LOGIN, USER, PASSWORD, true))
				.satisfies((ex) -> {
					assertThat(ex.smtpCode()).isEqualTo(500);
					assertThat(ex.smtpError()).startsWith("syntax error : Unsupported auth mechanism LOGIN");
					assertThat(ex.getMessage()).doesNotContain(PASSWORD);
				});

			assertThat(smtp.auth(AuthMechanism.LOGIN, USER, PASSWORD, false)).isEqualTo(AUTHENTICATED);
		}
		assertThat(this.listener.authCommands()).containsExactly("AUTH LOGIN <redacted>", "AUTH LOGIN", "<redacted>",
				"<redacted>");
	}

	@Test
	void cramMd5IsNotAdvertisedAndGreenMailRefusesItWhenAskedExplicitly() throws Exception {
		try (SmtpSession smtp = connect()) {
			smtp.ehlo();
			assertThat(smtp.esmtpFeatures().authMechanisms()).doesNotContain("CRAM-MD5");

			assertThatExceptionOfType(SmtpAuthenticationException.class)
				.isThrownBy(() -> smtp.auth(AuthMechanism.CRAM_MD5, USER, PASSWORD))
				.satisfies((ex) -> {
					assertThat(ex.smtpCode()).isEqualTo(500);
					assertThat(ex.smtpError()).startsWith("syntax error : Unsupported auth mechanism CRAM-MD5");
				});

			// login() offers only what was advertised: PLAIN, never CRAM-MD5.
			assertThat(smtp.login(USER, PASSWORD)).isEqualTo(AUTHENTICATED);
		}
		assertThat(this.listener.authCommands()).containsExactly("AUTH CRAM-MD5", "AUTH PLAIN <redacted>");
	}

	@ParameterizedTest
	@ValueSource(strings = { "PLAIN", "LOGIN" })
	void wrongPasswordIsRefusedWithGreenMails535(String mechanismName) throws Exception {
		AuthMechanism mechanism = mechanismName.equals("PLAIN") ? AuthMechanism.PLAIN : AuthMechanism.LOGIN;
		try (SmtpSession smtp = connect()) {
			smtp.ehlo();

			assertThatExceptionOfType(SmtpAuthenticationException.class)
				.isThrownBy(() -> smtp.auth(mechanism, USER, "wrong-password", false))
				.satisfies((ex) -> {
					assertThat(ex.reply()).isEqualTo(INVALID_CREDENTIALS);
					assertThat(ex.getMessage()).doesNotContain("wrong-password");
				});

			// Refused, not disconnected: the right password still works.
			assertThat(smtp.auth(mechanism, USER, PASSWORD, false)).isEqualTo(AUTHENTICATED);
		}
		assertThat(this.listener.events).contains("auth failed " + mechanismName + " 535");
	}

	@Test
	void unknownUserIsRefusedWithGreenMails535() throws Exception {
		try (SmtpSession smtp = connect()) {
			assertThatExceptionOfType(SmtpAuthenticationException.class)
				.isThrownBy(() -> smtp.login("mallory", PASSWORD, false))
				.satisfies((ex) -> assertThat(ex.reply()).isEqualTo(INVALID_CREDENTIALS));
		}
	}

	@Test
	void loginWithAWrongPasswordTriesEveryAdvertisedMechanismAndReportsTheLastRefusal() throws Exception {
		try (SmtpSession smtp = connect()) {
			// Without initial responses both mechanisms reach the password check: 535 twice.
			assertThatExceptionOfType(SmtpAuthenticationException.class)
				.isThrownBy(() -> smtp.login(USER, "wrong-password", false))
				.satisfies((ex) -> assertThat(ex.reply()).isEqualTo(INVALID_CREDENTIALS));
			assertThat(this.listener.events).containsSubsequence("auth failed PLAIN 535", "auth failed LOGIN 535");

			// With them (the default, as in smtplib), LOGIN's initial response makes GreenMail answer 500,
			// and that last refusal is what login() reports, as smtplib's login() does.
			assertThatExceptionOfType(SmtpAuthenticationException.class)
				.isThrownBy(() -> smtp.login(USER, "wrong-password"))
				.satisfies((ex) -> assertThat(ex.smtpCode()).isEqualTo(500));
			assertThat(this.listener.events).containsSubsequence("auth failed PLAIN 535", "auth failed LOGIN 535",
					"auth failed PLAIN 535", "auth failed LOGIN 500");

			assertThat(smtp.noop().code()).isEqualTo(250);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "PLAIN", "LOGIN" })
	void utf8PasswordIsAccepted(String mechanismName) throws Exception {
		AuthMechanism mechanism = mechanismName.equals("PLAIN") ? AuthMechanism.PLAIN : AuthMechanism.LOGIN;
		try (SmtpSession smtp = connect()) {
			smtp.ehlo();
			assertThat(smtp.auth(mechanism, UTF8_USER, UTF8_PASSWORD, false)).isEqualTo(AUTHENTICATED);
		}
	}

	@Test
	void utf8PasswordIsComparedExactly() throws Exception {
		// The same text in decomposed form (a + combining diaeresis) is different bytes, and refused.
		String decomposed = java.text.Normalizer.normalize(UTF8_PASSWORD, java.text.Normalizer.Form.NFD);
		assertThat(decomposed).isNotEqualTo(UTF8_PASSWORD);
		try (SmtpSession smtp = connect()) {
			assertThatExceptionOfType(SmtpAuthenticationException.class)
				.isThrownBy(() -> smtp.login(UTF8_USER, decomposed, false))
				.satisfies((ex) -> assertThat(ex.reply()).isEqualTo(INVALID_CREDENTIALS));
			assertThat(smtp.login(UTF8_USER, UTF8_PASSWORD)).isEqualTo(AUTHENTICATED);
		}
	}

	@Test
	void secondAuthOnAnAuthenticatedSessionReturnsGreenMails503AsSuccessLikeSmtplib() throws Exception {
		try (SmtpSession smtp = connect()) {
			assertThat(smtp.login(USER, PASSWORD)).isEqualTo(AUTHENTICATED);
			assertThat(smtp.login(USER, PASSWORD)).isEqualTo(new SmtpReply(503, "already authenticated"));
		}
	}

	// ---------------------------------------------------------------- helpers

	private SmtpSession connect() throws IOException {
		return SmtpSession.smtp()
			.host("127.0.0.1")
			.port(this.greenMail.getSmtp().getPort())
			.localHostname(CLIENT_NAME)
			.timeout(Duration.ofSeconds(10))
			.eventListener(this.listener)
			.connect();
	}

	private List<MimeMessage> messagesFor(String email) {
		return this.greenMail.findReceivedMessages((user) -> user.getEmail().equalsIgnoreCase(email), (m) -> true)
			.toList();
	}

	private static MimeMessage single(List<MimeMessage> messages) {
		assertThat(messages).hasSize(1);
		return messages.get(0);
	}

	/** Records the lines sent during AUTH exchanges and the auth outcomes, in order. */
	private static final class RecordingListener implements SmtpEventListener {

		final List<String> events = new ArrayList<>();

		@Override
		public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
			this.events.add("command " + line);
		}

		@Override
		public void authSucceeded(SmtpEndpoint endpoint, String mechanism) {
			this.events.add("auth succeeded " + mechanism);
		}

		@Override
		public void authFailed(SmtpEndpoint endpoint, String mechanism, SmtpReply reply) {
			this.events.add("auth failed " + mechanism + " " + reply.code());
		}

		/** The lines of AUTH exchanges: AUTH commands and the (redacted) responses. */
		List<String> authCommands() {
			return this.events.stream()
				.filter((event) -> event.startsWith("command AUTH") || event.equals("command <redacted>"))
				.map((event) -> event.substring("command ".length()))
				.toList();
		}

	}

}
