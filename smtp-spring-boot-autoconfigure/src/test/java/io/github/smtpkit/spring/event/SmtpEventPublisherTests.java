package io.github.smtpkit.spring.event;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.smtpkit.SmtpEndpoint;
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

}
