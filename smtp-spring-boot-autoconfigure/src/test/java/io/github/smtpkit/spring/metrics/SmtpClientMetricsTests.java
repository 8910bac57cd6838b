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
import io.github.smtpkit.SmtpReply;
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

	@Test
	void everyReplyIsTimedByVerbAndClassThoughTheTimersAreKeptAtHand() {
		SmtpEndpoint endpoint = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 25);
		SmtpEventListener outbound = new SmtpClientMetrics(this.registry).create("outbound");
		SmtpReply ok = new SmtpReply(250, "OK");

		outbound.replyReceived(endpoint, "MAIL", ok, Duration.ofMillis(2));
		outbound.replyReceived(endpoint, "MAIL", ok, Duration.ofMillis(3));
		outbound.replyReceived(endpoint, "MAIL", new SmtpReply(451, "Try later"), Duration.ofMillis(4));
		outbound.replyReceived(endpoint, "RCPT", ok, Duration.ofMillis(5));
		outbound.replyReceived(endpoint, "MAIL", new SmtpReply(SmtpReply.MALFORMED_CODE, "?"), Duration.ofMillis(6));

		assertThat(commands("MAIL", "2xx").count()).isEqualTo(2);
		assertThat(commands("MAIL", "2xx").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(5);
		assertThat(commands("MAIL", "4xx").count()).isEqualTo(1);
		assertThat(commands("MAIL", "malformed").count()).isEqualTo(1);
		assertThat(commands("RCPT", "2xx").count()).isEqualTo(1);
		assertThat(this.registry.find(SmtpClientMetrics.COMMANDS).tag("command", "RCPT").timers()).hasSize(1);
	}

	@Test
	void verbsPastTheKeptOnesAreStillTimed() {
		SmtpEndpoint endpoint = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 25);
		SmtpEventListener outbound = new SmtpClientMetrics(this.registry).create("outbound");
		SmtpReply ok = new SmtpReply(250, "OK");
		int verbs = SmtpClientMetrics.MAX_CACHED_VERBS + 5;

		for (int round = 0; round < 2; round++) {
			for (int i = 0; i < verbs; i++) {
				outbound.replyReceived(endpoint, "XVERB" + i, ok, Duration.ofMillis(1));
			}
		}

		assertThat(this.registry.find(SmtpClientMetrics.COMMANDS).timers()).hasSize(verbs);
		for (int i = 0; i < verbs; i++) {
			assertThat(commands("XVERB" + i, "2xx").count()).isEqualTo(2);
		}
	}

	private Timer commands(String verb, String replyClass) {
		return this.registry.get(SmtpClientMetrics.COMMANDS)
			.tag(SmtpClientMetrics.SERVER_TAG, "outbound")
			.tag("command", verb)
			.tag("reply.class", replyClass)
			.timer();
	}

	private double count(String server, String reason) {
		return this.registry.get(SmtpClientMetrics.ASYNC_REJECTED)
			.tag(SmtpClientMetrics.SERVER_TAG, server)
			.tag("reason", reason)
			.counter()
			.count();
	}

}
