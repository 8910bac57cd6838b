package io.github.smtpkit;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.Dsn.Notify;
import io.github.smtpkit.Dsn.Ret;
import io.github.smtpkit.testing.ScriptedSmtpServer;

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

/**
 * {@link SmtpClient} with an envelope that {@linkplain Envelope#withDsn(Dsn) asks for delivery
 * status notifications}: {@code NOTIFY=} on every RCPT and {@code RET=} on MAIL to a server that
 * advertises DSN, one command at a time, pipelined and in a pipelined batch; and to a server that
 * does not, the message without them. Pipelined scripts answer nothing before the group's last
 * command is read, so a client that waited for each reply would time out.
 */
@Timeout(30)
class SmtpClientDsnTests {

	private static final String EHLO_DSN_PIPELINING = "250-fake.test greets client.test\n250-PIPELINING\n250-DSN\n250 8BITMIME";

	private static final String EHLO_DSN = "250-fake.test greets client.test\n250-SIZE 10240000\n250-DSN\n250 8BITMIME";

	private static final String EHLO_PIPELINING = "250-fake.test greets client.test\n250-PIPELINING\n250 8BITMIME";

	private static final String EHLO_PLAIN = "250-fake.test greets client.test\n250 8BITMIME";

	private static final String BOB = "bob@example.test";

	private static final Dsn FAILURE_DELAY_HEADERS = Dsn.notifyOn(Notify.FAILURE, Notify.DELAY).withRet(Ret.HDRS);

	private static final Envelope TWO_WITH_DSN = Envelope.of(FROM, TO, BOB).withDsn(FAILURE_DELAY_HEADERS);

	private static final Duration SHORT = Duration.ofMillis(500);

