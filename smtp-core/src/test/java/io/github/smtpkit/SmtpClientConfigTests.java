package io.github.smtpkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.smtpkit.pool.PoolConfig;
import io.github.smtpkit.pool.PoolStats;
import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * The configuration of {@link SmtpClient}, {@link PoolConfig} and {@link Envelope}: every bad
 * value is refused with an {@link IllegalArgumentException} whose message names the setting (and,
 * where there is one, the bad value); good configurations get finite, documented defaults.
 */
class SmtpClientConfigTests {

	private static final Path SOCKET = Path.of("/var/run/lmtp.sock");

	@ParameterizedTest
	@MethodSource
	void badClientSettingIsRefusedNamingIt(ThrowingCallable configuration, List<String> named) {
		assertThatIllegalArgumentException().isThrownBy(configuration).withMessageContainingAll(named.toArray(String[]::new));
	}

	static Stream<Arguments> badClientSettingIsRefusedNamingIt() {
		return Stream.of(
				bad("blank host", () -> SmtpClient.builder().host("   "), "host"),
				bad("empty host", () -> SmtpClient.builder().host(""), "host"),
				bad("null host", () -> SmtpClient.builder().host(null), "host"),
				bad("missing host", () -> SmtpClient.builder().build(), "host"),
				bad("port 0", () -> SmtpClient.builder().port(0), "port", "0"),
				bad("port 70000", () -> SmtpClient.builder().port(70000), "port", "70000"),
				bad("port -1", () -> SmtpClient.builder().port(-1), "port", "-1"),
				bad("zero timeout", () -> SmtpClient.builder().timeout(Duration.ZERO), "timeout", "PT0S"),
				bad("negative timeout", () -> SmtpClient.builder().timeout(Duration.ofSeconds(-1)), "timeout", "PT-1S"),
				bad("missing timeout", () -> SmtpClient.builder().timeout(null), "timeout"),
				bad("zero connectTimeout", () -> SmtpClient.builder().connectTimeout(Duration.ZERO), "connectTimeout"),
				bad("negative connectTimeout", () -> SmtpClient.builder().connectTimeout(Duration.ofMillis(-5)),
						"connectTimeout"),
				bad("zero dataTimeout", () -> SmtpClient.builder().dataTimeout(Duration.ZERO), "dataTimeout"),
				bad("negative dataTimeout", () -> SmtpClient.builder().dataTimeout(Duration.ofMinutes(-1)), "dataTimeout"),
				bad("SMTPS with STARTTLS", () -> SmtpClient.builder()
					.host("mail.example.test")
					.protocol(SmtpProtocol.SMTPS)
					.tls(TlsMode.STARTTLS_REQUIRED)
					.build(), "tls", "SMTPS", "STARTTLS_REQUIRED"),
				bad("SMTPS without TLS", () -> SmtpClient.builder()
					.host("mail.example.test")
					.protocol(SmtpProtocol.SMTPS)
					.tls(TlsMode.NONE)
					.build(), "tls", "SMTPS", "NONE"),
				bad("LMTP with implicit TLS", () -> SmtpClient.builder()
					.host("mail.example.test")
					.protocol(SmtpProtocol.LMTP)
					.tls(TlsMode.IMPLICIT)
					.build(), "IMPLICIT", "LMTP"),
				bad("unix socket with SMTP", () -> SmtpClient.builder().unixSocket(SOCKET).build(), "unixSocket", "SMTP"),
				bad("unix socket with SMTPS", () -> SmtpClient.builder()
					.protocol(SmtpProtocol.SMTPS)
					.unixSocket(SOCKET)
					.build(), "unixSocket", "SMTPS"),
				bad("unix socket and host", () -> SmtpClient.builder()
					.protocol(SmtpProtocol.LMTP)
					.host("mail.example.test")
					.unixSocket(SOCKET)
					.build(), "host", "unixSocket"),
				bad("unix socket with STARTTLS", () -> SmtpClient.builder()
					.protocol(SmtpProtocol.LMTP)
					.unixSocket(SOCKET)
					.tls(TlsMode.STARTTLS_REQUIRED)
					.build(), "tls", "STARTTLS_REQUIRED"),
				bad("relative unix socket", () -> SmtpClient.builder()
					.protocol(SmtpProtocol.LMTP)
					.unixSocket(Path.of("lmtp.sock"))
					.build(), "unixSocket", "lmtp.sock"),
				bad("empty username", () -> SmtpClient.builder().credentials("", "secret"), "username"),
				bad("no AUTH mechanisms", () -> SmtpClient.builder().authMechanisms(List.of()), "authMechanisms"),
				bad("CR LF in the local host name", () -> SmtpClient.builder()
					.host("mail.example.test")
					.localHostname("client.test\r\nRSET")
					.build(), "localHostname"));
	}

	@ParameterizedTest
	@MethodSource
	void badPoolSettingIsRefusedNamingIt(ThrowingCallable configuration, List<String> named) {
		assertThatIllegalArgumentException().isThrownBy(configuration).withMessageContainingAll(named.toArray(String[]::new));
	}

