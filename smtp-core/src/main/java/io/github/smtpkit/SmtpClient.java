package io.github.smtpkit;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

import io.github.smtpkit.auth.AuthMechanism;
import io.github.smtpkit.internal.AsyncSendQueue;
import io.github.smtpkit.internal.CommandLines;
import io.github.smtpkit.internal.ConnectBackoff;
import io.github.smtpkit.internal.Durations;
import io.github.smtpkit.internal.SessionPool;
import io.github.smtpkit.internal.SessionSettings.Timeout;
import io.github.smtpkit.pool.PoolConfig;
import io.github.smtpkit.pool.PoolStats;
import jakarta.mail.internet.MimeMessage;
import org.jspecify.annotations.Nullable;

/**
 * Sends mail to one server from many threads through a bounded pool of ready sessions: what
 * applications (and the Spring {@code MailSender}) call.
 *
 * <pre>{@code
 * SmtpClient client = SmtpClient.builder()
 *     .host("mail.example.com").port(587).tls(TlsMode.STARTTLS_REQUIRED)
 *     .credentials("app@example.com", secret)
 *     .pool(PoolConfig.builder().maxTotal(4).build())
 *     .build();
 * SendResult result = client.send(Envelope.of("app@example.com", "you@example.org"), messageBytes);
 * }</pre>
 *
 * <p>{@link #sendAll(List)} sends many messages over one session, each message's end of data in
 * one write with the next message's commands: the fastest way to send a batch. Concurrent
 * {@code send} calls share that saving: a session that is sending takes the next waiting message
 * into its pipeline, first come first served, each caller getting its own result or exception.
 *
 * <p>A session is lent only when ready: connected, greeted, EHLO'd, TLS'd and authenticated. It
 * is closed rather than returned when it saw a 421, a disconnect, a timeout or an I/O error.
 *
 * <p>Nothing is sent twice: when a reused session turns out dead before the message could have
 * been accepted (before its terminating dot was written), the send is retried once on a fresh or
 * freshly checked connection; when the connection dies after the dot and before the reply,
 * {@link SmtpAmbiguousOutcomeException} says so and nothing is retried.
 *
 * <p>A server that says "not now" while a connection is being opened (421, or 450/451/452/454 to
 * the greeting, EHLO, STARTTLS or AUTH; or 421 later, when no retry heals it) is backed off
 * from: no new connection is opened to it for a growing interval ({@link #backoffUntil()},
 * {@link Builder#backoff(Duration, Duration)}). A send that needs one meanwhile waits for the
 * interval to end when it ends within the pool's {@link PoolConfig#maxWait()} (what is left of
 * it), and otherwise fails at once with {@link SmtpBackoffException}, with nothing sent and the
 * time to try again. With {@link Builder#hosts(List)}, a host that
 * cannot be connected to or greets with 421 is passed over for the next.
 *
 * <p>A server that advertises PIPELINING but answers only the first commands of a pipelined group
 * and then falls silent (or hangs up) is one that mishandles it: the send is retried once on a
 * fresh or freshly checked connection, and the client sends one command at a time from then on
 * (logged as a warning, and told to the listener as
 * {@link SmtpEventListener#pipeliningDisabled(SmtpEndpoint)}).
 *
 * <p>{@link #sendAsync(OutgoingMessage)} returns at once with a {@link CompletableFuture}: the
 * message waits in a bounded queue and is sent on an executor's thread.
 *
 * <p>Thread-safe. {@link #close()} ends every idle session with QUIT; lent ones are closed when
 * they come back.
 */
public final class SmtpClient implements AutoCloseable {

	/** The default first interval of the back-off from a server that said "not now". */
	public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofSeconds(1);

	/** The default longest interval of the back-off from a server that said "not now". */
	public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(5);

	private final SmtpEndpoint endpoint;

	private final TlsMode tlsMode;

	private final boolean authenticates;

	private final boolean chunking;

	private final SmtpEventListener listener;

	private final SessionPool pool;

	private final Clock clock;

	/** Refuses to open new connections for a while after the server said "not now". */
	private final ConnectBackoff backoff;

	/** Borrows, sends, heals and gives back: the sending behind {@code send} and {@code sendAll}. */
	private final PooledSender sender;

	/** The queue and executor of {@link #sendAsync}; no thread is started before its first message. */
	private final AsyncSendQueue asyncQueue;

