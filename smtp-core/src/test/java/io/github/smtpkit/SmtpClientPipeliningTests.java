package io.github.smtpkit;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpClientTestSupport.RecordingListener;
import io.github.smtpkit.SmtpClientTestSupport.SendFinished;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.GREETING;
import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.message;
import static io.github.smtpkit.SmtpClientTestSupport.quits;
import static io.github.smtpkit.SmtpClientTestSupport.received;
import static io.github.smtpkit.SmtpClientTestSupport.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * PIPELINING in {@link SmtpClient}: on by default when the server advertises it, and its safe
 * fallback for a server that advertises it but answers a pipelined group only in part. The
 * listener's event order shows whether commands went out together or one at a time.
 */
@Timeout(30)
class SmtpClientPipeliningTests {

	private static final String EHLO_PIPELINING = "250-fake.test greets client.test\n250-PIPELINING\n250 8BITMIME";

	/** Commands sent and replies read, in order, for the verbs of a transaction. */
	private static final List<String> PIPELINED = List.of("commandSent: MAIL", "commandSent: RCPT",
			"commandSent: DATA", "replyReceived: MAIL", "replyReceived: RCPT", "replyReceived: DATA",
			"replyReceived: END-OF-DATA");

	private static final List<String> ONE_AT_A_TIME = List.of("commandSent: MAIL", "replyReceived: MAIL",
			"commandSent: RCPT", "replyReceived: RCPT", "commandSent: DATA", "replyReceived: DATA",
			"replyReceived: END-OF-DATA");

	@Test
	void clientPipelinesByDefaultWhenTheServerAdvertisesIt() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// Nothing is answered before DATA is read: a client waiting for each reply would time out.
			server.greet(GREETING)
				.reply(EHLO_PIPELINING)
				.read()
				.read()
				.replies("250 sender ok", "250 recipient ok", "354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(Duration.ofSeconds(1)).build()) {
				assertThat(client.send(ENVELOPE, message(1)).isFullyAccepted()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1));
			server.assertNoFailures();
		}
		assertThat(transactionEvents(events)).containsExactlyElementsOf(PIPELINED);
	}

	@Test
	void serverThatLosesTheRestOfAGroupGetsTheMessageOnceWithoutPipeliningFromThenOn() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// It answers MAIL, then waits forever for a RCPT it has already read and thrown away.
			server.greet(GREETING).reply(EHLO_PIPELINING).reply("250 sender ok").stall();
			acceptsOneAtATime(server.greet(GREETING).reply(EHLO_PIPELINING));
			quits(acceptsOneAtATime(server));
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(Duration.ofMillis(500)).build()) {
				SendResult first = client.send(ENVELOPE, message(1));
				SendResult second = client.send(ENVELOPE, message(2));

				assertThat(first.isFullyAccepted()).isTrue();
				assertThat(second.isFullyAccepted()).isTrue();
				assertThat(client.toString()).contains("no pipelining");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			assertThat(texts(server.messages())).as("each message once, and only on the second connection")
				.containsExactly(received(1), received(2));
			server.assertNoFailures();
		}
		assertThat(events.count("pipeliningDisabled")).isEqualTo(1);
		assertThat(events.destroyReasons()).containsExactly("broken: SmtpTimeoutException", "pool closed");
		assertThat(events.sends()).extracting(SendFinished::outcome, SendFinished::attempts)
			.containsExactly(tuple(SendOutcome.ACCEPTED, 2), tuple(SendOutcome.ACCEPTED, 1));
		List<String> stalledGroup = List.of("commandSent: MAIL", "commandSent: RCPT", "commandSent: DATA",
				"replyReceived: MAIL");
		assertThat(transactionEvents(events))
			.containsExactlyElementsOf(concat(stalledGroup, concat(ONE_AT_A_TIME, ONE_AT_A_TIME)));
	}

	@Test
	void serverThatHangsUpInTheMiddleOfAGroupOnAFreshConnectionGetsTheMessageOnceWithoutPipelining()
			throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_PIPELINING).reply("250 sender ok").disconnectAfterRead();
			quits(acceptsOneAtATime(server.greet(GREETING).reply(EHLO_PIPELINING)));
			try (SmtpClient client = clientFor(server).eventListener(events).build()) {
				assertThat(client.send(ENVELOPE, message(1)).isFullyAccepted()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(texts(server.messages())).containsExactly(received(1));
			server.assertNoFailures();
		}
		assertThat(events.count("pipeliningDisabled")).isEqualTo(1);
		assertThat(events.sends()).extracting(SendFinished::outcome, SendFinished::attempts)
			.containsExactly(tuple(SendOutcome.ACCEPTED, 2));
	}

	@Test
	void pipeliningTurnedOffSendsOneCommandAtATimeToAServerThatAdvertisesIt() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(acceptsOneAtATime(server.greet(GREETING).reply(EHLO_PIPELINING)));
			try (SmtpClient client = clientFor(server).eventListener(events).pipelining(false).build()) {
				assertThat(client.send(ENVELOPE, message(1)).isFullyAccepted()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
		assertThat(transactionEvents(events)).containsExactlyElementsOf(ONE_AT_A_TIME);
		assertThat(events.count("pipeliningDisabled")).isZero();
	}

	private static ScriptedSmtpServer acceptsOneAtATime(ScriptedSmtpServer server) {
		return server.reply("250 sender ok").reply("250 recipient ok").reply("354 go ahead").reply("250 queued");
	}

	/** The command and reply events of MAIL, RCPT, DATA and the message, in order. */
	private static List<String> transactionEvents(RecordingListener events) {
		return events.events()
			.stream()
			.filter((event) -> event.matches("(commandSent|replyReceived): (MAIL|RCPT|DATA|END-OF-DATA)"))
			.toList();
	}

	private static List<String> concat(List<String> first, List<String> second) {
		return Stream.concat(first.stream(), second.stream()).toList();
	}

}
