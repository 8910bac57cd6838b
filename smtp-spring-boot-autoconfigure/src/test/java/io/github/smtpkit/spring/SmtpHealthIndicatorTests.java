package io.github.smtpkit.spring;

import java.time.Duration;

import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.TlsMode;
import io.github.smtpkit.spring.health.SmtpHealthIndicator;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * The health check never holds the caller longer than its timeout, even when the server accepts
 * the connection and then says nothing, and a hanging check is not started twice.
 */
class SmtpHealthIndicatorTests {

	private static final Duration HEALTH_TIMEOUT = Duration.ofMillis(500);

	@Test
	void aServerThatNeverAnswersIsDownWithinTheTimeoutAndIsCheckedOnceAtATime() throws Exception {
		try (FakeSmtpServer silent = FakeSmtpServer.silent();
				SmtpClient client = SmtpClient.builder()
					.host("127.0.0.1")
					.port(silent.port())
					.tls(TlsMode.NONE)
					.timeout(Duration.ofSeconds(10))
					.build()) {
			SmtpHealthIndicator indicator = new SmtpHealthIndicator("default", client, HEALTH_TIMEOUT);

			for (int probe = 0; probe < 2; probe++) {
				long started = System.nanoTime();
				Health health = indicator.health();
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(HEALTH_TIMEOUT.multipliedBy(4));
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat(health.getDetails()).containsEntry("error", "No reply to NOOP within " + HEALTH_TIMEOUT)
					.containsEntry("port", silent.port());
			}
			// The second probe waited for the first check, still hanging, instead of connecting again.
			await().atMost(Duration.ofSeconds(5)).until(() -> silent.connections() == 1);
			assertThat(silent.connections()).isEqualTo(1);
		}
	}

	@Test
	void theTimeoutMustBePositive() {
		try (SmtpClient client = SmtpClient.builder().host("127.0.0.1").build()) {
			assertThatIllegalArgumentException().isThrownBy(() -> new SmtpHealthIndicator("default", client, Duration.ZERO));
		}
	}

}
