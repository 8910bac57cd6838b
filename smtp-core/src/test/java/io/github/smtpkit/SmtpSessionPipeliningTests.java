package io.github.smtpkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.entry;

/**
 * PIPELINING (RFC 2920) in {@link SmtpSession#sendmail}: MAIL, every RCPT and DATA go out before
 * any reply is read, and refusals come out exactly as without pipelining. The scripted server
 * proves the pipelining: it answers nothing until it has read DATA, so a client waiting for the
 * reply to MAIL would time out.
 */
@Timeout(20)
class SmtpSessionPipeliningTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String EHLO = "250-fake.test\n250-PIPELINING\n250-SIZE 1000\n250 8BITMIME";

	private static final String MESSAGE = "Subject: pipelined\r\n\r\nHello.\r\n";

	@Test
	void mailRcptAndDataGoOutTogetherAndTheirRepliesAreMatchedInOrder() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO)
				.read()
				.read()
				.read()
				.read()
				.replies("250 sender ok", "250 ann ok", "550 no bob", "250 cat ok", "354 go ahead")
				.reply("250 queued")
				.reply("221 bye");
			EventOrder events = new EventOrder();
			try (SmtpSession smtp = session(server).eventListener(events).connect()) {
				Map<String, SmtpReply> refused = smtp.sendmail("from@example.test",
						List.of("ann@example.test", "bob@example.test", "cat@example.test"), MESSAGE);

				assertThat(refused).containsExactly(entry("bob@example.test", new SmtpReply(550, "no bob")));
				assertThat(smtp.dataReplies()).containsOnlyKeys("ann@example.test", "cat@example.test");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test",
					"MAIL FROM:<from@example.test> SIZE=" + MESSAGE.length(), "RCPT TO:<ann@example.test>",
					"RCPT TO:<bob@example.test>", "RCPT TO:<cat@example.test>", "DATA", "QUIT");
			assertThat(new String(server.messages().get(0), StandardCharsets.US_ASCII)).isEqualTo(MESSAGE + ".\r\n");
			server.assertNoFailures();
		}
	}

	@Test
	void everyCommandOfTheGroupIsSentBeforeTheFirstReplyIsRead() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO)
				.read()
				.read()
				.replies("250 sender ok", "250 ann ok", "354 go ahead")
				.reply("250 queued");
			EventOrder events = new EventOrder();
			try (SmtpSession smtp = session(server).eventListener(events).connect()) {
				smtp.sendmail("from@example.test", List.of("ann@example.test"), MESSAGE);
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(events.order).containsExactly("sent EHLO", "reply EHLO", "sent MAIL", "sent RCPT", "sent DATA",
					"reply MAIL", "reply RCPT", "reply DATA", "reply END-OF-DATA");
		}
	}

	@Test
	void serverWithoutPipeliningGetsOneCommandAtATime() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250 8BITMIME")
				.reply("250 sender ok")
				.reply("250 ann ok")
				.reply("354 go ahead")
				.reply("250 queued");
			EventOrder events = new EventOrder();
			try (SmtpSession smtp = session(server).eventListener(events).connect()) {
				smtp.sendmail("from@example.test", List.of("ann@example.test"), MESSAGE);
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(events.order).containsExactly("sent EHLO", "reply EHLO", "sent MAIL", "reply MAIL", "sent RCPT",
					"reply RCPT", "sent DATA", "reply DATA", "reply END-OF-DATA");
		}
	}

	@Test
	void sessionsDoNotPipelineUnlessAskedToAsSmtplibDoesNot() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO)
				.reply("250 sender ok")
				.reply("250 ann ok")
				.reply("354 go ahead")
				.reply("250 queued");
			EventOrder events = new EventOrder();
			try (SmtpSession smtp = SmtpSession.smtp()
				.host(server.host())
				.port(server.port())
				.localHostname("client.test")
				.timeout(Duration.ofSeconds(1))
				.eventListener(events)
				.connect()) {
				smtp.sendmail("from@example.test", List.of("ann@example.test"), MESSAGE);
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(events.order).containsSubsequence("sent MAIL", "reply MAIL", "sent RCPT", "reply RCPT");
		}
	}

	@Test
	void refusedSenderIsReportedAfterReadingEveryReplyOfTheGroupThenReset() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO)
				.read()
				.read()
				.replies("550 sender refused", "503 need MAIL first", "503 need RCPT first")
				.reply("250 reset")
				.reply("250 noop");
			try (SmtpSession smtp = session(server).connect()) {
				Throwable thrown = catchThrowable(
						() -> smtp.sendmail("from@example.test", List.of("ann@example.test"), MESSAGE));

				assertThat(thrown).isInstanceOfSatisfying(SmtpSenderRefusedException.class, (refused) -> {
					assertThat(refused.smtpCode()).isEqualTo(550);
					assertThat(refused.sender()).isEqualTo("from@example.test");
				});
				// In step: the next command gets its own reply, not a left-over one.
				assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "noop"));
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).endsWith("DATA", "RSET", "NOOP");
			assertThat(server.messages()).isEmpty();
		}
	}

	@Test
	void allRecipientsRefusedButDataAcceptedEndsTheEmptyMessageAndResets() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO)
				.read()
				.read()
				.replies("250 sender ok", "550 no ann", "354 go ahead (a sloppy server)")
				.reply("554 no valid recipients")
				.reply("250 reset");
			try (SmtpSession smtp = session(server).connect()) {
				Throwable thrown = catchThrowable(
						() -> smtp.sendmail("from@example.test", List.of("ann@example.test"), MESSAGE));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
						(refused) -> assertThat(refused.recipients())
							.containsExactly(entry("ann@example.test", new SmtpReply(550, "no ann"))));
				assertThat(smtp.isConnected()).isTrue();
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.messages()).extracting((bytes) -> new String(bytes, StandardCharsets.US_ASCII))
				.containsExactly(".\r\n");
			assertThat(server.commands()).endsWith("DATA", "RSET");
		}
	}

	@Test
	void serviceClosingInTheMiddleOfTheGroupClosesTheSessionAndReportsTheRefusalsSoFar() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO)
				.read()
				.read()
				.read()
				.replies("250 sender ok", "550 no ann", "421 shutting down")
				.awaitClose();
			try (SmtpSession smtp = session(server).connect()) {
				Throwable thrown = catchThrowable(() -> smtp.sendmail("from@example.test",
						List.of("ann@example.test", "bob@example.test"), MESSAGE));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
						(refused) -> assertThat(refused.recipients()).containsExactly(
								entry("ann@example.test", new SmtpReply(550, "no ann")),
								entry("bob@example.test", new SmtpReply(421, "shutting down"))));
				assertThat(smtp.isConnected()).isFalse();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.messages()).isEmpty();
			assertThat(server.commands()).doesNotContain("QUIT", "RSET");
		}
	}

	@Test
	void lmtpPipelinesTooAndStillReadsOneReplyPerRecipientAfterTheData() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 lmtp.test")
				.reply("250-lmtp.test\n250 PIPELINING")
				.read()
				.read()
				.read()
				.replies("250 sender ok", "250 ann ok", "250 full ok", "354 go ahead")
				.replies("250 ann delivered", "552 full's mailbox is full")
				.reply("250 noop");
			try (SmtpSession smtp = SmtpSession.lmtp()
				.host(server.host())
				.port(server.port())
				.localHostname("client.test")
				.timeout(Duration.ofSeconds(1))
				.pipelining(true)
				.connect()) {
				Map<String, SmtpReply> refused = smtp.sendmail("from@example.test",
						List.of("ann@example.test", "full@example.test"), MESSAGE);

				assertThat(refused).containsExactly(entry("full@example.test", new SmtpReply(552, "full's mailbox is full")));
				assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "noop"));
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("LHLO client.test", "MAIL FROM:<from@example.test>",
					"RCPT TO:<ann@example.test>", "RCPT TO:<full@example.test>", "DATA", "NOOP");
		}
	}

	@Test
	void messageLargerThanTheAdvertisedSizeIsRefusedBeforeAnythingIsSent() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply(EHLO).reply("250 noop");
			byte[] large = new byte[1001];
			try (SmtpSession smtp = session(server).connect()) {
				Throwable thrown = catchThrowable(() -> smtp.sendmail("from@example.test", List.of("ann@example.test"), large));

				assertThat(thrown).isInstanceOfSatisfying(SmtpMessageTooLargeException.class, (tooLarge) -> {
					assertThat(tooLarge.size()).isEqualTo(1001);
					assertThat(tooLarge.limit()).isEqualTo(1000);
					assertThat(tooLarge).hasMessageContaining("1001").hasMessageContaining("1000");
				});
				assertThat(smtp.noop().code()).isEqualTo(250);
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP");
		}
	}

	@Test
	void serverThatAnswersOnlyTheStartOfAGroupIsReportedAsMishandlingPipelining() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// A server that reads one command at a time and drops the rest of what it received.
			server.greet("220 fake.test").reply(EHLO).reply("250 sender ok").stall();
			try (SmtpSession smtp = session(server).connect()) {
				Throwable thrown = catchThrowable(
						() -> smtp.sendmail("from@example.test", List.of("ann@example.test"), MESSAGE));

				assertThat(thrown).isInstanceOf(SmtpTimeoutException.class)
					.hasMessageContaining("the reply to RCPT")
					.hasMessageContaining("answered 1 of 3 pipelined commands")
					.hasMessageContaining("mishandle PIPELINING");
				assertThat(smtp.engine().pipeliningStalled()).isTrue();
				assertThat(smtp.isConnected()).isFalse();
			}
			server.assertNoFailures();
		}
	}

	@Test
	void recipientThatCannotBeEncodedFailsBeforeAnyCommandOfTheGroupIsWritten() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply(EHLO).reply("250 ok");
			try (SmtpSession smtp = session(server).connect()) {
				Throwable thrown = catchThrowable(() -> smtp.sendmail("from@example.test",
						List.of("ann@example.test", "jürgen@example.test"), MESSAGE));

				assertThat(thrown).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SMTPUTF8");
				// Nothing of the group waits in the buffer: NOOP is the next command, and gets its reply.
				assertThat(smtp.noop()).isEqualTo(new SmtpReply(250, "ok"));
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP");
		}
	}

	@Test
	void sessionToldToStopPipeliningSendsOneCommandAtATimeFromThenOn() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO)
				.reply("250 sender ok")
				.reply("250 ann ok")
				.reply("354 go ahead")
				.reply("250 queued");
			EventOrder events = new EventOrder();
			try (SmtpSession smtp = session(server).eventListener(events).connect()) {
				smtp.engine().disablePipelining();
				smtp.sendmail("from@example.test", List.of("ann@example.test"), MESSAGE);
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(events.order).containsExactly("sent EHLO", "reply EHLO", "sent MAIL", "reply MAIL", "sent RCPT",
					"reply RCPT", "sent DATA", "reply DATA", "reply END-OF-DATA");
		}
	}

	@Test
	void serverThatStaysSilentFromTheFirstReplyIsATimeoutNotAPipeliningFault() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply(EHLO).stall();
			try (SmtpSession smtp = session(server).connect()) {
				Throwable thrown = catchThrowable(
						() -> smtp.sendmail("from@example.test", List.of("ann@example.test"), MESSAGE));

				assertThat(thrown).isInstanceOf(SmtpTimeoutException.class)
					.hasMessageContaining("the reply to MAIL")
					.hasMessageNotContaining("PIPELINING");
				assertThat(smtp.engine().pipeliningStalled()).isFalse();
			}
		}
	}

	private static SmtpSession.Builder session(ScriptedSmtpServer server) {
		// A short timeout: a client that waited for each reply would fail fast against these scripts.
		return SmtpSession.smtp()
			.host(server.host())
			.port(server.port())
			.localHostname("client.test")
			.timeout(Duration.ofSeconds(1))
			.pipelining(true);
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