	static Stream<Arguments> badPoolSettingIsRefusedNamingIt() {
		return Stream.of(
				bad("maxTotal 0", () -> PoolConfig.builder().maxTotal(0), "maxTotal", "0"),
				bad("maxTotal -1", () -> PoolConfig.builder().maxTotal(-1), "maxTotal", "-1"),
				bad("maxIdle -1", () -> PoolConfig.builder().maxIdle(-1), "maxIdle", "-1"),
				bad("minIdle -1", () -> PoolConfig.builder().minIdle(-1), "minIdle", "-1"),
				bad("minIdle above maxIdle", () -> PoolConfig.builder().maxIdle(2).minIdle(3).build(), "minIdle (3)",
						"maxIdle (2)"),
				bad("minIdle above maxTotal", () -> PoolConfig.builder().maxTotal(2).minIdle(3).build(), "minIdle (3)"),
				bad("maxIdle above maxTotal", () -> PoolConfig.builder().maxTotal(2).maxIdle(5).build(), "maxIdle (5)",
						"maxTotal (2)"),
				bad("zero maxWait", () -> PoolConfig.builder().maxWait(Duration.ZERO), "maxWait"),
				bad("missing maxWait", () -> PoolConfig.builder().maxWait(null), "maxWait"),
				bad("negative idleTimeout", () -> PoolConfig.builder().idleTimeout(Duration.ofSeconds(-1)), "idleTimeout"),
				bad("zero maxLifetime", () -> PoolConfig.builder().maxLifetime(Duration.ZERO), "maxLifetime"),
				bad("maxMessagesPerConnection 0", () -> PoolConfig.builder().maxMessagesPerConnection(0),
						"maxMessagesPerConnection", "0"),
				bad("negative validateAfterIdle", () -> PoolConfig.builder().validateAfterIdle(Duration.ofSeconds(-1)),
						"validateAfterIdle"),
				bad("zero validationTimeout", () -> PoolConfig.builder().validationTimeout(Duration.ZERO),
						"validationTimeout"));
	}

	@ParameterizedTest
	@MethodSource
	void badEnvelopeIsRefusedNamingWhatIsWrong(ThrowingCallable envelope, List<String> named) {
		assertThatIllegalArgumentException().isThrownBy(envelope).withMessageContainingAll(named.toArray(String[]::new));
	}

	static Stream<Arguments> badEnvelopeIsRefusedNamingWhatIsWrong() {
		return Stream.of(
				bad("no recipients", () -> Envelope.of("app@example.test"), "recipient"),
				bad("empty recipient list", () -> Envelope.of("app@example.test", List.of()), "recipient"),
				bad("blank recipient", () -> Envelope.of("app@example.test", " "), "recipient"),
				bad("CR LF in the sender", () -> Envelope.of("app@example.test>\r\nRCPT TO:<victim@example.test",
						"user@example.test"), "sender", "\\r\\n"),
				bad("LF in a recipient", () -> Envelope.of("app@example.test", "user@example.test\nDATA"), "recipient",
						"\\n"),
				bad("CR in a recipient", () -> Envelope.of("app@example.test", "ok@example.test", "user@example.test\r"),
						"recipient"),
				bad("CR LF in a MAIL option", () -> Envelope.of("app@example.test", "user@example.test")
					.withMailOptions("BODY=8BITMIME\r\nRSET"), "MAIL option"),
				bad("LF in a RCPT option", () -> Envelope.of("app@example.test", "user@example.test")
					.withRcptOptions("NOTIFY=FAILURE\nRSET"), "RCPT option"),
				bad("blank MAIL option", () -> Envelope.of("app@example.test", "user@example.test").withMailOptions(""),
						"MAIL option"),
				bad("message size below -1", () -> MessageSource.of(() -> null, -2), "size", "-2"));
	}

	private static Arguments bad(String name, ThrowingCallable configuration, String... named) {
		return Arguments.of(Named.of(name, configuration), List.of(named));
	}

	@Test
	void nullLocalHostnameIsRefusedAsBySmtpSession() {
		// Not taken for "the default": the default is what an unset local host name gets.
		assertThatNullPointerException().isThrownBy(() -> SmtpClient.builder().localHostname(null))
			.withMessage("localHostname");
		assertThatNullPointerException().isThrownBy(() -> SmtpSession.smtp().localHostname(null))
			.withMessage("localHostname");
	}

	// ---------------------------------------------------------------- good configurations

