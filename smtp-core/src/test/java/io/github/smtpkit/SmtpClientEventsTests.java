package io.github.smtpkit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpClientTestSupport.RecordingListener;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.FROM;
import static io.github.smtpkit.SmtpClientTestSupport.TO;
import static io.github.smtpkit.SmtpClientTestSupport.WAIT;
import static io.github.smtpkit.SmtpClientTestSupport.accepts;
import static io.github.smtpkit.SmtpClientTestSupport.clientFor;
import static io.github.smtpkit.SmtpClientTestSupport.message;
import static io.github.smtpkit.SmtpClientTestSupport.opens;
import static io.github.smtpkit.SmtpClientTestSupport.quits;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool and send events of {@link SmtpClient}: session created, borrowed (with the wait),
 * returned and destroyed (with the reason), and one {@code sendFinished} per send with its
 * outcome, recipient count, size, attempts and duration, in the order they happen.
 */
@Timeout(30)
class SmtpClientEventsTests {

	private static final String OTHER = "other@example.test";

	@Test
	void simpleSendReportsEachPoolStepAndOneSendFinished() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			opens(server).reply("250 2.1.0 sender ok")
				.reply("250 2.1.5 recipient ok")
				.reply("250 2.1.5 recipient ok")
				.reply("354 go ahead")
				.reply("250 2.0.0 queued");
			quits(server);
			try (SmtpClient client = clientFor(server).eventListener(events).build()) {
				client.send(Envelope.of(FROM, TO, OTHER), message(1));
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
		// A send is finished as soon as its outcome is known, before its session goes back.
		assertThat(events.poolEvents()).containsExactly("sessionCreated", "sessionBorrowed",
				"sendFinished: ACCEPTED attempts=1", "sessionReturned", "sessionDestroyed: pool closed");
		List<String> all = events.events();
		assertThat(all.indexOf("connectEnd")).isLessThan(all.indexOf("sessionCreated"));
		assertThat(all.indexOf("commandSent: MAIL")).isGreaterThan(all.indexOf("sessionBorrowed"))
			.isLessThan(all.indexOf("sessionReturned"));
		assertThat(all.indexOf("commandSent: QUIT")).isGreaterThan(all.indexOf("sendFinished: ACCEPTED attempts=1"));
		assertThat(events.borrowWaits()).singleElement()
			.satisfies((waited) -> assertThat(waited).isGreaterThanOrEqualTo(Duration.ZERO).isLessThan(WAIT));
		assertThat(events.sends()).singleElement().satisfies((send) -> {
			assertThat(send.outcome()).isEqualTo(SendOutcome.ACCEPTED);
			assertThat(send.recipients()).isEqualTo(2);
			assertThat(send.messageSize()).isEqualTo(message(1).length);
			assertThat(send.attempts()).isEqualTo(1);
			assertThat(send.duration()).isPositive().isLessThan(WAIT);
		});
	}

