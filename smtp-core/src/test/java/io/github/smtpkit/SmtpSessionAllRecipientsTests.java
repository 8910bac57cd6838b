package io.github.smtpkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.internal.TransactionEngine;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.entry;

/**
 * An envelope that {@linkplain Envelope#requiringAllRecipients() requires all recipients}, in every
 * path of the session's transaction engine ({@link SmtpSession#sendEach}, which {@link SmtpClient}
 * drives): a recipient refused at RCPT means no message data and
 * {@link SmtpRecipientsRefusedException}. One command at a time, with BDAT, or when a pipelined DATA
 * was not answered with 354, RSET ends the transaction and the session goes on; with PIPELINING,
 * DATA goes in the group with MAIL and the RCPTs as for any envelope, and when the server has
 * answered it with 354 the session is closed instead (no RSET, no message data, no final dot). The
 * scripted servers answer a pipelined group only after its last command, so a client that waited
 * for a reply in between would time out (the timeout is short); the event order shows when DATA
 * went out.
 */
@Timeout(20)
class SmtpSessionAllRecipientsTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String EHLO_PLAIN = "250-fake.test\n250 8BITMIME";

	private static final String EHLO_PIPELINING = "250-fake.test\n250-PIPELINING\n250 8BITMIME";

	private static final String FROM = "from@example.test";

	private static final String ANN = "ann@example.test";

	private static final String BOB = "bob@example.test";

	private static final String MESSAGE = "Subject: all or nothing\r\n\r\nHello.\r\n";

	private static final Envelope BOTH = Envelope.of(FROM, ANN, BOB);

	private static final Envelope BOTH_REQUIRED = BOTH.requiringAllRecipients();

	private static final List<String> ENVELOPE_COMMANDS = List.of("MAIL FROM:<" + FROM + ">", "RCPT TO:<" + ANN + ">",
			"RCPT TO:<" + BOB + ">");

	// ---------------------------------------------------------------- one command at a time

	@Test
	void oneAtATimeARefusedRecipientEndsTheTransactionWithRsetAndSendsNoData() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO_PLAIN)
				.reply("250 sender ok")
				.reply("250 ann ok")
				.reply("550 5.1.1 no bob")
				.reply("250 reset")
				.reply("250 noop");
			try (SmtpSession smtp = session(server, false).connect()) {
				Throwable thrown = catchThrowable(() -> sendOne(smtp, BOTH_REQUIRED));

				assertThat(thrown).hasMessageContaining("Nothing was sent")
					.hasMessageContaining("every recipient was required")
					.hasMessageContaining("1 of 2");
				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class, (refused) -> {
					assertThat(refused.recipients()).containsExactly(entry(BOB, new SmtpReply(550, "5.1.1 no bob")));
					assertThat(refused.isServiceClosing()).isFalse();
				});
				// In step: the next command gets its own reply.
				assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "noop"));
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(commands(ENVELOPE_COMMANDS, "RSET", "NOOP"));
			assertThat(server.messages()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void oneAtATimeEveryRecipientAcceptedDeliversAsUsual() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO_PLAIN)
				.reply("250 sender ok")
				.reply("250 ann ok")
				.reply("250 bob ok")
				.reply("354 go ahead")
				.reply("250 queued");
			try (SmtpSession smtp = session(server, false).connect()) {
				assertThat(sendOne(smtp, BOTH_REQUIRED)).isEmpty();
				assertThat(smtp.dataReplies()).containsOnlyKeys(ANN, BOB);
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(commands(ENVELOPE_COMMANDS, "DATA"));
			assertThat(text(server.messages().get(0))).isEqualTo(MESSAGE + ".\r\n");
			server.assertNoFailures();
		}
	}

	@Test
	void withoutTheFlagARefusedRecipientStillLeavesTheMessageForTheOthersAsSmtplibDoes() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO_PLAIN)
				.reply("250 sender ok")
				.reply("250 ann ok")
				.reply("550 5.1.1 no bob")
				.reply("354 go ahead")
				.reply("250 queued");
			try (SmtpSession smtp = session(server, false).connect()) {
				assertThat(sendOne(smtp, BOTH)).containsOnlyKeys(BOB);
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(commands(ENVELOPE_COMMANDS, "DATA"));
			assertThat(server.messages()).hasSize(1);
			server.assertNoFailures();
		}
	}

	// ---------------------------------------------------------------- pipelined

	@Test
	void pipelinedARefusedRecipientAfterThe354ToThePipelinedDataClosesTheConnectionWithNothingOfTheMessageSent()
			throws Exception {
		EventOrder events = new EventOrder();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO_PIPELINING)
				.read()
				.read()
				.read()
				.replies("250 sender ok", "250 ann ok", "550 5.1.1 no bob", "354 go ahead")
				// The next unit would be the message data: the client closes instead.
				.awaitClose();
			try (SmtpSession smtp = session(server, true).eventListener(events).connect()) {
				Throwable thrown = catchThrowable(() -> sendOne(smtp, BOTH_REQUIRED));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class, (refused) -> {
					assertThat(refused.recipients()).containsExactly(entry(BOB, new SmtpReply(550, "5.1.1 no bob")));
					assertThat(refused.isServiceClosing()).isFalse();
				}).hasMessageContaining("Nothing was sent").hasMessageContaining("1 of 2");
				assertThat(smtp.isConnected()).isFalse();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(1);
			assertThat(server.commands()).containsExactlyElementsOf(commands(ENVELOPE_COMMANDS, "DATA"));
			// Byte for byte: no RSET, no message data, no final dot after DATA.
			assertThat(text(server.received(0))).isEqualTo(wire(commands(ENVELOPE_COMMANDS, "DATA")));
			assertThat(server.messages()).isEmpty();
			assertThat(server.unexpectedCommands()).isEmpty();
			server.assertNoFailures();
		}
		assertThat(events.order).containsExactly("sent EHLO", "reply EHLO", "sent MAIL", "sent RCPT", "sent RCPT",
				"sent DATA", "reply MAIL", "reply RCPT", "reply RCPT", "reply DATA");
	}

	@Test
	void pipelinedARefusedRecipientWhoseDataWasRefusedTooEndsTheTransactionWithRsetAndTheSessionGoesOn()
			throws Exception {
		EventOrder events = new EventOrder();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO_PIPELINING)
				.read()
				.read()
				.read()
				.replies("250 sender ok", "250 ann ok", "550 5.1.1 no bob", "554 5.5.1 no valid recipients")
				.reply("250 reset")
				.reply("250 noop");
			try (SmtpSession smtp = session(server, true).eventListener(events).connect()) {
				Throwable thrown = catchThrowable(() -> sendOne(smtp, BOTH_REQUIRED));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
						(refused) -> assertThat(refused.recipients())
							.containsExactly(entry(BOB, new SmtpReply(550, "5.1.1 no bob"))))
					.hasMessageContaining("Nothing was sent");
				assertThat(smtp.isConnected()).isTrue();
				// In step: the next command gets its own reply.
				assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "noop"));
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands())
				.containsExactlyElementsOf(commands(ENVELOPE_COMMANDS, "DATA", "RSET", "NOOP"));
			assertThat(server.messages()).isEmpty();
			assertThat(server.unexpectedCommands()).isEmpty();
			server.assertNoFailures();
		}
		assertThat(events.order).containsExactly("sent EHLO", "reply EHLO", "sent MAIL", "sent RCPT", "sent RCPT",
				"sent DATA", "reply MAIL", "reply RCPT", "reply RCPT", "reply DATA", "sent RSET", "reply RSET",
				"sent NOOP", "reply NOOP");
	}

	@Test
	void pipelinedEveryRecipientAcceptedSendsDataInTheGroupAndTheMessageAfterIts354() throws Exception {
		EventOrder events = new EventOrder();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO_PIPELINING)
				.read()
				.read()
				.read()
				.replies("250 sender ok", "250 ann ok", "250 bob ok", "354 go ahead")
				.reply("250 queued");
			try (SmtpSession smtp = session(server, true).eventListener(events).connect()) {
				assertThat(sendOne(smtp, BOTH_REQUIRED)).isEmpty();
				assertThat(smtp.engine().lastDataReply()).isEqualTo(new SmtpReply(250, "queued"));
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(commands(ENVELOPE_COMMANDS, "DATA"));
			assertThat(text(server.messages().get(0))).isEqualTo(MESSAGE + ".\r\n");
			server.assertNoFailures();
		}
		assertThat(events.order).containsExactly("sent EHLO", "reply EHLO", "sent MAIL", "sent RCPT", "sent RCPT",
				"sent DATA", "reply MAIL", "reply RCPT", "reply RCPT", "reply DATA", "reply END-OF-DATA");
	}

	@Test
	void pipelinedWithoutTheFlagDataStillGoesInTheGroupAndTheAcceptedGetTheMessage() throws Exception {
		EventOrder events = new EventOrder();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO_PIPELINING)
				.read()
				.read()
				.read()
				.replies("250 sender ok", "250 ann ok", "550 5.1.1 no bob", "354 go ahead")
				.reply("250 queued");
			try (SmtpSession smtp = session(server, true).eventListener(events).connect()) {
				assertThat(sendOne(smtp, BOTH)).containsOnlyKeys(BOB);
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(commands(ENVELOPE_COMMANDS, "DATA"));
			assertThat(server.messages()).hasSize(1);
			server.assertNoFailures();
		}
		assertThat(events.order).containsExactly("sent EHLO", "reply EHLO", "sent MAIL", "sent RCPT", "sent RCPT",
				"sent DATA", "reply MAIL", "reply RCPT", "reply RCPT", "reply DATA", "reply END-OF-DATA");
	}

	@Test
	void pipelinedEveryRecipientRefusedIsTheUsualRefusalWithoutAnEmptyMessageToEnd() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO_PIPELINING)
				.read()
				.read()
				.read()
				.replies("250 sender ok", "550 no ann", "550 no bob", "554 5.5.1 no valid recipients")
				.reply("250 reset");
			try (SmtpSession smtp = session(server, true).connect()) {
				Throwable thrown = catchThrowable(() -> sendOne(smtp, BOTH_REQUIRED));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
						(refused) -> assertThat(refused.recipients()).containsOnlyKeys(ANN, BOB))
					.hasMessageStartingWith("All recipients were refused");
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(commands(ENVELOPE_COMMANDS, "DATA", "RSET"));
			assertThat(server.messages()).isEmpty();
			assertThat(server.unexpectedCommands()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void serviceClosingOnARecipientClosesTheSessionWithoutRsetOrMessageData() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO_PIPELINING)
				.read()
				.read()
				.read()
				// After 421 the server answers nothing more, DATA included.
				.replies("250 sender ok", "250 ann ok", "421 4.3.2 shutting down")
				.awaitClose();
			try (SmtpSession smtp = session(server, true).connect()) {
				Throwable thrown = catchThrowable(() -> sendOne(smtp, BOTH_REQUIRED));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class, (refused) -> {
					assertThat(refused.recipients()).containsExactly(entry(BOB, new SmtpReply(421, "4.3.2 shutting down")));
					assertThat(refused.isServiceClosing()).isTrue();
				});
				assertThat(smtp.isConnected()).isFalse();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(commands(ENVELOPE_COMMANDS, "DATA"));
			assertThat(text(server.received(0))).isEqualTo(wire(commands(ENVELOPE_COMMANDS, "DATA")));
			assertThat(server.messages()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void pipelinedBatchClosesTheConnectionOnAnAllOrNothingMessageRefusedAfterThe354AndSendsNothingMore()
			throws Exception {
		Envelope annOnly = Envelope.of(FROM, ANN);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO_PIPELINING)
				.read()
				.read()
				.replies("250 sender ok", "250 ann ok", "354 go ahead");
			// Message 1's data comes with message 2's MAIL, RCPTs and DATA.
			server.read()
				.read()
				.read()
				.read()
				.replies("250 queued 1", "250 sender ok", "250 ann ok", "550 no bob", "354 go ahead")
				.awaitClose();
			Outcomes outcomes = new Outcomes();
			try (SmtpSession smtp = session(server, true).connect()) {
				Throwable thrown = catchThrowable(() -> smtp.engine()
					.sendEach(List.of(OutgoingMessage.of(annOnly, bytes(MESSAGE)), OutgoingMessage.of(BOTH_REQUIRED,
							bytes(MESSAGE)), OutgoingMessage.of(annOnly, bytes(MESSAGE))), outcomes));

				// The session is closed: message 2's refusal is thrown, message 3 is not sent.
				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
						(refused) -> assertThat(refused.recipients()).containsOnlyKeys(BOB));
				assertThat(smtp.isConnected()).isFalse();
			}
			server.awaitScriptDone(WAIT);
			assertThat(outcomes.log).containsExactly("0 sent {}");
			List<String> single = List.of("MAIL FROM:<" + FROM + ">", "RCPT TO:<" + ANN + ">", "DATA");
			List<String> expected = List.of("EHLO client.test", single.get(0), single.get(1), single.get(2),
					ENVELOPE_COMMANDS.get(0), ENVELOPE_COMMANDS.get(1), ENVELOPE_COMMANDS.get(2), "DATA");
			assertThat(server.commands()).containsExactlyElementsOf(expected);
			assertThat(server.messages()).extracting(SmtpSessionAllRecipientsTests::text)
				.containsExactly(MESSAGE + ".\r\n");
			assertThat(text(server.received(0))).endsWith(wire(expected.subList(4, 8)));
			assertThat(server.unexpectedCommands()).isEmpty();
			server.assertNoFailures();
		}
	}

	// ---------------------------------------------------------------- BDAT

	@Test
	void chunkedARefusedRecipientSendsNoBdat() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250 CHUNKING")
				.reply("250 sender ok")
				.reply("550 no ann")
				.reply("250 bob ok")
				.reply("250 reset");
			try (SmtpSession smtp = session(server, false).chunking(true).connect()) {
				Throwable thrown = catchThrowable(() -> sendOne(smtp, BOTH_REQUIRED));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
						(refused) -> assertThat(refused.recipients()).containsOnlyKeys(ANN));
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(commands(ENVELOPE_COMMANDS, "RSET"));
			assertThat(server.bdatChunks()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void chunkedAndPipelinedARefusedRecipientSendsNoBdat() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250-PIPELINING\n250 CHUNKING")
				.read()
				.read()
				.replies("250 sender ok", "250 ann ok", "450 4.2.0 bob busy")
				.reply("250 reset");
			try (SmtpSession smtp = session(server, true).chunking(true).connect()) {
				Throwable thrown = catchThrowable(() -> sendOne(smtp, BOTH_REQUIRED));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
						(refused) -> assertThat(refused.recipients()).containsOnlyKeys(BOB));
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(commands(ENVELOPE_COMMANDS, "RSET"));
			assertThat(server.bdatChunks()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void chunkedAndPipelinedEveryRecipientAcceptedSendsTheMessageInBdat() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250-PIPELINING\n250 CHUNKING")
				.read()
				.read()
				.replies("250 sender ok", "250 ann ok", "250 bob ok")
				.reply("250 accepted");
			try (SmtpSession smtp = session(server, true).chunking(true).connect()) {
				assertThat(sendOne(smtp, BOTH_REQUIRED)).isEmpty();
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands())
				.containsExactlyElementsOf(commands(ENVELOPE_COMMANDS, "BDAT " + MESSAGE.length() + " LAST"));
			assertThat(server.bdatChunks()).extracting(SmtpSessionAllRecipientsTests::text).containsExactly(MESSAGE);
			server.assertNoFailures();
		}
	}

	// ---------------------------------------------------------------- LMTP

	@Test
	void lmtpARecipientRefusedAtRcptAfterThe354ToThePipelinedDataClosesTheConnectionWithNoMessageData()
			throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 lmtp.test")
				.reply(EHLO_PIPELINING)
				.read()
				.read()
				.read()
				.replies("250 sender ok", "550 5.1.1 no ann", "250 bob ok", "354 go ahead")
				.awaitClose();
			try (SmtpSession smtp = lmtp(server).connect()) {
				Throwable thrown = catchThrowable(() -> sendOne(smtp, BOTH_REQUIRED));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
						(refused) -> assertThat(refused.recipients()).containsOnlyKeys(ANN));
				assertThat(smtp.isConnected()).isFalse();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(lhlo(ENVELOPE_COMMANDS, "DATA"));
			assertThat(text(server.received(0))).isEqualTo(wire(lhlo(ENVELOPE_COMMANDS, "DATA")));
			assertThat(server.messages()).isEmpty();
			assertThat(server.unexpectedCommands()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void lmtpARecipientRefusedAfterTheDataIsReportedButCannotBeUndone() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 lmtp.test")
				.reply(EHLO_PIPELINING)
				.read()
				.read()
				.read()
				.replies("250 sender ok", "250 ann ok", "250 bob ok", "354 go ahead")
				.replies("250 ann delivered", "552 bob's mailbox is full");
			try (SmtpSession smtp = lmtp(server).connect()) {
				assertThat(sendOne(smtp, BOTH_REQUIRED))
					.containsExactly(entry(BOB, new SmtpReply(552, "bob's mailbox is full")));
				assertThat(smtp.dataReplies()).containsEntry(ANN, new SmtpReply(250, "ann delivered"));
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactlyElementsOf(lhlo(ENVELOPE_COMMANDS, "DATA"));
			assertThat(server.messages()).hasSize(1);
			server.assertNoFailures();
		}
	}

	// ---------------------------------------------------------------- helpers

	/**
	 * Sends one message as {@link SmtpClient} does: through the session's engine
	 * ({@link TransactionEngine#sendEach}), with its outcome thrown or returned as {@code sendmail} would.
	 */
	private static Map<String, SmtpReply> sendOne(SmtpSession smtp, Envelope envelope) throws IOException {
		Outcomes outcomes = new Outcomes();
		smtp.engine().sendEach(List.of(OutgoingMessage.of(envelope, bytes(MESSAGE))), outcomes);
		if (outcomes.failure instanceof IOException io) {
			throw io;
		}
		if (outcomes.failure != null) {
			throw (RuntimeException) outcomes.failure;
		}
		return outcomes.refused;
	}

	private static SmtpSession.Builder session(ScriptedSmtpServer server, boolean pipelining) {
		return SmtpSession.smtp()
			.host(server.host())
			.port(server.port())
			.localHostname("client.test")
			.timeout(Duration.ofSeconds(1))
			.pipelining(pipelining);
	}

	private static SmtpSession.Builder lmtp(ScriptedSmtpServer server) {
		return SmtpSession.lmtp()
			.host(server.host())
			.port(server.port())
			.localHostname("client.test")
			.timeout(Duration.ofSeconds(1))
			.pipelining(true);
	}

	/** EHLO, the given commands, then the rest. */
	private static List<String> commands(List<String> envelope, String... rest) {
		return transcript("EHLO client.test", envelope, rest);
	}

	private static List<String> lhlo(List<String> envelope, String... rest) {
		return transcript("LHLO client.test", envelope, rest);
	}

	private static List<String> transcript(String hello, List<String> envelope, String... rest) {
		List<String> lines = new ArrayList<>();
		lines.add(hello);
		lines.addAll(envelope);
		lines.addAll(List.of(rest));
		return lines;
	}

	/** The command lines as the client writes them, each ended by CRLF. */
	private static String wire(List<String> lines) {
		StringBuilder text = new StringBuilder();
		lines.forEach((line) -> text.append(line).append("\r\n"));
		return text.toString();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	private static String text(byte[] bytes) {
		return new String(bytes, StandardCharsets.US_ASCII);
	}

	/** Each outcome as a line, and the last refused map or failure. */
	private static final class Outcomes implements TransactionEngine.BatchOutcomes {

		private final List<String> log = new CopyOnWriteArrayList<>();

		private Map<String, SmtpReply> refused;

		private Exception failure;

		@Override
		public void sent(int index, Map<String, SmtpReply> refused) {
			this.refused = refused;
			this.log.add(index + " sent " + refused);
		}

		@Override
		public void failed(int index, Exception failure) {
			this.failure = failure;
			String refused = (failure instanceof SmtpRecipientsRefusedException ex) ? " " + ex.recipients().keySet() : "";
			this.log.add(index + " failed " + failure.getClass().getSimpleName() + refused);
		}

	}

	/** The order in which commands went out and replies came in. */
	private static final class EventOrder implements SmtpEventListener {

		private final List<String> order = new CopyOnWriteArrayList<>();

		@Override
		public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
			this.order.add("sent " + verb);
		}

		@Override
		public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
			this.order.add("reply " + verb);
		}

	}

}
