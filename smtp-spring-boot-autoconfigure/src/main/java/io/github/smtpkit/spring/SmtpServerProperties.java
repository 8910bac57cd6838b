package io.github.smtpkit.spring;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.smtpkit.SmtpProtocol;
import org.jspecify.annotations.Nullable;

/**
 * The settings of one SMTP server: those directly under {@code smtp.*} for the default server, and
 * those under {@code smtp.servers.<name>.*} for each named server, where every key that is not
 * set takes the value of the same key under {@code smtp.*}.
 *
 * <p>The defaults are those of smtpkit's {@link io.github.smtpkit.SmtpClient}: every wait is
 * bounded, certificates and host names are verified, and credentials never travel in clear text
 * to another machine unless {@code auth.allow-cleartext} says so.
 */
public class SmtpServerProperties {

	/** The server's host name or address. Either this or unix-socket starts the server's beans. */
	private @Nullable String host;

	/** The server's port. Defaults to 25 for smtp, 465 for smtps and 2003 for lmtp. */
	private @Nullable Integer port;

	/**
	 * Several hosts for this server, instead of host: tried in order for each new connection, a
	 * host that cannot be connected to (at any of its addresses) or that greets with 421 passed
	 * over for the next. Each is a host name or address on port, or "host:port". Defaults to
	 * host alone.
	 */
	private List<String> hosts = new ArrayList<>();

	/**
	 * The protocol: smtp, smtps (SMTP over TLS from the first byte) or lmtp. Defaults to smtps
	 * when the port is 465 (RFC 8314's port for SMTP over TLS), smtp otherwise.
	 */
	private @Nullable SmtpProtocol protocol;

	/** A unix-domain socket to connect to, for protocol lmtp. When set, host and port are not used. */
	private @Nullable Path unixSocket;

	/** The user name to log in with on every new connection. No login when not set. */
	private @Nullable String username;

	/**
	 * The password to log in with. Never logged, published or shown. Not needed when auth.oauth2.*
	 * gives tokens.
	 */
	private @Nullable String password;

	/**
	 * Whether to upgrade plain connections with STARTTLS: none, opportunistic (when the server
	 * offers it) or required. Defaults to opportunistic for smtp and none for lmtp; not used with
	 * smtps, which is encrypted from the first byte.
	 */
	private @Nullable Starttls starttls;

	/** The name to say in EHLO. Defaults to this machine's fully qualified name. */
	private @Nullable String localHostname;

	/** The longest to wait for a connection to open. */
	private Duration connectTimeout = Duration.ofSeconds(10);

	/** The longest to wait for each reply of the server and for each write to it. */
	private Duration timeout = Duration.ofSeconds(60);

	/**
	 * The debug level of the sessions: 0 off, 1 every line sent and received, 2 with time stamps.
	 * Lines go to the logger io.github.smtpkit.spring.debug at INFO; AUTH payloads are redacted.
	 */
	private int debugLevel;

	/** The From address of messages that have none. */
	private @Nullable String defaultFrom;

	/**
	 * The charset of text, subjects and display names in messages made by the mail sender, where
	 * the application does not name one (spring.mail.default-encoding).
	 */
	private Charset defaultEncoding = StandardCharsets.UTF_8;

	/**
	 * The bounce address: MAIL FROM for every message the mail sender sends, whatever its From
	 * header says (Angus Mail's mail.smtp.from). Defaults to each message's From address.
	 */
	private @Nullable String envelopeFrom;

	/**
	 * Whether the mail sender delivers a message to the recipients the server accepted when it
	 * refuses others (reporting the message as failed, with who got it), rather than to nobody
	 * (Angus Mail's mail.smtp.sendpartial).
	 */
	private boolean partialDelivery;

	/** Whether to check at start-up, with NOOP through the pool, that the server answers. */
	private boolean testConnection;

