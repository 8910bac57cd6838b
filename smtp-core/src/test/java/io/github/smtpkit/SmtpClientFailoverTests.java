package io.github.smtpkit;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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
import static io.github.smtpkit.SmtpClientTestSupport.received;
import static io.github.smtpkit.SmtpClientTestSupport.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Failover across {@link SmtpClient.Builder#hosts(List)}: a dead host and a 421 at the greeting
 * are passed over in order, anything else is final, and the host that took the message is in the
 * result and the events.
 */
@Timeout(30)
class SmtpClientFailoverTests {

	@Test
	void aDeadHostAndAServiceNotAvailableGreetingArePassedOverForTheNextHost() throws Exception {
		List<SmtpEndpoint> finishedAt = new CopyOnWriteArrayList<>();
		SmtpEventListener listener = new SmtpEventListener() {
			@Override
			public void sendFinished(SmtpEndpoint endpoint, BatchResult result, SendOutcome outcome) {
				finishedAt.add(endpoint);
			}
		};
		int deadPort = closedPort();
		try (ScriptedSmtpServer busy = ScriptedSmtpServer.start(); ScriptedSmtpServer spare = ScriptedSmtpServer.start()) {
			busy.greet("421 4.7.0 too busy, try another").awaitClose();
			quits(accepts(opens(spare)));
			try (SmtpClient client = clientFor(busy)
				.hosts(List.of("127.0.0.1:" + deadPort, address(busy), address(spare)))
				.eventListener(listener)
				.build()) {
				assertThat(client.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "127.0.0.1", deadPort));

				SendResult result = client.send(ENVELOPE, message(1));

				SmtpEndpoint spareEndpoint = SmtpEndpoint.tcp(SmtpProtocol.SMTP, spare.host(), spare.port());
				assertThat(result.endpoint()).isEqualTo(spareEndpoint);
				assertThat(result.accepted()).containsExactly(TO);
				assertThat(finishedAt).containsExactly(spareEndpoint);
				assertThat(client.backoffUntil()).as("a host answered").isEmpty();
			}
			busy.awaitScriptDone(WAIT);
			spare.awaitScriptDone(WAIT);
			assertThat(busy.connectionCount()).isEqualTo(1);
			assertThat(texts(spare.messages())).containsExactly(received(1));
			busy.assertNoFailures();
			spare.assertNoFailures();
		}
	}

	@Test
	void whenEveryHostFailsTheLastFailureIsThrownWithTheEarlierOnesSuppressed() throws Exception {
		int deadPort = closedPort();
		try (ScriptedSmtpServer busy = ScriptedSmtpServer.start()) {
			busy.greet("421 4.7.0 too busy").awaitClose();
			try (SmtpClient client = clientFor(busy).hosts(List.of("127.0.0.1:" + deadPort, address(busy))).build()) {
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(1)));

				assertThat(thrown).isInstanceOfSatisfying(SmtpConnectException.class,
						(ex) -> assertThat(ex.smtpCode()).isEqualTo(421));
				assertThat(thrown.getSuppressed()).singleElement().isInstanceOf(ConnectException.class);
				assertThat(client.backoffUntil()).as("the last host said not now").isPresent();
			}
		}
	}

	@Test
	void aRefusalAfterTheGreetingOrAfterMailDoesNotMoveOn() throws Exception {
		try (ScriptedSmtpServer first = ScriptedSmtpServer.start(); ScriptedSmtpServer spare = ScriptedSmtpServer.start()) {
			// A permanent refusal at the greeting, then a transient one to MAIL: neither moves on.
			first.greet("554 5.7.1 not for you").awaitClose();
			quits(opens(first).reply("451 4.3.0 try again later").reply("250 2.0.0 reset"));
			try (SmtpClient client = clientFor(first).hosts(List.of(address(first), address(spare))).build()) {
				assertThat(catchThrowable(() -> client.send(ENVELOPE, message(1)))).isInstanceOf(SmtpConnectException.class);
				assertThat(catchThrowable(() -> client.send(ENVELOPE, message(2))))
					.isInstanceOfSatisfying(SmtpSenderRefusedException.class, (ex) -> {
						assertThat(ex.smtpCode()).isEqualTo(451);
						assertThat(ex.sender()).isEqualTo(FROM);
					});
			}
			first.awaitScriptDone(WAIT);
			first.assertNoFailures();
			assertThat(first.unexpectedCommands()).isEmpty();
			assertThat(spare.connectionCount()).isZero();
		}
	}

	@Test
	void aRefusalFromTheHostFailedOverToStaysThereAndIsToldWithThatHost() throws Exception {
		List<SmtpEndpoint> finishedAt = new CopyOnWriteArrayList<>();
		List<SmtpEndpoint> sizedAt = new CopyOnWriteArrayList<>();
		SmtpEventListener listener = new SmtpEventListener() {
			@Override
			public void sendFinished(SmtpEndpoint endpoint, BatchResult result, SendOutcome outcome) {
				finishedAt.add(endpoint);
			}

			@Override
			public void sendFinished(SmtpEndpoint endpoint, SendOutcome outcome, int recipients, long messageSize,
					int attempts, java.time.Duration duration) {
				sizedAt.add(endpoint);
			}
		};
		int deadPort = closedPort();
		try (ScriptedSmtpServer spare = ScriptedSmtpServer.start(); ScriptedSmtpServer third = ScriptedSmtpServer.start()) {
			// After MAIL nothing moves on, not even a 421: the message is the spare's to take or refuse.
			quits(opens(spare).reply("250 2.1.0 sender ok").reply("421 4.3.2 closing for maintenance")
				.reply("250 2.0.0 reset"));
			try (SmtpClient client = clientFor(spare)
				.hosts(List.of("127.0.0.1:" + deadPort, address(spare), address(third)))
				.eventListener(listener)
				.build()) {
				Throwable thrown = catchThrowable(() -> client.send(ENVELOPE, message(1)));

				assertThat(thrown).isInstanceOf(SmtpRecipientsRefusedException.class);
				SmtpEndpoint spareEndpoint = SmtpEndpoint.tcp(SmtpProtocol.SMTP, spare.host(), spare.port());
				assertThat(finishedAt).containsExactly(spareEndpoint);
				assertThat(sizedAt).containsExactly(spareEndpoint);
			}
			assertThat(third.connectionCount()).isZero();
			assertThat(spare.messages()).isEmpty();
		}
	}

	@Test
	void hostsMustNameAtLeastOneHostEachWithAGoodPort() {
		SmtpClient.Builder builder = SmtpClient.builder();
		assertThat(catchThrowable(() -> builder.hosts(List.of()))).isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("at least one host");
		assertThat(catchThrowable(() -> builder.hosts(List.of("a.example.test", " "))))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("blank");
		assertThat(catchThrowable(() -> builder.hosts(List.of("a.example.test:smtp"))))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("a.example.test:smtp");
	}

	private static String address(ScriptedSmtpServer server) {
		return server.host() + ":" + server.port();
	}

	/** A loopback port nothing listens on: bound, then released. */
	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