	/** The rate limit kept in Redis that this client made ({@link Builder#rateLimitRedis}) and closes. */
	private final @Nullable RedisRateLimiter redisRateLimiter;

	private SmtpClient(Builder builder, SmtpEndpoint endpoint) {
		this.endpoint = endpoint;
		this.tlsMode = builder.tlsMode;
		this.authenticates = builder.username != null;
		this.chunking = builder.settings.chunking();
		this.listener = builder.settings.listener();
		this.clock = builder.clock;
		SessionOpener opener = new SessionOpener(builder.protocol, builder.host, builder.hosts, builder.port,
				builder.unixSocket, builder.tlsMode, builder.username, builder.password, builder.authMechanisms,
				builder.settings, this::pipelines);
		this.backoff = new ConnectBackoff(endpoint, builder.backoffInitial, builder.backoffMax, builder.clock,
				this.listener);
		this.pool = new SessionPool(endpoint, builder.pool, builder.clock, this.listener,
				() -> this.backoff.open(opener::open));
		this.redisRateLimiter = builder.redisRateLimiter(endpoint);
		this.sender = new PooledSender(endpoint, this.pool, this.backoff, this.listener, builder.pipelining,
				builder.dkimSigner, (this.redisRateLimiter != null) ? this.redisRateLimiter : builder.rateLimiter);
		this.asyncQueue = new AsyncSendQueue(endpoint, this.listener, builder.asyncQueueCapacity, builder.asyncExecutor,
				builder.pool.maxTotal(), (message) -> send(message.envelope(), message.message()));
	}

	/**
	 * Whether new sessions pipeline: asked for, and not given up on for this server. Asked by the
	 * pool for each new session, long after construction.
	 */
	private boolean pipelines() {
		return this.sender.pipelines();
	}

	/** A builder; {@code host} (or, for LMTP, {@code unixSocket}) is required. */
	public static Builder builder() {
		return new Builder();
	}

	// ---------------------------------------------------------------- sending

	/**
	 * Sends a message held in memory.
	 * @see #send(Envelope, MessageSource)
	 */
	public SendResult send(Envelope envelope, byte[] message) throws IOException {
		return send(envelope, MessageSource.of(message));
	}

	/**
	 * Sends a Jakarta Mail message to the given envelope, streamed, without its {@code Bcc} and
	 * {@code Resent-Bcc} headers.
	 * @see #send(Envelope, MessageSource)
	 */
	public SendResult send(Envelope envelope, MimeMessage message) throws IOException {
		return send(envelope, MessageSource.of(message));
	}

	/**
	 * Sends a Jakarta Mail message to the envelope its headers give, as
	 * {@link SmtpSession#sendMessage(MimeMessage)} does (with {@code SMTPUTF8} when an address
	 * needs it).
	 * @throws IllegalArgumentException if the headers give no sender or no recipient
	 * @see #send(Envelope, MessageSource)
	 */
	public SendResult send(MimeMessage message) throws IOException {
		OutgoingMessage outgoing = OutgoingMessage.of(message);
		return send(outgoing.envelope(), outgoing.message());
	}

	/**
	 * Sends one message through a pooled session.
	 * @param envelope the sender, recipients and options
	 * @param message the message, with CRLF line endings; it may be written twice if the send is
	 * retried on a fresh connection
	 * @return who accepted and who refused the message
	 * @throws SmtpSenderRefusedException if the server refused the sender
	 * @throws SmtpRecipientsRefusedException if it refused every recipient, or any recipient of an
	 * envelope that {@linkplain Envelope#requiringAllRecipients() requires all of them} (nothing is
	 * delivered then, and the session goes back to the pool)
	 * @throws SmtpDataException if it refused the message
	 * @throws SmtpAmbiguousOutcomeException if the connection broke after the message was sent and
	 * before the reply: it may have been delivered
	 * @throws SmtpPoolTimeoutException if no session became free within the pool's maximum wait
	 * @throws SmtpBackoffException if a new connection was needed and the client backs off from the
	 * server for longer than the send may still wait; nothing was sent, and it says when to try again
	 * @throws SmtpException for other protocol failures; {@link SmtpTimeoutException} and
	 * {@link SmtpServerDisconnectedException} when the server did not answer or went away
	 * @throws IOException if the message source failed, or opening a connection failed
	 * @throws IllegalStateException if the client is closed
	 */
	public SendResult send(Envelope envelope, MessageSource message) throws IOException {
		return this.sender.send(new OutgoingMessage(envelope, message));
	}

