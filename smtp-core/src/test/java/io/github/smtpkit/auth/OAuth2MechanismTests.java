package io.github.smtpkit.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpAuthenticationException;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpSession;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * XOAUTH2 and OAUTHBEARER (RFC 7628) against the scripted server: the exact payloads, the error
 * challenge and its dummy response, the supplier told of a refused token and asked once more,
 * and no token anywhere but on the wire.
 */
@Timeout(20)
class OAuth2MechanismTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String USER = "jane@example.test";

	private static final String STALE = "ya29.stale-token-0001";

	private static final String FRESH = "ya29.fresh-token-0002";

	private static final String OK = "235 2.7.0 Accepted";

	/** Google's error challenge for a refused XOAUTH2 token. */
	private static final String XOAUTH2_ERROR = "334 "
			+ b64("{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"https://mail.google.com/\"}");

	/** RFC 7628 3.2.2's error challenge. */
	private static final String OAUTHBEARER_ERROR = "334 "
			+ b64("{\"status\":\"invalid_token\",\"scope\":\"mail\",\"openid-configuration\":\"https://idp.test/.well-known\"}");

	@Test
	void xoauth2SendsTheUserAndTheTokenAsTheInitialResponse() throws Exception {
		Tokens tokens = new Tokens(FRESH);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250 AUTH XOAUTH2 PLAIN").reply(OK).reply("221 bye");
			try (SmtpSession smtp = connect(server, SmtpEventListener.NONE)) {
				assertThat(smtp.login(USER, "", List.of(AuthMechanism.xoauth2(tokens)), true).code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test",
					"AUTH XOAUTH2 " + b64("user=" + USER + "\u0001auth=Bearer " + FRESH + "\u0001\u0001"), "QUIT");
			assertThat(tokens.calls).containsExactly("token " + USER);
			server.assertNoFailures();
		}
	}

	@Test
	void oauthBearerSendsTheGs2HeaderHostPortAndToken() throws Exception {
		Tokens tokens = new Tokens(FRESH);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250 AUTH OAUTHBEARER").reply(OK).reply("221 bye");
			try (SmtpSession smtp = connect(server, SmtpEventListener.NONE)) {
				smtp.ehlo();
				assertThat(smtp.auth(AuthMechanism.oauthBearer(tokens), "a,b=c@example.test", "").code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test",
					"AUTH OAUTHBEARER " + b64("n,a=a=2Cb=3Dc@example.test,\u0001host=" + server.host() + "\u0001port="
							+ server.port() + "\u0001auth=Bearer " + FRESH + "\u0001\u0001"),
					"QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void withoutInitialResponseTheTokenAnswersTheEmptyChallenge() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250 AUTH XOAUTH2")
				.reply("334 ")
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = connect(server, SmtpEventListener.NONE)) {
				assertThat(smtp.login(USER, "", List.of(AuthMechanism.xoauth2(new Tokens(FRESH))), false).code())
					.isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH XOAUTH2",
					b64("user=" + USER + "\u0001auth=Bearer " + FRESH + "\u0001\u0001"), "QUIT");
		}
	}

	@Test
	void aRefusedOauthBearerTokenIsReportedAndAFreshOneAccepted() throws Exception {
		Tokens tokens = new Tokens(STALE, FRESH);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250 AUTH OAUTHBEARER")
				.reply(OAUTHBEARER_ERROR)
				.reply("535 5.7.8 Authentication credentials invalid")
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = connect(server, SmtpEventListener.NONE)) {
				assertThat(smtp.login(USER, "", List.of(AuthMechanism.oauthBearer(tokens)), true).code())
					.isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			List<String> commands = server.commands();
			assertThat(commands).hasSize(5);
			assertThat(decode(commands.get(1).substring("AUTH OAUTHBEARER ".length()))).contains("Bearer " + STALE);
			// RFC 7628 3.2.3: the error challenge is answered with a single %x01.
			assertThat(commands.get(2)).isEqualTo(b64("\u0001"));
			assertThat(decode(commands.get(3).substring("AUTH OAUTHBEARER ".length()))).contains("Bearer " + FRESH);
			assertThat(tokens.calls).containsExactly("token " + USER, "refused " + USER + " " + STALE,
					"token " + USER);
			server.assertNoFailures();
		}
	}

	@Test
	void aSecondRefusalFailsWithTheServersReplyAfterTwoExchanges() throws Exception {
		Tokens tokens = new Tokens(STALE, STALE);
		Recorder recorder = new Recorder();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250 AUTH XOAUTH2")
				.reply(XOAUTH2_ERROR)
				.reply("535 5.7.8 Username and Password not accepted")
				.reply(XOAUTH2_ERROR)
				.reply("535 5.7.8 Username and Password not accepted")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server, recorder)) {
				Throwable thrown = catchThrowable(() -> smtp.login(USER, "", List.of(AuthMechanism.xoauth2(tokens)), true));
				assertThat(thrown).isInstanceOf(SmtpAuthenticationException.class);
				assertThat(((SmtpAuthenticationException) thrown).reply())
					.isEqualTo(new SmtpReply(535, "5.7.8 Username and Password not accepted"));
				recorder.add(String.valueOf(thrown));
			}
			server.awaitScriptDone(WAIT);
			// XOAUTH2's dummy response to the error challenge is an empty line.
			assertThat(server.commands()).hasSize(6).element(2).isEqualTo("");
			assertThat(tokens.calls).containsExactly("token " + USER, "refused " + USER + " " + STALE, "token " + USER,
					"refused " + USER + " " + STALE);
			recorder.assertNever(STALE, b64("user=" + USER + "\u0001auth=Bearer " + STALE + "\u0001\u0001"));
			assertThat(recorder.lines).anyMatch((line) -> line.startsWith("debug ") && line.contains("AUTH XOAUTH2 <redacted>"))
				.anyMatch((line) -> line.startsWith("commandSent AUTH AUTH XOAUTH2 <redacted>"));
			server.assertNoFailures();
		}
	}

	@Test
	void aFailingSupplierFailsTheLoginBeforeAnythingIsSent() throws Exception {
		OAuth2TokenSupplier broken = (user) -> {
			throw new IOException("token endpoint said 503");
		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250 AUTH XOAUTH2 PLAIN").reply("221 bye");
			try (SmtpSession smtp = connect(server, SmtpEventListener.NONE)) {
				Throwable thrown = catchThrowable(
						() -> smtp.login(USER, "", List.of(AuthMechanism.xoauth2(broken), AuthMechanism.PLAIN), true));
				assertThat(thrown).isInstanceOf(SmtpException.class)
					.isNotInstanceOf(SmtpAuthenticationException.class)
					.hasMessageContaining("token endpoint said 503");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "QUIT");
		}
	}

	@Test
	void aTokenWithALineBreakIsRefusedBeforeItIsSent() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250 AUTH XOAUTH2").reply("221 bye");
			try (SmtpSession smtp = connect(server, SmtpEventListener.NONE)) {
				smtp.ehlo();
				assertThat(catchThrowable(() -> smtp.auth(AuthMechanism.xoauth2(new Tokens("a\r\nRSET")), USER, "")))
					.isInstanceOf(SmtpException.class)
					.hasMessageContaining("control character")
					.hasMessageNotContaining("RSET");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "QUIT");
		}
	}

	// ---------------------------------------------------------------- helpers

	private static SmtpSession connect(ScriptedSmtpServer server, SmtpEventListener listener) throws IOException {
		return SmtpSession.smtp()
			.host(server.host())
			.port(server.port())
			.localHostname("client.test")
			.timeout(WAIT)
			.eventListener(listener)
			.debugLevel((listener instanceof Recorder) ? 1 : 0)
			.debugOutput((line) -> {
				if (listener instanceof Recorder recorder) {
					recorder.add("debug " + line);
				}
			})
			.connect();
	}

	private static String b64(String text) {
		return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
	}

	private static String decode(String base64) {
		return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
	}

	/** Hands out the given tokens in turn and records every call. */
	private static final class Tokens implements OAuth2TokenSupplier {

		final List<String> calls = new CopyOnWriteArrayList<>();

		private final List<String> tokens;

		Tokens(String... tokens) {
			this.tokens = new ArrayList<>(List.of(tokens));
		}

		@Override
		public String token(String username) {
			this.calls.add("token " + username);
			return this.tokens.remove(0);
		}

		@Override
		public void refused(String username, String token) {
			this.calls.add("refused " + username + " " + token);
		}

	}

	/** Every event and debug line as text, to show that no token is among them. */
	private static final class Recorder implements SmtpEventListener {

		final List<String> lines = new CopyOnWriteArrayList<>();

		void add(String line) {
			this.lines.add(line);
		}

		void assertNever(String... secrets) {
			assertThat(this.lines).isNotEmpty();
			for (String secret : secrets) {
				assertThat(this.lines).noneMatch((line) -> line.contains(secret));
			}
		}

		@Override
		public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
			add("commandSent " + verb + " " + line);
		}

		@Override
		public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
			add("replyReceived " + verb + " " + reply);
		}

		@Override
		public void authSucceeded(SmtpEndpoint endpoint, String mechanism) {
			add("authSucceeded " + mechanism);
		}

		@Override
		public void authFailed(SmtpEndpoint endpoint, String mechanism, SmtpReply reply) {
			add("authFailed " + mechanism + " " + reply);
		}

	}

}
