package io.github.smtpkit;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpClientTestSupport.RecordingListener;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.FROM;
import static io.github.smtpkit.SmtpClientTestSupport.TO;
import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.message;
import static io.github.smtpkit.SmtpClientTestSupport.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@link SmtpClient} with {@code chunking(true)} against a server that advertises CHUNKING and
 * PIPELINING: each message goes as MAIL, RCPT and one {@code BDAT n LAST} chunk in one write, one
 * round trip, and each way it can fail keeps its outcome.
 */
@Timeout(30)
class SmtpClientChunkingTests {

	private static final String EHLO = "250-fake.test\n250-PIPELINING\n250-SIZE 10240000\n250 CHUNKING";

	@Test
	void eachSendIsOneRoundTrip() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(SmtpClientTestSupport.GREETING).reply(EHLO);
			for (int i = 1; i <= 2; i++) {
				// MAIL, RCPT and the chunk are all read before anything is answered.
				server.read().read().replies("250 2.1.0 sender ok", "250 2.1.5 recipient ok", "250 2.0.0 queued " + i);
			}
			SmtpClientTestSupport.quits(server);
			try (SmtpClient client = clientFor(server).chunking(true).build()) {
				SendResult first = client.send(ENVELOPE, message(1));
				SendResult second = client.send(ENVELOPE, message(2));

				assertThat(first.finalReply()).isEqualTo(new SmtpReply(250, "2.0.0 queued 1"));
				assertThat(second.accepted()).containsExactly(TO);
				assertThat(second.recipientReplies()).containsEntry(TO, new SmtpReply(250, "2.0.0 queued 2"));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test",
					"MAIL FROM:<" + FROM + "> SIZE=" + message(1).length, "RCPT TO:<" + TO + ">",
					"BDAT " + message(1).length + " LAST", "MAIL FROM:<" + FROM + "> SIZE=" + message(2).length,
					"RCPT TO:<" + TO + ">", "BDAT " + message(2).length + " LAST", "QUIT");
			assertThat(server.bdatChunks()).extracting(SmtpClientTestSupport::text)
				.containsExactly(text(message(1)), text(message(2)));
			server.assertNoFailures();
		}
	}

	@Test
	void everyRecipientRefusedIsRefusedNotInDoubtAndTheSessionStaysUsable() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(SmtpClientTestSupport.GREETING)
				.reply(EHLO)
				.read()
				.read()
				.replies("250 2.1.0 sender ok", "550 5.1.1 no such user", "554 5.5.1 Error: no valid recipients")
				.reply("250 2.0.0 reset")
				.read()
				.read()
				.replies("250 2.1.0 sender ok", "250 2.1.5 recipient ok", "250 2.0.0 queued")
				.reply("221 2.0.0 bye");
			try (SmtpClient client = clientFor(server).chunking(true).eventListener(events).build()) {
				List<BatchResult> results = client.sendAll(List.of(OutgoingMessage.of(ENVELOPE, message(1)),
						OutgoingMessage.of(ENVELOPE, message(2))));

				assertThat(results.get(0).failure()).isInstanceOf(SmtpRecipientsRefusedException.class);
				assertThat(results.get(1).isSent()).isTrue();
				assertThat(client.poolStats().created()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsSubsequence("BDAT " + message(1).length + " LAST", "RSET",
					"BDAT " + message(2).length + " LAST");
			server.assertNoFailures();
		}
		assertThat(events.sends()).extracting(SmtpClientTestSupport.SendFinished::outcome)
			.containsExactly(SendOutcome.REFUSED, SendOutcome.ACCEPTED);
	}

	@Test
	void connectionLostAfterTheChunkWasWrittenIsAmbiguousAndNeverRetried() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(SmtpClientTestSupport.GREETING)
				.reply(EHLO)
				.read()
				.read()
				.replies("250 2.1.0 sender ok", "250 2.1.5 recipient ok", "250 2.0.0 queued")
				.read()
				.read()
				.disconnectAfterRead();
			try (SmtpClient client = clientFor(server).chunking(true).eventListener(events).build()) {
				client.send(ENVELOPE, message(1));
				// A reused session: a connection lost before the chunk went out would be retried.
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(2)));

				assertThat(thrown).isInstanceOf(SmtpAmbiguousOutcomeException.class)
					.hasMessageContaining("may have been delivered");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(1);
			assertThat(server.bdatChunks()).hasSize(2);
			server.assertNoFailures();
		}
		assertThat(events.sends()).last().satisfies((send) -> {
			assertThat(send.outcome()).isEqualTo(SendOutcome.UNKNOWN);
			assertThat(send.attempts()).isEqualTo(1);
		});
	}

	@Test
	void aServerThatStallsInTheGroupAfterTheChunkWentOutLeavesTheMessageInDoubtAndPipeliningOff() throws Exception {
		AtomicInteger pipeliningDisabled = new AtomicInteger();
		SmtpEventListener listener = new SmtpEventListener() {

			@Override
			public void pipeliningDisabled(SmtpEndpoint endpoint) {
				pipeliningDisabled.incrementAndGet();
			}

		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// MAIL answered, then the server hangs up before RCPT's and the chunk's replies.
			server.greet(SmtpClientTestSupport.GREETING)
				.reply(EHLO)
				.read()
				.read()
				.reply("250 2.1.0 sender ok")
				.disconnect();
			try (SmtpClient client = clientFor(server).chunking(true).eventListener(listener).build()) {
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(1)));

				assertThat(thrown).isInstanceOf(SmtpAmbiguousOutcomeException.class);
				// In doubt, but the server still mishandled a pipelined group: the next sessions do not pipeline.
				assertThat(pipeliningDisabled).hasValue(1);
			}
			server.awaitScriptDone(WAIT);
		}
	}

	@Test
	void envelopeThatRequiresAllRecipientsWaitsForTheirRepliesBeforeTheChunk() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(SmtpClientTestSupport.GREETING)
				.reply(EHLO)
				.read()
				.read()
				.replies("250 2.1.0 sender ok", "250 2.1.5 ok", "550 5.1.1 no such user")
				.reply("250 2.0.0 reset")
				.reply("221 2.0.0 bye");
			Envelope envelope = Envelope.of(FROM, TO, "other@example.test").requiringAllRecipients();
			try (SmtpClient client = clientFor(server).chunking(true).build()) {
				Throwable thrown = catchThrowable(() -> client.send(envelope, message(1)));

				assertThat(thrown).isInstanceOf(SmtpRecipientsRefusedException.class);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test",
					"MAIL FROM:<" + FROM + "> SIZE=" + message(1).length, "RCPT TO:<" + TO + ">",
					"RCPT TO:<other@example.test>", "RSET", "QUIT");
			assertThat(server.bdatChunks()).as("nothing of the message was sent").isEmpty();
			server.assertNoFailures();
		}
	}

}