	/**
	 * Sends several messages, in order, each as {@link #send(Envelope, MessageSource)} would and
	 * with the same guarantees (nothing sent twice, a retry only before the data went out), and
	 * says what became of each.
	 *
	 * <p>The batch holds one session from the pool while it lasts (the next, after
	 * {@link PoolConfig#maxMessagesPerConnection()} messages or a broken connection). With
	 * PIPELINING, each message's end of data goes out in one write with the next message's MAIL,
	 * RCPT and DATA, so that a message costs one round trip instead of two: the fastest way to send
	 * many messages over one connection. A message that fails does not stop the others.
	 * @param messages the messages, in the order to send them
	 * @return one result per message, in the same order: its {@link SendResult}, or the exception
	 * {@code send} would have thrown for it (when no session could be had, every message left fails
	 * with that)
	 * @throws IllegalStateException if the client is closed
	 */
	public List<BatchResult> sendAll(List<OutgoingMessage> messages) {
		Objects.requireNonNull(messages, "messages");
		for (int i = 0; i < messages.size(); i++) {
			Objects.requireNonNull(messages.get(i), "messages[" + i + "]");
		}
		return this.sender.sendBatch(List.copyOf(messages));
	}

	/**
	 * Sends a message held in memory without waiting for it.
	 * @see #sendAsync(OutgoingMessage)
	 */
	public CompletableFuture<SendResult> sendAsync(Envelope envelope, byte[] message) {
		return sendAsync(OutgoingMessage.of(envelope, message));
	}

	/**
	 * Sends a message without waiting for it.
	 * @see #sendAsync(OutgoingMessage)
	 */
	public CompletableFuture<SendResult> sendAsync(Envelope envelope, MessageSource message) {
		return sendAsync(new OutgoingMessage(envelope, message));
	}

	/**
	 * Sends a message without waiting for it: it joins a bounded queue, and a thread of the
	 * {@linkplain Builder#asyncExecutor(Executor) executor} sends it as {@link #send(Envelope,
	 * MessageSource)} would, with the same guarantees. The calling thread never waits: not for a
	 * session, a connection, or room in the queue.
	 * <ul>
	 * <li><b>A full queue</b> ({@link Builder#asyncQueueCapacity(int)} messages waiting to start):
	 * the future is failed at once with {@link SmtpSendRejectedException} ({@code QUEUE_FULL}),
	 * and the message is not sent.</li>
	 * <li><b>Order:</b> messages start in the order accepted, whatever order the executor runs its
	 * tasks in; with several threads they are sent at once over several sessions and may finish in
	 * another order (a single-threaded executor sends one after another).</li>
	 * <li><b>Cancellation:</b> cancelling the future of a message that has not started removes it
	 * from the queue, and it is never sent. Once started, {@code cancel} returns {@code false},
	 * interrupts nothing (no message is cut off in its data) and the future completes with the
	 * outcome: a cancelled future always means a message not sent.</li>
	 * <li><b>{@link #close()}</b> fails every message still waiting, and any given afterwards, with
	 * {@link SmtpSendRejectedException} ({@code CLIENT_CLOSED}): none of them is sent. A send under
	 * way finishes (or fails as a send on a closed client does, if it had no session yet).</li>
	 * </ul>
	 * The future fails with what {@code send} would throw; the listener hears of the send as of any
	 * other, on the sending thread, where stages added without {@code Async} run too (keep them short).
	 * @param message the message and its envelope; a {@link MimeMessage} behind it must not change
	 * until the future completes
	 * @return the send's future
	 */
	public CompletableFuture<SendResult> sendAsync(OutgoingMessage message) {
		Objects.requireNonNull(message, "message");
		return this.asyncQueue.submit(message);
	}

	/**
	 * Checks that the server answers: borrows a pooled session (opening one if none is idle),
	 * sends NOOP and gives the session back. For health checks, which so reuse the pool's
	 * authenticated sessions instead of logging in anew on every probe. A pooled session that the
	 * server had closed meanwhile (it fails NOOP, or answers 421) says nothing about the server, so
	 * it is closed and the next one (eventually a fresh connection) is asked instead.
	 * @param maxWait the longest to wait for a free session; opening a new one is bounded by the
	 * connect and reply timeouts instead
	 * @return the reply to NOOP
	 * @throws SmtpPoolTimeoutException if no session became free within {@code maxWait}
	 * @throws IOException if no connection could be opened or the server did not answer
	 * @throws IllegalStateException if the client is closed
	 */
	public SmtpReply ping(Duration maxWait) throws IOException {
		Durations.requirePositive("maxWait", maxWait);
		PooledSender.Answered answered = this.sender.borrowAnswering(maxWait, true);
		if (answered.reply().isServiceClosing()) {
			this.pool.discard(answered.lease(), "service closing");
		}
		else {
			if (answered.reply().isPositiveCompletion()) {
				this.pool.replied();
			}
			this.pool.giveBack(answered.lease());
		}
		return answered.reply();
	}

