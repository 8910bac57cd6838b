package io.github.smtpkit.benchmarks;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.smtpkit.BatchResult;
import io.github.smtpkit.Envelope;
import io.github.smtpkit.MessageSource;
import io.github.smtpkit.OutgoingMessage;
import io.github.smtpkit.SendResult;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.TlsMode;
import io.github.smtpkit.pool.PoolConfig;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import io.github.smtpkit.spring.SmtpEventListenerFactory;
import io.github.smtpkit.spring.event.SmtpEventPublisher;
import io.github.smtpkit.spring.event.SmtpReplyEvent;
import io.github.smtpkit.spring.metrics.SmtpClientMetrics;
import io.github.smtpkit.spring.observation.SmtpSendObservations;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.mail.javamail.JavaMailSenderImpl;

/**
 * Sends messages to one SMTP server as fast as one client can, and prints one result line.
 *
 * <pre>
 * java -jar benchmarks.jar --client=smtpkit --host=127.0.0.1 --port=2525 --connections=1 \
 *     --size=1024 --count=1000000 --warmup-count=1000000 --seconds=3 --warmup-seconds=1.5
 * RESULT client=smtpkit conns=1 size=1024 msgs=31234 seconds=3.000 msgps=10411.3 cpu_ms_per_1000=61.2 ...
 * </pre>
 *
 * <p>Clients ({@code --client}):
 * <ul>
 * <li>{@code smtpkit}: one {@link SmtpClient} with a pool of {@code connections} sessions,
 * PIPELINING on (the default), {@code send} in a loop; {@code smtpkit-nopipe}: the same with
 * {@code pipelining(false)}; {@code smtpkit-batch}: the same client, {@code sendAll} with
 * {@value #BATCH} messages at a time, which pipelines each message's end of data with the next
 * message's commands; {@code smtpkit-bdat}: {@code send} with {@code chunking(true)}, so that a
 * server that offers CHUNKING and PIPELINING gets MAIL, RCPT and {@code BDAT n LAST} with the
 * message in one write (against one that does not, it is {@code smtpkit}). The pool's
 * {@code maxMessagesPerConnection} is raised so that, like {@code smtp-source -d}, each
 * connection is reused for the whole run. {@code smtpkit-8threads}: the {@code smtpkit} client
 * called from {@value #CONCURRENT_THREADS} threads whatever the number of connections, as a web
 * application's threads call it: the waiting sends share the busy connections' pipelines.</li>
 * <li>{@code angus}: Angus Mail, one {@link Transport} per thread, connected once,
 * {@code sendMessage} in a loop.</li>
 * <li>{@code spring}: Spring's {@link JavaMailSenderImpl}, shared by the threads, with its default
 * behaviour: a new connection (connect, EHLO, send, QUIT) for every {@code send}.</li>
 * <li>{@code raw-pipeline}: the wire's limit for {@code smtpkit-batch}, a minimal socket loop with
 * no library that pipelines {@value #BATCH} messages at a time the same way
 * ({@link RawPipelineClient}).</li>
 * <li>{@code mailsender-simple}, {@code mailsender-mime} and their {@code -quiet} forms, beside
 * {@code spring-simple}, {@code spring-mime} and {@code spring-mime-pinned}: the injected
 * {@code JavaMailSender}, each message built for its send by the same code, through the starter's
 * {@code SmtpMailSender} (with the starter's listeners, or none) and through
 * {@link JavaMailSenderImpl} ({@link MailSenderClients}).</li>
 * <li>{@code starter-quiet}, {@code starter-events}, {@code starter-events-listened}: the
 * {@code smtpkit} client with the listeners the Spring Boot starter gives it with the actuator
 * ({@link StarterClient}): Micrometer metrics and the {@code mail.send} observation, with Spring
 * application events off ({@code smtp.events.enabled=false}), on with no listener for them, and
 * on with one {@code @EventListener} for {@code SmtpReplyEvent}; to measure what the events cost
 * (benchmarks/events.sh).</li>
 * </ul>
 *
 * <p>Each of {@code connections} threads (or, for {@code smtpkit-8threads}, of
 * {@value #CONCURRENT_THREADS} threads) sends until {@code count} messages are sent in all or
 * {@code seconds} have passed, whichever comes first; a warm-up phase bounded the same way comes
 * first, in the same JVM. Messages are RFC 5322, CRLF, one recipient, with a body of exactly
 * {@code size} bytes (like {@code smtp-source -l}) and a unique {@code Message-ID} each. Each
 * thread builds its message once and only rewrites the Message-ID before each send, so the figures
 * measure the client, not message building: smtpkit sends the thread's byte array (its 16-digit
 * counter patched in place); Angus and Spring re-send one parsed {@link MimeMessage} per thread
 * after {@code setHeader("Message-ID", ...)}.
 *
 * <p>CPU time is the whole JVM's ({@code OperatingSystemMXBean#getProcessCpuTime}: sending threads,
 * JIT and GC) over the measured phase only; allocation is the sending threads' own.
 */
