package io.github.smtpkit.interop;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import io.github.smtpkit.Envelope;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpAuthenticationException;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpSession;
import io.github.smtpkit.TlsMode;
import io.github.smtpkit.auth.AuthMechanism;
import io.github.smtpkit.auth.OAuth2TokenSupplier;
import io.github.smtpkit.pool.PoolConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * SCRAM-SHA-256, SCRAM-SHA-1, XOAUTH2 and OAUTHBEARER against Postfix + Dovecot on 2588 (after
 * STARTTLS): a login that works and sends a mail that arrives as the authenticated sender, a
 * wrong password, and an expired token that is reported to its supplier and replaced by a fresh
 * one. Dovecot checks tokens with the rig's introspection stand-in: {@code valid:USER:x} is active,
 * anything else is refused as expired. Every test records the debug output, the events and the
 * exception messages, and {@link #noSecretInTheCapturedOutput()} checks that no password or token
 * is among them.
 */
class ModernAuthInteropTests {

	/**
	 * The user of the OAuth tests: Dovecot compares the introspection's user name with the login's
	 * after adding its default realm, so tokens name the full address.
	 */
	private static final String ALICE = "alice@example.test";

	private static final String CAROL = "carol@example.test";

	private static final String CAROL_PASSWORD = "pässwörd-ü";

	private static final List<String> SECRETS = List.of("alice-pw", CAROL_PASSWORD, "not-alice-pw", "valid:alice",
			"expired:alice");

	/** Debug lines, events and exception messages of the current test. */
	private final List<String> captured = new CopyOnWriteArrayList<>();

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	@AfterEach
	void noSecretInTheCapturedOutput() {
		assertThat(this.captured).as("debug output, events and exception messages").isNotEmpty();
		for (String secret : SECRETS) {
			assertThat(this.captured).noneMatch((line) -> line.contains(secret));
		}
	}

	// ---------------------------------------------------------------- SCRAM

	static Stream<Arguments> scramCases() {
		List<Arguments> cases = new ArrayList<>();
		for (AuthMechanism mechanism : List.of(AuthMechanism.SCRAM_SHA_256, AuthMechanism.SCRAM_SHA_1)) {
			for (boolean initialResponse : new boolean[] { true, false }) {
				cases.add(Arguments.of(mechanism, "alice", "alice-pw", "alice@example.test", initialResponse));
				cases.add(Arguments.of(mechanism, CAROL, CAROL_PASSWORD, CAROL, initialResponse));
			}
		}
		return cases.stream();
	}

	@ParameterizedTest(name = "{0} as {1}, initial response {4}")
	@MethodSource("scramCases")
	void scramLogsInAndTheMailArrivesAsTheAuthenticatedSender(AuthMechanism mechanism, String user, String password,
			String address, boolean initialResponseOk) throws Exception {
		String messageId = InteropRig.messageId("auth-" + mechanism.name().toLowerCase(Locale.ROOT));
		try (SmtpSession smtp = starttls()) {
			assertThat(smtp.auth(mechanism, user, password, initialResponseOk).code()).isEqualTo(235);
			assertThat(smtp.sendmail(address, List.of("bob@example.test"),
					InteropRig.message(address, "bob@example.test", messageId, "AUTH " + mechanism.name())))
				.isEmpty();
		}
		assertThat(this.captured).contains("authSucceeded " + mechanism.name());
		assertAuthenticatedSender(messageId, address);
	}

	@Test
	void loginPrefersScramSha256AmongAllThatDovecotOffers() throws Exception {
		try (SmtpSession smtp = starttls()) {
			smtp.ehlo();
			assertThat(smtp.esmtpFeatures().authMechanisms()).contains("SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5")
				.doesNotContain("SCRAM-SHA-256-PLUS");
			assertThat(smtp.login("alice", "alice-pw").code()).isEqualTo(235);
		}
		assertThat(this.captured).filteredOn((line) -> line.startsWith("auth")).containsExactly("authSucceeded SCRAM-SHA-256");
	}

	@Test
	void aWrongPasswordFailsScramWith535AndTheSessionStaysUsable() throws Exception {
		try (SmtpSession smtp = starttls()) {
			smtp.ehlo();
			for (AuthMechanism mechanism : List.of(AuthMechanism.SCRAM_SHA_256, AuthMechanism.SCRAM_SHA_1)) {
				assertThatExceptionOfType(SmtpAuthenticationException.class)
					.isThrownBy(() -> smtp.auth(mechanism, "alice", "not-alice-pw"))
					.satisfies((ex) -> this.captured.add(String.valueOf(ex)))
					.satisfies((ex) -> assertThat(ex.smtpCode()).isEqualTo(535));
			}
			assertThat(smtp.noop().code()).isEqualTo(250);
			assertThat(smtp.auth(AuthMechanism.SCRAM_SHA_256, "alice", "alice-pw").code()).isEqualTo(235);
		}
		assertThat(this.captured).filteredOn((line) -> line.startsWith("auth"))
			.containsExactly("authFailed SCRAM-SHA-256", "authFailed SCRAM-SHA-1", "authSucceeded SCRAM-SHA-256");
	}

	// ---------------------------------------------------------------- OAuth 2.0

	static Stream<String> oauthMechanisms() {
		return Stream.of("XOAUTH2", "OAUTHBEARER");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("oauthMechanisms")
	void aValidTokenLogsInAndTheMailArrives(String name) throws Exception {
		Tokens tokens = new Tokens("valid:" + ALICE + ":" + InteropRig.uniqueId("token"));
		String messageId = InteropRig.messageId("auth-" + name.toLowerCase(Locale.ROOT));
		try (SmtpSession smtp = starttls()) {
			smtp.ehlo();
			assertThat(smtp.auth(oauth(name, tokens), ALICE, "").code()).isEqualTo(235);
			assertThat(smtp.sendmail("alice@example.test", List.of("bob@example.test"),
					InteropRig.message("alice@example.test", "bob@example.test", messageId, "AUTH " + name)))
				.isEmpty();
		}
		assertThat(tokens.calls).containsExactly("token " + ALICE);
		assertAuthenticatedSender(messageId, ALICE);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("oauthMechanisms")
	void anExpiredTokenIsReportedAndTheFreshOneLogsIn(String name) throws Exception {
		Tokens tokens = new Tokens("expired:" + ALICE + ":" + InteropRig.uniqueId("token"),
				"valid:" + ALICE + ":" + InteropRig.uniqueId("token"));
		String messageId = InteropRig.messageId("refresh-" + name.toLowerCase(Locale.ROOT));
		try (SmtpSession smtp = starttls()) {
			assertThat(smtp.login(ALICE, "", List.of(oauth(name, tokens)), true).code()).isEqualTo(235);
			assertThat(smtp.sendmail("alice@example.test", List.of("bob@example.test"),
					InteropRig.message("alice@example.test", "bob@example.test", messageId, "refreshed " + name)))
				.isEmpty();
		}
		assertThat(tokens.calls).containsExactly("token " + ALICE, "refused " + ALICE + " expired:" + ALICE, "token " + ALICE);
		assertThat(this.captured).filteredOn((line) -> line.startsWith("auth"))
			.containsExactly("authFailed " + name, "authSucceeded " + name);
		assertAuthenticatedSender(messageId, ALICE);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("oauthMechanisms")
	void twoExpiredTokensFailTheLoginWithTheServersReply(String name) throws Exception {
		Tokens tokens = new Tokens("expired:" + ALICE + ":1", "expired:" + ALICE + ":2");
		try (SmtpSession smtp = starttls()) {
			assertThatExceptionOfType(SmtpAuthenticationException.class)
				.isThrownBy(() -> smtp.login(ALICE, "", List.of(oauth(name, tokens)), true))
				.satisfies((ex) -> this.captured.add(String.valueOf(ex)))
				.satisfies((ex) -> assertThat(ex.smtpCode()).isEqualTo(535));
			assertThat(smtp.noop().code()).isEqualTo(250);
		}
		assertThat(tokens.calls).containsExactly("token " + ALICE, "refused " + ALICE + " expired:" + ALICE, "token " + ALICE,
				"refused " + ALICE + " expired:" + ALICE);
	}

	@Test
	void aPooledClientAsksForATokenOnEachNewConnectionAndRefreshesAnExpiredOne() throws Exception {
		Tokens tokens = new Tokens("expired:" + ALICE + ":" + InteropRig.uniqueId("token"),
				"valid:" + ALICE + ":" + InteropRig.uniqueId("token"), "valid:" + ALICE + ":" + InteropRig.uniqueId("token"));
		String first = InteropRig.messageId("pooled-oauth");
		String second = InteropRig.messageId("pooled-oauth");
		try (SmtpClient client = SmtpClient.builder()
			.host(InteropRig.HOST)
			.port(InteropRig.ALL_MECHANISMS_PORT)
			.localHostname(InteropRig.CLIENT_NAME)
			.tls(TlsMode.STARTTLS_REQUIRED)
			.sslContext(InteropRig.trustingRigCertificate())
			.credentials(ALICE, "")
			.authMechanisms(List.of(AuthMechanism.oauthBearer(tokens)))
			.pool(PoolConfig.builder().maxTotal(1).maxMessagesPerConnection(1).build())
			.eventListener(new Recorder(this.captured))
			.build()) {
			for (String messageId : List.of(first, second)) {
				SendResult result = client.send(Envelope.of("alice@example.test", "bob@example.test"),
						InteropRig.message("alice@example.test", "bob@example.test", messageId, "pooled OAUTHBEARER"));
				assertThat(result.refused()).isEmpty();
			}
		}
		assertThat(tokens.calls).containsExactly("token " + ALICE, "refused " + ALICE + " expired:" + ALICE, "token " + ALICE,
				"token " + ALICE);
		assertAuthenticatedSender(first, ALICE);
		assertAuthenticatedSender(second, ALICE);
	}

	// ---------------------------------------------------------------- helpers

	private SmtpSession starttls() throws IOException {
		SmtpSession smtp = SmtpSession.smtp()
			.host(InteropRig.HOST)
			.port(InteropRig.ALL_MECHANISMS_PORT)
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.sslContext(InteropRig.trustingRigCertificate())
			.debugLevel(1)
			.debugOutput((line) -> this.captured.add("debug " + line))
			.eventListener(new Recorder(this.captured))
			.connect();
		smtp.starttls();
		return smtp;
	}

	private static AuthMechanism oauth(String name, OAuth2TokenSupplier tokens) {
		return "XOAUTH2".equals(name) ? AuthMechanism.xoauth2(tokens) : AuthMechanism.oauthBearer(tokens);
	}

	/** Postfix writes the SASL user into the Received header of a mail sent after AUTH. */
	private static void assertAuthenticatedSender(String messageId, String user) throws IOException {
		Maildir.Delivered delivered = InteropRig.maildir("bob").awaitMessage(messageId);
		assertThat(delivered.headers("Received"))
			.anySatisfy((received) -> assertThat(received).contains("(Authenticated sender: " + user)
				.contains("with ESMTPSA"));
	}

	/** Hands out the tokens in turn; records calls with each token cut to its first two fields. */
	private static final class Tokens implements OAuth2TokenSupplier {

		final List<String> calls = new CopyOnWriteArrayList<>();

		private final List<String> tokens;

		Tokens(String... tokens) {
			this.tokens = new CopyOnWriteArrayList<>(tokens);
		}

		@Override
		public String token(String username) {
			this.calls.add("token " + username);
			return this.tokens.remove(0);
		}

		@Override
		public void refused(String username, String token) {
			this.calls.add("refused " + username + " " + token.substring(0, token.lastIndexOf(':')));
		}

	}

	/** Every event as a line of text, with every argument. */
	private record Recorder(List<String> lines) implements SmtpEventListener {

		@Override
		public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
			this.lines.add("commandSent " + verb + " " + line);
		}

		@Override
		public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
			this.lines.add("replyReceived " + verb + " " + reply);
		}

		@Override
		public void authSucceeded(SmtpEndpoint endpoint, String mechanism) {
			this.lines.add("authSucceeded " + mechanism);
		}

		@Override
		public void authFailed(SmtpEndpoint endpoint, String mechanism, SmtpReply reply) {
			this.lines.add("authFailed " + mechanism);
			this.lines.add("refusal " + reply);
		}

	}

}