	/**
	 * Checks that the server answers without ever waiting behind sends, for health checks: sends
	 * NOOP over an idle pooled session, taken without waiting (the pool's usual checks apply, so
	 * one idle for too long is closed instead); or, when the pool holds no session at all (they
	 * were all closed for being idle, say), over a new one, which then stays in the pool. When
	 * every session is lent to a send, it asks nothing and returns empty: opening another
	 * connection, and logging in, only to ask would load the server and tell little that
	 * {@link #lastReplyTime()} does not.
	 *
	 * <p>A pooled session that fails NOOP or answers anything but 2xx (a 421 from a restart) says
	 * nothing about the server now: it is closed, and the next idle one is asked instead, or a new
	 * one when none is left and none is busy. A new session's answer stands, whatever it is.
	 * @param replyTimeout the bound on the reply to NOOP (opening a new session is bounded by the
	 * connect and reply timeouts instead)
	 * @return the reply to NOOP, or empty when every session was busy and nothing was asked
	 * @throws IOException if a new session could not be opened, or it did not answer NOOP
	 * @throws IllegalArgumentException if {@code replyTimeout} is not positive
	 * @throws IllegalStateException if the client is closed
	 */
	public Optional<SmtpReply> tryPing(Duration replyTimeout) throws IOException {
		return Optional.ofNullable(this.pool.probe(Durations.requirePositive("replyTimeout", replyTimeout)));
	}

	// ---------------------------------------------------------------- state

	/** A snapshot of the pool: total, active, idle, waiting, created, destroyed. */
	public PoolStats poolStats() {
		return this.pool.stats();
	}

	/** The pool's configuration. */
	public PoolConfig poolConfig() {
		return this.pool.config();
	}

	/**
	 * When the server last showed this client that it is there and serving, by this client's
	 * {@linkplain #clock() clock}: the latest of
	 * <ul>
	 * <li>a session opened ready (the server greeted, and accepted EHLO, TLS and the login);</li>
	 * <li>a message's transaction answered: accepted, or refused with anything but 421;</li>
	 * <li>a pooled session's check (RSET or NOOP, see {@link PoolConfig#validateAfterIdle()}), a
	 * {@link #ping} or a {@link #tryPing} answered 2xx.</li>
	 * </ul>
	 * Read-only and cheap, without I/O: a health check need not ask a server that has just
	 * answered, nor wait behind the sends that keep it busy to ask it.
	 * @return the time, in milliseconds; empty until the server first answered
	 */
	public Optional<Instant> lastReplyTime() {
		return Optional.ofNullable(this.pool.lastReply());
	}

	/**
	 * When the back-off from this server ends, by this client's {@linkplain #clock() clock}: after
	 * the server said "not now" while a connection was being opened (a 421, or a 450, 451, 452 or
	 * 454 to the greeting, EHLO, STARTTLS or AUTH, or a 421 later that no retry healed), no new
	 * connection is opened before then: a send that needs one waits until then if that is within
	 * its longest wait ({@link PoolConfig#maxWait()}, less what it already waited), and otherwise
	 * fails at once with {@link SmtpBackoffException}, with nothing sent. Sessions already open are
	 * still used. See {@link Builder#backoff(Duration, Duration)}.
	 * @return the time, or empty when the client is not backing off
	 */
	public Optional<Instant> backoffUntil() {
		return this.backoff.until();
	}

	/**
	 * The clock this client tells time by: of {@link #lastReplyTime()}, session lifetimes and idle
	 * times ({@link Builder#clock(Clock)}).
	 */
	public Clock clock() {
		return this.clock;
	}

	/** The server this client sends to. */
	public SmtpEndpoint endpoint() {
		return this.endpoint;
	}

	/** Whether {@link #close()} was called. */
	public boolean isClosed() {
		return this.pool.isClosed();
	}

