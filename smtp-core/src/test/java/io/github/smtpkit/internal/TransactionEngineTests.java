package io.github.smtpkit.internal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.Envelope;
import io.github.smtpkit.EsmtpFeatures;
import io.github.smtpkit.MessageSource;
import io.github.smtpkit.OutgoingMessage;
import io.github.smtpkit.SmtpDataException;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpRecipientsRefusedException;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.entry;

/**
 * The transaction engine on its own, over a real wire to the scripted server and with the EHLO
 * state given rather than said: pipelined groups, LMTP outcomes, BDAT and the pipelined batch.
 * The server's scripts read a whole group before answering, so a test passes only when the engine
 * really sent the group in one go.
 */
@Timeout(20)
class TransactionEngineTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private static final String MESSAGE = "Subject: engine\r\n\r\nHello.\r\n";

	private static final String FROM = "from@example.test";

	private static final String ANN = "ann@example.test";

	private static final String BOB = "bob@example.test";

	private final List<String> disconnects = new ArrayList<>();

	private SmtpWire wire;

	@Test
	void aPipelinedGroupGoesInOneWriteAndItsRefusalsComeBackInOrder() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").read().read().read().read()
				.send("250 sender ok").send("250 ann ok").send("550 no bob here").send("354 go ahead")
				.reply("250 queued");
			TransactionEngine engine = engine(server, SmtpProtocol.SMTP, "fake.test\nPIPELINING", true, false);
			Map<String, SmtpReply> refused = engine.sendmail(FROM, List.of(ANN, BOB), List.of(), List.of(),
					MessageSource.of(bytes(MESSAGE)), null);
			assertThat(refused).containsExactly(entry(BOB, new SmtpReply(550, "no bob here")));
			assertThat(engine.lastDataReply()).isEqualTo(new SmtpReply(250, "queued"));
			assertThat(engine.dataReplies()).containsOnlyKeys(ANN);
			assertThat(engine.endOfDataSent()).isTrue();
			assertThat(server.commands()).containsExactly("MAIL FROM:<" + FROM + ">", "RCPT TO:<" + ANN + ">",
					"RCPT TO:<" + BOB + ">", "DATA");
			assertThat(new String(server.messages().get(0), StandardCharsets.US_ASCII)).isEqualTo(MESSAGE + ".\r\n");
		}
	}

	@Test
	void aPipelinedGroupWhoseRecipientsAreAllRefusedEndsTheEmptyMessageAndResets() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").read().read().read()
				.send("250 sender ok").send("550 no ann here").send("354 go ahead")
				.reply("554 no valid recipients")
				.reply("250 reset");
			TransactionEngine engine = engine(server, SmtpProtocol.SMTP, "fake.test\nPIPELINING", true, false);
			Throwable thrown = catchThrowable(() -> engine.sendmail(FROM, List.of(ANN), List.of(), List.of(),
					MessageSource.of(bytes(MESSAGE)), null));
			assertThat(thrown).isInstanceOf(SmtpRecipientsRefusedException.class);
			assertThat(((SmtpRecipientsRefusedException) thrown).recipients())
				.containsExactly(entry(ANN, new SmtpReply(550, "no ann here")));
			assertThat(engine.endOfDataSent()).isFalse();
			assertThat(server.messages()).containsExactly(bytes(".\r\n"));
			assertThat(server.commands()).endsWith("RSET");
		}
	}

	@Test
	void lmtpReadsOneReplyPerAcceptedRecipientAndReportsTheRefusedOnes() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 lmtp.test")
				.reply("250 sender ok")
				.reply("250 ann ok")
				.reply("250 bob ok")
				.reply("354 go ahead")
				.replies("250 ann delivered", "452 bob over quota");
			TransactionEngine engine = engine(server, SmtpProtocol.LMTP, "lmtp.test", false, false);
			Map<String, SmtpReply> refused = engine.sendmail(FROM, List.of(ANN, BOB), List.of(), List.of(),
					MessageSource.of(bytes(MESSAGE)), null);
			assertThat(refused).containsExactly(entry(BOB, new SmtpReply(452, "bob over quota")));
			assertThat(engine.dataReplies()).containsExactly(entry(ANN, new SmtpReply(250, "ann delivered")),
					entry(BOB, new SmtpReply(452, "bob over quota")));
			assertThat(engine.lastDataReply()).isEqualTo(new SmtpReply(452, "bob over quota"));
		}
	}

	@Test
	void lmtpRefusedByEveryRecipientAfterTheDataIsADataErrorWithEachReply() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 lmtp.test")
				.reply("250 sender ok")
				.reply("250 ann ok")
				.reply("354 go ahead")
				.reply("552 ann mailbox full")
				.reply("250 reset");
			TransactionEngine engine = engine(server, SmtpProtocol.LMTP, "lmtp.test", false, false);
			Throwable thrown = catchThrowable(() -> engine.sendmail(FROM, List.of(ANN), List.of(), List.of(),
					MessageSource.of(bytes(MESSAGE)), null));
			assertThat(thrown).isInstanceOf(SmtpDataException.class);
			assertThat(((SmtpDataException) thrown).smtpCode()).isEqualTo(552);
			assertThat(server.commands()).endsWith("RSET");
		}
	}

	@Test
	void bdatSendsTheMessageAsItIsInOneLastChunk() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250 sender ok").reply("250 ann ok").reply("250 queued");
			TransactionEngine engine = engine(server, SmtpProtocol.SMTP, "fake.test\nCHUNKING", false, true);
			String dotted = "Subject: dots\r\n\r\n.leading dot\r\n";
			assertThat(engine.sendmail(FROM, List.of(ANN), List.of(), List.of(), MessageSource.of(bytes(dotted)),
					null)).isEmpty();
			assertThat(server.commands()).containsExactly("MAIL FROM:<" + FROM + ">", "RCPT TO:<" + ANN + ">",
					"BDAT " + dotted.length() + " LAST");
			assertThat(server.bdatChunks()).containsExactly(bytes(dotted));
		}
	}

	@Test
	void aPipelinedBatchSendsTheNextGroupWithTheEndOfTheMessageBefore() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			// The first message's data and the second's MAIL, RCPT and DATA are read before the
			// server answers the data: they must have gone out together.
			server.greet("220 fake.test").read().read().read()
				.send("250 sender ok").send("250 ann ok").send("354 go ahead")
				.read().read().read().read()
				.send("250 first queued").send("250 sender ok").send("250 bob ok").send("354 go ahead")
				.reply("250 second queued");
			TransactionEngine engine = engine(server, SmtpProtocol.SMTP, "fake.test\nPIPELINING", true, false);
			List<String> outcomes = new ArrayList<>();
			engine.sendEach(List.of(OutgoingMessage.of(Envelope.of(FROM, ANN), bytes(MESSAGE)),
					OutgoingMessage.of(Envelope.of(FROM, BOB), bytes(MESSAGE))), new TransactionEngine.BatchOutcomes() {

						@Override
						public void sent(int index, Map<String, SmtpReply> refused) {
							outcomes.add(index + " sent: " + engine.lastDataReply().message());
						}

						@Override
						public void failed(int index, Exception failure) {
							outcomes.add(index + " failed: " + failure);
						}

					});
			assertThat(outcomes).containsExactly("0 sent: first queued", "1 sent: second queued");
			assertThat(server.commands()).containsExactly("MAIL FROM:<" + FROM + ">", "RCPT TO:<" + ANN + ">", "DATA",
					"MAIL FROM:<" + FROM + ">", "RCPT TO:<" + BOB + ">", "DATA");
			assertThat(server.messages()).hasSize(2);
			assertThat(this.disconnects).isEmpty();
		}
	}

	/**
	 * An engine over a wire connected to the server, its greeting read, as if the session had said
	 * EHLO and got these extensions.
	 */
	private TransactionEngine engine(ScriptedSmtpServer server, SmtpProtocol protocol, String ehlo, boolean pipelining,
			boolean chunking) throws Exception {
		DebugLog debug = new DebugLog((line) -> {
		}, Clock.systemUTC(), 0);
		this.wire = new SmtpWire(debug, SmtpEventListener.NONE, TIMEOUT, () -> {
			this.disconnects.add("disconnected");
			this.wire.close();
		});
		SmtpEndpoint target = SmtpEndpoint.tcp(protocol, server.host(), server.port());
		this.wire.connectingTo(target);
		this.wire.attach(SmtpConnection.open(target, null, null, TIMEOUT, TIMEOUT));
		this.wire.readReply();
		EsmtpFeatures features = EsmtpFeatures.parse(ehlo);
		TransactionEngine.Session session = new TransactionEngine.Session() {

			@Override
			public void greetIfNeeded() {
			}

			@Override
			public boolean doesEsmtp() {
				return true;
			}

			@Override
			public EsmtpFeatures features() {
				return features;
			}

			@Override
			public List<String> mailOptionsFor(Envelope envelope) {
				return envelope.mailOptions();
			}

			@Override
			public List<String> rcptOptionsFor(Envelope envelope) {
				return envelope.rcptOptions();
			}

			@Override
			public SmtpRecipientsRefusedException notAllAccepted(Map<String, SmtpReply> refused, int total) {
				return new SmtpRecipientsRefusedException(refused);
			}

		};
		return new TransactionEngine(this.wire, session, protocol, pipelining, chunking, null);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
