package io.github.smtpkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpClientTestSupport.RecordingListener;
import io.github.smtpkit.SmtpClientTestSupport.SendFinished;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.FROM;
import static io.github.smtpkit.SmtpClientTestSupport.GREETING;
import static io.github.smtpkit.SmtpClientTestSupport.TO;
import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.message;
import static io.github.smtpkit.SmtpClientTestSupport.quits;
import static io.github.smtpkit.SmtpClientTestSupport.received;
import static io.github.smtpkit.SmtpClientTestSupport.text;
import static io.github.smtpkit.SmtpClientTestSupport.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.tuple;

/**
 * {@link SmtpClient#send} and {@link SmtpClient#sendAll} with envelopes that
 * {@linkplain Envelope#requiringAllRecipients() require all recipients}: a partial refusal at RCPT
 * settles the message as refused with nothing delivered (it is not sent again). With PIPELINING, DATA
 * goes in the group with the RCPTs; after its 354 the session is closed without message data and
 * discarded, and the next messages go over a new connection. Without pipelining, RSET ends the
 * transaction and the session carries on.
 */
@Timeout(30)
class SmtpClientAllRecipientsTests {

	/** Pipelining, and no SIZE: the MAIL lines are the same for every message. */
	private static final String EHLO_PIPELINING = "250-fake.test greets client.test\n250-PIPELINING\n250 8BITMIME";

	private static final String EHLO_PLAIN = "250-fake.test greets client.test\n250 8BITMIME";

	private static final String BOB = "bob@example.test";

	private static final Envelope TWO_REQUIRED = Envelope.of(FROM, TO, BOB).requiringAllRecipients();

	private static final String MAIL = "MAIL FROM:<" + FROM + ">";

	private static final String RCPT = "RCPT TO:<" + TO + ">";

	private static final String RCPT_BOB = "RCPT TO:<" + BOB + ">";

	private static final Duration SHORT = Duration.ofMillis(500);

