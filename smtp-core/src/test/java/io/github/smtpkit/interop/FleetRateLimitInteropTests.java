package io.github.smtpkit.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.icegreen.greenmail.store.FolderListener;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.smtpkit.Envelope;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpRateLimitedException;
import io.github.smtpkit.TlsMode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import jakarta.mail.Flags;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15's proof that a rate limit holds across a fleet: {@value #PROCESSES} client processes
 * (separate JVMs, {@link FleetSender}, started here on the test class path) each try to send
 * {@value #PER_PROCESS} messages as fast as they can to one SMTP server under one limit of
 * {@value #LIMIT} messages per {@link #PERIOD}. With the bucket in the rig's Redis
 * ({@link io.github.smtpkit.RedisRateLimiter}, one key for all three) their summed arrivals keep
 * to the one limit; with a bucket in each JVM (the control) the same processes send three times as
 * fast and break it, so the check below can fail.
 *
 * <p><b>Counting at the server.</b> The server is GreenMail, run by this test on loopback: a
 * listener on the recipient's inbox takes {@link System#nanoTime()} (monotonic) as each message is
 * stored, which GreenMail does on the end of DATA, before its 250 reply. Postfix of the rig is not
 * used: its own limit (port 2589) would interfere, and its maildir times are delivery times.
 *
 * <p><b>The bound.</b> The limit is Bucket4j's intervally refill (as
 * {@link io.github.smtpkit.Bucket4jRateLimiter#perPeriod}): a bucket of {@value #LIMIT} that is
 * filled up again, all at once, at the start of each period, counted from the bucket's creation.
 * So the permits that fall due in a closed interval of length {@code t} number at most what the
 * bucket holds at its start ({@value #LIMIT}) plus {@value #LIMIT} for each refill inside it, of
 * which there are at most {@code floor(t / PERIOD) + 1}. A message reaches the server after its
 * permit fell due, within a latency of at most {@link #LATENCY} (waking up, borrowing a session,
 * the SMTP transaction). Hence for any two arrivals {@code a_i <= a_j}, the arrivals between them
 * number at most {@code LIMIT * (2 + floor((a_j - a_i + LATENCY) / PERIOD))}: one bucket for all
 * keeps to it; three buckets, sending three times as much in the same time, do not. A latency
 * above {@link #LATENCY} would only make the shared run's bound tighter than proven, never looser.
 *
 * <p>Besides, one client against the same Redis: its permit is taken there, and closing the client
 * closes its connection.
 */
class FleetRateLimitInteropTests {

	private static final int PROCESSES = 3;

	private static final int PER_PROCESS = 20;

	private static final int LIMIT = 10;

	private static final Duration PERIOD = Duration.ofSeconds(2);

	/** The most time from a permit falling due to the message's arrival: generous on loopback. */
	private static final Duration LATENCY = Duration.ofSeconds(1);

	/** JVM start, on a busy machine. */
	private static final Duration READY_WAIT = Duration.ofSeconds(90);

	/** 60 messages at 10 per 2 s take 10 s; the rest is room for a busy machine. */
	private static final Duration RUN_WAIT = Duration.ofSeconds(120);

	private static final String RECIPIENT = "fleet@example.test";

	private GreenMail greenMail;

	/** When each message was stored, in {@link System#nanoTime()}. */
	private final List<Long> arrivals = new CopyOnWriteArrayList<>();

	private final List<Process> processes = new ArrayList<>();

	@BeforeAll
	static void requireRig() {
		InteropRig.requireRunning();
	}

	@BeforeEach
	void startServer() throws Exception {
		this.greenMail = new GreenMail(new ServerSetup(0, InteropRig.HOST, ServerSetup.PROTOCOL_SMTP));
		this.greenMail.start();
		GreenMailUser user = this.greenMail.setUser(RECIPIENT, "fleet", "fleet-pw");
		this.greenMail.getManagers().getImapHostManager().getInbox(user).addListener(new FolderListener() {

			@Override
			public void added(int msn) {
				FleetRateLimitInteropTests.this.arrivals.add(System.nanoTime());
			}

			@Override
			public void expunged(int msn) {
			}

			@Override
			public void flagsUpdated(int msn, Flags flags, Long uid) {
			}

			@Override
			public void mailboxDeleted() {
			}

		});
	}

	@AfterEach
	void stop() {
		for (Process process : this.processes) {
			process.destroyForcibly();
		}
		this.greenMail.stop();
	}

	@Test
	void threeProcessesSharingOneRedisBucketKeepToOneLimitTogetherWhereBucketsOfTheirOwnDoNot() throws Exception {
		// 5 s for each Redis call rather than 2: three JVMs at once on a machine busy with builds.
		Figures shared = runFleet(redisUri(Duration.ofSeconds(5)), "smtpkit:fleet-test:" + UUID.randomUUID());
		this.arrivals.clear();
		Figures control = runFleet("local", "none");
		System.out.println("Fleet rate limit, " + PROCESSES + " processes x " + PER_PROCESS + " messages, limit " + LIMIT
				+ " per " + PERIOD + ", counted at the server:\n  shared Redis bucket: " + shared
				+ "\n  a bucket per JVM:    " + control);

		assertThat(shared.arrivals()).isEqualTo(PROCESSES * PER_PROCESS);
		assertThat(shared.overTheBound()).as("shared: %s", shared).isNull();
		assertThat(control.arrivals()).isEqualTo(PROCESSES * PER_PROCESS);
		assertThat(control.overTheBound()).as("control: %s", control).isNotNull();
	}

	@Test
	void aClientTakesItsPermitsFromRedisAndClosingItClosesItsConnection() throws Exception {
		String name = "smtpkit-" + UUID.randomUUID();
		RedisClient observer = RedisClient.create(RedisURI.create(redisUri(Duration.ofSeconds(5))));
		try (StatefulRedisConnection<String, String> redis = observer.connect()) {
			SmtpClient client = SmtpClient.builder()
				.host(InteropRig.HOST)
				.port(this.greenMail.getSmtp().getPort())
				.tls(TlsMode.NONE)
				.rateLimit(1, Duration.ofHours(1))
				.rateLimitRedis(redisUri(Duration.ofSeconds(5)) + "&clientName=" + name)
				.rateLimitKey("smtpkit:close-test:" + name)
				.build();
			try {
				client.send(Envelope.of(RECIPIENT, RECIPIENT), message(name + " 1"));
				// One permit an hour, and it is spent: in Redis, since the key is there.
				assertThat(redis.sync().exists("smtpkit:close-test:" + name)).isOne();
				assertThatExceptionOfType(SmtpRateLimitedException.class)
					.isThrownBy(() -> client.send(Envelope.of(RECIPIENT, RECIPIENT), message(name + " 2")));
				assertThat(redis.sync().clientList()).contains("name=" + name);
			}
			finally {
				client.close();
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> !redis.sync().clientList().contains("name=" + name));
		}
		finally {
			observer.shutdown(Duration.ZERO, Duration.ofSeconds(5));
		}
		assertThat(this.arrivals).hasSize(1);
	}

	private static String redisUri(Duration timeout) {
		return "redis://:" + InteropRig.REDIS_PASSWORD + "@" + InteropRig.HOST + ":" + InteropRig.REDIS_PORT + "?timeout="
				+ timeout.toSeconds() + "s";
	}

	private static byte[] message(String subject) {
		return InteropRig.message(RECIPIENT, RECIPIENT, InteropRig.messageId("fleet"), subject);
	}

	/**
	 * Starts the processes, lets them go at once when all are ready, waits for them (killing any
	 * that overruns) and reads the arrivals.
	 */
	private Figures runFleet(String redisUri, String key) throws Exception {
		List<Path> errors = new ArrayList<>();
		List<BlockingQueue<String>> outputs = new ArrayList<>();
		for (int number = 1; number <= PROCESSES; number++) {
			Path error = Files.createTempFile("fleet-sender-", ".err");
			errors.add(error);
			ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
					"-Xmx128m", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
					FleetSender.class.getName(), String.valueOf(this.greenMail.getSmtp().getPort()),
					String.valueOf(PER_PROCESS), String.valueOf(LIMIT), PERIOD.toString(), key, "sender-" + number)
				.redirectError(error.toFile());
			builder.environment().put("CLASSPATH", System.getProperty("java.class.path"));
			// In the environment, not the command line: ps shows arguments to every user.
			builder.environment().put(FleetSender.REDIS_URI_VARIABLE, redisUri);
			Process process = builder.start();
			this.processes.add(process);
			outputs.add(lines(process));
		}
		for (int index = 0; index < PROCESSES; index++) {
			expectLine(outputs.get(index), "READY", READY_WAIT, errors.get(index));
		}
		for (Process process : this.processes) {
			OutputStream in = process.getOutputStream();
			in.write("GO\n".getBytes(StandardCharsets.US_ASCII));
			in.flush();
		}
		for (int index = 0; index < PROCESSES; index++) {
			Process process = this.processes.get(index);
			if (!process.waitFor(RUN_WAIT.toSeconds(), TimeUnit.SECONDS)) {
				process.destroyForcibly();
				fail("Fleet sender " + (index + 1) + " overran " + RUN_WAIT + "; killed. " + Files.readString(errors.get(index)));
			}
			String stderr = Files.readString(errors.get(index));
			assertThat(process.exitValue()).as("exit of sender %d: %s", index + 1, stderr).isZero();
			expectLine(outputs.get(index), "DONE sent=" + PER_PROCESS + " failed=0", Duration.ofSeconds(5), errors.get(index));
			assertThat(stderr).doesNotContain(InteropRig.REDIS_PASSWORD);
			Files.delete(errors.get(index));
		}
		this.processes.clear();
		return Figures.of(this.arrivals.stream().mapToLong(Long::longValue).sorted().toArray());
	}

	/** The process's standard output, line by line, read by a daemon thread until it ends. */
	private static BlockingQueue<String> lines(Process process) {
		BlockingQueue<String> lines = new LinkedBlockingQueue<>();
		Thread reader = new Thread(() -> {
			try (BufferedReader out = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				for (String line = out.readLine(); line != null; line = out.readLine()) {
					lines.add(line);
				}
			}
			catch (IOException ex) {
				// The process was killed: its lines end here.
			}
		}, "fleet-sender-output");
		reader.setDaemon(true);
		reader.start();
		return lines;
	}

	private static void expectLine(BlockingQueue<String> lines, String expected, Duration wait, Path errors)
			throws Exception {
		String line = lines.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
		if (!expected.equals(line)) {
			fail("Expected '" + expected + "' from a fleet sender within " + wait + ", got '" + line + "'; its stderr: "
					+ Files.readString(errors));
		}
	}

	/**
	 * What the server counted in one run.
	 * @param arrivals how many messages arrived
	 * @param perPeriod how many arrived in each period from the first arrival on
	 * @param mostInAPeriod the most that arrived within any one period (a sliding window)
	 * @param span from the first arrival to the last
	 * @param overTheBound the first two arrivals with more between them than the class's bound
	 * allows one bucket, or {@code null}
	 */
	record Figures(int arrivals, List<Integer> perPeriod, int mostInAPeriod, Duration span, String overTheBound) {

		static Figures of(long[] times) {
			long period = PERIOD.toNanos();
			List<Integer> perPeriod = new ArrayList<>();
			int most = 0;
			String over = null;
			for (int i = 0; i < times.length; i++) {
				int window = (int) ((times[i] - times[0]) / period);
				while (perPeriod.size() <= window) {
					perPeriod.add(0);
				}
				perPeriod.set(window, perPeriod.get(window) + 1);
				for (int j = i; j < times.length; j++) {
					long between = times[j] - times[i];
					int count = j - i + 1;
					if (between < period) {
						most = Math.max(most, count);
					}
					long bound = LIMIT * (2 + (between + LATENCY.toNanos()) / period);
					if (over == null && count > bound) {
						over = count + " arrivals within " + Duration.ofNanos(between) + ", where one bucket allows at most "
								+ bound;
					}
				}
			}
			Duration span = (times.length > 0) ? Duration.ofNanos(times[times.length - 1] - times[0]) : Duration.ZERO;
			return new Figures(times.length, perPeriod, most, span, over);
		}

		@Override
		public String toString() {
			return this.arrivals + " arrivals over " + this.span.toMillis() + " ms; per " + PERIOD + " from the first: "
					+ this.perPeriod + "; at most " + this.mostInAPeriod + " within any " + PERIOD
					+ ((this.overTheBound != null) ? "; over the bound: " + this.overTheBound : "; within the bound");
		}

	}

}
