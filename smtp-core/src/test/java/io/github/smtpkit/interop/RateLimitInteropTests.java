package io.github.smtpkit.interop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.smtpkit.BatchResult;
import io.github.smtpkit.Envelope;
import io.github.smtpkit.OutgoingMessage;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpRateLimitedException;
import io.github.smtpkit.TlsMode;
import io.github.smtpkit.pool.PoolConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client's own rate limit against the rig's rate-limited Postfix on
 * {@value InteropRig#RATE_LIMITED_PORT} (20 messages per 10 s per address, then 450): a client
 * limited to 10 per minute sends a batch of 12; the first 10 are delivered, the last 2 fail with
 * {@link SmtpRateLimitedException} and nothing of them reaches Postfix, which never had to say
 * "too much mail".
 */
class RateLimitInteropTests {

	private static final String SENDER = "alice@example.test";

	private static final String RECIPIENT = "postmaster@example.test";

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	@Test
	void aBatchOverTheLimitDeliversUpToItAndRefusesTheRestUnsent() throws Exception {
		List<String> ids = new ArrayList<>();
		List<OutgoingMessage> batch = new ArrayList<>();
		for (int i = 1; i <= 12; i++) {
			String id = InteropRig.messageId("rate-limit-" + i);
			ids.add(id);
			batch.add(OutgoingMessage.of(Envelope.of(SENDER, RECIPIENT),
					InteropRig.message(SENDER, RECIPIENT, id, "rate limit " + i)));
		}
		List<BatchResult> results;
		try (SmtpClient client = SmtpClient.builder()
			.host(InteropRig.HOST)
			.port(InteropRig.RATE_LIMITED_PORT)
			.tls(TlsMode.NONE)
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.rateLimit(10, Duration.ofMinutes(1))
			.pool(PoolConfig.builder().maxWait(Duration.ofMillis(500)).build())
			.build()) {
			results = client.sendAll(batch);
		}

		assertThat(results.subList(0, 10)).allSatisfy((result) -> assertThat(result.isSent()).isTrue());
		assertThat(results.subList(10, 12)).allSatisfy((result) -> assertThat(result.failure())
			.isInstanceOfSatisfying(SmtpRateLimitedException.class,
					(ex) -> assertThat(ex.retryAfter()).isPositive()));
		for (String id : ids.subList(0, 10)) {
			InteropRig.maildir("postmaster").awaitMessage(id);
		}
		for (String id : ids.subList(10, 12)) {
			assertThat(InteropRig.maildir("postmaster").withMessageId(id)).as(id).isEmpty();
		}
	}

}