	/**
	 * Ends every idle session with QUIT; sends after this fail with {@link IllegalStateException}.
	 * Messages still waiting in the {@linkplain #sendAsync(OutgoingMessage) queue} are not sent:
	 * their futures fail with {@link SmtpSendRejectedException}. The client's own executor is shut
	 * down (a supplied one is left to its owner); a send under way is not interrupted. The
	 * connection to Redis of a {@linkplain Builder#rateLimitRedis shared rate limit} is closed.
	 */
	@Override
	public void close() {
		this.asyncQueue.close();
		this.pool.close();
		if (this.redisRateLimiter != null) {
			this.redisRateLimiter.close();
		}
	}

	@Override
	public String toString() {
		return "SmtpClient[" + this.endpoint.protocol().name().toLowerCase(Locale.ROOT) + " " + this.endpoint + ", tls="
				+ this.tlsMode + (this.authenticates ? ", authenticated" : "") + (pipelines() ? "" : ", no pipelining")
				+ (this.chunking ? ", chunking" : "") + ", pool " + this.pool.stats() + "]";
	}

	/**
	 * Configures an {@link SmtpClient}. Every value is checked when set or at {@link #build()}, and
	 * a bad one is named in an {@link IllegalArgumentException}. Defaults: SMTP, opportunistic
	 * STARTTLS with certificate and host name verification, 60 s timeouts, {@link PoolConfig#defaults()}.
	 */
	public static final class Builder extends SessionSettingsBuilder<Builder> implements Cloneable {

		private SmtpProtocol protocol = SmtpProtocol.SMTP;

		private @Nullable String host;

		/** The hosts to try in order, the first being {@code host}; {@code null} for {@code host} alone. */
		private @Nullable List<String> hosts;

		private int port;

		private @Nullable Path unixSocket;

		private @Nullable TlsMode tlsMode;

		private @Nullable String username;

		private @Nullable String password;

		private List<AuthMechanism> authMechanisms = SmtpSession.DEFAULT_AUTH_MECHANISMS;

		private boolean pipelining = true;

		private PoolConfig pool = PoolConfig.defaults();

		private Clock clock = Clock.systemUTC();

		private Duration backoffInitial = DEFAULT_BACKOFF_INITIAL;

		private Duration backoffMax = DEFAULT_BACKOFF_MAX;

		private @Nullable Executor asyncExecutor;

		private int asyncQueueCapacity = 1000;

		private @Nullable DkimSigner dkimSigner;

		private @Nullable SmtpRateLimiter rateLimiter;

		/** What {@link #rateLimit(int, Duration)} set, for a limit kept in Redis instead. */
		private int rateLimitMessages;

		private @Nullable Duration rateLimitPeriod;

		private @Nullable String rateLimitRedisUri;

		private @Nullable String rateLimitKey;

		private Builder() {
			this.settings.timeout(Timeout.CONNECT, Duration.ofSeconds(10));
		}

		/** SMTP (default), SMTPS (implicit TLS) or LMTP. */
		public Builder protocol(SmtpProtocol protocol) {
			this.protocol = Objects.requireNonNull(protocol, "protocol");
			return this;
		}

		/** The server's host name or address. */
		public Builder host(String host) {
			if (host == null || host.isBlank()) {
				throw new IllegalArgumentException("host must not be blank, but was '" + host + "'");
			}
			this.host = host;
			this.hosts = null;
			return this;
		}

		/**
		 * Several hosts for one server, tried in order for each new connection: a host whose
		 * connection cannot be opened (after every address its name resolves to was tried) or
		 * that answers 421 at the greeting is passed over for the next; any other failure is
		 * final, and nothing ever moves on once a message has started (after MAIL). Each is a host
		 * name or address on {@link #port(int)}, or {@code "host:port"}. Replaces
		 * {@link #host(String)}; the first is the client's {@link SmtpClient#endpoint()}, and
		 * {@link SendResult#endpoint()} says which one took each message.
		 * @throws IllegalArgumentException if the list is empty or a host is blank or has a bad port
		 */
		public Builder hosts(List<String> hosts) {
			if (hosts == null || hosts.isEmpty()) {
				throw new IllegalArgumentException("hosts must name at least one host, but was " + hosts);
			}
			for (String each : hosts) {
				if (each == null || each.isBlank()) {
					throw new IllegalArgumentException("hosts must not hold a blank host, but was " + hosts);
				}
				SessionOpener.hostEndpoint(each, SmtpProtocol.SMTP, 0);
			}
			this.hosts = List.copyOf(hosts);
			this.host = hosts.get(0);
			return this;
		}