	@Test
	void sendWithARefusedRecipientDeliversNothingClosesTheConnectionAndTheNextSendGoesOverANewOne()
			throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_PIPELINING)
				.read()
				.read()
				.read()
				.replies("250 sender ok", "250 recipient ok", "550 5.1.1 no bob", "354 go ahead")
				.awaitClose();
			server.greet(GREETING)
				.reply(EHLO_PIPELINING)
				.read()
				.read()
				.replies("250 sender ok", "250 recipient ok", "354 go ahead")
				.reply("250 queued");
			quits(server);
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(SHORT).build()) {
				Throwable thrown = catchThrowable(() -> client.send(TWO_REQUIRED, message(1)));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class, (refused) -> assertThat(
						refused.recipients()).containsExactly(entry(BOB, new SmtpReply(550, "5.1.1 no bob"))))
					.hasMessageContaining("Nothing was sent");
				assertThat(client.send(ENVELOPE, message(2)).finalReply().message()).isEqualTo("queued");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			assertThat(server.commands()).containsExactly("EHLO client.test", MAIL, RCPT, RCPT_BOB, "DATA",
					"EHLO client.test", MAIL, RCPT, "DATA", "QUIT");
			// The first connection ends right after DATA: no RSET, no message data, no final dot, no QUIT.
			assertThat(text(server.received(0)))
				.isEqualTo(lines("EHLO client.test", MAIL, RCPT, RCPT_BOB, "DATA"));
			assertThat(texts(server.messages())).containsExactly(received(2));
			assertThat(server.unexpectedCommands()).isEmpty();
			server.assertNoFailures();
		}
		assertThat(events.sends()).extracting(SendFinished::outcome, SendFinished::attempts)
			.containsExactly(tuple(SendOutcome.REFUSED, 1), tuple(SendOutcome.ACCEPTED, 1));
		assertThat(events.poolEvents()).containsExactly("sessionCreated", "sessionBorrowed",
				"sessionDestroyed: broken: SmtpRecipientsRefusedException", "sendFinished: REFUSED attempts=1",
				"sessionCreated", "sessionBorrowed", "sendFinished: ACCEPTED attempts=1", "sessionReturned",
				"sessionDestroyed: pool closed");
	}

	@Test
	void sendAllRefusesTheAllOrNothingMessageInTheMiddleAndDeliversTheOnesAroundItOverTwoConnections()
			throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_PIPELINING).read().read().replies("250 sender ok", "250 recipient ok",
					"354 go ahead");
			// Message 1's data comes in one write with message 2's MAIL, RCPTs and DATA.
			server.read()
				.read()
				.read()
				.read()
				.replies("250 queued as 1", "250 sender ok", "250 recipient ok", "550 no bob", "354 go ahead");
			// Message 2 refused after the 354: the client hangs up.
			server.awaitClose();
			// Message 3 goes over a new connection.
			server.greet(GREETING).reply(EHLO_PIPELINING).read().read().replies("250 sender ok", "250 recipient ok",
					"354 go ahead");
			quits(server.reply("250 queued as 3"));
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(SHORT).build()) {
				List<BatchResult> results = client.sendAll(List.of(OutgoingMessage.of(ENVELOPE, message(1)),
						OutgoingMessage.of(TWO_REQUIRED, message(2)), OutgoingMessage.of(ENVELOPE, message(3))));

				assertThat(results).extracting(BatchResult::isSent).containsExactly(true, false, true);
				assertThat(results.get(1).failure()).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
						(ex) -> assertThat(ex.recipients()).containsOnlyKeys(BOB));
				assertThat(results.get(0).get().finalReply().message()).isEqualTo("queued as 1");
				assertThat(results.get(2).get().finalReply().message()).isEqualTo("queued as 3");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			assertThat(server.commands()).containsExactly("EHLO client.test", MAIL, RCPT, "DATA", MAIL, RCPT, RCPT_BOB,
					"DATA", "EHLO client.test", MAIL, RCPT, "DATA", "QUIT");
			// Nothing of message 2 went out after its DATA.
			assertThat(text(server.received(0))).endsWith(lines(MAIL, RCPT, RCPT_BOB, "DATA"));
			assertThat(texts(server.messages())).containsExactly(received(1), received(3));
			assertThat(server.unexpectedCommands()).isEmpty();
			server.assertNoFailures();
		}
		assertThat(events.sends()).extracting(SendFinished::outcome, SendFinished::attempts)
			.containsExactly(tuple(SendOutcome.ACCEPTED, 1), tuple(SendOutcome.REFUSED, 1),
					tuple(SendOutcome.ACCEPTED, 1));
		assertThat(events.poolEvents()).filteredOn("sessionBorrowed"::equals).hasSize(2);
		assertThat(events.destroyReasons()).containsExactly("broken: SmtpRecipientsRefusedException", "pool closed");
	}

	@Test
	void sendAllPipelinesTheDataOfAnAllOrNothingMessageAsAnyOtherWhenItsRecipientsAreAccepted() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_PIPELINING).read().read().replies("250 sender ok", "250 recipient ok",
					"354 go ahead");
			// Message 1's data comes in one write with message 2's commands, DATA included.
			server.read()
				.read()
				.read()
				.read()
				.replies("250 queued as 1", "250 sender ok", "250 recipient ok", "250 bob ok", "354 go ahead");
			// Message 2's data comes in one write with message 3's commands, DATA included.
			server.read().read().read().replies("250 queued as 2", "250 sender ok", "250 recipient ok", "354 go ahead");
			quits(server.reply("250 queued as 3"));
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(SHORT).build()) {
				List<BatchResult> results = client.sendAll(List.of(OutgoingMessage.of(ENVELOPE, message(1)),
						OutgoingMessage.of(TWO_REQUIRED, message(2)), OutgoingMessage.of(ENVELOPE, message(3))));

				assertThat(results).extracting((result) -> result.get().finalReply().message())
					.containsExactly("queued as 1", "queued as 2", "queued as 3");
				assertThat(results.get(1).get().accepted()).containsExactly(TO, BOB);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", MAIL, RCPT, "DATA", MAIL, RCPT, RCPT_BOB,
					"DATA", MAIL, RCPT, "DATA", "QUIT");
			assertThat(texts(server.messages())).containsExactly(received(1), received(2), received(3));
			server.assertNoFailures();
		}
		List<String> wire = events.events()
			.stream()
			.filter((event) -> event.startsWith("commandSent: ") || event.startsWith("replyReceived: ")
					|| event.equals("messageDataSent"))
			.map((event) -> event.replace("commandSent: ", "> ").replace("replyReceived: ", "< "))
			.toList();
		assertThat(wire).containsExactly("> EHLO", "< EHLO",
				// Message 1: one group.
				"> MAIL", "> RCPT", "> DATA", "< MAIL", "< RCPT", "< DATA", "messageDataSent",
				// Message 2's MAIL, RCPTs and DATA follow message 1's data: no extra round trip.
				"> MAIL", "> RCPT", "> RCPT", "> DATA", "< END-OF-DATA", "< MAIL", "< RCPT", "< RCPT", "< DATA",
				"messageDataSent",
				// Message 3, unflagged, likewise.
				"> MAIL", "> RCPT", "> DATA", "< END-OF-DATA", "< MAIL", "< RCPT", "< DATA", "messageDataSent",
				"< END-OF-DATA", "> QUIT", "< QUIT");
	}

	@Test
	void sendAllWithoutPipeliningRefusesTheAllOrNothingMessageAndGoesOn() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_PLAIN);
			server.reply("250 sender ok").reply("250 recipient ok").reply("354 go ahead").reply("250 queued as 1");
			server.reply("250 sender ok").reply("250 recipient ok").reply("550 no bob").reply("250 reset");
			server.reply("250 sender ok").reply("250 recipient ok").reply("354 go ahead").reply("250 queued as 3");
			quits(server);
			try (SmtpClient client = clientFor(server).build()) {
				List<BatchResult> results = client.sendAll(List.of(OutgoingMessage.of(ENVELOPE, message(1)),
						OutgoingMessage.of(TWO_REQUIRED, message(2)), OutgoingMessage.of(ENVELOPE, message(3))));

				assertThat(results).extracting(BatchResult::isSent).containsExactly(true, false, true);
				assertThat(results.get(1).failure()).isInstanceOf(SmtpRecipientsRefusedException.class);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", MAIL, RCPT, "DATA", MAIL, RCPT, RCPT_BOB,
					"RSET", MAIL, RCPT, "DATA", "QUIT");
			assertThat(server.connectionCount()).isEqualTo(1);
			assertThat(texts(server.messages())).containsExactly(received(1), received(3));
			server.assertNoFailures();
		}
	}

	@Test
	void serviceClosingOnARecipientIsARefusalThatClosesTheSessionWithNothingSent() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_PIPELINING)
				.read()
				.read()
				.read()
				// After 421 the server answers nothing more, DATA included.
				.replies("250 sender ok", "250 recipient ok", "421 4.3.2 shutting down")
				.awaitClose();
			try (SmtpClient client = clientFor(server).eventListener(events).timeout(SHORT).build()) {
				Throwable thrown = catchThrowable(() -> client.send(TWO_REQUIRED, message(1)));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
						(refused) -> assertThat(refused.isServiceClosing()).isTrue());
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", MAIL, RCPT, RCPT_BOB, "DATA");
			assertThat(text(server.received(0))).isEqualTo(lines("EHLO client.test", MAIL, RCPT, RCPT_BOB, "DATA"));
			assertThat(server.messages()).isEmpty();
			assertThat(server.connectionCount()).isEqualTo(1);
			server.assertNoFailures();
		}
		assertThat(events.sends()).extracting(SendFinished::outcome, SendFinished::attempts)
			.containsExactly(tuple(SendOutcome.REFUSED, 1));
		assertThat(events.destroyReasons()).containsExactly("service closing");
	}

	@Test
	void everyRecipientAcceptedByARealServerGetsTheMessage() throws Exception {
		GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
		greenMail.start();
		try (SmtpClient client = SmtpClient.builder()
			.host("127.0.0.1")
			.port(greenMail.getSmtp().getPort())
			.tls(TlsMode.NONE)
			.build()) {
			byte[] message = "Subject: all or nothing\r\n\r\nTo both.\r\n".getBytes(StandardCharsets.US_ASCII);
			SendResult result = client.send(
					Envelope.of("from@example.org", "one@example.org", "two@example.net").requiringAllRecipients(),
					message);

			assertThat(result.accepted()).containsExactly("one@example.org", "two@example.net");
			assertThat(result.isFullyAccepted()).isTrue();
			assertThat(greenMail.waitForIncomingEmail(WAIT.toMillis(), 2)).isTrue();
			assertThat(greenMail.getReceivedMessages()).extracting(MimeMessage::getSubject)
				.containsExactly("all or nothing", "all or nothing");
			for (String recipient : List.of("one@example.org", "two@example.net")) {
				assertThat(greenMail.findReceivedMessages((user) -> user.getEmail().equalsIgnoreCase(recipient), (m) -> true))
					.as("messages in the mailbox of %s", recipient)
					.hasSize(1);
			}
		}
		finally {
			greenMail.stop();
		}
	}

	/** The command lines as the client writes them, each ended by CRLF. */
	private static String lines(String... lines) {
		StringBuilder text = new StringBuilder();
		for (String line : lines) {
			text.append(line).append("\r\n");
		}
		return text.toString();
	}

}
