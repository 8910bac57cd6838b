package io.github.smtpkit;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link RedisRateLimiter} without a Redis: its configuration, its key, and how it fails closed,
 * within its timeout and without a word of the URI's password, when Redis refuses the connection
 * or does not answer. Sharing the limit with a real Redis is {@code FleetRateLimitInteropTests}'s.
 */
@Timeout(30)
class RedisRateLimiterTests {

	private static final String PASSWORD = "s3cret-redis-pw";

	@Test
	void aRefusedConnectionFailsTheCallWithATypedExceptionNamingRedisNotItsPassword() throws Exception {
		int port = closedPort();
		try (RedisRateLimiter limiter = RedisRateLimiter.create("redis://:" + PASSWORD + "@127.0.0.1:" + port,
				"smtpkit:test", 10, Duration.ofSeconds(1))) {
			SmtpRateLimitUnavailableException failure = catchThrowableOfType(SmtpRateLimitUnavailableException.class,
					() -> limiter.acquire(1, Duration.ofSeconds(5)));

			assertThat(failure).hasMessageStartingWith("The rate limit kept in Redis at redis://127.0.0.1:" + port
					+ "/0 (key 'smtpkit:test') could not be asked (")
				.hasMessageEndingWith("; each Redis call is bounded by PT2S): nothing was sent");
			assertThat(stackTrace(failure)).doesNotContain(PASSWORD);
			assertThat(limiter).hasToString("RedisRateLimiter(10 per PT1S, key 'smtpkit:test' in redis://127.0.0.1:"
					+ port + "/0)");
			// Not connected at first, not connected now: the next call tries again, and fails again.
			assertThatExceptionOfType(SmtpRateLimitUnavailableException.class)
				.isThrownBy(() -> limiter.acquire(1, Duration.ofSeconds(5)));
		}
	}

	@Test
	void aRedisThatDoesNotAnswerFailsTheCallWithinTheUrisTimeout() throws Exception {
		try (SilentServer silent = new SilentServer()) {
			try (RedisRateLimiter limiter = RedisRateLimiter.create(
					"redis://user:" + PASSWORD + "@127.0.0.1:" + silent.port() + "?timeout=300ms", "smtpkit:silent", 10,
					Duration.ofSeconds(1))) {
				assertThat(limiter.timeout()).isEqualTo(Duration.ofMillis(300));
				long start = System.nanoTime();
				SmtpRateLimitUnavailableException failure = catchThrowableOfType(
						SmtpRateLimitUnavailableException.class, () -> limiter.acquire(1, Duration.ofSeconds(5)));
				Duration took = Duration.ofNanos(System.nanoTime() - start);

				// A connection and a handshake that is never answered: the timeout bounds the call.
				assertThat(took).isLessThan(Duration.ofSeconds(3));
				await().atMost(Duration.ofSeconds(5)).until(() -> !silent.accepted().isEmpty());
				assertThat(failure).hasMessageContaining("redis://127.0.0.1:" + silent.port() + "/0")
					.hasMessageContaining("each Redis call is bounded by PT0.3S");
				assertThat(stackTrace(failure)).doesNotContain(PASSWORD);
				assertThat(limiter.toString()).doesNotContain(PASSWORD).doesNotContain("user");
			}
		}
	}

