package io.github.smtpkit.spring.metrics;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpSendRejectedException.Reason;

import static org.assertj.core.api.Assertions.assertThat;

/** The meters {@link SmtpClientMetrics} records from events no send covers. */
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

	private double count(String server, String reason) {
		return this.registry.get(SmtpClientMetrics.ASYNC_REJECTED)
			.tag(SmtpClientMetrics.SERVER_TAG, server)
			.tag("reason", reason)
			.counter()
			.count();
	}

}
