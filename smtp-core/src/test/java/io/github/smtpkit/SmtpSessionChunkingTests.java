package io.github.smtpkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
 * BDAT chunks, byte for byte and without dot-stuffing, instead of DATA.
 */
@Timeout(20)
class SmtpSessionChunkingTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String EHLO = "250-fake.test\n250-CHUNKING\n250-BINARYMIME\n250 8BITMIME";

	/** A line starting with a dot: DATA would double it, BDAT must not. */
	private static final String MESSAGE = "Subject: chunked\r\n\r\n.a dot line\r\nend\r\n";

	private static final int CHUNK = 256 * 1024;

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
	void pipelinedRecipientsAreFollowedByTheChunksOnceTheirRepliesAreIn() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250-PIPELINING\n250 CHUNKING")
				.read()
				.replies("250 sender ok", "250 rcpt ok")
				.reply("250 message accepted");
			try (SmtpSession smtp = session(server).pipelining(true).connect()) {
				assertThat(smtp.sendmail("from@example.test", List.of("to@example.test"), MESSAGE)).isEmpty();
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<from@example.test>",
					"RCPT TO:<to@example.test>", "BDAT " + MESSAGE.length() + " LAST");
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