		/** The port (default: 25, 465 or 2003 by protocol). */
		public Builder port(int port) {
			if (port < 1 || port > 65535) {
				throw new IllegalArgumentException("port must be between 1 and 65535, but was " + port);
			}
			this.port = port;
			return this;
		}

		/** For LMTP, a unix-domain socket instead of a host. */
		public Builder unixSocket(Path unixSocket) {
			this.unixSocket = Objects.requireNonNull(unixSocket, "unixSocket");
			return this;
		}

		/**
		 * How connections are protected (default {@link TlsMode#STARTTLS_OPPORTUNISTIC} for SMTP,
		 * {@link TlsMode#IMPLICIT} for SMTPS, {@link TlsMode#NONE} for LMTP).
		 */
		public Builder tls(TlsMode tlsMode) {
			this.tlsMode = Objects.requireNonNull(tlsMode, "tlsMode");
			return this;
		}

		/**
		 * Where to get the TLS context, asked each time a new connection is opened: a context that
		 * changes, for example when a certificate is renewed, is used from the next connection on.
		 * Sessions already in the pool keep theirs until they are closed (at the latest after
		 * {@link PoolConfig#maxLifetime()}). The supplier must be fast and must not return null.
		 */
		public Builder sslContextSupplier(Supplier<SSLContext> sslContextSupplier) {
			this.settings.sslContext(Objects.requireNonNull(sslContextSupplier, "sslContextSupplier"));
			return this;
		}

		/**
		 * Logs in with these credentials on every new connection. With XOAUTH2 or OAUTHBEARER the
		 * password is empty: the mechanism's token supplier gives the secret.
		 * @throws IllegalArgumentException if the user name is empty, or either has NUL, CR or LF
		 */
		public Builder credentials(String username, String password) {
			if (username == null || username.isEmpty()) {
				throw new IllegalArgumentException("username must not be empty");
			}
			this.username = CommandLines.requireCredential("user name", username);
			this.password = CommandLines.requireCredential("password", Objects.requireNonNull(password, "password"));
			return this;
		}

		/** The AUTH mechanisms to try, most preferred first (default {@link SmtpSession#DEFAULT_AUTH_MECHANISMS}). */
		public Builder authMechanisms(List<AuthMechanism> authMechanisms) {
			if (authMechanisms == null || authMechanisms.isEmpty()) {
				throw new IllegalArgumentException("authMechanisms must not be empty");
			}
			this.authMechanisms = List.copyOf(authMechanisms);
			return this;
		}

		/**
		 * Whether MAIL, RCPT and DATA are pipelined (RFC 2920) when the server advertises PIPELINING
		 * (default {@code true}). A server that advertises it but answers a pipelined group only in
		 * part turns it off by itself, after one failed attempt that is sent again; turn it off here
		 * to spare that attempt.
		 */
		public Builder pipelining(boolean pipelining) {
			this.pipelining = pipelining;
			return this;
		}

		/** The pool's settings (default {@link PoolConfig#defaults()}). */
		public Builder pool(PoolConfig pool) {
			this.pool = Objects.requireNonNull(pool, "pool");
			return this;
		}

		/** The clock for session lifetimes and idle times (default: the system clock); for tests. */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock");
			return this;
		}

		/**
		 * How long to stop opening new connections after the server said "not now" while one was
		 * being opened (see {@link SmtpClient#backoffUntil()}): {@code initial} after the first such
		 * answer, doubling with each further one in a row up to {@code max}, each interval drawn at
		 * random between half and all of that (so that clients refused together do not return
		 * together); a connection opened successfully starts over. Defaults: 1 s and 5 min.
		 * @throws IllegalArgumentException if either is not positive or {@code max} is shorter than
		 * {@code initial}
		 */
		public Builder backoff(Duration initial, Duration max) {
			if (initial == null || initial.isZero() || initial.isNegative()) {
				throw new IllegalArgumentException("backoff initial must be positive, but was " + initial);
			}
			if (max == null || max.compareTo(initial) < 0) {
				throw new IllegalArgumentException(
						"backoff max must be at least the initial " + initial + ", but was " + max);
			}
			this.backoffInitial = initial;
			this.backoffMax = max;
			return this;
		}