	@Test
	void defaultsAreFiniteAndNoConnectionIsOpenedByBuild() {
		// An address no one listens on: build() must not connect.
		try (SmtpClient client = SmtpClient.builder().host("mail.invalid").build()) {
			assertThat(client.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.invalid", 25));
			PoolConfig pool = client.poolConfig();
			assertThat(pool.maxTotal()).isEqualTo(8);
			assertThat(pool.maxIdle()).isEqualTo(8);
			assertThat(pool.minIdle()).isZero();
			assertThat(pool.maxWait()).isEqualTo(Duration.ofSeconds(30));
			assertThat(pool.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
			assertThat(pool.maxLifetime()).isEqualTo(Duration.ofMinutes(10));
			assertThat(pool.maxMessagesPerConnection()).isEqualTo(100);
			assertThat(pool.validateAfterIdle()).isEqualTo(Duration.ofSeconds(5));
			assertThat(pool.validationCommand()).isEqualTo(PoolConfig.ValidationCommand.RSET);
			assertThat(client.poolStats()).isEqualTo(new PoolStats(0, 0, 0, 0, 0, 0));
			assertThat(client.isClosed()).isFalse();
			assertThat(client).hasToString("SmtpClient[smtp mail.invalid:25, tls=STARTTLS_OPPORTUNISTIC, pool "
					+ "(total=0, active=0, idle=0, waiting=0)]");
		}
	}

	@Test
	void protocolDecidesTheDefaultPortAndTlsMode() {
		try (SmtpClient smtps = SmtpClient.builder().host("mail.example.test").protocol(SmtpProtocol.SMTPS).build();
				SmtpClient implicit = SmtpClient.builder().host("mail.example.test").tls(TlsMode.IMPLICIT).build();
				SmtpClient lmtp = SmtpClient.builder().host("mail.example.test").protocol(SmtpProtocol.LMTP).build();
				SmtpClient unix = SmtpClient.builder().protocol(SmtpProtocol.LMTP).unixSocket(SOCKET).build();
				SmtpClient submission = SmtpClient.builder()
					.host("mail.example.test")
					.port(587)
					.tls(TlsMode.STARTTLS_REQUIRED)
					.credentials("app@example.test", "s3cret")
					.build()) {
			assertThat(smtps.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTPS, "mail.example.test", 465));
			assertThat(smtps.toString()).contains("tls=IMPLICIT");
			assertThat(implicit.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.SMTPS, "mail.example.test", 465));
			assertThat(lmtp.endpoint()).isEqualTo(SmtpEndpoint.tcp(SmtpProtocol.LMTP, "mail.example.test", 2003));
			assertThat(lmtp.toString()).contains("tls=NONE");
			assertThat(unix.endpoint()).isEqualTo(SmtpEndpoint.unix(SmtpProtocol.LMTP, SOCKET));
			assertThat(unix.toString()).contains("unix:" + SOCKET);
			assertThat(submission.toString()).isEqualTo("SmtpClient[smtp mail.example.test:587, tls=STARTTLS_REQUIRED, "
					+ "authenticated, pool (total=0, active=0, idle=0, waiting=0)]");
		}
	}

	@Test
	void aBuilderChangedAfterBuildChangesNoClientAndBuildsAgainFromWhatWasSet() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			SmtpClientTestSupport.quits(SmtpClientTestSupport.accepts(SmtpClientTestSupport.opens(server)));
			SmtpClient.Builder builder = SmtpClientTestSupport.clientFor(server);
			try (SmtpClient client = builder.build()) {
				// Port 9 (discard) on the loopback: a client still reading the builder would go there.
				builder.port(9).localHostname("changed.test");

				assertThat(client.send(SmtpClientTestSupport.ENVELOPE, SmtpClientTestSupport.message(1))
					.isFullyAccepted()).isTrue();
			}
			server.awaitScriptDone(SmtpClientTestSupport.WAIT);
			assertThat(server.commands()).startsWith("EHLO client.test");
			server.assertNoFailures();
		}
		SmtpClient.Builder reused = SmtpClient.builder().host("mail.example.test");
		reused.build().close();
		try (SmtpClient lmtp = reused.protocol(SmtpProtocol.LMTP).build()) {
			// The first build's default (opportunistic STARTTLS for SMTP) did not stick to the builder.
			assertThat(lmtp.toString()).contains("tls=NONE");
		}
	}

	@Test
	void poolConfigKeepsWhatWasSetAndSaysSo() {
		PoolConfig pool = PoolConfig.builder()
			.maxTotal(4)
			.maxIdle(2)
			.minIdle(1)
			.maxWait(Duration.ofMillis(250))
			.idleTimeout(Duration.ofSeconds(20))
			.maxLifetime(Duration.ofMinutes(3))
			.maxMessagesPerConnection(7)
			.validateAfterIdle(Duration.ZERO)
			.validationCommand(PoolConfig.ValidationCommand.NOOP)
			.validationTimeout(Duration.ofSeconds(2))
			.build();
		assertThat(pool).hasToString("PoolConfig[maxTotal=4, maxIdle=2, minIdle=1, maxWait=PT0.25S, idleTimeout=PT20S, "
				+ "maxLifetime=PT3M, maxMessagesPerConnection=7, validateAfterIdle=PT0S, validationCommand=NOOP, "
				+ "validationTimeout=PT2S]");
		try (SmtpClient client = SmtpClient.builder().host("mail.invalid").pool(pool).build()) {
			assertThat(client.poolConfig()).isSameAs(pool);
		}
	}

}
