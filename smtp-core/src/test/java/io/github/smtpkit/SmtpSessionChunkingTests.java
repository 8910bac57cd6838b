package io.github.smtpkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.entry;

/**
 * CHUNKING (RFC 3030): with {@code chunking(true)} and a server that advertises it, messages go as
 * BDAT chunks, byte for byte and without dot-stuffing, instead of DATA. With PIPELINING too, a
 * message that fits one chunk goes out with its MAIL and RCPT in one write: one round trip.
 */
@Timeout(20)
class SmtpSessionChunkingTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String EHLO = "250-fake.test\n250-CHUNKING\n250-BINARYMIME\n250 8BITMIME";

	/** A line starting with a dot: DATA would double it, BDAT must not. */
	private static final String MESSAGE = "Subject: chunked\r\n\r\n.a dot line\r\nend\r\n";

	private static final int CHUNK = 256 * 1024;

	private static final String PIPELINING_EHLO = "250-fake.test\n250-PIPELINING\n250 CHUNKING";

	@Test
	void smallMessageGoesAsOneLastChunkWithoutDotStuffing() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO)
				.reply("250 sender ok")
				.reply("250 rcpt ok")
				.reply("250 message accepted")
				.reply("250 noop");
			try (SmtpSession smtp = session(server).connect()) {
				assertThat(smtp.sendmail("from@example.test", List.of("to@example.test"), MESSAGE)).isEmpty();
				assertThat(smtp.dataReplies()).containsExactly(entry("to@example.test", new SmtpReply(250, "message accepted")));
				assertThat(smtp.noop().message()).isEqualTo("noop");
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<from@example.test>",
					"RCPT TO:<to@example.test>", "BDAT " + MESSAGE.length() + " LAST", "NOOP");
			assertThat(server.bdatChunks()).singleElement()
				.extracting((chunk) -> new String(chunk, StandardCharsets.US_ASCII))
				.isEqualTo(MESSAGE);
			assertThat(server.messages()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void largeMessageGoesInChunksEachAnsweredBeforeTheNext() throws Exception {
		byte[] message = new byte[2 * CHUNK + 1000];
		Arrays.fill(message, (byte) 'x');
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO)
				.reply("250 sender ok")
				.reply("250 rcpt ok")
				.reply("250 chunk 1 ok")
				.reply("250 chunk 2 ok")
				.reply("250 message accepted");
			try (SmtpSession smtp = session(server).connect()) {
				smtp.sendmail("from@example.test", List.of("to@example.test"), message);
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).endsWith("BDAT " + CHUNK, "BDAT " + CHUNK, "BDAT 1000 LAST");
			assertThat(server.bdatChunks()).extracting((chunk) -> chunk.length).containsExactly(CHUNK, CHUNK, 1000);
			server.assertNoFailures();
		}
	}

	@Test
	void refusedMiddleChunkStopsTheTransferResetsAndReportsTheRefusal() throws Exception {
		byte[] message = new byte[2 * CHUNK + 10];
		Arrays.fill(message, (byte) 'y');
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(EHLO)
				.reply("250 sender ok")
				.reply("250 rcpt ok")
				.reply("250 chunk 1 ok")
				.reply("552 5.3.4 too much mail")
				.reply("250 reset")
				.reply("250 noop");
			try (SmtpSession smtp = session(server).connect()) {
				Throwable thrown = catchThrowable(() -> smtp.sendmail("from@example.test", List.of("to@example.test"), message));

				assertThat(thrown).isInstanceOfSatisfying(SmtpDataException.class,
						(refused) -> assertThat(refused.reply()).isEqualTo(new SmtpReply(552, "5.3.4 too much mail")));
				assertThat(smtp.isConnected()).isTrue();
				assertThat(smtp.noop().message()).isEqualTo("noop");
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).endsWith("BDAT " + CHUNK, "BDAT " + CHUNK, "RSET", "NOOP");
			assertThat(server.bdatChunks()).hasSize(2);
		}
	}

	@Test
	void lmtpReadsOneReplyPerRecipientAfterTheLastChunk() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 lmtp.test")
				.reply("250-lmtp.test\n250 CHUNKING")
				.reply("250 sender ok")
				.reply("250 ann ok")
				.reply("250 full ok")
				.replies("250 ann delivered", "552 full is over quota")
				.reply("250 noop");
			try (SmtpSession smtp = SmtpSession.lmtp()
				.host(server.host())
				.port(server.port())
				.localHostname("client.test")
				.timeout(Duration.ofSeconds(2))
				.chunking(true)
				.connect()) {
				Map<String, SmtpReply> refused = smtp.sendmail("from@example.test",
						List.of("ann@example.test", "full@example.test"), MESSAGE);

				assertThat(refused).containsExactly(entry("full@example.test", new SmtpReply(552, "full is over quota")));
				assertThat(smtp.dataReplies()).containsExactly(entry("ann@example.test", new SmtpReply(250, "ann delivered")),
						entry("full@example.test", new SmtpReply(552, "full is over quota")));
				assertThat(smtp.noop().message()).isEqualTo("noop");
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).contains("BDAT " + MESSAGE.length() + " LAST");
			server.assertNoFailures();
		}
	}

	@Test
	void withPipeliningMailRcptAndTheOneLastChunkGoOutBeforeAnyReplyIsRead() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// Nothing is answered until the chunk is in: a client waiting for MAIL's reply would time out.
			server.greet("220 fake.test")
				.reply(PIPELINING_EHLO)
				.read()
				.read()
				.replies("250 sender ok", "250 rcpt ok", "250 message accepted")
				.reply("250 noop");
			List<String> events = new ArrayList<>();
			try (SmtpSession smtp = session(server).pipelining(true).eventListener(new SmtpEventListener() {

				@Override
				public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
					events.add("sent " + verb);
				}

				@Override
				public void replyReceived(SmtpEndpoint endpoint, String verb, SmtpReply reply, Duration duration) {
					events.add("reply " + verb + " " + reply.code());
				}

			}).connect()) {
				assertThat(smtp.sendmail("from@example.test", List.of("to@example.test"), MESSAGE)).isEmpty();
				assertThat(smtp.dataReplies()).containsExactly(entry("to@example.test", new SmtpReply(250, "message accepted")));
				assertThat(smtp.noop().message()).isEqualTo("noop");
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<from@example.test>",
					"RCPT TO:<to@example.test>", "BDAT " + MESSAGE.length() + " LAST", "NOOP");
			assertThat(server.bdatChunks()).singleElement()
				.extracting((chunk) -> new String(chunk, StandardCharsets.US_ASCII))
				.isEqualTo(MESSAGE);
			assertThat(events).containsExactly("sent EHLO", "reply EHLO 250", "sent MAIL", "sent RCPT", "sent BDAT",
					"reply MAIL 250", "reply RCPT 250", "reply END-OF-DATA 250", "sent NOOP", "reply NOOP 250");
			server.assertNoFailures();
		}
	}

	@Test
	void pipelinedChunkAfterSomeRefusedRecipientsGoesToTheOthers() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(PIPELINING_EHLO)
				.read()
				.read()
				.read()
				.replies("250 sender ok", "250 ann ok", "550 5.1.1 no bob", "250 message accepted")
				.reply("250 noop");
			try (SmtpSession smtp = session(server).pipelining(true).connect()) {
				Map<String, SmtpReply> refused = smtp.sendmail("from@example.test",
						List.of("ann@example.test", "bob@example.test"), MESSAGE);

				assertThat(refused).containsExactly(entry("bob@example.test", new SmtpReply(550, "5.1.1 no bob")));
				assertThat(smtp.dataReplies()).containsExactly(entry("ann@example.test", new SmtpReply(250, "message accepted")));
				assertThat(smtp.noop().message()).isEqualTo("noop");
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<from@example.test>",
					"RCPT TO:<ann@example.test>", "RCPT TO:<bob@example.test>", "BDAT " + MESSAGE.length() + " LAST",
					"NOOP");
			server.assertNoFailures();
		}
	}

	@Test
	void pipelinedChunkAfterEveryRecipientRefusedIsAnsweredThenTheTransactionIsReset() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(PIPELINING_EHLO)
				.read()
				.read()
				.replies("250 sender ok", "550 5.1.1 no such user", "554 5.5.1 Error: no valid recipients")
				.reply("250 reset")
				.reply("250 noop");
			try (SmtpSession smtp = session(server).pipelining(true).connect()) {
				Throwable thrown = catchThrowable(() -> smtp.sendmail("from@example.test", List.of("to@example.test"),
						MESSAGE));

				assertThat(thrown).isInstanceOfSatisfying(SmtpRecipientsRefusedException.class,
						(refused) -> assertThat(refused.recipients())
							.containsExactly(entry("to@example.test", new SmtpReply(550, "5.1.1 no such user"))));
				assertThat(smtp.isConnected()).isTrue();
				assertThat(smtp.noop().message()).as("the chunk's reply was not taken for NOOP's").isEqualTo("noop");
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<from@example.test>",
					"RCPT TO:<to@example.test>", "BDAT " + MESSAGE.length() + " LAST", "RSET", "NOOP");
			server.assertNoFailures();
		}
	}

	@Test
	void pipelinedChunkAfterARefusedSenderIsAnsweredThenTheTransactionIsReset() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(PIPELINING_EHLO)
				.read()
				.read()
				.replies("553 5.7.1 sender refused", "503 5.5.1 need MAIL", "503 5.5.1 need RCPT")
				.reply("250 reset")
				.reply("250 noop");
			try (SmtpSession smtp = session(server).pipelining(true).connect()) {
				Throwable thrown = catchThrowable(() -> smtp.sendmail("from@example.test", List.of("to@example.test"),
						MESSAGE));

				assertThat(thrown).isInstanceOfSatisfying(SmtpSenderRefusedException.class,
						(refused) -> assertThat(refused.smtpCode()).isEqualTo(553));
				assertThat(smtp.noop().message()).isEqualTo("noop");
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).endsWith("BDAT " + MESSAGE.length() + " LAST", "RSET", "NOOP");
			server.assertNoFailures();
		}
	}

	@Test
	void messageLargerThanOneChunkWaitsForTheRecipientsEvenWithPipelining() throws Exception {
		byte[] message = new byte[CHUNK + 10];
		Arrays.fill(message, (byte) 'z');
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply(PIPELINING_EHLO)
				.read()
				.replies("250 sender ok", "550 5.1.1 no such user")
				.reply("250 reset");
			try (SmtpSession smtp = session(server).pipelining(true).connect()) {
				Throwable thrown = catchThrowable(() -> smtp.sendmail("from@example.test", List.of("to@example.test"),
						message));

				assertThat(thrown).isInstanceOf(SmtpRecipientsRefusedException.class);
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<from@example.test>",
					"RCPT TO:<to@example.test>", "RSET");
			assertThat(server.bdatChunks()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void serverWithoutChunkingGetsDataEvenWhenChunkingIsOn() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250 8BITMIME")
				.reply("250 sender ok")
				.reply("250 rcpt ok")
				.reply("354 go ahead")
				.reply("250 queued");
			try (SmtpSession smtp = session(server).connect()) {
				smtp.sendmail("from@example.test", List.of("to@example.test"), MESSAGE);
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).endsWith("DATA");
			assertThat(new String(server.messages().get(0), StandardCharsets.US_ASCII)).contains("\r\n..a dot line\r\n");
		}
	}

	@Test
	void binaryMimeWithoutChunkingIsRefusedBeforeMail() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250 BINARYMIME").reply("250 noop");
			try (SmtpSession smtp = session(server).connect()) {
				Throwable thrown = catchThrowable(() -> smtp.sendmail("from@example.test", List.of("to@example.test"),
						MESSAGE, List.of("BODY=BINARYMIME"), List.of()));

				assertThat(thrown).isInstanceOf(SmtpNotSupportedException.class).hasMessageContaining("CHUNKING");
				assertThat(smtp.noop().message()).isEqualTo("noop");
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP");
		}
	}

	private static SmtpSession.Builder session(ScriptedSmtpServer server) {
		return SmtpSession.smtp()
			.host(server.host())
			.port(server.port())
			.localHostname("client.test")
			.timeout(Duration.ofSeconds(2))
			.chunking(true);
	}

}
