package io.github.smtpkit.interop;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.smtpkit.Envelope;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpRequireTlsException;
import io.github.smtpkit.TlsMode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * REQUIRETLS (RFC 8689) against the rig's Postfix, which does not advertise it: over STARTTLS with
 * the rig's certificate verified, a message that {@linkplain Envelope#requiringTls() requires TLS}
 * is refused before MAIL, and the same session then delivers a message that does not.
 */
class RequireTlsInteropTests {

	private static final String SENDER = "alice@example.test";

	private static final String RECIPIENT = "postmaster@example.test";

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	@Test
	void postfixDoesNotOfferRequireTlsSoTheMessageIsRefusedBeforeMailAndTheNextOneIsDelivered() throws Exception {
		List<String> verbs = new CopyOnWriteArrayList<>();
		SmtpEventListener commands = new SmtpEventListener() {

			@Override
			public void commandSent(SmtpEndpoint endpoint, String verb, String line) {
				verbs.add(verb);
			}

		};
		String refusedId = InteropRig.messageId("requiretls-refused");
		String deliveredId = InteropRig.messageId("requiretls-plain");
		try (SmtpClient client = SmtpClient.builder()
			.host(InteropRig.HOST)
			.port(InteropRig.SMTP_PORT)
			.tls(TlsMode.STARTTLS_REQUIRED)
			.sslContext(InteropRig.trustingRigCertificate())
			.credentials("alice", "alice-pw")
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.eventListener(commands)
			.build()) {
			Throwable thrown = catchThrowable(() -> client.send(Envelope.of(SENDER, RECIPIENT).requiringTls(),
					InteropRig.message(SENDER, RECIPIENT, refusedId, "requires TLS")));

			assertThat(thrown).isInstanceOfSatisfying(SmtpRequireTlsException.class,
					(ex) -> assertThat(ex.problem()).isEqualTo(SmtpRequireTlsException.Problem.NOT_ADVERTISED));
			assertThat(verbs).doesNotContain("MAIL");
			assertThat(client.send(Envelope.of(SENDER, RECIPIENT),
					InteropRig.message(SENDER, RECIPIENT, deliveredId, "plain")).finalReply().code()).isEqualTo(250);
			assertThat(client.poolStats().created()).as("one session carried both").isEqualTo(1);
		}
		InteropRig.maildir("postmaster").awaitMessage(deliveredId);
		assertThat(InteropRig.maildir("postmaster").withMessageId(refusedId)).isEmpty();
	}

}