public final class SendBenchmark {

	static final String FROM = "from@example.com";

	static final String TO = "to@example.com";

	private static final String HELO_NAME = "bench.example";

	/** The threads that call {@code send} for {@code smtpkit-8threads}, whatever the connections. */
	static final int CONCURRENT_THREADS = 8;

	/** Messages per {@code sendAll} for {@code smtpkit-batch}. */
	static final int BATCH = 100;

	/** Width of the counter in the Message-ID: fixed, so that it can be patched in place. */
	private static final int ID_DIGITS = 16;

	private SendBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> options = parse(args);
		String client = required(options, "client");
		String host = options.getOrDefault("host", "127.0.0.1");
		int port = Integer.parseInt(required(options, "port"));
		int connections = Integer.parseInt(options.getOrDefault("connections", "1"));
		int size = Integer.parseInt(options.getOrDefault("size", "1024"));
		long count = Long.parseLong(options.getOrDefault("count", "1000000"));
		long warmupCount = Long.parseLong(options.getOrDefault("warmup-count", "1000000"));
		double seconds = Double.parseDouble(options.getOrDefault("seconds", "3"));
		double warmupSeconds = Double.parseDouble(options.getOrDefault("warmup-seconds", "1.5"));
		if (connections < 1 || size < 0 || count < 1 || warmupCount < 0 || seconds <= 0 || warmupSeconds < 0) {
			throw new IllegalArgumentException("bad arguments: " + options);
		}

