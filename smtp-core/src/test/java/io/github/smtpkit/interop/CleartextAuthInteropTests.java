package io.github.smtpkit.interop;

import java.time.Duration;
import java.util.List;

import io.github.smtpkit.Envelope;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpSession;
import io.github.smtpkit.TlsMode;
import io.github.smtpkit.pool.PoolConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clear-text AUTH against Postfix's 2587, which offers AUTH without TLS.
 *
 * <p>The rule (SmtpSession's javadoc, README): credentials never go in clear text to a server that
 * is not on this machine unless {@code allowCleartextAuth(true)}; a loopback peer (127.0.0.0/8,
 * ::1) or a unix socket counts as this machine. The rig listens on 127.0.0.1 only, so against it
 * directly clear-text AUTH is allowed: the documented exception, tested as such. The refusal needs
 * a peer that is not loopback, and tests talk to nothing but loopback: it is not exercised against
 * the rig.
 */
class CleartextAuthInteropTests {

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	// ---------------------------------------------------------------- loopback: the documented exception

	@Test
	void onLoopbackLoginInClearTextIsAllowedWithoutAllowCleartextAuthAsDocumented() throws Exception {
		String messageId = InteropRig.messageId("cleartext-loopback");
		try (SmtpSession smtp = session(InteropRig.HOST, InteropRig.CLEARTEXT_AUTH_PORT, false).connect()) {
			assertThat(smtp.login("alice", "alice-pw").code()).isEqualTo(235);
			assertThat(smtp.isTls()).isFalse();
			smtp.sendmail("alice@example.test", List.of("bob@example.test"),
					InteropRig.message("alice@example.test", "bob@example.test", messageId, "clear text, loopback"));
		}
		// ESMTPA: authenticated, and no S: not encrypted.
		assertThat(InteropRig.maildir("bob").awaitMessage(messageId).headers("Received"))
			.anySatisfy((received) -> assertThat(received).contains("(Authenticated sender: alice@example.test)")
				.contains("with ESMTPA "));
	}

	@Test
	void smtpClientWithoutTlsLogsInToLoopbackInClearText() throws Exception {
		String messageId = InteropRig.messageId("cleartext-client-loopback");
		try (SmtpClient client = client(InteropRig.HOST, InteropRig.CLEARTEXT_AUTH_PORT, false)) {
			SendResult result = client.send(Envelope.of("alice@example.test", "bob@example.test"),
					InteropRig.message("alice@example.test", "bob@example.test", messageId, "client, clear text"));
			assertThat(result.isFullyAccepted()).isTrue();
		}
		assertThat(InteropRig.maildir("bob").awaitMessage(messageId).headers("Received"))
			.anySatisfy((received) -> assertThat(received).contains("(Authenticated sender: alice@example.test)"));
	}

	// ---------------------------------------------------------------- helpers

	private static SmtpSession.Builder session(String host, int port, boolean allowCleartextAuth) {
		return SmtpSession.smtp()
			.host(host)
			.port(port)
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.allowCleartextAuth(allowCleartextAuth);
	}

	private static SmtpClient client(String host, int port, boolean allowCleartextAuth) {
		return SmtpClient.builder()
			.host(host)
			.port(port)
			.tls(TlsMode.NONE)
			.credentials("alice", "alice-pw")
			.allowCleartextAuth(allowCleartextAuth)
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.connectTimeout(Duration.ofSeconds(5))
			.pool(PoolConfig.builder().maxTotal(1).maxWait(Duration.ofSeconds(30)).build())
			.build();
	}

}
