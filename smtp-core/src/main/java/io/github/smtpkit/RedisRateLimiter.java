package io.github.smtpkit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.bucket4j.redis.lettuce.RedisApi;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ConnectionFuture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.jspecify.annotations.Nullable;

/**
 * A rate limit shared by a fleet: one Bucket4j bucket kept in Redis under a key, drawn on by every
 * {@link SmtpClient}, in any JVM, that uses the same key and Redis. A provider's limit is per
 * account, not per instance: with the same key everywhere, the instances together send at most
 * {@code messages} in each period, as {@link Bucket4jRateLimiter#perPeriod(long, Duration)} does in
 * one JVM. Every instance must configure the same limit for a key (the first to create the bucket
 * sets it; the key expires once the bucket is full again).
 *
 * <p>Built by {@link SmtpClient.Builder#rateLimitRedis(String)}, which owns it and closes it with
 * the client. Needs {@code com.bucket4j:bucket4j_jdk17-lettuce} and {@code io.lettuce:lettuce-core}
 * on the class path (optional dependencies of smtp-core).
 *
 * <p><b>Failing closed.</b> Every Redis call (connecting included) is bounded by the URI's
 * {@code timeout} parameter, {@value #DEFAULT_TIMEOUT_SECONDS} s when the URI sets none. When Redis
 * cannot be reached, refuses the call or does not answer in time, {@link #acquire} throws
 * {@link SmtpRateLimitUnavailableException} and the send fails with nothing sent: sending without
 * the shared count could break the account's limit for the whole fleet. The connection is made on
 * first use, so an application starts while Redis is down, and made again after it failed; while
 * an established connection is down (Lettuce reconnects it in the background) calls fail at once.
 *
 * <p>The Redis URI's password never appears in {@link #toString()}, an exception message or a
 * log line of ours: Redis is named as {@code redis://host:port/database}.
 */
public final class RedisRateLimiter implements SmtpRateLimiter, AutoCloseable {

	/** The bound on each Redis call when the URI has no {@code timeout} parameter, in seconds. */
	public static final long DEFAULT_TIMEOUT_SECONDS = 2;

	/** The prefix of {@link #defaultKey}. */
	public static final String KEY_PREFIX = "smtpkit:rate-limit:";

	/** Bucket4j's compare-and-swap attempts per call under contention: bounded, yet never reached. */
	private static final int MAX_CAS_RETRIES = 1000;

	private static final Pattern TIMEOUT_PARAMETER = Pattern.compile("[?&]timeout=", Pattern.CASE_INSENSITIVE);

	/**
	 * Everything from the scheme to the last {@code @}: a password may hold {@code /}, {@code ?},
	 * {@code #} or {@code @} itself, so the user information cannot be found any closer.
	 */
	private static final Pattern USER_INFO = Pattern.compile("(://).*@");

	private final String redis;

	private final String key;

	private final String limit;

	private final Duration timeout;

	private final @Nullable String password;

	private final RedisClient client;

	private final LazyConnection connection;

	private final Bucket4jRateLimiter limiter;

