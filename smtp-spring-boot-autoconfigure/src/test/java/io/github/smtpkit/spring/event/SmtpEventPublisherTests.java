package io.github.smtpkit.spring.event;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpSendRejectedException;

import static org.assertj.core.api.Assertions.assertThat;

/** What {@link SmtpEventPublisher} publishes for the client's own decisions. */
class SmtpEventPublisherTests {

	private final List<Object> published = new ArrayList<>();

	private final SmtpEventPublisher publisher = new SmtpEventPublisher(this.published::add);

	@Test
	void pipeliningTurnedOffIsAPoolEventNamingTheServerAndWhy() {
		SmtpEndpoint endpoint = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 25);

		this.publisher.create("outbound").pipeliningDisabled(endpoint);

		assertThat(this.published).singleElement().isInstanceOfSatisfying(SmtpPoolEvent.class, (event) -> {
			assertThat(event.getServerName()).isEqualTo("outbound");
			assertThat(event.getEndpoint()).isEqualTo(endpoint);
			assertThat(event.getKind()).isEqualTo(SmtpPoolEvent.Kind.PIPELINING_DISABLED);
			assertThat(event.getReason()).isEqualTo("server mishandled PIPELINING");
		});
	}

	@Test
	void aMessageSendAsyncRefusedIsAPoolEventNamingTheServerAndWhy() {
		SmtpEndpoint endpoint = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 25);

		this.publisher.create("bulk").asyncSendRejected(endpoint, SmtpSendRejectedException.Reason.QUEUE_FULL);

		assertThat(this.published).singleElement().isInstanceOfSatisfying(SmtpPoolEvent.class, (event) -> {
			assertThat(event.getServerName()).isEqualTo("bulk");
			assertThat(event.getKind()).isEqualTo(SmtpPoolEvent.Kind.ASYNC_SEND_REJECTED);
			assertThat(event.getReason()).isEqualTo("QUEUE_FULL");
		});
	}

	@Test
	void theRateLimitsWaitsAndRefusalsAreRateLimitEvents() {
		SmtpEndpoint endpoint = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 25);

		this.publisher.create("bulk").rateLimitWaited(endpoint, Duration.ofMillis(250), 3);
		this.publisher.create("bulk").rateLimitExceeded(endpoint, Duration.ofSeconds(40));

		assertThat(this.published).hasSize(2).allSatisfy((event) -> assertThat(event).isInstanceOf(SmtpRateLimitEvent.class));
		SmtpRateLimitEvent waited = (SmtpRateLimitEvent) this.published.get(0);
		assertThat(waited.getServerName()).isEqualTo("bulk");
		assertThat(waited.getEndpoint()).isEqualTo(endpoint);
		assertThat(waited.getKind()).isEqualTo(SmtpRateLimitEvent.Kind.WAITED);
		assertThat(waited.getDuration()).isEqualTo(Duration.ofMillis(250));
		assertThat(waited.getPermits()).isEqualTo(3);
		SmtpRateLimitEvent exceeded = (SmtpRateLimitEvent) this.published.get(1);
		assertThat(exceeded.getKind()).isEqualTo(SmtpRateLimitEvent.Kind.EXCEEDED);
		assertThat(exceeded.getDuration()).isEqualTo(Duration.ofSeconds(40));
		assertThat(exceeded.getPermits()).isNull();
		assertThat(exceeded).hasToString(
				"SmtpRateLimitEvent[server=bulk mail.example.test:25, EXCEEDED, next permit in PT40S]");
	}

	@Test
	void theBackoffsStartWaitsAndRefusalsAreBackoffEvents() {
		SmtpEndpoint endpoint = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 25);
		Instant until = Instant.parse("2025-01-01T00:00:05Z");
		SmtpEventListener listener = this.publisher.create("outbound");

		listener.backoffStarted(endpoint, until);
		listener.backoffWaited(endpoint, Duration.ofSeconds(2));
		listener.backoffRefused(endpoint, until);

		assertThat(this.published).hasSize(3).allSatisfy((event) -> assertThat(event).isInstanceOf(SmtpBackoffEvent.class));
		assertThat(this.published).extracting((event) -> ((SmtpBackoffEvent) event).getKind())
			.containsExactly(SmtpBackoffEvent.Kind.STARTED, SmtpBackoffEvent.Kind.WAITED, SmtpBackoffEvent.Kind.REFUSED);
		assertThat(this.published).extracting((event) -> ((SmtpBackoffEvent) event).getUntil())
			.containsExactly(until, null, until);
		assertThat(this.published).extracting((event) -> ((SmtpBackoffEvent) event).getWaited())
			.containsExactly(null, Duration.ofSeconds(2), null);
		assertThat(this.published.get(0)).hasToString(
				"SmtpBackoffEvent[server=outbound mail.example.test:25, STARTED until 2025-01-01T00:00:05Z]");
	}

}
