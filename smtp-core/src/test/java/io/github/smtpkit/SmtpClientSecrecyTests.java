package io.github.smtpkit;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpClientTestSupport.RecordingListener;
import io.github.smtpkit.auth.AuthMechanism;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.GREETING;
import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.accepts;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.message;
import static io.github.smtpkit.SmtpClientTestSupport.quits;
import static io.github.smtpkit.SmtpClientTestSupport.stackTrace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * No password and no AUTH payload leaves {@link SmtpClient} anywhere but on the wire: not in an
 * event argument, a debug line, a log record, an exception (message, cause or stack trace), nor in
 * {@code toString()} of the client, its pool statistics or a send result. Each test first shows
 * that the secret really went to the server, so that its absence elsewhere means something.
 *
 * <p>The sessions run at debug level 2, and the log records of the {@code io.github.smtpkit}
 * loggers are captured too.
 */
@Timeout(30)
class SmtpClientSecrecyTests {

	private static final String USERNAME = "app@example.test";

	private static final String PASSWORD = "Zebra-7q!Secr3t-Pa55word";

	/** The PLAIN initial response, {@code NUL user NUL password}, base64-encoded. */
	private static final String PLAIN_PAYLOAD = base64("\0" + USERNAME + "\0" + PASSWORD);

	/** LOGIN's answer to the password challenge. */
	private static final String LOGIN_PASSWORD = base64(PASSWORD);

	private static final String EHLO_WITH_AUTH = "250-fake.test greets client.test\n250-SIZE 10240000\n"
			+ "250 AUTH PLAIN LOGIN";

	private final RecordingListener events = new RecordingListener();

	private final List<String> logged = new CopyOnWriteArrayList<>();

	private final List<String> debugLines = new CopyOnWriteArrayList<>();

	private final Logger smtpkitLogger = Logger.getLogger("io.github.smtpkit");

	private Level previousLevel;

	private final Handler logCapture = new Handler() {

		@Override
		public void publish(LogRecord record) {
			StringBuilder text = new StringBuilder(String.valueOf(record.getMessage()));
			if (record.getParameters() != null) {
				for (Object parameter : record.getParameters()) {
					text.append(' ').append(parameter);
				}
			}
			if (record.getThrown() != null) {
				text.append(' ').append(stackTrace(record.getThrown()));
			}
			SmtpClientSecrecyTests.this.logged.add(text.toString());
		}

		@Override
		public void flush() {
		}

		@Override
		public void close() {
		}

	};

	@BeforeEach
	void captureLogRecords() {
		this.previousLevel = this.smtpkitLogger.getLevel();
		this.smtpkitLogger.setLevel(Level.ALL);
		this.smtpkitLogger.addHandler(this.logCapture);
	}

	@AfterEach
	void stopCapturingLogRecords() {
		this.smtpkitLogger.removeHandler(this.logCapture);
		this.smtpkitLogger.setLevel(this.previousLevel);
	}

	@Test
	void plainCredentialsReachOnlyTheWire() throws Exception {
		List<String> seen = new ArrayList<>();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_WITH_AUTH).reply("235 2.7.0 authenticated");
			quits(accepts(server));
			try (SmtpClient client = authenticatingClient(server).build()) {
				SendResult result = client.send(ENVELOPE, message(1));
				seen.add(result.toString());
				seen.add(client.toString());
				seen.add(client.poolStats().toString());
				seen.add(client.poolConfig().toString());
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
			assertThat(server.commands()).contains("AUTH PLAIN " + PLAIN_PAYLOAD);
		}
		assertThat(this.events.events()).contains("authSucceeded: PLAIN");
		assertThat(this.events.arguments()).contains("AUTH PLAIN <redacted>");
		assertNoSecretIn(seen);
	}

	@Test
	void loginCredentialsReachOnlyTheWire() throws Exception {
		List<String> seen = new ArrayList<>();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_WITH_AUTH)
				.reply("334 " + base64("Password:"))
				.reply("235 2.7.0 authenticated");
			quits(accepts(server));
			try (SmtpClient client = authenticatingClient(server).authMechanisms(List.of(AuthMechanism.LOGIN)).build()) {
				SendResult result = client.send(ENVELOPE, message(1));
				seen.add(result.toString());
				seen.add(client.toString());
				seen.add(client.poolStats().toString());
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
			assertThat(server.commands()).contains("AUTH LOGIN " + base64(USERNAME), LOGIN_PASSWORD);
		}
		assertThat(this.events.events()).contains("authSucceeded: LOGIN");
		assertNoSecretIn(seen);
	}

	@Test
	void failedLoginReportsNoCredentials() throws Exception {
		List<String> seen = new ArrayList<>();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// PLAIN is refused, then LOGIN: the server echoes nothing secret, the client must not either.
			server.greet(GREETING)
				.reply(EHLO_WITH_AUTH)
				.reply("535 5.7.8 authentication failed")
				.reply("334 " + base64("Password:"))
				.reply("535 5.7.8 authentication failed");
			try (SmtpClient client = authenticatingClient(server).build()) {
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(1)));

				assertThat(thrown).isInstanceOfSatisfying(SmtpAuthenticationException.class,
						(ex) -> assertThat(ex.smtpCode()).isEqualTo(535));
				seen.add(stackTrace(thrown));
				seen.add(String.valueOf(thrown));
				seen.add(client.toString());
				seen.add(client.poolStats().toString());
				assertThat(client.poolStats().total()).isZero();
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
			assertThat(server.commands()).contains("AUTH PLAIN " + PLAIN_PAYLOAD, LOGIN_PASSWORD);
		}
		assertThat(this.events.events()).contains("authFailed: PLAIN", "authFailed: LOGIN");
		assertNoSecretIn(seen);
	}

	@Test
	void failureAfterLoginReportsNoCredentials() throws Exception {
		List<String> seen = new ArrayList<>();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_WITH_AUTH).reply("235 2.7.0 authenticated").disconnectAfterRead();
			try (SmtpClient client = authenticatingClient(server).build()) {
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(1)));

				assertThat(thrown).isInstanceOf(SmtpServerDisconnectedException.class);
				seen.add(stackTrace(thrown));
				seen.add(client.toString());
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).contains("AUTH PLAIN " + PLAIN_PAYLOAD);
		}
		assertNoSecretIn(seen);
	}

	private SmtpClient.Builder authenticatingClient(ScriptedSmtpServer server) {
		// TLS NONE is allowed for credentials only because the server is on this machine.
		return clientFor(server).credentials(USERNAME, PASSWORD)
			.eventListener(this.events)
			.debugLevel(2)
			.debugOutput(this.debugLines::add);
	}

	/** Checks everything seen outside the wire: the given texts, every event argument, every log record. */
	private void assertNoSecretIn(List<String> seen) {
		assertThat(this.events.arguments()).as("event arguments").isNotEmpty();
		assertThat(this.debugLines).as("debug lines").anyMatch((line) -> line.contains("<redacted>"));
		List<String> everything = new ArrayList<>(seen);
		everything.addAll(this.events.events());
		everything.addAll(this.events.arguments());
		everything.addAll(this.logged);
		everything.addAll(this.debugLines);
		String all = String.join("\n", everything);
		assertThat(all).as("everything the client showed outside the wire")
			.doesNotContain(PASSWORD)
			.doesNotContain(PLAIN_PAYLOAD)
			.doesNotContain(LOGIN_PASSWORD);
	}

	private static String base64(String text) {
		return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
	}

}