	@Test
	void callersQueuedBehindAnAttemptToConnectThatFailsFailWithItInsteadOfEachWaitingItsOwn() throws Exception {
		int callers = 8;
		Duration timeout = Duration.ofMillis(500);
		ExecutorService threads = Executors.newFixedThreadPool(callers);
		try (SilentServer silent = new SilentServer();
				RedisRateLimiter limiter = RedisRateLimiter.create(
						"redis://127.0.0.1:" + silent.port() + "?timeout=" + timeout.toMillis() + "ms", "smtpkit:queued",
						10, Duration.ofSeconds(1))) {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<Duration>> calls = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				calls.add(threads.submit(() -> {
					start.await();
					long began = System.nanoTime();
					assertThatExceptionOfType(SmtpRateLimitUnavailableException.class)
						.isThrownBy(() -> limiter.acquire(1, Duration.ofSeconds(10)));
					return Duration.ofNanos(System.nanoTime() - began);
				}));
			}
			start.countDown();
			Duration longest = Duration.ZERO;
			for (Future<Duration> call : calls) {
				Duration took = call.get(20, TimeUnit.SECONDS);
				longest = (took.compareTo(longest) > 0) ? took : longest;
			}

			// One attempt, or two for a caller that came just as the first failed: not one per caller
			// in turn, which would keep the last of eight waiting four seconds.
			assertThat(longest).isLessThan(timeout.multipliedBy(5));
		}
		finally {
			threads.shutdownNow();
		}
	}

	@Test
	void aClientWhoseSharedLimitCannotBeAskedSendsNothing() throws Exception {
		try (SilentServer smtp = new SilentServer();
				SmtpClient client = SmtpClient.builder()
					.host("127.0.0.1")
					.port(smtp.port())
					.tls(TlsMode.NONE)
					.rateLimit(10, Duration.ofSeconds(1))
					.rateLimitRedis("redis://:" + PASSWORD + "@127.0.0.1:" + closedPort())
					.build()) {
			assertThatExceptionOfType(SmtpRateLimitUnavailableException.class)
				.isThrownBy(() -> client.send(Envelope.of("a@example.test", "b@example.test"),
						SmtpClientTestSupport.message(1)))
				.withMessageContaining("Redis")
				.satisfies((ex) -> assertThat(stackTrace(ex)).doesNotContain(PASSWORD));
			// Fails closed: the permit comes before a session, so the SMTP server was not even connected.
			assertThat(smtp.accepted()).isEmpty();
		}
	}

	@Test
	void theDefaultKeyNamesTheAccountAtTheServerAndNoPassword() throws Exception {
		SmtpEndpoint endpoint = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "smtp.example.test", 587);
		assertThat(RedisRateLimiter.defaultKey(endpoint, "alice@example.test"))
			.isEqualTo("smtpkit:rate-limit:alice@example.test@smtp.example.test:587");
		assertThat(RedisRateLimiter.defaultKey(endpoint, null)).isEqualTo("smtpkit:rate-limit:smtp.example.test:587");
		assertThat(RedisRateLimiter.defaultKey(SmtpEndpoint.unix(SmtpProtocol.LMTP, Path.of("/run/lmtp")), null))
			.isEqualTo("smtpkit:rate-limit:unix:/run/lmtp");
	}

	@Test
	void anUnparsableUriIsRefusedWithoutItsCredentials() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RedisRateLimiter.create("mongodb://:" + PASSWORD + "@127.0.0.1:6379", "k", 1,
					Duration.ofSeconds(1)))
			.withMessage("The rate limit's Redis URI mongodb://***@127.0.0.1:6379 is not valid"
					+ " (expected redis://[[user]:password@]host[:port][/database])")
			.withNoCause();
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpClient.builder().rateLimitRedis(" "))
			.withMessage("A shared rate limit's Redis URI must not be blank");
	}

	@Test
	void aPasswordWithTheCharactersThatEndAUserInfoIsStillHidden() {
		for (String password : List.of("ab/cd", "p@ss", "q?r#s", "@")) {
			String uri = "redis://user:" + password + "@127.0.0.1:6379";
			assertThat(RedisRateLimiter.redact(uri)).as(uri).isEqualTo("redis://***@127.0.0.1:6379");
		}
	}

	@Test
	void aTimeoutThatIsNotPositiveIsRefusedWhenTheUriIsSet() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SmtpClient.builder().rateLimitRedis("redis://127.0.0.1?timeout=0s"))
			.withMessage("The timeout of the rate limit's Redis redis://127.0.0.1?timeout=0s must be positive, but was PT0S");
	}

	@Test
	void aClosedLimitSaysItIsClosedNotThatRedisIsUnavailable() throws Exception {
		RedisRateLimiter limiter = RedisRateLimiter.create("redis://127.0.0.1:" + closedPort(), "smtpkit:closed", 1,
				Duration.ofSeconds(1));
		limiter.close();
		assertThatIllegalStateException().isThrownBy(() -> limiter.acquire(1, Duration.ofSeconds(1)))
			.withMessageContaining("is closed");
	}

	@Test
	void aBlankKeyOrABadLimitIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RedisRateLimiter.create("redis://127.0.0.1", " ", 1, Duration.ofSeconds(1)))
			.withMessage("A shared rate limit's Redis key must not be blank, but was ' '");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RedisRateLimiter.create("redis://127.0.0.1", "k", 0, Duration.ofSeconds(1)))
			.withMessage("A rate limit's messages must be at least 1, but was 0");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RedisRateLimiter.create("redis://127.0.0.1?timeout=0s", "k", 1, Duration.ofSeconds(1)))
			.withMessage("The timeout of the rate limit's Redis redis://127.0.0.1?timeout=0s must be positive, but was PT0S");
	}

	@Test
	void theBuilderNeedsTheLimitForRedisAndRedisForTheKey() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SmtpClient.builder().host("127.0.0.1").rateLimitRedis("redis://127.0.0.1").build())
			.withMessage("rateLimitRedis keeps the limit of rateLimit(messages, period) in Redis: set rateLimit too");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> SmtpClient.builder()
				.host("127.0.0.1")
				.rateLimit(1, Duration.ofSeconds(1))
				.rateLimitKey("k")
				.build())
			.withMessage("rateLimitKey is the key of a limit kept in Redis: set rateLimitRedis too");
	}

	@Test
	void aMissingOptionalDependencyIsNamed() {
		ClassLoader withoutLettuce = new ClassLoader(getClass().getClassLoader()) {

			@Override
			protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
				if (name.startsWith("io.lettuce.")) {
					throw new ClassNotFoundException(name);
				}
				return super.loadClass(name, resolve);
			}

		};
		assertThatIllegalStateException().isThrownBy(() -> RedisRateLimiter.requireClassPath(withoutLettuce))
			.withMessageStartingWith("A rate limit shared through Redis needs io.lettuce:lettuce-core on the class path");
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	private static String stackTrace(Throwable ex) {
		StringWriter text = new StringWriter();
		ex.printStackTrace(new PrintWriter(text));
		return text.toString();
	}

	/** Accepts connections on loopback and never says a word. */
	private static final class SilentServer implements AutoCloseable {

		private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

		private final List<Socket> accepted = new CopyOnWriteArrayList<>();

		private final Thread acceptor = new Thread(this::accept, "silent-server");

		SilentServer() throws IOException {
			this.acceptor.setDaemon(true);
			this.acceptor.start();
		}

		int port() {
			return this.socket.getLocalPort();
		}

		List<Socket> accepted() {
			return this.accepted;
		}

		private void accept() {
			while (!this.socket.isClosed()) {
				try {
					this.accepted.add(this.socket.accept());
				}
				catch (IOException ex) {
					return;
				}
			}
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
			for (Socket client : this.accepted) {
				client.close();
			}
		}

	}

}