	/**
	 * Whether to pipeline MAIL, RCPT and DATA (RFC 2920) when the server advertises PIPELINING.
	 * A server that answers a pipelined group only in part turns it off by itself, after one
	 * failed attempt that is sent again.
	 */
	private boolean pipelining = true;

	/** Whether to send messages with BDAT (RFC 3030) when the server advertises CHUNKING. */
	private boolean chunking;

	/** Logging in. */
	private final Auth auth = new Auth();

	/** TLS trust, keys and host name verification. */
	private final Ssl ssl = new Ssl();

	/** The pool of ready sessions. */
	private final Pool pool = new Pool();

	/** DKIM signing (RFC 6376) of every message. */
	private final Dkim dkim = new Dkim();

	/** The most messages sent to this server per period, shared by every connection of its pool. */
	private final RateLimit rateLimit = new RateLimit();

	/** Backing off from the server after it said "not now" while a connection was being opened. */
	private final Backoff backoff = new Backoff();

	public @Nullable String getHost() {
		return this.host;
	}

	public List<String> getHosts() {
		return this.hosts;
	}

	public void setHosts(List<String> hosts) {
		this.hosts = hosts;
	}

	public void setHost(@Nullable String host) {
		this.host = host;
	}

	public @Nullable Integer getPort() {
		return this.port;
	}

	public void setPort(@Nullable Integer port) {
		this.port = port;
	}

	public @Nullable SmtpProtocol getProtocol() {
		return this.protocol;
	}

	public void setProtocol(@Nullable SmtpProtocol protocol) {
		this.protocol = protocol;
	}

	/**
	 * The protocol to speak: the one set, else smtps on port 465, where servers expect TLS from
	 * the first byte (RFC 8314 3.3), and smtp on any other port. The one place of that rule: read
	 * the protocol through this, not {@link #getProtocol()}, which is {@code null} when not set.
	 */
	SmtpProtocol effectiveProtocol() {
		if (this.protocol != null) {
			return this.protocol;
		}
		return usesImplicitTlsPort() ? SmtpProtocol.SMTPS : SmtpProtocol.SMTP;
	}

	/** Whether the server is on TCP port 465, where servers speak TLS from the first byte. */
	boolean usesImplicitTlsPort() {
		return this.unixSocket == null && this.port != null && this.port == SmtpProtocol.SMTPS.defaultPort();
	}

	public @Nullable Path getUnixSocket() {
		return this.unixSocket;
	}

	public void setUnixSocket(@Nullable Path unixSocket) {
		this.unixSocket = unixSocket;
	}

	public @Nullable String getUsername() {
		return this.username;
	}

	public void setUsername(@Nullable String username) {
		this.username = username;
	}

	public @Nullable String getPassword() {
		return this.password;
	}

	public void setPassword(@Nullable String password) {
		this.password = password;
	}

	public @Nullable Starttls getStarttls() {
		return this.starttls;
	}

	public void setStarttls(@Nullable Starttls starttls) {
		this.starttls = starttls;
	}

	public @Nullable String getLocalHostname() {
		return this.localHostname;
	}

