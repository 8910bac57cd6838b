package io.github.smtpkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.smtpkit.pool.PoolConfig;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool under load against a real in-process server: many threads, a small pool, and every
 * message must arrive exactly once.
 */
class SmtpClientGreenMailLoadTests {

	private static final int THREADS = 8;

	private static final int MESSAGES_PER_THREAD = 500;

	private static final int POOL_SIZE = 4;

	private GreenMail greenMail;

	@BeforeEach
	void startGreenMail() {
		this.greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
		this.greenMail.start();
	}

	@AfterEach
	void stopGreenMail() {
		this.greenMail.stop();
	}

	@Test
	void eightThreadsThroughAPoolOfFourDeliverEveryMessageExactlyOnce() throws Exception {
		ConnectionCounter connections = new ConnectionCounter();
		try (SmtpClient client = SmtpClient.builder()
			.host("127.0.0.1")
			.port(this.greenMail.getSmtp().getPort())
			.eventListener(connections)
			.pool(PoolConfig.builder().maxTotal(POOL_SIZE).maxMessagesPerConnection(10_000).build())
			.build()) {
			ExecutorService threads = Executors.newFixedThreadPool(THREADS);
			try {
				List<Future<?>> senders = new ArrayList<>();
				for (int thread = 0; thread < THREADS; thread++) {
					int t = thread;
					senders.add(threads.submit(() -> {
						for (int i = 0; i < MESSAGES_PER_THREAD; i++) {
							String id = "<" + t + "." + i + "@load.test>";
							byte[] message = ("Message-ID: " + id + "\r\nSubject: load " + t + "/" + i + "\r\n\r\nbody\r\n")
								.getBytes(StandardCharsets.US_ASCII);
							SendResult result = client.send(Envelope.of("load@example.com", "sink@example.com"), message);
							assertThat(result.isFullyAccepted()).isTrue();
						}
						return null;
					}));
				}
				for (Future<?> sender : senders) {
					sender.get(120, TimeUnit.SECONDS);
				}
			}
			finally {
				threads.shutdownNow();
			}
			assertThat(client.poolStats().created()).isLessThanOrEqualTo(POOL_SIZE);
		}
		int expected = THREADS * MESSAGES_PER_THREAD;
		assertThat(this.greenMail.waitForIncomingEmail(10_000, expected)).isTrue();
		MimeMessage[] received = this.greenMail.getReceivedMessages();
		Set<String> messageIds = new HashSet<>();
		for (MimeMessage message : received) {
			assertThat(messageIds.add(message.getMessageID())).as("duplicate %s", message.getMessageID()).isTrue();
		}
		assertThat(received).hasSize(expected);
		assertThat(connections.maxOpen()).isBetween(1, POOL_SIZE);
		assertThat(connections.open()).isZero();
	}

	/** Counts connections open at once, from the sessions' own events. */
	static final class ConnectionCounter implements SmtpEventListener {

		private final AtomicInteger open = new AtomicInteger();

		private final AtomicInteger maxOpen = new AtomicInteger();

		@Override
		public void connectEnd(SmtpEndpoint endpoint, SmtpReply greeting, Duration duration) {
			this.maxOpen.accumulateAndGet(this.open.incrementAndGet(), Math::max);
		}

		@Override
		public void connectionClosed(SmtpEndpoint endpoint) {
			this.open.decrementAndGet();
		}

		int open() {
			return this.open.get();
		}

		int maxOpen() {
			return this.maxOpen.get();
		}

	}

}
