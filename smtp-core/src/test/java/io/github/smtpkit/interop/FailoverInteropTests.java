package io.github.smtpkit.interop;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.smtpkit.BatchResult;
import io.github.smtpkit.Envelope;
import io.github.smtpkit.SendOutcome;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpResponseException;
import io.github.smtpkit.TlsMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failover against the rig's Postfix: a dead loopback port, and the listener on
 * {@value InteropRig#NOT_NOW_PORT} that greets with a real {@code 421}, are both passed over for
 * the plain listener on {@value InteropRig#PLAIN_PORT}; the message is delivered once, and the
 * result and the events name that listener.
 */
class FailoverInteropTests {

	private static final String SENDER = "alice@example.test";

	private static final String RECIPIENT = "postmaster@example.test";

	private static final SmtpEndpoint SECOND_LISTENER = SmtpEndpoint.tcp(SmtpProtocol.SMTP, InteropRig.HOST,
			InteropRig.PLAIN_PORT);

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	@Test
	void aDeadPortIsPassedOverForTheSecondListenerWhichDelivers() throws Exception {
		String id = InteropRig.messageId("failover-dead-port");
		Events events = new Events();
		int deadPort = closedPort();
		try (SmtpClient client = client(List.of(InteropRig.HOST + ":" + deadPort,
				InteropRig.HOST + ":" + InteropRig.PLAIN_PORT), events)) {
			SendResult result = client.send(Envelope.of(SENDER, RECIPIENT),
					InteropRig.message(SENDER, RECIPIENT, id, "failover past a dead port"));

			assertThat(result.endpoint()).isEqualTo(SECOND_LISTENER);
			assertThat(result.finalReply().code()).isEqualTo(250);
			assertThat(events.finishedAt).containsExactly(SECOND_LISTENER);
			assertThat(events.connectFailures).containsExactly(deadPort + " ConnectException");
			assertThat(events.greetings).singleElement()
				.satisfies((greeting) -> assertThat(greeting.code()).isEqualTo(220));
		}
		InteropRig.maildir("postmaster").awaitMessage(id);
		assertThat(InteropRig.maildir("postmaster").withMessageId(id)).as("delivered once").hasSize(1);
	}

	@Test
	void aHostThatGreetsWith421IsPassedOverForTheNextWithoutBackingOff() throws Exception {
		String id = InteropRig.messageId("failover-421");
		Events events = new Events();
		try (SmtpClient client = client(List.of(InteropRig.HOST + ":" + InteropRig.NOT_NOW_PORT,
				InteropRig.HOST + ":" + InteropRig.PLAIN_PORT), events)) {
			SendResult result = client.send(Envelope.of(SENDER, RECIPIENT),
					InteropRig.message(SENDER, RECIPIENT, id, "failover past a 421"));

			assertThat(result.endpoint()).isEqualTo(SECOND_LISTENER);
			assertThat(events.connectFailures).as("Postfix's own 421 at the greeting")
				.containsExactly(InteropRig.NOT_NOW_PORT + " 421");
			assertThat(events.finishedAt).containsExactly(SECOND_LISTENER);
			assertThat(client.backoffUntil()).as("the next host answered: nothing to back off from").isEmpty();
		}
		InteropRig.maildir("postmaster").awaitMessage(id);
		assertThat(InteropRig.maildir("postmaster").withMessageId(id)).as("delivered once").hasSize(1);
	}

	private static SmtpClient client(List<String> hosts, SmtpEventListener listener) {
		return SmtpClient.builder()
			.hosts(hosts)
			.tls(TlsMode.NONE)
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.eventListener(listener)
			.build();
	}

	/** A loopback port nothing listens on: bound, then released. */
	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(InteropRig.HOST))) {
			return socket.getLocalPort();
		}
	}

	/** The greetings, the failed connects and where each message ended. */
	private static final class Events implements SmtpEventListener {

		final List<SmtpReply> greetings = new CopyOnWriteArrayList<>();

		final List<String> connectFailures = new CopyOnWriteArrayList<>();

		final List<SmtpEndpoint> finishedAt = new CopyOnWriteArrayList<>();

		@Override
		public void connectEnd(SmtpEndpoint endpoint, SmtpReply greeting, java.time.Duration duration) {
			this.greetings.add(greeting);
		}

		@Override
		public void connectFailed(SmtpEndpoint endpoint, IOException failure, java.time.Duration duration) {
			this.connectFailures.add(endpoint.port() + " " + ((failure instanceof SmtpResponseException response)
					? String.valueOf(response.smtpCode()) : failure.getClass().getSimpleName()));
		}

		@Override
		public void sendFinished(SmtpEndpoint endpoint, BatchResult result, SendOutcome outcome) {
			this.finishedAt.add(endpoint);
		}

	}

}