	public void setLocalHostname(@Nullable String localHostname) {
		this.localHostname = localHostname;
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public void setTimeout(Duration timeout) {
		this.timeout = timeout;
	}

	public int getDebugLevel() {
		return this.debugLevel;
	}

	public void setDebugLevel(int debugLevel) {
		this.debugLevel = debugLevel;
	}

	public @Nullable String getDefaultFrom() {
		return this.defaultFrom;
	}

	public void setDefaultFrom(@Nullable String defaultFrom) {
		this.defaultFrom = defaultFrom;
	}

	public Charset getDefaultEncoding() {
		return this.defaultEncoding;
	}

	public void setDefaultEncoding(Charset defaultEncoding) {
		this.defaultEncoding = defaultEncoding;
	}

	public @Nullable String getEnvelopeFrom() {
		return this.envelopeFrom;
	}

	public void setEnvelopeFrom(@Nullable String envelopeFrom) {
		this.envelopeFrom = envelopeFrom;
	}

	public boolean isPartialDelivery() {
		return this.partialDelivery;
	}

	public void setPartialDelivery(boolean partialDelivery) {
		this.partialDelivery = partialDelivery;
	}

	public boolean isTestConnection() {
		return this.testConnection;
	}

	public void setTestConnection(boolean testConnection) {
		this.testConnection = testConnection;
	}

	public boolean isPipelining() {
		return this.pipelining;
	}

	public void setPipelining(boolean pipelining) {
		this.pipelining = pipelining;
	}

	public boolean isChunking() {
		return this.chunking;
	}

	public void setChunking(boolean chunking) {
		this.chunking = chunking;
	}

	public Auth getAuth() {
		return this.auth;
	}

	public Ssl getSsl() {
		return this.ssl;
	}

	public Pool getPool() {
		return this.pool;
	}

	public Dkim getDkim() {
		return this.dkim;
	}

	public RateLimit getRateLimit() {
		return this.rateLimit;
	}

	public Backoff getBackoff() {
		return this.backoff;
	}

	/** The settings without the password, which shows only as set or not. */
	@Override
	public String toString() {
		return getClass().getSimpleName() + "[host=" + this.host + ", hosts=" + this.hosts + ", port=" + this.port + ", protocol=" + this.protocol
				+ ", unixSocket=" + this.unixSocket + ", username=" + this.username + ", password="
				+ ((this.password != null) ? "******" : null) + ", starttls=" + this.starttls + ", localHostname="
				+ this.localHostname + ", connectTimeout=" + this.connectTimeout + ", timeout=" + this.timeout
				+ ", debugLevel=" + this.debugLevel + ", defaultFrom=" + this.defaultFrom + ", defaultEncoding="
				+ this.defaultEncoding + ", envelopeFrom=" + this.envelopeFrom + ", partialDelivery="
				+ this.partialDelivery + ", testConnection="
				+ this.testConnection + ", pipelining=" + this.pipelining + ", chunking=" + this.chunking + ", "
				+ this.auth + ", " + this.ssl + ", " + this.pool + ", " + this.dkim + ", " + this.rateLimit + ", " + this.backoff + "]";
	}

	/** When to upgrade a plain connection with STARTTLS. */
	public enum Starttls {

		/** Never: the connection stays in clear text. */
		NONE,

		/** When the server offers STARTTLS; in clear text when it does not. */
		OPPORTUNISTIC,

		/** Always: a server that does not offer STARTTLS gets no mail (RFC 8314's advice). */
		REQUIRED

	}

	/** Logging in. */
	public static class Auth {

		/**
		 * The SASL mechanisms to try, most preferred first, among those the server offers:
		 * SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS, SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN,
		 * XOAUTH2 and OAUTHBEARER (these two need a token supplier, see oauth2.*), or the name of an
		 * AuthMechanism bean. Defaults to the strongest first: OAUTHBEARER, XOAUTH2 when a token
		 * supplier is set; then, when a password is set, SCRAM-SHA-256-PLUS, SCRAM-SHA-1-PLUS (both
		 * over TLS only), SCRAM-SHA-256, SCRAM-SHA-1, CRAM-MD5, PLAIN, LOGIN.
		 */
		private List<String> mechanisms = new ArrayList<>();

		/**
		 * Whether credentials may be sent over an unencrypted connection to a server on another
		 * machine. Loopback servers and unix-domain sockets are always allowed.
		 */
		private boolean allowCleartext;

		/** OAuth 2.0 bearer tokens for XOAUTH2 and OAUTHBEARER. */
		private final OAuth2 oauth2 = new OAuth2();

		public List<String> getMechanisms() {
			return this.mechanisms;
		}

		public OAuth2 getOauth2() {
			return this.oauth2;
		}

		public void setMechanisms(List<String> mechanisms) {
			this.mechanisms = mechanisms;
		}

		public boolean isAllowCleartext() {
			return this.allowCleartext;
		}

		public void setAllowCleartext(boolean allowCleartext) {
			this.allowCleartext = allowCleartext;
		}

		@Override
		public String toString() {
			return "auth[mechanisms=" + this.mechanisms + ", allowCleartext=" + this.allowCleartext + ", "
					+ this.oauth2 + "]";
		}

	}

	/**
	 * Where XOAUTH2 and OAUTHBEARER get their tokens: an OAuth2TokenSupplier bean, or Spring
	 * Security's OAuth2 client. At most one of the two.
	 */
	public static class OAuth2 {

		/**
		 * The name of the OAuth2TokenSupplier bean that gives this server's tokens; it is told
		 * when the server refuses one and asked once more. Defaults to none: no OAuth 2.0.
		 */
		private @Nullable String tokenSupplier;

		/**
		 * The Spring Security OAuth2 client registration
		 * (spring.security.oauth2.client.registration.<id>) whose access tokens log in, through
		 * the OAuth2AuthorizedClientManager bean, or one made from the registrations and the
		 * authorized client service (client credentials). Needs spring-security-oauth2-client.
		 * Defaults to none: no OAuth 2.0.
		 */
		private @Nullable String registrationId;

		public @Nullable String getTokenSupplier() {
			return this.tokenSupplier;
		}

		public void setTokenSupplier(@Nullable String tokenSupplier) {
			this.tokenSupplier = tokenSupplier;
		}

		public @Nullable String getRegistrationId() {
			return this.registrationId;
		}

		public void setRegistrationId(@Nullable String registrationId) {
			this.registrationId = registrationId;
		}

		/** Whether a token source is configured. */
		boolean isConfigured() {
			return this.tokenSupplier != null || this.registrationId != null;
		}

		@Override
		public String toString() {
			return "oauth2[tokenSupplier=" + this.tokenSupplier + ", registrationId=" + this.registrationId + "]";
		}

	}

	/** TLS trust and keys. */
	public static class Ssl {

		/**
		 * The SSL bundle (spring.ssl.bundle.*) whose trust material, keys, protocols and ciphers
		 * protect the connections; reloaded when its certificates change. Defaults to the JDK's
		 * trusted authorities.
		 */
		private @Nullable String bundle;

		/** Whether the server's certificate must name the host connected to. */
		private boolean verifyHostname = true;

		public @Nullable String getBundle() {
			return this.bundle;
		}

		public void setBundle(@Nullable String bundle) {
			this.bundle = bundle;
		}

		public boolean isVerifyHostname() {
			return this.verifyHostname;
		}

		public void setVerifyHostname(boolean verifyHostname) {
			this.verifyHostname = verifyHostname;
		}

		@Override
		public String toString() {
			return "ssl[bundle=" + this.bundle + ", verifyHostname=" + this.verifyHostname + "]";
		}

	}

	/**
	 * DKIM signing (RFC 6376): rsa-sha256 or ed25519-sha256 (RFC 8463), as the key is, and
	 * relaxed/relaxed, over the exact bytes sent.
	 */
	public static class Dkim {

		/**
		 * The signing domain (d=). Every message is signed when it is set, which needs
		 * org.apache.james.jdkim:apache-jdkim-library on the class path.
		 */
		private @Nullable String domain;

		/** The selector (s=): the public key is published at <selector>._domainkey.<domain>. */
		private @Nullable String selector;

		/**
		 * The private key, RSA (signs rsa-sha256) or Ed25519 (signs ed25519-sha256): the location of
		 * a PEM file in PKCS#8 form (BEGIN PRIVATE KEY), such as file:/etc/mail/dkim.pem or
		 * classpath:dkim.pem. Either this or key-bundle.
		 */
		private @Nullable String privateKey;

		/**
		 * The SSL bundle (spring.ssl.bundle.*) whose key store holds the RSA or Ed25519 private key
		 * (under the bundle's key alias, or its only key). Either this or private-key.
		 */
		private @Nullable String keyBundle;

		/**
		 * The header fields to sign, those present in each message. Defaults to From, Reply-To,
		 * Subject, Date, To, Cc, Message-ID, In-Reply-To, References, MIME-Version, Content-Type,
		 * Content-Transfer-Encoding.
		 */
		private List<String> headers = new ArrayList<>();

		public @Nullable String getDomain() {
			return this.domain;
		}

		public void setDomain(@Nullable String domain) {
			this.domain = domain;
		}

		public @Nullable String getSelector() {
			return this.selector;
		}

		public void setSelector(@Nullable String selector) {
			this.selector = selector;
		}

		public @Nullable String getPrivateKey() {
			return this.privateKey;
		}

		public void setPrivateKey(@Nullable String privateKey) {
			this.privateKey = privateKey;
		}

		public @Nullable String getKeyBundle() {
			return this.keyBundle;
		}

		public void setKeyBundle(@Nullable String keyBundle) {
			this.keyBundle = keyBundle;
		}

		public List<String> getHeaders() {
			return this.headers;
		}

		public void setHeaders(List<String> headers) {
			this.headers = headers;
		}

		/** Where the key is, never the key. */
		@Override
		public String toString() {
			return "dkim[domain=" + this.domain + ", selector=" + this.selector + ", privateKey=" + this.privateKey
					+ ", keyBundle=" + this.keyBundle + ", headers=" + this.headers + "]";
		}

	}

	/**
	 * A rate limit of the server (on Bucket4j, which must be on the class path): a send waits for
	 * its permit at most pool.max-wait, or fails with SmtpRateLimitedException, nothing sent.
	 */
	public static class RateLimit {

		/**
		 * The most messages per period. Defaults to none: no limit. Needs
		 * com.bucket4j:bucket4j_jdk17-core on the class path.
		 */
		private @Nullable Integer messages;

		/** The period that rate-limit.messages counts over. */
		private Duration period = Duration.ofSeconds(1);

		/**
		 * Keeps the limit in Redis, shared by every instance of the application (by every client
		 * with the same rate-limit.key): redis://[[user]:password@]host[:port][/database], with
		 * ?timeout= bounding each Redis call (default 2s). When Redis does not answer, sends fail
		 * with SmtpRateLimitUnavailableException, nothing sent. Defaults to none: the limit is this
		 * JVM's. Needs com.bucket4j:bucket4j_jdk17-lettuce and io.lettuce:lettuce-core.
		 */
		private @Nullable String redisUri;

		/**
		 * The key of the shared limit in Redis. Defaults to smtpkit:rate-limit:[user@]host:port,
		 * from the server's first host, port and user name.
		 */
		private @Nullable String key;

		public @Nullable Integer getMessages() {
			return this.messages;
		}

		public void setMessages(@Nullable Integer messages) {
			this.messages = messages;
		}

		public Duration getPeriod() {
			return this.period;
		}

		public void setPeriod(Duration period) {
			this.period = period;
		}

		public @Nullable String getRedisUri() {
			return this.redisUri;
		}

		public void setRedisUri(@Nullable String redisUri) {
			this.redisUri = redisUri;
		}

		public @Nullable String getKey() {
			return this.key;
		}

		public void setKey(@Nullable String key) {
			this.key = key;
		}

		@Override
		public String toString() {
			return "rateLimit[messages=" + this.messages + ", period=" + this.period
					// The URI may carry Redis's password: shown only as set.
					+ ((this.redisUri != null) ? ", redisUri=******" : "")
					+ ((this.key != null) ? ", key=" + this.key : "") + "]";
		}

	}

	/** The pool of ready (connected, greeted, encrypted, logged-in) sessions. */
	public static class Pool {

		/** The most sessions open at once. */
		private int maxTotal = 8;

		/** The most idle sessions kept. Defaults to max-total. */
		private @Nullable Integer maxIdle;

		/** The idle sessions kept open in the background, ready for the next message. */
		private int minIdle;

		/** The longest a send waits for a free session. */
		private Duration maxWait = Duration.ofSeconds(30);

		/** How long a session may stay idle before it is closed (servers close idle ones too). */
		private Duration idleTimeout = Duration.ofSeconds(60);

		/** The longest a session lives, shortened at random by up to 2.5% per session. */
		private Duration maxLifetime = Duration.ofMinutes(10);

		/** The most messages sent over one connection before it is replaced. */
		private int maxMessagesPerConnection = 100;

		/** How long a session may stay idle before it is checked (RSET) when lent; 0 checks every time. */
		private Duration validateAfterIdle = Duration.ofSeconds(5);

		/** The longest that check waits for its reply; much shorter than a transaction's timeout. */
		private Duration validationTimeout = Duration.ofSeconds(5);

		public int getMaxTotal() {
			return this.maxTotal;
		}

		public void setMaxTotal(int maxTotal) {
			this.maxTotal = maxTotal;
		}

		public @Nullable Integer getMaxIdle() {
			return this.maxIdle;
		}

		public void setMaxIdle(@Nullable Integer maxIdle) {
			this.maxIdle = maxIdle;
		}

		public int getMinIdle() {
			return this.minIdle;
		}

		public void setMinIdle(int minIdle) {
			this.minIdle = minIdle;
		}

		public Duration getMaxWait() {
			return this.maxWait;
		}

		public void setMaxWait(Duration maxWait) {
			this.maxWait = maxWait;
		}

		public Duration getIdleTimeout() {
			return this.idleTimeout;
		}

		public void setIdleTimeout(Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
		}

		public Duration getMaxLifetime() {
			return this.maxLifetime;
		}

		public void setMaxLifetime(Duration maxLifetime) {
			this.maxLifetime = maxLifetime;
		}

		public int getMaxMessagesPerConnection() {
			return this.maxMessagesPerConnection;
		}

		public void setMaxMessagesPerConnection(int maxMessagesPerConnection) {
			this.maxMessagesPerConnection = maxMessagesPerConnection;
		}

		public Duration getValidateAfterIdle() {
			return this.validateAfterIdle;
		}

		public void setValidateAfterIdle(Duration validateAfterIdle) {
			this.validateAfterIdle = validateAfterIdle;
		}

		public Duration getValidationTimeout() {
			return this.validationTimeout;
		}

		public void setValidationTimeout(Duration validationTimeout) {
			this.validationTimeout = validationTimeout;
		}

		@Override
		public String toString() {
			return "pool[maxTotal=" + this.maxTotal + ", maxIdle=" + this.maxIdle + ", minIdle=" + this.minIdle
					+ ", maxWait=" + this.maxWait + ", idleTimeout=" + this.idleTimeout + ", maxLifetime="
					+ this.maxLifetime + ", maxMessagesPerConnection=" + this.maxMessagesPerConnection
					+ ", validateAfterIdle=" + this.validateAfterIdle + ", validationTimeout=" + this.validationTimeout
					+ "]";
		}

	}

	/**
	 * How long no new connection is opened after the server said "not now" (421, or 450, 451, 452
	 * or 454 to the greeting, EHLO, STARTTLS or AUTH): see {@code SmtpClient.Builder.backoff}.
	 */
	public static class Backoff {

		/** The first interval; each further "not now" in a row doubles it, with jitter. */
		private Duration initial = Duration.ofSeconds(1);

		/** The longest interval. */
		private Duration max = Duration.ofMinutes(5);

		public Duration getInitial() {
			return this.initial;
		}

		public void setInitial(Duration initial) {
			this.initial = initial;
		}

		public Duration getMax() {
			return this.max;
		}

		public void setMax(Duration max) {
			this.max = max;
		}

		@Override
		public String toString() {
			return "backoff[initial=" + this.initial + ", max=" + this.max + "]";
		}

	}

}
