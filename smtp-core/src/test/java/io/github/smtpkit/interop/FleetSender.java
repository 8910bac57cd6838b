package io.github.smtpkit.interop;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.smtpkit.Envelope;
import io.github.smtpkit.RedisRateLimiter;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.TlsMode;
import io.github.smtpkit.pool.PoolConfig;

/**
 * One instance of {@link FleetRateLimitInteropTests}' fleet, run in a JVM of its own: builds a
 * client limited to {@code messages} per {@code period} (kept in Redis under a key, or in this JVM
 * alone), says {@code READY}, waits for {@code GO} on its standard input, then sends its messages
 * from {@value #THREADS} threads as fast as the limit lets it and says {@code DONE sent=S failed=F}.
 *
 * <p>Arguments: SMTP port, messages to send, limit messages, limit period (ISO-8601), Redis key,
 * the name of this instance; the Redis URI (or {@code local}) is in the environment variable
 * {@value #REDIS_URI_VARIABLE}, not on the command line, which any user can see. Exits 0 when every
 * message was sent, 1 when one failed, 2 when no {@code GO} came within {@link #GO_WAIT}.
 */
public final class FleetSender {

	static final int THREADS = 4;

	static final String REDIS_URI_VARIABLE = "FLEET_REDIS_URI";

	static final Duration GO_WAIT = Duration.ofSeconds(120);

	private FleetSender() {
	}

	public static void main(String[] args) throws Exception {
		int port = Integer.parseInt(args[0]);
		int count = Integer.parseInt(args[1]);
		int limitMessages = Integer.parseInt(args[2]);
		Duration limitPeriod = Duration.parse(args[3]);
		String key = args[4];
		String name = args[5];
		String redisUri = System.getenv(REDIS_URI_VARIABLE);
		SmtpClient.Builder builder = SmtpClient.builder()
			.host(InteropRig.HOST)
			.port(port)
			.tls(TlsMode.NONE)
			.localHostname(InteropRig.CLIENT_NAME)
			.timeout(InteropRig.TIMEOUT)
			.rateLimit(limitMessages, limitPeriod)
			.pool(PoolConfig.builder().maxTotal(THREADS).maxWait(Duration.ofSeconds(60)).build());
		if (redisUri != null && !"local".equals(redisUri)) {
			builder.rateLimitRedis(redisUri).rateLimitKey(key);
			warmUp(redisUri, key);
		}
		int exitCode;
		try (SmtpClient client = builder.build()) {
			CountDownLatch go = new CountDownLatch(1);
			Thread stdin = new Thread(() -> awaitGo(go), "stdin");
			stdin.setDaemon(true);
			stdin.start();
			System.out.println("READY");
			System.out.flush();
			if (!go.await(GO_WAIT.toSeconds(), TimeUnit.SECONDS)) {
				System.exit(2);
			}
			AtomicInteger sent = new AtomicInteger();
			AtomicInteger failed = new AtomicInteger();
			ExecutorService threads = Executors.newFixedThreadPool(THREADS);
			List<Future<?>> work = new ArrayList<>();
			AtomicInteger next = new AtomicInteger();
			for (int thread = 0; thread < THREADS; thread++) {
				work.add(threads.submit(() -> {
					for (int number = next.incrementAndGet(); number <= count; number = next.incrementAndGet()) {
						String subject = name + " " + number;
						try {
							client.send(Envelope.of("fleet@example.test", "fleet@example.test"),
									InteropRig.message("fleet@example.test", "fleet@example.test",
											InteropRig.messageId(name), subject));
							sent.incrementAndGet();
						}
						catch (Exception ex) {
							failed.incrementAndGet();
							System.err.println(subject + " failed: " + ex);
						}
					}
				}));
			}
			for (Future<?> each : work) {
				each.get(10, TimeUnit.MINUTES);
			}
			threads.shutdown();
			System.out.println("DONE sent=" + sent + " failed=" + failed);
			System.out.flush();
			exitCode = (failed.get() == 0) ? 0 : 1;
		}
		System.exit(exitCode);
	}

	/**
	 * Loads and initialises Lettuce, Netty and Bucket4j's Redis classes with a permit from another
	 * bucket, so that a cold JVM on a busy machine does not spend the first calls' timeout on it
	 * after {@code GO}.
	 */
	private static void warmUp(String redisUri, String key) throws Exception {
		try (RedisRateLimiter warmUp = RedisRateLimiter.create(redisUri, key + ":warm-up", 1000, Duration.ofSeconds(1))) {
			warmUp.acquire(1, Duration.ZERO);
		}
	}

	private static void awaitGo(CountDownLatch go) {
		try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII))) {
			for (String line = in.readLine(); line != null; line = in.readLine()) {
				if (line.equals("GO")) {
					go.countDown();
					return;
				}
			}
		}
		catch (Exception ex) {
			// No GO: main gives up after GO_WAIT.
		}
	}

}