	private RedisRateLimiter(RedisURI uri, Duration timeout, String key, long messages, Duration period) {
		this.redis = describe(uri);
		this.key = key;
		this.limit = messages + " per " + period;
		this.timeout = timeout;
		char[] secret = uri.getPassword();
		this.password = (secret != null && secret.length > 0) ? new String(secret) : null;
		// Checks messages and period before anything that would need closing is made.
		BucketConfiguration configuration = BucketConfiguration.builder()
			.addLimit(Bucket4jRateLimiter.limit(messages, period))
			.build();
		uri.setTimeout(timeout);
		this.client = RedisClient.create(uri);
		this.client.setOptions(ClientOptions.builder()
			.socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
			.timeoutOptions(TimeoutOptions.enabled(timeout))
			// While the connection is down, fail at once rather than queue the call until it is back.
			.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
			.build());
		this.connection = new LazyConnection(this.client, uri, timeout);
		var proxyManager = new Bucket4jLettuce.LettuceBasedProxyManagerBuilder<>(this.connection)
			.requestTimeout(timeout)
			.maxRetries(MAX_CAS_RETRIES)
			// A full bucket is the same as none: let Redis forget it.
			.expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(period))
			.build();
		this.limiter = Bucket4jRateLimiter.of(proxyManager.builder()
			.build((Object) key.getBytes(StandardCharsets.UTF_8), () -> configuration));
	}

	/**
	 * A limit of {@code messages} in each {@code period} kept in Redis under {@code key}. Nothing is
	 * connected yet.
	 * @param redisUri Lettuce's URI syntax: {@code redis://[[user]:password@]host[:port][/database][?timeout=2s]},
	 * {@code rediss://} for TLS
	 * @param key the bucket's key, the same in every instance that shares the limit
	 * @throws IllegalArgumentException if the URI cannot be parsed (the message shows it without
	 * its credentials), the key is blank, messages is below 1 or the period is not positive
	 */
	public static RedisRateLimiter create(String redisUri, String key, long messages, Duration period) {
		requireClassPath(RedisRateLimiter.class.getClassLoader());
		RedisURI uri = parse(redisUri);
		if (key == null || key.isBlank()) {
			throw new IllegalArgumentException("A shared rate limit's Redis key must not be blank, but was '" + key + "'");
		}
		return new RedisRateLimiter(uri, timeout(redisUri, uri), key, messages, period);
	}

	/**
	 * The key that names an account at a server, the same in every instance configured alike:
	 * {@value #KEY_PREFIX}{@code [user@]host:port}. No password is part of it.
	 */
	public static String defaultKey(SmtpEndpoint endpoint, @Nullable String username) {
		Objects.requireNonNull(endpoint, "endpoint");
		return KEY_PREFIX + ((username != null) ? username + "@" : "") + endpoint;
	}

	/**
	 * Checks that Bucket4j's Redis integration and Lettuce can be loaded, naming the artifact that
	 * is missing if not: they are optional dependencies of smtp-core.
	 * @throws IllegalStateException if one is missing
	 */
	static void requireClassPath(@Nullable ClassLoader loader) {
		String[][] needed = { { "io.github.bucket4j.Bucket", "com.bucket4j:bucket4j_jdk17-core" },
				{ "io.github.bucket4j.redis.lettuce.Bucket4jLettuce", "com.bucket4j:bucket4j_jdk17-lettuce" },
				{ "io.lettuce.core.RedisClient", "io.lettuce:lettuce-core" } };
		for (String[] classAndArtifact : needed) {
			try {
				Class.forName(classAndArtifact[0], false, loader);
			}
			catch (ClassNotFoundException | LinkageError ex) {
				throw new IllegalStateException("A rate limit shared through Redis needs " + classAndArtifact[1]
						+ " on the class path (with com.bucket4j:bucket4j_jdk17-lettuce and io.lettuce:lettuce-core,"
						+ " smtp-core's optional dependencies for it)", ex);
			}
		}
	}

	/**
	 * Checks that a Redis URI parses, naming it without credentials if it does not.
	 * @throws IllegalArgumentException if it does not
	 */
	static RedisURI parse(String redisUri) {
		if (redisUri == null || redisUri.isBlank()) {
			throw new IllegalArgumentException("A shared rate limit's Redis URI must not be blank");
		}
		RedisURI uri;
		try {
			uri = RedisURI.create(redisUri);
		}
		catch (RuntimeException ex) {
			// Not chained: Lettuce's message may quote the URI, password and all.
			throw new IllegalArgumentException("The rate limit's Redis URI " + redact(redisUri)
					+ " is not valid (expected redis://[[user]:password@]host[:port][/database])");
		}
		timeout(redisUri, uri);
		return uri;
	}

	/**
	 * The bound on each Redis call: the URI's {@code timeout}, or {@value #DEFAULT_TIMEOUT_SECONDS} s.
	 * @throws IllegalArgumentException if the URI's is not positive
	 */
	private static Duration timeout(String redisUri, RedisURI uri) {
		boolean timeoutGiven = TIMEOUT_PARAMETER.matcher(redisUri).find();
		Duration timeout = timeoutGiven ? uri.getTimeout() : Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("The timeout of the rate limit's Redis " + redact(redisUri)
					+ " must be positive, but was " + timeout);
		}
		return timeout;
	}

	/** The URI with everything between {@code ://} and its last {@code @} (user and password) replaced by {@code ***}. */
	static String redact(String redisUri) {
		return USER_INFO.matcher(redisUri).replaceFirst("$1***@");
	}

	/** {@code redis://host:port/database}: no user, no password. */
	private static String describe(RedisURI uri) {
		String scheme = uri.isSsl() ? "rediss" : "redis";
		if (uri.getSocket() != null) {
			return "redis-socket://" + uri.getSocket() + "/" + uri.getDatabase();
		}
		if (uri.getHost() == null) {
			return scheme + " (sentinel master " + uri.getSentinelMasterId() + ")";
		}
		return scheme + "://" + uri.getHost() + ":" + uri.getPort() + "/" + uri.getDatabase();
	}

	/** The bucket's key in Redis. */
	public String key() {
		return this.key;
	}

	/** The bound on each Redis call. */
	public Duration timeout() {
		return this.timeout;
	}

	@Override
	public Permits acquire(int wanted, Duration maxWait) throws IOException {
		long started = System.nanoTime();
		try {
			// Connecting first, on its own timeout: Bucket4j's request timeout is for the calls. The
			// time that took is part of maxWait, as the contract says.
			this.connection.commands();
			Duration left = maxWait.minusNanos(System.nanoTime() - started);
			return this.limiter.acquire(wanted, left.isNegative() ? Duration.ZERO : left);
		}
		catch (RuntimeException ex) {
			if (ex instanceof IllegalArgumentException) {
				throw ex;
			}
			if (this.connection.isClosed()) {
				throw new IllegalStateException("This rate limit kept in Redis at " + this.redis + " is closed");
			}
			if (Thread.currentThread().isInterrupted()) {
				// Bucket4j's Lettuce integration reports an interrupt as a RedisException.
				throw new InterruptedIOException("Interrupted while asking the rate limit in " + this.redis);
			}
			throw new SmtpRateLimitUnavailableException("The rate limit kept in Redis at " + this.redis + " (key '"
					+ this.key + "') could not be asked (" + scrub(summary(ex)) + "; each Redis call is bounded by "
					+ this.timeout + "): nothing was sent", causeWithoutPassword(ex));
		}
	}

	/**
	 * The failure to chain, unless a message in it quotes the password: then none, since a logger
	 * prints every cause's message.
	 */
	private @Nullable Throwable causeWithoutPassword(Throwable failure) {
		if (this.password == null) {
			return failure;
		}
		// Bounded: a cause chain that loops back on itself ends the walk.
		Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		for (Throwable each = failure; each != null && seen.add(each); each = each.getCause()) {
			if (String.valueOf(each.getMessage()).contains(this.password)) {
				return null;
			}
		}
		return failure;
	}

	/** The failure's class and message; Bucket4j's "Unexpected exception" wrapper is skipped for its cause. */
	private static String summary(Throwable ex) {
		Throwable cause = (ex.getCause() != null && ex.getMessage() != null && ex.getMessage().startsWith("Unexpected"))
				? ex.getCause() : ex;
		return cause.getClass().getSimpleName() + ((cause.getMessage() != null) ? ": " + cause.getMessage() : "");
	}

	/** Removes the password from a text that is not ours, should it quote it. */
	private String scrub(String text) {
		return (this.password != null) ? text.replace(this.password, "***") : text;
	}

	/** Closes the connection and Lettuce's threads, waiting at most the timeout. */
	@Override
	public void close() {
		this.connection.close();
		this.client.shutdown(Duration.ZERO, this.timeout);
	}

	@Override
	public String toString() {
		return "RedisRateLimiter(" + this.limit + ", key '" + this.key + "' in " + this.redis + ")";
	}

	/**
	 * Bucket4j's view of Redis over one connection, made on first use and again after an attempt
	 * failed, each attempt bounded by the timeout. Keys are {@code byte[]}, typed {@code Object}:
	 * Bucket4j passes them in an {@code Object[]}, which a {@code RedisApi<byte[]>} would fail to cast.
	 */
	private static final class LazyConnection implements RedisApi<Object> {

		private final RedisClient client;

		private final RedisURI uri;

		private final Duration timeout;

		private @Nullable StatefulRedisConnection<byte[], byte[]> connection;

		private volatile boolean closed;

		/** Failed attempts to connect so far: a caller that waited behind one fails with it. */
		private volatile int failedAttempts;

		LazyConnection(RedisClient client, RedisURI uri, Duration timeout) {
			this.client = client;
			this.uri = uri;
			this.timeout = timeout;
		}

		/**
		 * The commands over the connection, connected first if need be. One caller connects at a
		 * time; callers that waited behind an attempt that failed fail at once rather than try in
		 * turn, so that no caller waits longer than two timeouts while Redis is down.
		 */
		private RedisAsyncCommands<byte[], byte[]> commands() {
			int failedBefore = this.failedAttempts;
			synchronized (this) {
				if (this.closed) {
					throw new IllegalStateException("This rate limit is closed");
				}
				if (this.connection == null) {
					if (this.failedAttempts != failedBefore) {
						throw new RedisConnectionException("Redis did not answer the attempt to connect made meanwhile");
					}
					try {
						this.connection = connect();
					}
					catch (RuntimeException ex) {
						this.failedAttempts++;
						throw ex;
					}
				}
				return this.connection.async();
			}
		}

		boolean isClosed() {
			return this.closed;
		}

		private StatefulRedisConnection<byte[], byte[]> connect() {
			ConnectionFuture<StatefulRedisConnection<byte[], byte[]>> future = this.client
				.connectAsync(ByteArrayCodec.INSTANCE, this.uri);
			try {
				return future.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS);
			}
			catch (TimeoutException ex) {
				future.cancel(true);
				throw new RedisConnectionException("No connection within " + this.timeout, ex);
			}
			catch (ExecutionException ex) {
				throw (ex.getCause() instanceof RuntimeException runtime) ? runtime
						: new RedisConnectionException("Could not connect", ex.getCause());
			}
			catch (InterruptedException ex) {
				future.cancel(true);
				Thread.currentThread().interrupt();
				throw new RedisConnectionException("Interrupted while connecting", ex);
			}
		}

		@Override
		public <V> RedisFuture<V> eval(String script, ScriptOutputType type, Object[] keys, byte[][] params) {
			return commands().eval(script, type, Arrays.copyOf(keys, keys.length, byte[][].class), params);
		}

		@Override
		public RedisFuture<byte[]> get(Object key) {
			return commands().get((byte[]) key);
		}

		@Override
		public RedisFuture<?> delete(Object key) {
			return commands().del((byte[]) key);
		}

		synchronized void close() {
			this.closed = true;
			if (this.connection != null) {
				this.connection.close();
			}
		}

	}

}
