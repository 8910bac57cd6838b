package io.github.smtpkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.auth.AuthMechanism;
import io.github.smtpkit.auth.SmtpAuthenticator;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * SMTP AUTH through {@link SmtpSession#login} and {@link SmtpSession#auth}: which mechanism is
 * chosen, the exact wire format of each, the challenge loop and its limits, and that no credential
 * reaches debug output, an event or an exception message. After smtplib's AUTH tests.
 */
@Timeout(20)
class SmtpSessionAuthTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String GREETING = "220 fake.test ESMTP";

	private static final String USER = "jane.doe@example.test";

	private static final String PASSWORD = "correct horse battery staple 42";

	private static final String OK = "235 2.7.0 Authentication successful";

	/** "Username:" and "Password:", the LOGIN mechanism's customary prompts. */
	private static final String USERNAME_PROMPT = "334 VXNlcm5hbWU6";

	private static final String PASSWORD_PROMPT = "334 UGFzc3dvcmQ6";

	private static final String CRAM_CHALLENGE = "<4711.1700000000@fake.test>";

	// ---------------------------------------------------------------- choosing a mechanism

	@Test
	void loginPrefersCramMd5WhateverTheAdvertisedOrder() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(ehlo("AUTH LOGIN PLAIN CRAM-MD5"))
				.reply("334 " + b64(CRAM_CHALLENGE))
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.login(USER, PASSWORD)).isEqualTo(new SmtpReply(235, "2.7.0 Authentication successful"));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH CRAM-MD5",
					b64(USER + " " + hmacMd5Hex(PASSWORD, CRAM_CHALLENGE)), "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void loginPrefersPlainOverLogin() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(ehlo("AUTH LOGIN PLAIN")).reply(OK).reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.login(USER, PASSWORD).code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH PLAIN " + plainPayload(USER, PASSWORD),
					"QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void loginFindsNoSuitableMechanismAmongLowerCaseNamesAsSmtplibDoes() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// smtplib compares the names as advertised: "plain" is not "PLAIN", and nothing is sent.
			server.greet(GREETING).reply(ehlo("auth login plain")).reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.ehlo();
				assertThat(smtp.esmtpFeatures().authMechanisms()).containsExactly("LOGIN", "PLAIN");
				assertThat(thrown(SmtpException.class, () -> smtp.login(USER, PASSWORD)))
					.hasMessage("No suitable authentication method found.");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void credentialsWithNulCrOrLfAreRefusedBeforeAuth() throws Exception {
		List<List<String>> cases = List.of(List.of("user name", "jane\0doe", "pass"),
				List.of("user name", "jane\ndoe", "pass"), List.of("password", "jane", "pa\0ss"),
				List.of("password", "jane", "pa\rss"));
		for (List<String> credentials : cases) {
			String which = credentials.get(0);
			String user = credentials.get(1);
			String password = credentials.get(2);
			try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
				server.greet(GREETING).reply(ehlo("AUTH PLAIN LOGIN")).reply("221 bye");
				try (SmtpSession smtp = connect(server)) {
					assertThat(thrown(IllegalArgumentException.class, () -> smtp.login(user, password)))
						.hasMessageContaining("The " + which + " contains a prohibited")
						.hasMessageNotContaining(user)
						.hasMessageNotContaining(password);
					assertThat(thrown(IllegalArgumentException.class, () -> smtp.auth(AuthMechanism.PLAIN, user, password)))
						.hasMessageContaining(which);
				}
				server.awaitScriptDone(WAIT);
				assertThat(server.commands()).as(which).containsExactly("EHLO client.test", "QUIT");
				assertCleanRun(server);
			}
		}
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpClient.builder().credentials("jane", "pa\nss"))
			.withMessageContaining("password");
	}

	@Test
	void loginUsesLoginWhenItIsTheOnlyKnownMechanism() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(ehlo("AUTH XOAUTH2 LOGIN"))
				.reply(PASSWORD_PROMPT)
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.login(USER, PASSWORD).code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH LOGIN " + b64(USER), b64(PASSWORD),
					"QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void oldStyleAuthEqualsAdvertisementIsUnderstood() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply("250-fake.test\n250-AUTH=LOGIN\n250 8BITMIME")
				.reply(PASSWORD_PROMPT)
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.ehlo();
				assertThat(smtp.hasExtn("auth")).isTrue();
				assertThat(smtp.login(USER, PASSWORD).code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH LOGIN " + b64(USER), b64(PASSWORD),
					"QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void loginMovesOnToTheNextMechanismAfterARefusal() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(ehlo("AUTH CRAM-MD5 PLAIN LOGIN"))
				.reply("334 " + b64(CRAM_CHALLENGE))
				.reply("535 5.7.8 cram-md5 refused")
				.reply("535 5.7.8 plain refused")
				.reply(PASSWORD_PROMPT)
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = connect(server, events)) {
				assertThat(smtp.login(USER, PASSWORD)).isEqualTo(new SmtpReply(235, "2.7.0 Authentication successful"));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH CRAM-MD5",
					b64(USER + " " + hmacMd5Hex(PASSWORD, CRAM_CHALLENGE)), "AUTH PLAIN " + plainPayload(USER, PASSWORD),
					"AUTH LOGIN " + b64(USER), b64(PASSWORD), "QUIT");
			assertThat(events.authEvents()).containsExactly("authFailed CRAM-MD5 535 5.7.8 cram-md5 refused",
					"authFailed PLAIN 535 5.7.8 plain refused", "authSucceeded LOGIN");
			assertCleanRun(server);
		}
	}

	@Test
	void loginRaisesTheLastRefusalWhenEveryMechanismFails() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(ehlo("AUTH LOGIN CRAM-MD5 PLAIN"))
				.reply("334 " + b64(CRAM_CHALLENGE))
				.reply("535 5.7.8 cram-md5 refused")
				.reply("535 5.7.8 plain refused")
				.reply(PASSWORD_PROMPT)
				.reply("535 5.7.8 login refused")
				.reply("250 still here")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				SmtpAuthenticationException ex = thrown(SmtpAuthenticationException.class,
						() -> smtp.login(USER, PASSWORD));
				assertThat(ex.smtpCode()).isEqualTo(535);
				assertThat(ex.smtpError()).isEqualTo("5.7.8 login refused");
				assertThat(smtp.isConnected()).isTrue();
				assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "still here"));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH CRAM-MD5",
					b64(USER + " " + hmacMd5Hex(PASSWORD, CRAM_CHALLENGE)), "AUTH PLAIN " + plainPayload(USER, PASSWORD),
					"AUTH LOGIN " + b64(USER), b64(PASSWORD), "NOOP", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void loginWithoutAuthExtensionIsNotSupportedAndSendsNothing() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply("250-fake.test\n250 SIZE 1000").reply("250 ok").reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				Throwable ex = catchThrowable(() -> smtp.login(USER, PASSWORD));
				assertThat(ex).isExactlyInstanceOf(SmtpNotSupportedException.class)
					.hasMessage("SMTP AUTH extension not supported by server.");
				assertThat(smtp.isConnected()).isTrue();
				assertThat(smtp.noop().code()).isEqualTo(250);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void loginWithOnlyUnknownMechanismsFindsNoSuitableMethodAndSendsNothing() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(ehlo("AUTH XOAUTH2 GSSAPI")).reply("250 ok").reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				Throwable ex = catchThrowable(() -> smtp.login(USER, PASSWORD));
				assertThat(ex).isExactlyInstanceOf(SmtpException.class)
					.hasMessage("No suitable authentication method found.");
				assertThat(smtp.isConnected()).isTrue();
				assertThat(smtp.noop().code()).isEqualTo(250);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void loginTriesOnlyTheGivenMechanismsInTheGivenOrder() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(ehlo("AUTH CRAM-MD5 PLAIN LOGIN"))
				.reply("535 5.7.8 login refused")
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.login(USER, PASSWORD, List.of(AuthMechanism.LOGIN, AuthMechanism.PLAIN), true).code())
					.isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH LOGIN " + b64(USER),
					"AUTH PLAIN " + plainPayload(USER, PASSWORD), "QUIT");
			assertCleanRun(server);
		}
	}

	// ---------------------------------------------------------------- the wire format of each mechanism

	@Test
	void plainSendsNulUserNulPasswordAsTheInitialResponse() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(ehlo("AUTH PLAIN")).reply(OK).reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.login(USER, PASSWORD);
			}
			server.awaitScriptDone(WAIT);
			String expectedPayload = Base64.getEncoder()
				.encodeToString(("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH PLAIN " + expectedPayload, "QUIT");
			assertThat(Base64.getDecoder().decode(server.commands().get(1).substring("AUTH PLAIN ".length())))
				.isEqualTo(("\0" + USER + "\0" + PASSWORD).getBytes(StandardCharsets.US_ASCII));
			assertCleanRun(server);
		}
	}

	@Test
	void plainWithoutInitialResponseWaitsForTheEmptyChallenge() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(ehlo("AUTH PLAIN")).reply("334 ").reply(OK).reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.login(USER, PASSWORD, false).code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH PLAIN", plainPayload(USER, PASSWORD),
					"QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void loginWithInitialResponseSendsUserFirstAndPasswordOnTheChallenge() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(ehlo("AUTH LOGIN")).reply(PASSWORD_PROMPT).reply(OK).reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.ehlo();
				assertThat(smtp.auth(AuthMechanism.LOGIN, USER, PASSWORD, true).code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH LOGIN " + b64(USER), b64(PASSWORD),
					"QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void loginWithoutInitialResponseAnswersUserThenPassword() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(ehlo("AUTH LOGIN"))
				.reply(USERNAME_PROMPT)
				.reply(PASSWORD_PROMPT)
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.ehlo();
				assertThat(smtp.auth(AuthMechanism.LOGIN, USER, PASSWORD, false).code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH LOGIN", b64(USER), b64(PASSWORD),
					"QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void cramMd5AnswersWithUserAndHexHmacOfTheChallenge() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(ehlo("AUTH CRAM-MD5"))
				.reply("334 " + b64(CRAM_CHALLENGE))
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.ehlo();
				assertThat(smtp.auth(AuthMechanism.CRAM_MD5, USER, PASSWORD).code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			String response = server.commands().get(2);
			String decoded = new String(Base64.getDecoder().decode(response), StandardCharsets.UTF_8);
			assertThat(decoded).isEqualTo(USER + " " + hmacMd5Hex(PASSWORD, CRAM_CHALLENGE));
			assertThat(decoded).matches(".+ [0-9a-f]{32}");
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH CRAM-MD5", response, "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void cramMd5MatchesTheExampleOfRfc2195() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(ehlo("AUTH CRAM-MD5"))
				.reply("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+")
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.ehlo();
				smtp.auth(AuthMechanism.CRAM_MD5, "tim", "tanstaaftanstaaf");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH CRAM-MD5",
					"dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw", "QUIT");
			assertThat(new String(Base64.getDecoder().decode(server.commands().get(2)), StandardCharsets.US_ASCII))
				.isEqualTo("tim b913a602c7eda7a495b4e6e7334d3890");
			assertCleanRun(server);
		}
	}

	@Test
	void credentialsAreEncodedAsUtf8() throws Exception {
		String password = "pässwörd-ü";
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(ehlo("AUTH PLAIN"))
				.reply(OK)
				.reply(ehlo("AUTH LOGIN"))
				.reply(PASSWORD_PROMPT)
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.login("jürgen", password);
				smtp.ehlo();
				smtp.auth(AuthMechanism.LOGIN, "jürgen", password);
			}
			server.awaitScriptDone(WAIT);
			Base64.Encoder base64 = Base64.getEncoder();
			assertThat(server.commands()).containsExactly("EHLO client.test",
					"AUTH PLAIN " + base64.encodeToString("\0jürgen\0pässwörd-ü".getBytes(StandardCharsets.UTF_8)),
					"EHLO client.test", "AUTH LOGIN " + base64.encodeToString("jürgen".getBytes(StandardCharsets.UTF_8)),
					base64.encodeToString(new byte[] { 'p', (byte) 0xC3, (byte) 0xA4, 's', 's', 'w', (byte) 0xC3,
							(byte) 0xB6, 'r', 'd', '-', (byte) 0xC3, (byte) 0xBC }),
					"QUIT");
			assertCleanRun(server);
		}
	}

	// ---------------------------------------------------------------- auth() and the challenge loop

	@Test
	void customAuthenticatorAnswersEachDecodedChallenge() throws Exception {
		List<String> challenges = new ArrayList<>();
		SmtpAuthenticator authenticator = (challenge) -> {
			String seen = (challenge != null) ? new String(challenge, StandardCharsets.UTF_8) : null;
			challenges.add(seen);
			return ((seen != null) ? "re: " + seen : "hello").getBytes(StandardCharsets.UTF_8);
		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(ehlo("AUTH X-CHALLENGE"))
				.reply("334 " + b64("first challenge"))
				.reply("334 " + b64("second challenge"))
				.reply("235 2.7.0 welcome")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.ehlo();
				assertThat(smtp.auth("x-challenge", authenticator, true)).isEqualTo(new SmtpReply(235, "2.7.0 welcome"));
			}
			server.awaitScriptDone(WAIT);
			assertThat(challenges).containsExactly(null, "first challenge", "second challenge");
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH X-CHALLENGE " + b64("hello"),
					b64("re: first challenge"), b64("re: second challenge"), "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void customAuthenticatorIsNotAskedForAnInitialResponseWhenNotAllowed() throws Exception {
		List<String> challenges = new ArrayList<>();
		SmtpAuthenticator authenticator = (challenge) -> {
			challenges.add((challenge != null) ? new String(challenge, StandardCharsets.UTF_8) : null);
			return "token".getBytes(StandardCharsets.UTF_8);
		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(ehlo("AUTH X-TOKEN")).reply("334 " + b64("go")).reply(OK).reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.ehlo();
				smtp.auth("X-TOKEN", authenticator, false);
			}
			server.awaitScriptDone(WAIT);
			assertThat(challenges).containsExactly("go");
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH X-TOKEN", b64("token"), "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void emptyInitialResponseIsSentAsEqualsSign() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(ehlo("AUTH X-EMPTY")).reply(OK).reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.ehlo();
				smtp.auth("X-EMPTY", (challenge) -> new byte[0], true);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH X-EMPTY =", "QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void moreThanFiveChallengesIsAnInfiniteLoop() throws Exception {
		List<String> challenges = new CopyOnWriteArrayList<>();
		SmtpAuthenticator buggy = (challenge) -> {
			challenges.add(new String(challenge, StandardCharsets.US_ASCII));
			return new byte[] { 0 };
		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(ehlo("AUTH BUGGY"));
			for (int i = 0; i < 7; i++) {
				server.reply("334 " + b64("BuGgYbUgGy"));
			}
			SmtpSession smtp = connect(server);
			try {
				smtp.ehlo();
				Throwable ex = catchThrowable(() -> smtp.auth("BUGGY", buggy, false));
				assertThat(ex).isExactlyInstanceOf(SmtpException.class)
					.hasMessageStartingWith("Server AUTH mechanism infinite loop.")
					.hasMessageContaining("334 " + b64("BuGgYbUgGy"));
				// Like smtplib, the session is left as it is.
				assertThat(smtp.isConnected()).isTrue();
			}
			finally {
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(challenges).hasSize(SmtpSession.MAX_AUTH_CHALLENGES + 1).containsOnly("BuGgYbUgGy");
			List<String> expected = new ArrayList<>(List.of("EHLO client.test", "AUTH BUGGY"));
			for (int i = 0; i <= SmtpSession.MAX_AUTH_CHALLENGES; i++) {
				expected.add("AA==");
			}
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			assertCleanRun(server);
		}
	}

	@Test
	void fiveChallengesAreStillFine() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(ehlo("AUTH X-CHATTY"));
			for (int i = 0; i < SmtpSession.MAX_AUTH_CHALLENGES; i++) {
				server.reply("334 " + b64("again"));
			}
			server.reply(OK).reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.ehlo();
				assertThat(smtp.auth("X-CHATTY", (challenge) -> new byte[] { 'x' }, false).code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).hasSize(2 + SmtpSession.MAX_AUTH_CHALLENGES + 1).endsWith("QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void reply503AlreadyAuthenticatedCountsAsSuccess() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(ehlo("AUTH PLAIN"))
				.reply("503 5.5.1 already authenticated")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server, events)) {
				assertThat(smtp.login(USER, PASSWORD)).isEqualTo(new SmtpReply(503, "5.5.1 already authenticated"));
			}
			server.awaitScriptDone(WAIT);
			assertThat(events.authEvents()).containsExactly("authSucceeded PLAIN");
			assertCleanRun(server);
		}
	}

	@Test
	void aMultiLineChallengeIsDecodedWholeAndAnsweredAsSmtplibDoes() throws Exception {
		String challenge = "a challenge long enough to come in two lines <4711@fake.test>";
		String encoded = b64(challenge);
		List<String> seen = new ArrayList<>();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(ehlo("AUTH X-TWO-LINES"))
				// smtplib joins the lines with "\n" and base64.decodebytes skips it.
				.reply("334-" + encoded.substring(0, 30) + "\n334 " + encoded.substring(30))
				.reply(OK)
				.reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				smtp.ehlo();
				SmtpReply reply = smtp.auth("X-TWO-LINES", (bytes) -> {
					if (bytes == null) {
						return null;
					}
					seen.add(new String(bytes, StandardCharsets.UTF_8));
					return "the answer".getBytes(StandardCharsets.UTF_8);
				}, true);
				assertThat(reply.code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(seen).containsExactly(challenge);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH X-TWO-LINES", b64("the answer"),
					"QUIT");
			assertCleanRun(server);
		}
	}

	@Test
	void aRawAuthCommandAndTheLinesOfItsExchangeAreRedactedForDebugOutputAndListeners() throws Exception {
		RecordingListener events = new RecordingListener();
		List<String> debug = new CopyOnWriteArrayList<>();
		String initial = plainPayload(USER, PASSWORD);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(ehlo("AUTH PLAIN LOGIN")).reply("334 ").reply(OK).reply("221 bye");
			try (SmtpSession smtp = SmtpSession.smtp()
				.host(server.host())
				.port(server.port())
				.localHostname("client.test")
				.timeout(WAIT)
				.eventListener(events)
				.debugOutput(debug::add)
				.connect()) {
				smtp.setDebugLevel(1);
				smtp.ehlo();
				// smtplib lets a caller write AUTH by hand; the credential must still not show.
				assertThat(smtp.docmd("AUTH", "PLAIN").code()).isEqualTo(334);
				assertThat(smtp.docmd(initial).code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).contains("AUTH PLAIN", initial);
			assertCleanRun(server);
		}
		assertThat(String.join("\n", debug)).contains("AUTH PLAIN").doesNotContain(initial);
		assertThat(events.all).noneMatch((event) -> event.contains(initial))
			.anyMatch((event) -> event.contains("<redacted>"));
	}

	@Test
	void challengeThatIsNotBase64IsCancelledWithAStar() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(ehlo("AUTH LOGIN"))
				.reply("334 not base64!")
				.reply("501 5.7.0 authentication cancelled")
				.reply("250 still here")
				.reply("221 bye");
			try (SmtpSession smtp = connect(server, events)) {
				smtp.ehlo();
				SmtpAuthenticationException ex = thrown(SmtpAuthenticationException.class,
						() -> smtp.auth(AuthMechanism.LOGIN, USER, PASSWORD));
				assertThat(ex.smtpCode()).isEqualTo(501);
				assertThat(ex.smtpError()).contains("not base64").contains("not base64!");
				assertThat(smtp.isConnected()).isTrue();
				assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "still here"));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH LOGIN " + b64(USER), "*", "NOOP",
					"QUIT");
			assertThat(events.authEvents()).singleElement().asString().startsWith("authFailed LOGIN 501");
			assertCleanRun(server);
		}
	}

	// ---------------------------------------------------------------- clear text

	@Test
	void credentialsMayGoInClearTextToLoopbackWithoutAllowingIt() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(ehlo("AUTH PLAIN")).reply(OK).reply("221 bye");
			try (SmtpSession smtp = connect(server)) {
				assertThat(smtp.isTls()).isFalse();
				assertThat(smtp.login(USER, PASSWORD).code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).contains("AUTH PLAIN " + plainPayload(USER, PASSWORD));
			assertCleanRun(server);
		}
	}

	@Test
	void allowCleartextAuthCanBeSetOnTheBuilder() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(ehlo("AUTH LOGIN")).reply(PASSWORD_PROMPT).reply(OK).reply("221 bye");
			try (SmtpSession smtp = SmtpSession.smtp()
				.host(server.host())
				.port(server.port())
				.localHostname("client.test")
				.timeout(WAIT)
				.allowCleartextAuth(true)
				.connect()) {
				assertThat(smtp.login(USER, PASSWORD).code()).isEqualTo(235);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "AUTH LOGIN " + b64(USER), b64(PASSWORD),
					"QUIT");
			assertCleanRun(server);
		}
	}

	// ---------------------------------------------------------------- redaction

	@Test
	void noCredentialReachesDebugOutputEventsOrExceptions() throws Exception {
		RecordingListener events = new RecordingListener();
		List<String> debug = new CopyOnWriteArrayList<>();
		List<String> exceptionTexts = new ArrayList<>();
		String cramResponse = USER + " " + hmacMd5Hex(PASSWORD, CRAM_CHALLENGE);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(ehlo("AUTH PLAIN LOGIN CRAM-MD5"))
				// PLAIN, with and without initial response
				.reply(OK)
				.reply("334 ")
				.reply(OK)
				// LOGIN, with and without initial response
				.reply(PASSWORD_PROMPT)
				.reply(OK)
				.reply(USERNAME_PROMPT)
				.reply(PASSWORD_PROMPT)
				.reply(OK)
				// CRAM-MD5
				.reply("334 " + b64(CRAM_CHALLENGE))
				.reply(OK)
				// login() with every mechanism refused
				.reply("334 " + b64(CRAM_CHALLENGE))
				.reply("535 5.7.8 no")
				.reply("535 5.7.8 no")
				.reply(PASSWORD_PROMPT)
				.reply("535 5.7.8 no")
				.reply("221 bye");
			try (SmtpSession smtp = SmtpSession.smtp()
				.host(server.host())
				.port(server.port())
				.localHostname("client.test")
				.timeout(WAIT)
				.eventListener(events)
				.debugLevel(1)
				.debugOutput(debug::add)
				.connect()) {
				smtp.ehlo();
				smtp.auth(AuthMechanism.PLAIN, USER, PASSWORD, true);
				smtp.auth(AuthMechanism.PLAIN, USER, PASSWORD, false);
				smtp.auth(AuthMechanism.LOGIN, USER, PASSWORD, true);
				smtp.auth(AuthMechanism.LOGIN, USER, PASSWORD, false);
				smtp.auth(AuthMechanism.CRAM_MD5, USER, PASSWORD);
				SmtpAuthenticationException ex = thrown(SmtpAuthenticationException.class,
						() -> smtp.login(USER, PASSWORD));
				for (Throwable t = ex; t != null; t = t.getCause()) {
					exceptionTexts.add(String.valueOf(t));
					exceptionTexts.add(String.valueOf(t.getMessage()));
				}
			}
			server.awaitScriptDone(WAIT);
			assertCleanRun(server);
			// The exchange really carried the secrets, so their absence below means something.
			assertThat(server.commands()).contains("AUTH PLAIN " + plainPayload(USER, PASSWORD), b64(PASSWORD),
					b64(cramResponse));
		}
		List<String> secrets = List.of(PASSWORD, plainPayload(USER, PASSWORD), b64(USER), b64(PASSWORD),
				b64(cramResponse), cramResponse, hmacMd5Hex(PASSWORD, CRAM_CHALLENGE));
		List<String> everything = new ArrayList<>(debug);
		everything.addAll(events.all);
		everything.addAll(exceptionTexts);
		for (String secret : secrets) {
			assertThat(everything).as("where %s might leak", secret)
				.noneSatisfy((text) -> assertThat(text.toLowerCase(Locale.ROOT))
					.contains(secret.toLowerCase(Locale.ROOT)));
		}
		assertThat(debug).anySatisfy((line) -> assertThat(line).contains("AUTH PLAIN <redacted>"));
		assertThat(debug).anySatisfy((line) -> assertThat(line).contains("AUTH LOGIN <redacted>"));
		assertThat(debug).filteredOn((line) -> line.contains("<redacted>")).hasSizeGreaterThanOrEqualTo(9);
		assertThat(events.commandLines()).contains("AUTH AUTH PLAIN <redacted>", "AUTH AUTH LOGIN <redacted>",
				"AUTH AUTH CRAM-MD5", "AUTH <redacted>");
		assertThat(events.authEvents()).containsExactly("authSucceeded PLAIN", "authSucceeded PLAIN",
				"authSucceeded LOGIN", "authSucceeded LOGIN", "authSucceeded CRAM-MD5",
				"authFailed CRAM-MD5 535 5.7.8 no", "authFailed PLAIN 535 5.7.8 no", "authFailed LOGIN 535 5.7.8 no");
	}

	// ---------------------------------------------------------------- helpers

	private static SmtpSession connect(ScriptedSmtpServer server) throws IOException {
		return connect(server, SmtpEventListener.NONE);
	}

	private static SmtpSession connect(ScriptedSmtpServer server, SmtpEventListener listener) throws IOException {
		return SmtpSession.smtp()
			.host(server.host())
			.port(server.port())
			.localHostname("client.test")
			.timeout(WAIT)
			.eventListener(listener)
			.connect();
	}

	private static String ehlo(String authLine) {
		return "250-fake.test greets client.test\n250-SIZE 1000000\n250-" + authLine + "\n250 8BITMIME";
	}

	private static String b64(String text) {
		return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
	}

	private static String plainPayload(String user, String password) {
		return b64("\0" + user + "\0" + password);
	}

	/** RFC 2195's digest, computed here independently of the mechanism under test. */
	private static String hmacMd5Hex(String password, String challenge) throws Exception {
		Mac mac = Mac.getInstance("HmacMD5");
		mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
		return HexFormat.of().formatHex(mac.doFinal(challenge.getBytes(StandardCharsets.UTF_8)));
	}

	private static <T extends Throwable> T thrown(Class<T> type, ThrowingCallable call) {
		Throwable thrown = catchThrowable(call);
		assertThat(thrown).isInstanceOf(type);
		return type.cast(thrown);
	}

	private static void assertCleanRun(ScriptedSmtpServer server) {
		server.assertNoFailures();
		assertThat(server.unexpectedCommands()).isEmpty();
	}

	/** Records every event with every argument as text. */
	private static final class RecordingListener implements SmtpEventListener {

		final List<String> all = new CopyOnWriteArrayList<>();

		private void record(String event, Object... args) {
			StringBuilder line = new StringBuilder(event);
			for (Object arg : args) {
				line.append(' ').append(arg);
				if (arg instanceof Throwable failure) {
					line.append(' ').append(failure.getMessage());
				}
			}
			this.all.add(line.toString());
		}

		List<String> authEvents() {
			return this.all.stream()
				.filter((line) -> line.startsWith("auth"))
				.map((line) -> line.replaceFirst(" 127\\.0\\.0\\.1:\\d+", ""))
				.toList();
		}

		/** Each {@code commandSent} as {@code "<verb> <line>"}. */
		List<String> commandLines() {
			return this.all.stream()
				.filter((line) -> line.startsWith("commandSent "))
				.map((line) -> line.replaceFirst("^commandSent 127\\.0\\.0\\.1:\\d+ ", ""))
				.toList();
		}

		@Override
		public void connectStart(SmtpEndpoint endpoint) {
			record("connectStart", endpoint);
		}

		@Override
		public void connectEnd(SmtpEndpoint endpoint, SmtpReply greeting, Duration duration) {
			record("connectEnd", endpoint, greeting);
		}

		@Override
		public void connectFailed(SmtpEndpoint endpoint, IOException failure, Duration duration) {
			record("connectFailed", endpoint, failure);
		}

		@Override
		public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
			record("commandSent", endpoint, verb, line);
		}

		@Override
		public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
			record("replyReceived", endpoint, verb, reply);
		}

		@Override
		public void messageDataSent(SmtpEndpoint endpoint, long bytes) {
			record("messageDataSent", endpoint, bytes);
		}

		@Override
		public void tlsEstablished(SmtpEndpoint endpoint, String protocol, String cipherSuite, Duration duration) {
			record("tlsEstablished", endpoint, protocol, cipherSuite);
		}

		@Override
		public void tlsFailed(SmtpEndpoint endpoint, IOException failure) {
			record("tlsFailed", endpoint, failure);
		}

		@Override
		public void authSucceeded(SmtpEndpoint endpoint, String mechanism) {
			record("authSucceeded", endpoint, mechanism);
		}

		@Override
		public void authFailed(SmtpEndpoint endpoint, String mechanism, SmtpReply reply) {
			record("authFailed", endpoint, mechanism, reply);
		}

		@Override
		public void connectionClosed(SmtpEndpoint endpoint) {
			record("connectionClosed", endpoint);
		}

	}

}
