package io.github.smtpkit.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.smtpkit.Envelope;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpBackoffException;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpConnectException;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.TlsMode;
import io.github.smtpkit.pool.PoolConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Back-off against a real "not now": the rig's Postfix on {@value InteropRig#RATE_LIMITED_PORT}
 * takes three connections at once from one address and greets a fourth with
 * {@code 421 4.7.0 ... too many connections}. With three held open, the client's connection is
 * refused at the greeting, the client backs off (a send meanwhile that may not wait that long fails
 * at once, opening no connection), and once a slot is free and the interval is over it delivers.
 */
class BackoffInteropTests {

	private static final String SENDER = "alice@example.test";

	private static final String RECIPIENT = "postmaster@example.test";

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	@Test
	void aFourthConnectionIsRefusedAtTheGreetingSoTheClientBacksOffThenDeliversOnceASlotIsFree() throws Exception {
		AtomicInteger connects = new AtomicInteger();
		SmtpEventListener connections = new SmtpEventListener() {

			@Override
			public void connectStart(SmtpEndpoint endpoint) {
				connects.incrementAndGet();
			}

		};
		String deliveredId = InteropRig.messageId("backoff-delivered");
		List<Socket> held = holdConnections(3);
		try (SmtpClient client = SmtpClient.builder()
			.host(InteropRig.HOST)
			.port(InteropRig.RATE_LIMITED_PORT)
			.tls(TlsMode.NONE)
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.backoff(Duration.ofMillis(400), Duration.ofSeconds(2))
			// Shorter than the back-off: a send meanwhile fails at once instead of waiting it out.
			.pool(PoolConfig.builder().maxWait(Duration.ofMillis(100)).build())
			.eventListener(connections)
			.build()) {
			Throwable refused = catchThrowable(() -> client.send(Envelope.of(SENDER, RECIPIENT),
					InteropRig.message(SENDER, RECIPIENT, InteropRig.messageId("backoff-refused"), "refused")));
			assertThat(refused).isInstanceOfSatisfying(SmtpConnectException.class,
					(ex) -> assertThat(ex.smtpCode()).isEqualTo(421));
			assertThat(client.backoffUntil()).isPresent();

			int connectsSoFar = connects.get();
			Throwable meanwhile = catchThrowable(() -> client.send(Envelope.of(SENDER, RECIPIENT),
					InteropRig.message(SENDER, RECIPIENT, InteropRig.messageId("backoff-meanwhile"), "meanwhile")));
			assertThat(meanwhile).isInstanceOf(SmtpBackoffException.class);
			assertThat(connects.get()).as("no connection opened while backing off").isEqualTo(connectsSoFar);

			release(held);
			// Postfix counts a connection until its smtpd has seen it close, and the interval is drawn
			// at random: send until it goes, which is safe since each refusal here sent nothing.
			byte[] message = InteropRig.message(SENDER, RECIPIENT, deliveredId, "delivered");
			SendResult delivered = await().atMost(Duration.ofSeconds(15))
				.pollInterval(Duration.ofMillis(100))
				.ignoreExceptionsMatching((ex) -> ex instanceof SmtpBackoffException
						|| ex instanceof SmtpConnectException connect && connect.smtpCode() == 421)
				.until(() -> client.send(Envelope.of(SENDER, RECIPIENT), message), (result) -> true);
			assertThat(delivered.finalReply().code()).isEqualTo(250);
			assertThat(client.backoffUntil()).as("a connection opened: the back-off starts over").isEmpty();
		}
		finally {
			release(held);
		}
		InteropRig.maildir("postmaster").awaitMessage(deliveredId);
		assertThat(InteropRig.maildir("postmaster").withMessageId(deliveredId)).as("delivered once").hasSize(1);
	}

	/** Opens connections and reads each greeting, so that Postfix counts them. */
	private static List<Socket> holdConnections(int count) throws IOException {
		List<Socket> sockets = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			Socket socket = new Socket();
			sockets.add(socket);
			socket.setSoTimeout((int) InteropRig.TIMEOUT.toMillis());
			socket.connect(new InetSocketAddress(InteropRig.HOST, InteropRig.RATE_LIMITED_PORT), 10_000);
			String greeting = new BufferedReader(new InputStreamReader(socket.getInputStream(),
					StandardCharsets.US_ASCII)).readLine();
			assertThat(greeting).as("connection %d of %d", i + 1, count).startsWith("220");
		}
		return sockets;
	}

	private static void release(List<Socket> sockets) throws IOException {
		for (Socket socket : sockets) {
			socket.close();
		}
	}

}