	@Test
	void aServerWithDsnGetsRetOnMailAndNotifyOnEveryRcptPipelined() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_DSN_PIPELINING)
				.read()
				.read()
				.read()
				.replies("250 sender ok", "250 user ok", "250 bob ok", "354 go ahead")
				.reply("250 queued");
			quits(server);
			try (SmtpClient client = clientFor(server).timeout(SHORT).build()) {
				SendResult result = client.send(TWO_WITH_DSN, message(1));

				assertThat(result.isFullyAccepted()).isTrue();
				assertThat(result.accepted()).containsExactly(TO, BOB);
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<" + FROM + "> RET=HDRS",
					"RCPT TO:<" + TO + "> NOTIFY=FAILURE,DELAY", "RCPT TO:<" + BOB + "> NOTIFY=FAILURE,DELAY", "DATA",
					"QUIT");
			assertThat(texts(server.messages())).containsExactly(received(1));
			server.assertNoFailures();
		}
	}

	@Test
	void aServerWithDsnGetsTheParametersOneCommandAtATimeBeforeTheEnvelopesOwnOptions() throws Exception {
		Envelope envelope = Envelope.of(FROM, TO)
			.withMailOptions("BODY=8BITMIME")
			.withDsn(Dsn.notifyOn(Notify.SUCCESS, Notify.FAILURE, Notify.DELAY).withRet(Ret.FULL));
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_DSN)
				.reply("250 sender ok")
				.reply("250 user ok")
				.reply("354 go ahead")
				.reply("250 queued");
			quits(server);
			try (SmtpClient client = clientFor(server).build()) {
				assertThat(client.send(envelope, message(1)).isFullyAccepted()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test",
					"MAIL FROM:<" + FROM + "> SIZE=" + message(1).length + " RET=FULL BODY=8BITMIME",
					"RCPT TO:<" + TO + "> NOTIFY=SUCCESS,FAILURE,DELAY", "DATA", "QUIT");
			assertThat(texts(server.messages())).containsExactly(received(1));
			server.assertNoFailures();
		}
	}

	@Test
	void aServerWithDsnGetsEachMessagesOwnRequestInAPipelinedBatch() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING).reply(EHLO_DSN_PIPELINING).read().read().replies("250 sender ok", "250 user ok",
					"354 go ahead");
			// Each message's data comes in one write with the next message's MAIL, RCPT and DATA.
			server.read().read().read().replies("250 queued as 1", "250 sender ok", "250 user ok", "354 go ahead");
			server.read().read().read().replies("250 queued as 2", "250 sender ok", "250 user ok", "354 go ahead");
			quits(server.reply("250 queued as 3"));
			try (SmtpClient client = clientFor(server).timeout(SHORT).build()) {
				List<BatchResult> results = client.sendAll(List.of(
						OutgoingMessage.of(Envelope.of(FROM, TO).withDsn(Dsn.notifyOn(Notify.NEVER)), message(1)),
						OutgoingMessage.of(Envelope.of(FROM, TO), message(2)),
						OutgoingMessage.of(Envelope.of(FROM, TO).withDsn(Dsn.ret(Ret.FULL)), message(3))));

				assertThat(results).extracting((result) -> result.get().finalReply().message())
					.containsExactly("queued as 1", "queued as 2", "queued as 3");
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<" + FROM + ">",
					"RCPT TO:<" + TO + "> NOTIFY=NEVER", "DATA", "MAIL FROM:<" + FROM + ">", "RCPT TO:<" + TO + ">",
					"DATA", "MAIL FROM:<" + FROM + "> RET=FULL", "RCPT TO:<" + TO + ">", "DATA", "QUIT");
			assertThat(texts(server.messages())).containsExactly(received(1), received(2), received(3));
			server.assertNoFailures();
		}
	}

	@Test
	void aServerWithDsnGetsTheParametersPipelinedWithBdat() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply("250-fake.test greets client.test\n250-PIPELINING\n250-DSN\n250 CHUNKING")
				.read()
				.read()
				.replies("250 sender ok", "250 user ok", "250 bob ok")
				.reply("250 queued");
			quits(server);
			try (SmtpClient client = clientFor(server).chunking(true).timeout(SHORT).build()) {
				assertThat(client.send(TWO_WITH_DSN, message(1)).isFullyAccepted()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<" + FROM + "> RET=HDRS",
					"RCPT TO:<" + TO + "> NOTIFY=FAILURE,DELAY", "RCPT TO:<" + BOB + "> NOTIFY=FAILURE,DELAY",
					"BDAT " + message(1).length + " LAST", "QUIT");
			assertThat(server.bdatChunks()).extracting(SmtpClientTestSupport::text).containsExactly(text(message(1)));
			server.assertNoFailures();
		}
	}

	@Test
	void aServerWithoutDsnGetsTheMessageWithoutTheParametersPipelined() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_PIPELINING)
				.read()
				.read()
				.read()
				.replies("250 sender ok", "250 user ok", "250 bob ok", "354 go ahead")
				.reply("250 queued");
			quits(server);
			try (SmtpClient client = clientFor(server).timeout(SHORT).build()) {
				SendResult result = client.send(TWO_WITH_DSN, message(1));

				assertThat(result.isFullyAccepted()).isTrue();
				assertThat(result.finalReply()).isEqualTo(new SmtpReply(250, "queued"));
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<" + FROM + ">",
					"RCPT TO:<" + TO + ">", "RCPT TO:<" + BOB + ">", "DATA", "QUIT");
			assertThat(texts(server.messages())).containsExactly(received(1));
			server.assertNoFailures();
		}
	}

	@Test
	void aServerWithoutDsnGetsTheMessageWithoutTheParametersOneCommandAtATime() throws Exception {
		Envelope envelope = Envelope.of(FROM, TO)
			.withMailOptions("BODY=8BITMIME")
			.withRcptOptions("ORCPT=rfc822;" + TO)
			.withDsn(FAILURE_DELAY_HEADERS);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply(EHLO_PLAIN)
				.reply("250 sender ok")
				.reply("250 user ok")
				.reply("354 go ahead")
				.reply("250 queued");
			quits(server);
			try (SmtpClient client = clientFor(server).build()) {
				assertThat(client.send(envelope, message(1)).isFullyAccepted()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			// The envelope's own options are sent as ever: only the Dsn's depend on the server.
			assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<" + FROM + "> BODY=8BITMIME",
					"RCPT TO:<" + TO + "> ORCPT=rfc822;" + TO, "DATA", "QUIT");
			assertThat(texts(server.messages())).containsExactly(received(1));
			server.assertNoFailures();
		}
	}

	@Test
	void aServerThatAnswersOnlyHeloGetsTheMessageWithoutTheParameters() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet(GREETING)
				.reply("502 5.5.1 EHLO not implemented")
				.reply("250 fake.test")
				.reply("250 sender ok")
				.reply("250 user ok")
				.reply("354 go ahead")
				.reply("250 queued");
			quits(server);
			try (SmtpClient client = clientFor(server).build()) {
				assertThat(client.send(Envelope.of(FROM, TO).withDsn(FAILURE_DELAY_HEADERS), message(1))
					.isFullyAccepted()).isTrue();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "HELO client.test",
					"MAIL FROM:<" + FROM + ">", "RCPT TO:<" + TO + ">", "DATA", "QUIT");
			server.assertNoFailures();
		}
	}

}