		Message message = Message.of(size);
		int threadCount = "smtpkit-8threads".equals(client) ? CONCURRENT_THREADS : connections;
		try (Client sender = Client.open(client, host, port, connections, message)) {
			List<Worker> workers = new ArrayList<>();
			for (int i = 0; i < threadCount; i++) {
				workers.add(sender.worker(i));
			}
			ExecutorService threads = Executors.newFixedThreadPool(threadCount, (r) -> {
				Thread thread = new Thread(r, "sender");
				thread.setDaemon(true);
				return thread;
			});
			try {
				if (warmupCount > 0 && warmupSeconds > 0) {
					Phase warmup = run(threads, workers, warmupCount, warmupSeconds);
					if (warmup.errors > 0) {
						// run.sh records a failed run from the exit code; the first failure went to stderr.
						System.err.println("warm-up failed: " + warmup.errors + " error(s)");
						System.exit(1);
					}
				}
				Phase measured = run(threads, workers, count, seconds);
				double msgps = measured.sent / measured.seconds;
				double cpuMsPer1000 = (measured.sent > 0) ? measured.cpuNanos / 1e6 / measured.sent * 1000 : 0;
				double allocKibPerMsg = (measured.sent > 0 && measured.allocatedBytes >= 0)
						? measured.allocatedBytes / 1024.0 / measured.sent : -1;
				System.out.println(String.format(Locale.ROOT,
						"RESULT client=%s conns=%d size=%d msgs=%d seconds=%.3f msgps=%.1f cpu_ms_per_1000=%.1f"
								+ " alloc_kib_per_msg=%.1f errors=%d",
						client, connections, size, measured.sent, measured.seconds, msgps, cpuMsPer1000,
						allocKibPerMsg, measured.errors));
				if (measured.errors > 0) {
					System.exit(1);
				}
			}
			finally {
				threads.shutdownNow();
			}
		}
	}

	/** Runs every worker on its own thread until {@code maxCount} in all or {@code maxSeconds}. */
	private static Phase run(ExecutorService threads, List<Worker> workers, long maxCount, double maxSeconds)
			throws Exception {
		AtomicLong remaining = new AtomicLong(maxCount);
		AtomicLong sent = new AtomicLong();
		AtomicLong errors = new AtomicLong();
		AtomicLong allocated = new AtomicLong();
		CountDownLatch ready = new CountDownLatch(workers.size());
		CountDownLatch start = new CountDownLatch(1);
		com.sun.management.ThreadMXBean threadBean = (com.sun.management.ThreadMXBean) ManagementFactory
			.getThreadMXBean();
		long budgetNanos = (long) (maxSeconds * 1e9);
		long[] deadline = new long[1];
		List<Future<?>> futures = new ArrayList<>();
		for (Worker worker : workers) {
			futures.add(threads.submit(() -> {
				long allocatedBefore = threadBean.getCurrentThreadAllocatedBytes();
				ready.countDown();
				try {
					start.await();
					long end = deadline[0];
					while (System.nanoTime() < end) {
						int claimed = claim(remaining, worker.batchSize());
						if (claimed == 0) {
							break;
						}
						worker.send(claimed);
						sent.addAndGet(claimed);
					}
				}
				catch (Exception ex) {
					if (errors.getAndIncrement() == 0) {
						System.err.println("send failed: " + ex);
						ex.printStackTrace();
					}
				}
				allocated.addAndGet(threadBean.getCurrentThreadAllocatedBytes() - allocatedBefore);
				return null;
			}));
		}
		ready.await();
		com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory
			.getOperatingSystemMXBean();
		long cpuBefore = os.getProcessCpuTime();
		long started = System.nanoTime();
		deadline[0] = started + budgetNanos;
		start.countDown();
		for (Future<?> future : futures) {
			// Bounded: each worker stops at the deadline (plus one send, bounded by the socket timeouts).
			future.get(budgetNanos + TimeUnit.SECONDS.toNanos(90), TimeUnit.NANOSECONDS);
		}
		long elapsed = System.nanoTime() - started;
		long cpu = os.getProcessCpuTime() - cpuBefore;
		return new Phase(sent.get(), elapsed / 1e9, cpu, allocated.get(), errors.get());
	}

	/** Takes up to {@code wanted} of the messages left to send; 0 when none are. */
	private static int claim(AtomicLong remaining, int wanted) {
		while (true) {
			long left = remaining.get();
			if (left <= 0) {
				return 0;
			}
			int taken = (int) Math.min(left, wanted);
			if (remaining.compareAndSet(left, left - taken)) {
				return taken;
			}
		}
	}

	private record Phase(long sent, double seconds, long cpuNanos, long allocatedBytes, long errors) {
	}

	// ---------------------------------------------------------------- the message

	/** One message, built once: its bytes and where its Message-ID's counter sits. */
	record Message(byte[] bytes, int idOffset, String idSuffix, int bodyOffset) {

		static Message of(int bodySize) {
			String run = ProcessHandle.current().pid() + "." + System.currentTimeMillis();
			String date = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US)
				.format(ZonedDateTime.now());
			String counter = "0".repeat(ID_DIGITS);
			String headers = "From: Benchmark <" + FROM + ">\r\n"
					+ "To: <" + TO + ">\r\n"
					+ "Subject: smtpkit benchmark, " + bodySize + " bytes\r\n"
					+ "Date: " + date + "\r\n"
					+ "Message-ID: <" + counter + "." + run + "@" + HELO_NAME + ">\r\n"
					+ "MIME-Version: 1.0\r\n"
					+ "Content-Type: text/plain; charset=US-ASCII\r\n"
					+ "Content-Transfer-Encoding: 7bit\r\n"
					+ "\r\n";
			byte[] head = headers.getBytes(StandardCharsets.US_ASCII);
			byte[] bytes = new byte[head.length + bodySize];
			System.arraycopy(head, 0, bytes, 0, head.length);
			fillBody(bytes, head.length, bodySize);
			int idOffset = headers.indexOf("Message-ID: <") + "Message-ID: <".length();
			String idSuffix = headers.substring(idOffset + ID_DIGITS, headers.indexOf('>', idOffset) + 1);
			return new Message(bytes, idOffset, idSuffix, head.length);
		}

		/** Text lines of at most 78 characters plus CRLF, exactly {@code size} bytes, ending in CRLF. */
		private static void fillBody(byte[] bytes, int offset, int size) {
			String text = "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs. ";
			int column = 0;
			int t = 0;
			int end = offset + size;
			for (int i = offset; i < end; i++) {
				int left = end - i;
				if (left <= 2 || column == 78) {
					// CRLF: at the end of a full line, and as the last two bytes.
					if (left >= 2) {
						bytes[i] = '\r';
						bytes[i + 1] = '\n';
						i++;
					}
					else {
						bytes[i] = ' ';
					}
					column = 0;
					continue;
				}
				byte b = (byte) text.charAt(t++ % text.length());
				bytes[i] = (column == 0 && (b == ' ' || b == '.')) ? (byte) 'x' : b;
				column++;
			}
		}

		/** The body, for the clients that build their messages from a text. */
		String bodyText() {
			return new String(this.bytes, this.bodyOffset, this.bytes.length - this.bodyOffset, StandardCharsets.US_ASCII);
		}

		/** A copy for one thread, whose Message-ID counter that thread patches. */
		byte[] copy() {
			return this.bytes.clone();
		}

		/** Writes {@code id} as the 16 decimal digits of the Message-ID. */
		void patchId(byte[] copy, long id) {
			long value = id;
			for (int i = this.idOffset + ID_DIGITS - 1; i >= this.idOffset; i--) {
				copy[i] = (byte) ('0' + (value % 10));
				value /= 10;
			}
		}

		/** The Message-ID header value for {@code id} (for the Jakarta clients). */
		String messageId(long id) {
			String digits = Long.toString(id);
			return "<" + "0".repeat(ID_DIGITS - digits.length()) + digits + this.idSuffix;
		}

	}

	// ---------------------------------------------------------------- the clients

	/** What one sending thread calls. */
	interface Worker {

		/** Sends {@code count} messages, at most {@link #batchSize()}. */
		void send(int count) throws Exception;

		/** How many messages one {@link #send(int)} takes at most. */
		default int batchSize() {
			return 1;
		}

	}

	/** A worker that sends one message per call. */
	@FunctionalInterface
	interface SingleWorker extends Worker {

		void sendOne() throws Exception;

		@Override
		default void send(int count) throws Exception {
			for (int i = 0; i < count; i++) {
				sendOne();
			}
		}

	}

	/** A client under test; makes one worker per thread. */
	interface Client extends AutoCloseable {

		Worker worker(int index) throws Exception;

		@Override
		void close();

		static Client open(String kind, String host, int port, int connections, Message message) {
			return switch (kind) {
				case "smtpkit", "smtpkit-8threads" -> new SmtpkitClient(host, port, connections, true, 1, message);
				case "smtpkit-nopipe" -> new SmtpkitClient(host, port, connections, false, 1, message);
				case "smtpkit-batch" -> new SmtpkitClient(host, port, connections, true, BATCH, message);
				case "smtpkit-bdat" -> new SmtpkitClient(host, port, connections, true, 1, message, SmtpEventListener.NONE,
						true);
				case "angus" -> new AngusClient(host, port, message);
				case "spring" -> new SpringClient(host, port, message);
				case "starter-quiet" -> new StarterClient(host, port, connections, message, StarterClient.Events.OFF);
				case "starter-events" -> new StarterClient(host, port, connections, message, StarterClient.Events.ON);
				case "starter-events-listened" -> new StarterClient(host, port, connections, message,
						StarterClient.Events.LISTENED);
				case "mailsender-simple" -> MailSenderClients.smtpkit(host, port, message, MailSenderClients.Kind.SIMPLE,
						true);
				case "mailsender-simple-quiet" -> MailSenderClients.smtpkit(host, port, message,
						MailSenderClients.Kind.SIMPLE, false);
				case "mailsender-mime" -> MailSenderClients.smtpkit(host, port, message, MailSenderClients.Kind.MIME,
						true);
				case "mailsender-mime-quiet" -> MailSenderClients.smtpkit(host, port, message, MailSenderClients.Kind.MIME,
						false);
				case "spring-simple" -> MailSenderClients.spring(host, port, message, MailSenderClients.Kind.SIMPLE,
						false);
				case "spring-mime" -> MailSenderClients.spring(host, port, message, MailSenderClients.Kind.MIME, false);
				case "spring-mime-pinned" -> MailSenderClients.spring(host, port, message, MailSenderClients.Kind.MIME,
						true);
				case "raw-pipeline" -> new RawPipelineClient(host, port, message, HELO_NAME);
				default -> throw new IllegalArgumentException("--client must be one of " + CLIENTS + ", but was " + kind);
			};
		}

	}

	/** Every {@code --client}. */
	static final List<String> CLIENTS = List.of("smtpkit", "smtpkit-8threads", "smtpkit-nopipe", "smtpkit-batch",
			"smtpkit-bdat", "raw-pipeline", "angus",
			"spring", "mailsender-simple", "mailsender-simple-quiet", "mailsender-mime", "mailsender-mime-quiet",
			"spring-simple", "spring-mime", "spring-mime-pinned", "starter-quiet", "starter-events", "starter-events-listened");

	/** Unique per thread and message: the thread's index in the top digits. */
	static long firstId(int index) {
		return (index + 1) * 1_000_000_000_000L;
	}

	static final class SmtpkitClient implements Client {

		private final SmtpClient client;

		private final Message message;

		private final int batch;

		SmtpkitClient(String host, int port, int connections, boolean pipelining, int batch, Message message) {
			this(host, port, connections, pipelining, batch, message, SmtpEventListener.NONE);
		}

		SmtpkitClient(String host, int port, int connections, boolean pipelining, int batch, Message message,
				SmtpEventListener listener) {
			this(host, port, connections, pipelining, batch, message, listener, false);
		}

		SmtpkitClient(String host, int port, int connections, boolean pipelining, int batch, Message message,
				SmtpEventListener listener, boolean chunking) {
			this.message = message;
			this.batch = batch;
			this.client = SmtpClient.builder()
				.eventListener(listener)
				.host(host)
				.port(port)
				.tls(TlsMode.NONE)
				.localHostname(HELO_NAME)
				.pipelining(pipelining)
				.chunking(chunking)
				.pool(PoolConfig.builder()
					.maxTotal(connections)
					// Like smtp-source -d and the reused Transport: one connection for the whole run.
					.maxMessagesPerConnection(Integer.MAX_VALUE)
					.build())
				.build();
		}

		SmtpClient client() {
			return this.client;
		}

		@Override
		public Worker worker(int index) {
			Envelope envelope = Envelope.of(FROM, TO);
			long[] id = { firstId(index) };
			if (this.batch == 1) {
				byte[] bytes = this.message.copy();
				MessageSource source = MessageSource.of(bytes);
				return (SingleWorker) () -> {
					this.message.patchId(bytes, id[0]++);
					SendResult result = this.client.send(envelope, source);
					if (!result.isFullyAccepted()) {
						throw new IllegalStateException("refused: " + result);
					}
				};
			}
			// One copy per message of a batch: all of them are under way together.
			List<byte[]> copies = new ArrayList<>();
			List<OutgoingMessage> batch = new ArrayList<>();
			for (int i = 0; i < this.batch; i++) {
				byte[] bytes = this.message.copy();
				copies.add(bytes);
				batch.add(new OutgoingMessage(envelope, MessageSource.of(bytes)));
			}
			return new Worker() {

				@Override
				public void send(int count) throws Exception {
					for (int i = 0; i < count; i++) {
						SmtpkitClient.this.message.patchId(copies.get(i), id[0]++);
					}
					for (BatchResult result : SmtpkitClient.this.client.sendAll(batch.subList(0, count))) {
						if (!result.get().isFullyAccepted()) {
							throw new IllegalStateException("refused: " + result);
						}
					}
				}

				@Override
				public int batchSize() {
					return SmtpkitClient.this.batch;
				}

			};
		}

		@Override
		public void close() {
			this.client.close();
		}

	}

	/**
	 * The {@code smtpkit} client with the listeners the starter gives a client when the actuator is
	 * there: {@link SmtpClientMetrics} and {@link SmtpSendObservations} (into a registry that times
	 * every observation), and {@link SmtpEventPublisher} into a real application context unless
	 * events are off. The context has no listener for the events, or ({@code LISTENED}) one
	 * {@code @EventListener} method for {@code SmtpReplyEvent}, as the sample application has.
	 */
	static final class StarterClient implements Client {

		enum Events {

			OFF, ON, LISTENED

		}

		private final Instruments instruments;

		private final SmtpkitClient client;

		StarterClient(String host, int port, int connections, Message message, Events events) {
			this.instruments = new Instruments(events);
			this.client = new SmtpkitClient(host, port, connections, true, 1, message, this.instruments.listener());
		}

		/** The application context, registries and client listener of a starter with the actuator. */
		static final class Instruments implements AutoCloseable {

			private final AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();

			private final SmtpEventListener listener;

			Instruments(Events events) {
				if (events == Events.LISTENED) {
					this.context.register(ReplyListener.class);
				}
				this.context.refresh();
				SimpleMeterRegistry meters = new SimpleMeterRegistry();
				ObservationRegistry observations = ObservationRegistry.create();
				observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
				List<SmtpEventListenerFactory> factories = new ArrayList<>();
				if (events != Events.OFF) {
					factories.add(new SmtpEventPublisher(this.context));
				}
				factories.add(new SmtpClientMetrics(meters));
				factories.add(new SmtpSendObservations(observations, null));
				this.listener = SmtpEventListener
					.composite(factories.stream().map((factory) -> factory.create("default")).toList());
			}

			SmtpEventListener listener() {
				return this.listener;
			}

			@Override
			public void close() {
				this.context.close();
			}

		}

		@Override
		public Worker worker(int index) {
			return this.client.worker(index);
		}

		@Override
		public void close() {
			this.client.close();
			this.instruments.close();
		}

		/** What an application's audit listener does, at the least: looks at each reply. */
		public static class ReplyListener {

			private final AtomicLong replies = new AtomicLong();

			@EventListener
			void onReply(SmtpReplyEvent event) {
				if (event.getReply().code() > 0) {
					this.replies.incrementAndGet();
				}
			}

		}

	}

	static Properties jakartaProperties(String host, int port) {
		Properties properties = new Properties();
		properties.setProperty("mail.smtp.host", host);
		properties.setProperty("mail.smtp.port", Integer.toString(port));
		properties.setProperty("mail.smtp.localhost", HELO_NAME);
		properties.setProperty("mail.smtp.connectiontimeout", "10000");
		properties.setProperty("mail.smtp.timeout", "60000");
		properties.setProperty("mail.smtp.writetimeout", "60000");
		return properties;
	}

	static final class AngusClient implements Client {

		private final Session session;

		private final Message message;

		private final List<Transport> transports = new ArrayList<>();

		AngusClient(String host, int port, Message message) {
			this.session = Session.getInstance(jakartaProperties(host, port));
			this.message = message;
		}

		@Override
		public Worker worker(int index) throws Exception {
			Transport transport = this.session.getTransport("smtp");
			transport.connect();
			synchronized (this.transports) {
				this.transports.add(transport);
			}
			MimeMessage mime = new MimeMessage(this.session, new ByteArrayInputStream(this.message.bytes()));
			Address[] recipients = { new InternetAddress(TO) };
			long[] id = { firstId(index) };
			return (SingleWorker) () -> {
				mime.setHeader("Message-ID", this.message.messageId(id[0]++));
				transport.sendMessage(mime, recipients);
			};
		}

		@Override
		public void close() {
			for (Transport transport : this.transports) {
				try {
					transport.close();
				}
				catch (MessagingException ex) {
					// QUIT after the measurement: nothing to report.
				}
			}
		}

	}

	static final class SpringClient implements Client {

		private final JavaMailSenderImpl sender = new JavaMailSenderImpl();

		private final Message message;

		SpringClient(String host, int port, Message message) {
			this.sender.setJavaMailProperties(jakartaProperties(host, port));
			// JavaMailSenderImpl passes its own host and port to connect(), over the properties.
			this.sender.setHost(host);
			this.sender.setPort(port);
			this.message = message;
		}

		@Override
		public Worker worker(int index) throws Exception {
			MimeMessage mime = new MimeMessage(this.sender.getSession(), new ByteArrayInputStream(this.message.bytes()));
			long[] id = { firstId(index) };
			return (SingleWorker) () -> {
				// JavaMailSenderImpl keeps a Message-ID that is set (it calls saveChanges, then restores it).
				mime.setHeader("Message-ID", this.message.messageId(id[0]++));
				this.sender.send(mime);
			};
		}

		@Override
		public void close() {
		}

	}

	// ---------------------------------------------------------------- arguments

	private static Map<String, String> parse(String[] args) {
		Map<String, String> options = new LinkedHashMap<>();
		for (String arg : args) {
			if (!arg.startsWith("--") || arg.indexOf('=') < 0) {
				throw new IllegalArgumentException("Arguments are --name=value, but got '" + arg + "'; names: client,"
						+ " host, port, connections, size, count, warmup-count, seconds, warmup-seconds");
			}
			int eq = arg.indexOf('=');
			options.put(arg.substring(2, eq), arg.substring(eq + 1));
		}
		return options;
	}

	private static String required(Map<String, String> options, String name) {
		String value = options.get(name);
		if (value == null) {
			throw new IllegalArgumentException("--" + name + " is required");
		}
		return value;
	}

}
