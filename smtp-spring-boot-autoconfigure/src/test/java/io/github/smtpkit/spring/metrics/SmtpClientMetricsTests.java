package io.github.smtpkit.spring.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpSendRejectedException.Reason;

import static org.assertj.core.api.Assertions.assertThat;

/** The meters {@link SmtpClientMetrics} records from events that the {@code mail.send} observation does not cover. */
class SmtpClientMetricsTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@Test
	void messagesSendAsyncRefusedAreCountedByServerAndReason() {
		SmtpEndpoint endpoint = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 25);
		SmtpEventListener bulk = new SmtpClientMetrics(this.registry).create("bulk");

		bulk.asyncSendRejected(endpoint, Reason.QUEUE_FULL);
		bulk.asyncSendRejected(endpoint, Reason.QUEUE_FULL);
		bulk.asyncSendRejected(endpoint, Reason.CLIENT_CLOSED);

		assertThat(count("bulk", "queue_full")).isEqualTo(2);
		assertThat(count("bulk", "client_closed")).isEqualTo(1);
		assertThat(this.registry.find(SmtpClientMetrics.ASYNC_REJECTED).tag("reason", "executor_rejected").counter())
			.isNull();
	}

	@Test
	void backoffsAreCountedAndTheirWaitsTimedByServerOnceTheyHappen() {
		SmtpEndpoint endpoint = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 25);
		SmtpEventListener outbound = new SmtpClientMetrics(this.registry).create("outbound");
		assertThat(this.registry.find(SmtpClientMetrics.BACKOFF_STARTED).meters()).isEmpty();
		Instant until = Instant.parse("2025-01-01T00:00:05Z");

		outbound.backoffStarted(endpoint, until);
		outbound.backoffStarted(endpoint, until);
		outbound.backoffWaited(endpoint, Duration.ofMillis(1500));
		outbound.backoffRefused(endpoint, until);

		assertThat(this.registry.get(SmtpClientMetrics.BACKOFF_STARTED).tag(SmtpClientMetrics.SERVER_TAG, "outbound")
			.counter()
			.count()).isEqualTo(2);
		Timer waits = this.registry.get(SmtpClientMetrics.BACKOFF_WAITS).tag(SmtpClientMetrics.SERVER_TAG, "outbound").timer();
		assertThat(waits.count()).isEqualTo(1);
		assertThat(waits.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(1500);
		assertThat(this.registry.get(SmtpClientMetrics.BACKOFF_REFUSED).counter().count()).isEqualTo(1);
	}

	private double count(String server, String reason) {
		return this.registry.get(SmtpClientMetrics.ASYNC_REJECTED)
			.tag(SmtpClientMetrics.SERVER_TAG, server)
			.tag("reason", reason)
			.counter()
			.count();
	}

}