	@Test
	void secondSendBorrowsTheIdleSessionWithoutCreatingOne() throws Exception {
		RecordingListener events = new RecordingListener();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(opens(server))));
			try (SmtpClient client = clientFor(server).eventListener(events).build()) {
				client.send(ENVELOPE, message(1));
				client.send(ENVELOPE, message(2));
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
		assertThat(events.poolEvents()).containsExactly("sessionCreated", "sessionBorrowed",
				"sendFinished: ACCEPTED attempts=1", "sessionReturned", "sessionBorrowed",
				"sendFinished: ACCEPTED attempts=1", "sessionReturned", "sessionDestroyed: pool closed");
		assertThat(events.count("connectStart")).isEqualTo(1);
	}

	@Test
	void partlyRefusedRecipientsArePartiallyAcceptedWithTheirReplies() throws Exception {
		RecordingListener events = new RecordingListener();
		SendResult result;
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			opens(server).reply("250 2.1.0 sender ok")
				.reply("550 5.1.1 no such user")
				.reply("250 2.1.5 recipient ok")
				.reply("354 go ahead")
				.reply("250 2.0.0 queued as 42");
			quits(server);
			try (SmtpClient client = clientFor(server).eventListener(events).build()) {
				result = client.send(Envelope.of(FROM, OTHER, TO), message(1));
				assertThat(client.poolStats().idle()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
		assertThat(result.isFullyAccepted()).isFalse();
		assertThat(result.accepted()).containsExactly(TO);
		assertThat(result.refused()).containsOnlyKeys(OTHER);
		assertThat(result.refused().get(OTHER)).isEqualTo(new SmtpReply(550, "5.1.1 no such user"));
		assertThat(result.finalReply()).isEqualTo(new SmtpReply(250, "2.0.0 queued as 42"));
		assertThat(result.recipientReplies()).containsOnlyKeys(TO);
		assertThat(events.sends()).singleElement().satisfies((send) -> {
			assertThat(send.outcome()).isEqualTo(SendOutcome.PARTIALLY_ACCEPTED);
			assertThat(send.recipients()).isEqualTo(2);
		});
	}

	@Test
	void poolAndSendEventsCarryNeitherAddressesNorContent() throws Exception {
		List<String> arguments = new CopyOnWriteArrayList<>();
		SmtpEventListener poolAndSendOnly = new SmtpEventListener() {

			@Override
			public void sessionCreated(SmtpEndpoint endpoint, Duration duration) {
				arguments.addAll(List.of(endpoint.toString(), duration.toString()));
			}

			@Override
			public void sessionBorrowed(SmtpEndpoint endpoint, Duration waited) {
				arguments.addAll(List.of(endpoint.toString(), waited.toString()));
			}

			@Override
			public void sessionReturned(SmtpEndpoint endpoint) {
				arguments.add(endpoint.toString());
			}

			@Override
			public void sessionDestroyed(SmtpEndpoint endpoint, String reason) {
				arguments.addAll(List.of(endpoint.toString(), reason));
			}

			@Override
			public void sendFinished(SmtpEndpoint endpoint, SendOutcome outcome, int recipients, long messageSize,
					int attempts, Duration duration) {
				arguments.addAll(List.of(endpoint.toString(), outcome.toString(), String.valueOf(recipients),
						String.valueOf(messageSize), String.valueOf(attempts), duration.toString()));
			}

		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(opens(server)));
			try (SmtpClient client = clientFor(server).eventListener(poolAndSendOnly).build()) {
				client.send(ENVELOPE, message(1));
			}
			server.awaitScriptDone(WAIT);
			assertThat(arguments).contains(server.host() + ":" + server.port(), "ACCEPTED", "pool closed");
		}
		assertThat(String.join("\n", arguments)).doesNotContain(FROM, TO, "Hello 1", "Subject");
	}

	@Test
	void listenerThatThrowsNeverBreaksASend() throws Exception {
		SmtpEventListener throwing = new SmtpEventListener() {

			@Override
			public void sessionCreated(SmtpEndpoint endpoint, Duration duration) {
				throw new IllegalStateException("listener failure on sessionCreated");
			}

			@Override
			public void sessionBorrowed(SmtpEndpoint endpoint, Duration waited) {
				throw new IllegalStateException("listener failure on sessionBorrowed");
			}

			@Override
			public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
				throw new IllegalStateException("listener failure on commandSent");
			}

			@Override
			public void sessionReturned(SmtpEndpoint endpoint) {
				throw new IllegalStateException("listener failure on sessionReturned");
			}

			@Override
			public void sendFinished(SmtpEndpoint endpoint, SendOutcome outcome, int recipients, long messageSize,
					int attempts, Duration duration) {
				throw new IllegalStateException("listener failure on sendFinished");
			}

		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			quits(accepts(accepts(opens(server))));
			try (SmtpClient client = clientFor(server).eventListener(throwing).build()) {
				assertThat(client.send(ENVELOPE, message(1)).accepted()).containsExactly(TO);
				assertThat(client.send(ENVELOPE, message(2)).accepted()).containsExactly(TO);
				assertThat(client.poolStats().created()).isEqualTo(1);
				assertThat(client.poolStats().idle()).isEqualTo(1);
			}
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
			assertThat(server.messages()).hasSize(2);
		}
	}

}
