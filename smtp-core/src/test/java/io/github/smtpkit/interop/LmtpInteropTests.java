package io.github.smtpkit.interop;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.smtpkit.BatchResult;
import io.github.smtpkit.Envelope;
import io.github.smtpkit.OutgoingMessage;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpDataException;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpSession;
import io.github.smtpkit.pool.PoolConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * LMTP straight to Dovecot, over TCP and over its unix socket. {@code full@example.test} has a
 * 1-byte quota: Dovecot accepts it at RCPT and refuses it after the data with 552 5.2.2, so one
 * message gets one reply per recipient, and a client that read only the first (as smtplib does)
 * would take the others for the answers to its next commands. Delivery over LMTP is synchronous:
 * a 250 after the data means the message is in the maildir.
 */
class LmtpInteropTests {

	/** Dovecot's answer to NOOP; a left-over per-recipient reply would say "... Saved" instead. */
	private static final SmtpReply NOOP_OK = new SmtpReply(250, "2.0.0 OK");

	enum Transport {

		TCP, UNIX_SOCKET

	}

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	@ParameterizedTest(name = "{0}, pipelining {1}, chunking {2}")
	@CsvSource({ "TCP, false, false", "UNIX_SOCKET, false, false", "TCP, true, false", "UNIX_SOCKET, true, true",
			"TCP, true, true" })
	void threeRecipientsWithFullAmongThemGetTheirOwnRepliesAndTheNextCommandsTheirs(Transport transport,
			boolean pipelining, boolean chunking) throws Exception {
		String first = InteropRig.messageId("lmtp-three");
		String second = InteropRig.messageId("lmtp-next");
		try (SmtpSession lmtp = lmtp(transport, pipelining, chunking)) {
			Map<String, SmtpReply> refused = lmtp.sendmail("postmaster@example.test",
					List.of("alice@example.test", "full@example.test", "bob@example.test"),
					InteropRig.message("postmaster@example.test", "alice@example.test", first, "three recipients"));
			assertThat(refused).containsOnlyKeys("full@example.test");
			assertThat(refused.get("full@example.test").code()).isEqualTo(552);
			assertThat(refused.get("full@example.test").message()).startsWith("5.2.2 <full@example.test>");
			Map<String, SmtpReply> replies = lmtp.dataReplies();
			assertThat(replies.keySet()).containsExactly("alice@example.test", "full@example.test", "bob@example.test");
			assertThat(replies.get("alice@example.test").code()).isEqualTo(250);
			assertThat(replies.get("alice@example.test").message()).startsWith("2.0.0 <alice@example.test>")
				.endsWith("Saved");
			assertThat(replies.get("full@example.test").code()).isEqualTo(552);
			assertThat(replies.get("bob@example.test").code()).isEqualTo(250);
			assertThat(replies.get("bob@example.test").message()).startsWith("2.0.0 <bob@example.test>");

			// Nothing left unread: NOOP gets NOOP's reply, and the next transaction its own.
			assertThat(lmtp.noop()).isEqualTo(NOOP_OK);
			assertThat(lmtp.sendmail("postmaster@example.test", List.of("bob@example.test"),
					InteropRig.message("postmaster@example.test", "bob@example.test", second, "the next one")))
				.isEmpty();
			assertThat(lmtp.dataReplies()).containsOnlyKeys("bob@example.test");
			assertThat(lmtp.noop()).isEqualTo(NOOP_OK);
		}
		InteropRig.maildir("alice").awaitMessage(first);
		InteropRig.maildir("bob").awaitMessage(first);
		InteropRig.maildir("bob").awaitMessage(second);
		assertThat(InteropRig.maildir("full").withMessageId(first)).isEmpty();
	}

	@ParameterizedTest
	@EnumSource(Transport.class)
	void whenEveryRecipientIsRefusedAfterTheDataItIsADataErrorWithEachReplyAndTheSessionGoesOn(Transport transport)
			throws Exception {
		String refusedId = InteropRig.messageId("lmtp-full-only");
		String nextId = InteropRig.messageId("lmtp-after-full");
		try (SmtpSession lmtp = lmtp(transport, false, false)) {
			assertThatExceptionOfType(SmtpDataException.class)
				.isThrownBy(() -> lmtp.sendmail("postmaster@example.test", List.of("full@example.test"),
						InteropRig.message("postmaster@example.test", "full@example.test", refusedId, "quota")))
				.satisfies((ex) -> assertThat(ex.smtpCode()).isEqualTo(552))
				.satisfies((ex) -> assertThat(ex.recipientReplies()).containsOnlyKeys("full@example.test"));
			assertThat(lmtp.noop()).isEqualTo(NOOP_OK);
			assertThat(lmtp.sendmail("postmaster@example.test", List.of("alice@example.test"),
					InteropRig.message("postmaster@example.test", "alice@example.test", nextId, "after the refusal")))
				.isEmpty();
		}
		InteropRig.maildir("alice").awaitMessage(nextId);
		assertThat(InteropRig.maildir("full").withMessageId(refusedId)).isEmpty();
	}

