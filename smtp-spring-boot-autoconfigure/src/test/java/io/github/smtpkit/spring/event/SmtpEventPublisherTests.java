package io.github.smtpkit.spring.event;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpProtocol;

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

}