		/**
		 * Signs every message with DKIM before it goes out ({@code send}, {@code sendAll},
		 * {@code sendAsync}): see {@link DkimSigner}. Default: no signature.
		 */
		public Builder dkimSigner(DkimSigner dkimSigner) {
			this.dkimSigner = Objects.requireNonNull(dkimSigner, "dkimSigner");
			return this;
		}

		/**
		 * At most {@code messages} messages in each {@code period} to this server, shared by every
		 * connection of the pool (see {@link Bucket4jRateLimiter#perPeriod(long, Duration)}). A
		 * send waits for its permit at most the pool's {@link PoolConfig#maxWait()} and otherwise
		 * fails at once with {@link SmtpRateLimitedException}, nothing sent; the listener hears of
		 * both. Needs {@code com.bucket4j:bucket4j_jdk17-core} on the class path. Default: no limit.
		 * With {@link #rateLimitRedis}, the limit is shared by every instance of the application.
		 * @throws IllegalArgumentException if messages is below 1 or the period is not positive
		 * @throws IllegalStateException if Bucket4j is not on the class path
		 */
		public Builder rateLimit(int messages, Duration period) {
			try {
				rateLimiter(Bucket4jRateLimiter.perPeriod(messages, period));
				this.rateLimitMessages = messages;
				this.rateLimitPeriod = period;
				return this;
			}
			catch (NoClassDefFoundError ex) {
				throw new IllegalStateException("rateLimit(" + messages + ", " + period + ") needs Bucket4j:"
						+ " add com.bucket4j:bucket4j_jdk17-core to the class path", ex);
			}
		}

		/**
		 * The server's rate limit, asked before messages go out, as {@link #rateLimit(int, Duration)}
		 * describes: for a limit of one's own, or one shared by several instances
		 * ({@link Bucket4jRateLimiter#of(io.github.bucket4j.Bucket)} on a distributed bucket).
		 * Default: no limit.
		 */
		public Builder rateLimiter(SmtpRateLimiter rateLimiter) {
			this.rateLimiter = Objects.requireNonNull(rateLimiter, "rateLimiter");
			this.rateLimitPeriod = null;
			return this;
		}

		/**
		 * Keeps the limit of {@link #rateLimit(int, Duration)} in Redis, shared with every client, in
		 * any JVM, that has the same {@link #rateLimitKey key}: see {@link RedisRateLimiter}, which
		 * also says how it fails closed when Redis does not answer. The client connects on its first
		 * send and closes the connection when it is closed. Needs
		 * {@code com.bucket4j:bucket4j_jdk17-lettuce} and {@code io.lettuce:lettuce-core}.
		 * @param redisUri {@code redis://[[user]:password@]host[:port][/database][?timeout=2s]}
		 * @throws IllegalArgumentException if the URI cannot be parsed (named without its credentials)
		 * @throws IllegalStateException if Bucket4j's Redis integration or Lettuce is missing
		 */
		public Builder rateLimitRedis(String redisUri) {
			RedisRateLimiter.requireClassPath(Builder.class.getClassLoader());
			RedisRateLimiter.parse(redisUri);
			this.rateLimitRedisUri = redisUri;
			return this;
		}

		/**
		 * The key of the {@link #rateLimitRedis shared limit} in Redis. Default:
		 * {@link RedisRateLimiter#defaultKey}, from the first host, the port and the user name:
		 * instances sending as the same account to the same server share it.
		 */
		public Builder rateLimitKey(String key) {
			if (key == null || key.isBlank()) {
				throw new IllegalArgumentException("rateLimitKey must not be blank, but was '" + key + "'");
			}
			this.rateLimitKey = key;
			return this;
		}

		private void checkRateLimit() {
			if (this.rateLimitRedisUri == null && this.rateLimitKey != null) {
				throw new IllegalArgumentException("rateLimitKey is the key of a limit kept in Redis: set rateLimitRedis too");
			}
			if (this.rateLimitRedisUri != null && this.rateLimitPeriod == null) {
				throw new IllegalArgumentException("rateLimitRedis keeps the limit of rateLimit(messages, period) in Redis:"
						+ " set rateLimit too");
			}
		}

		/** The limit kept in Redis, when {@link #rateLimitRedis} was set; made by and closed with the client. */
		private @Nullable RedisRateLimiter redisRateLimiter(SmtpEndpoint endpoint) {
			if (this.rateLimitRedisUri == null || this.rateLimitPeriod == null) {
				return null;
			}
			String key = (this.rateLimitKey != null) ? this.rateLimitKey : RedisRateLimiter.defaultKey(endpoint, this.username);
			return RedisRateLimiter.create(this.rateLimitRedisUri, key, this.rateLimitMessages, this.rateLimitPeriod);
		}