	@Test
	void anUnknownRecipientIsRefusedAtRcptAndTheOthersGetTheMessage() throws Exception {
		String messageId = InteropRig.messageId("lmtp-unknown");
		String unknown = InteropRig.uniqueId("nobody") + "@example.test";
		try (SmtpSession lmtp = lmtp(Transport.TCP, false, false)) {
			Map<String, SmtpReply> refused = lmtp.sendmail("postmaster@example.test",
					List.of(unknown, "alice@example.test"),
					InteropRig.message("postmaster@example.test", "alice@example.test", messageId, "unknown at RCPT"));
			assertThat(refused).containsOnlyKeys(unknown);
			assertThat(refused.get(unknown).code()).isEqualTo(550);
			assertThat(lmtp.dataReplies()).containsOnlyKeys("alice@example.test");
			assertThat(lmtp.noop()).isEqualTo(NOOP_OK);
		}
		InteropRig.maildir("alice").awaitMessage(messageId);
	}

	@Test
	void smtpClientOverTheUnixSocketReportsPerRecipientResultsAndReusesTheSession() throws Exception {
		String first = InteropRig.messageId("lmtp-client-1");
		String second = InteropRig.messageId("lmtp-client-2");
		try (SmtpClient client = SmtpClient.builder()
			.protocol(SmtpProtocol.LMTP)
			.unixSocket(InteropRig.lmtpSocket())
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.pool(PoolConfig.builder().maxTotal(1).maxWait(Duration.ofSeconds(30)).build())
			.build()) {
			SendResult result = client.send(
					Envelope.of("postmaster@example.test", "alice@example.test", "full@example.test", "bob@example.test"),
					InteropRig.message("postmaster@example.test", "alice@example.test", first, "client, three"));
			assertThat(result.accepted()).containsExactly("alice@example.test", "bob@example.test");
			assertThat(result.refused()).containsOnlyKeys("full@example.test");
			assertThat(result.refused().get("full@example.test").code()).isEqualTo(552);
			assertThat(result.recipientReplies()).containsOnlyKeys("alice@example.test", "full@example.test",
					"bob@example.test");
			assertThat(result.isFullyAccepted()).isFalse();

			SendResult next = client.send(Envelope.of("postmaster@example.test", "bob@example.test"),
					InteropRig.message("postmaster@example.test", "bob@example.test", second, "client, next"));
			assertThat(next.isFullyAccepted()).isTrue();
			assertThat(next.finalReply().message()).startsWith("2.0.0 <bob@example.test>");
			assertThat(client.poolStats().created()).as("one session served both").isEqualTo(1);
		}
		InteropRig.maildir("alice").awaitMessage(first);
		InteropRig.maildir("bob").awaitMessage(first);
		InteropRig.maildir("bob").awaitMessage(second);
	}

	@Test
	void smtpClientBatchOverTheUnixSocketGetsEachMessagesPerRecipientRepliesInOrder() throws Exception {
		String first = InteropRig.messageId("lmtp-batch-1");
		String second = InteropRig.messageId("lmtp-batch-2");
		String third = InteropRig.messageId("lmtp-batch-3");
		List<OutgoingMessage> batch = List.of(
				OutgoingMessage.of(Envelope.of("postmaster@example.test", "alice@example.test", "full@example.test"),
						InteropRig.message("postmaster@example.test", "alice@example.test", first, "batch, two")),
				OutgoingMessage.of(Envelope.of("postmaster@example.test", "full@example.test"),
						InteropRig.message("postmaster@example.test", "full@example.test", second, "batch, full")),
				OutgoingMessage.of(Envelope.of("postmaster@example.test", "bob@example.test"),
						InteropRig.message("postmaster@example.test", "bob@example.test", third, "batch, bob")));
		try (SmtpClient client = SmtpClient.builder()
			.protocol(SmtpProtocol.LMTP)
			.unixSocket(InteropRig.lmtpSocket())
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.build()) {
			List<BatchResult> results = client.sendAll(batch);

			SendResult result = results.get(0).get();
			assertThat(result.accepted()).containsExactly("alice@example.test");
			assertThat(result.refused()).containsOnlyKeys("full@example.test");
			assertThat(result.refused().get("full@example.test").code()).isEqualTo(552);
			assertThat(results.get(1).failure()).isInstanceOfSatisfying(SmtpDataException.class,
					(ex) -> assertThat(ex.recipientReplies()).containsOnlyKeys("full@example.test"));
			assertThat(results.get(2).get().accepted()).containsExactly("bob@example.test");
			assertThat(client.poolStats().created()).as("one session served the batch").isEqualTo(1);
		}
		InteropRig.maildir("alice").awaitMessage(first);
		InteropRig.maildir("bob").awaitMessage(third);
		assertThat(InteropRig.maildir("full").withMessageId(second)).isEmpty();
	}

	private static SmtpSession lmtp(Transport transport, boolean pipelining, boolean chunking) throws IOException {
		SmtpSession.Builder builder = SmtpSession.lmtp()
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.pipelining(pipelining)
			.chunking(chunking);
		if (transport == Transport.UNIX_SOCKET) {
			builder.unixSocket(InteropRig.lmtpSocket());
		}
		else {
			builder.host(InteropRig.HOST).port(InteropRig.LMTP_PORT);
		}
		SmtpSession session = builder.connect();
		assertThat(session.endpoint().isUnixSocket()).isEqualTo(transport == Transport.UNIX_SOCKET);
		return session;
	}

}