		/**
		 * The executor that {@link SmtpClient#sendAsync(OutgoingMessage)} sends on (default: the
		 * client's own, with as many daemon threads as {@link PoolConfig#maxTotal()}, started on
		 * demand, ending after a minute idle, and shut down by {@link SmtpClient#close()}). A
		 * supplied executor is not shut down by the client. Each message takes one of its threads for
		 * the whole send, waiting for a session included (at most the pool's
		 * {@link PoolConfig#maxWait()}); more threads than {@code maxTotal} only wait for sessions.
		 * An executor that refuses a task fails that message with
		 * {@link SmtpSendRejectedException.Reason#EXECUTOR_REJECTED}.
		 */
		public Builder asyncExecutor(Executor asyncExecutor) {
			this.asyncExecutor = Objects.requireNonNull(asyncExecutor, "asyncExecutor");
			return this;
		}

		/**
		 * The most messages that {@link SmtpClient#sendAsync(OutgoingMessage)} keeps waiting to
		 * start (default 1000); when that many wait, the next one fails at once with
		 * {@link SmtpSendRejectedException.Reason#QUEUE_FULL}. Messages being sent do not count.
		 */
		public Builder asyncQueueCapacity(int asyncQueueCapacity) {
			if (asyncQueueCapacity < 1) {
				throw new IllegalArgumentException("asyncQueueCapacity must be at least 1, but was " + asyncQueueCapacity);
			}
			this.asyncQueueCapacity = asyncQueueCapacity;
			return this;
		}

		/**
		 * Checks the whole configuration and makes the client. No connection is opened until the
		 * first send.
		 * @throws IllegalArgumentException naming what is missing or contradictory
		 */
		public SmtpClient build() {
			// The client keeps a copy: changing this builder afterwards changes no client, and
			// building again from it starts from what was set, not from this build's defaults.
			return copy().buildFromCopy();
		}

		private SmtpClient buildFromCopy() {
			if (this.tlsMode == null) {
				this.tlsMode = switch (this.protocol) {
					case SMTP -> TlsMode.STARTTLS_OPPORTUNISTIC;
					case SMTPS -> TlsMode.IMPLICIT;
					case LMTP -> TlsMode.NONE;
				};
			}
			if (this.tlsMode == TlsMode.IMPLICIT && this.protocol == SmtpProtocol.SMTP) {
				this.protocol = SmtpProtocol.SMTPS;
			}
			if (this.protocol == SmtpProtocol.SMTPS && this.tlsMode != TlsMode.IMPLICIT) {
				throw new IllegalArgumentException("tls must be IMPLICIT for protocol SMTPS, but was " + this.tlsMode);
			}
			if (this.protocol == SmtpProtocol.LMTP && this.tlsMode == TlsMode.IMPLICIT) {
				throw new IllegalArgumentException("tls IMPLICIT is not available for protocol LMTP; use STARTTLS_REQUIRED");
			}
			if (this.unixSocket != null) {
				if (this.protocol != SmtpProtocol.LMTP) {
					throw new IllegalArgumentException("unixSocket is for protocol LMTP, but protocol is " + this.protocol);
				}
				if (this.host != null) {
					throw new IllegalArgumentException("Set either host or unixSocket, not both");
				}
				if (this.tlsMode != TlsMode.NONE) {
					throw new IllegalArgumentException("tls must be NONE over a unix-domain socket, but was " + this.tlsMode);
				}
			}
			else if (this.host == null) {
				throw new IllegalArgumentException("host must be set (or, for LMTP, unixSocket)");
			}
			checkRateLimit();
			SmtpEndpoint endpoint = (this.unixSocket != null) ? SmtpEndpoint.unix(this.protocol, this.unixSocket)
					: (this.hosts != null) ? SessionOpener.hostEndpoint(this.hosts.get(0), this.protocol, this.port)
							: SmtpEndpoint.tcp(this.protocol, this.host,
									(this.port != 0) ? this.port : this.protocol.defaultPort());
			return new SmtpClient(this, endpoint);
		}

		/** A copy: every setting is immutable (lists are copied when set), and the settings are copied. */
		private Builder copy() {
			try {
				Builder copy = (Builder) clone();
				copy.settings = this.settings.copy();
				return copy;
			}
			catch (CloneNotSupportedException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
