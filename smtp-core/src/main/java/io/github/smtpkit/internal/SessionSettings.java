package io.github.smtpkit.internal;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;

import io.github.smtpkit.SmtpEventListener;

/**
 * What {@code SmtpSession.Builder} and {@code SmtpClient.Builder} both carry for each session:
 * timeouts, TLS, credentials policy, chunking, debug output and the listener. One list of these
 * fields, with their defaults and checks, instead of one per builder; a client hands a copy to
 * the session builder of every connection it opens.
 *
 * <p>Mutable, as the builders that hold it; {@link #copy()} before handing it on. Every value is
 * immutable (lists are copied when set) and the timeouts' map is copied, so a copy is a whole one.
 */
public final class SessionSettings implements Cloneable {

	/** The timeout for connecting and for each read and write when none is configured. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

	/**
	 * The waits a session bounds. Each is set by the builder method its {@link #setting()} names
	 * and, like it, takes only a positive duration.
	 */
	public enum Timeout {

		/** Each read and each write, and connecting unless {@link #CONNECT} is set: always set. */
		READ_WRITE("timeout"),

		/**
		 * Opening the connection, and a plain SMTP session's wait for the greeting on an implicit-TLS
		 * port; unset, {@link #READ_WRITE}'s bounds the first and 10 s the second.
		 */
		CONNECT("connectTimeout"),

		/** Sending one whole message, from DATA's 354 to the dot; unset, only each write is bounded. */
		DATA("dataTimeout");

		private final String setting;

		Timeout(String setting) {
			this.setting = setting;
		}

		/** The builder method that sets it, as error messages name it. */
		public String setting() {
			return this.setting;
		}

	}

	private EnumMap<Timeout, Duration> timeouts = new EnumMap<>(Map.of(Timeout.READ_WRITE, DEFAULT_TIMEOUT));

	private String localHostname;

	private Supplier<SSLContext> sslContext;

	private List<String> tlsProtocols = List.of();

	private List<String> tlsCipherSuites = List.of();

	private boolean hostnameVerification = true;

	private boolean allowCleartextAuth;

	private boolean chunking;

	private int debugLevel;

	private Consumer<String> debugOutput;

	private SmtpEventListener listener = SmtpEventListener.NONE;

	/** Makes the TCP sockets (a proxy's, a test's); {@code null} for plain {@code new Socket()}. */
	private SocketFactory socketFactory;

	/**
	 * Checks what a builder may take unchecked until it builds: the TLS names and the local host
	 * name.
	 * @throws IllegalArgumentException naming the bad value
	 */
	public void validate() {
		requireNames("tlsProtocols", this.tlsProtocols);
		requireNames("tlsCipherSuites", this.tlsCipherSuites);
		if (this.localHostname != null) {
			CommandLines.requireSingleLine("localHostname", this.localHostname);
		}
	}

	/**
	 * A copy of the names, which must not be blank.
	 * @throws IllegalArgumentException naming {@code what} if one is blank
	 */
	public static List<String> requireNames(String what, List<String> names) {
		List<String> copy = List.copyOf(Objects.requireNonNull(names, what));
		if (copy.stream().anyMatch(String::isBlank)) {
			throw new IllegalArgumentException(what + " must not contain a blank name, but was " + copy);
		}
		return copy;
	}

	/** A copy that changes independently of this one. */
	public SessionSettings copy() {
		try {
			SessionSettings copy = (SessionSettings) clone();
			copy.timeouts = new EnumMap<>(this.timeouts);
			return copy;
		}
		catch (CloneNotSupportedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The bound on this wait, or {@code null} when it is not set; {@link Timeout#READ_WRITE}
	 * is always set (default {@link #DEFAULT_TIMEOUT}).
	 */
	public Duration timeout(Timeout wait) {
		return this.timeouts.get(wait);
	}

	/**
	 * Sets the bound on this wait.
	 * @throws IllegalArgumentException naming the wait's builder setting if the bound is missing,
	 * zero or negative
	 */
	public void timeout(Timeout wait, Duration bound) {
		this.timeouts.put(wait, Durations.requirePositive(wait.setting(), bound));
	}

	/** The name said in HELO and EHLO, or {@code null} for this machine's. */
	public String localHostname() {
		return this.localHostname;
	}

	public void localHostname(String localHostname) {
		this.localHostname = localHostname;
	}

	/** Where the TLS context comes from, or {@code null} for the JDK's default context. */
	public Supplier<SSLContext> sslContext() {
		return this.sslContext;
	}

	public void sslContext(Supplier<SSLContext> sslContext) {
		this.sslContext = sslContext;
	}

	public List<String> tlsProtocols() {
		return this.tlsProtocols;
	}

	public void tlsProtocols(List<String> tlsProtocols) {
		this.tlsProtocols = List.copyOf(tlsProtocols);
	}

	public List<String> tlsCipherSuites() {
		return this.tlsCipherSuites;
	}

	public void tlsCipherSuites(List<String> tlsCipherSuites) {
		this.tlsCipherSuites = List.copyOf(tlsCipherSuites);
	}

	public boolean hostnameVerification() {
		return this.hostnameVerification;
	}

	public void hostnameVerification(boolean hostnameVerification) {
		this.hostnameVerification = hostnameVerification;
	}

	public boolean allowCleartextAuth() {
		return this.allowCleartextAuth;
	}

	public void allowCleartextAuth(boolean allowCleartextAuth) {
		this.allowCleartextAuth = allowCleartextAuth;
	}

	public boolean chunking() {
		return this.chunking;
	}

	public void chunking(boolean chunking) {
		this.chunking = chunking;
	}

	public int debugLevel() {
		return this.debugLevel;
	}

	public void debugLevel(int debugLevel) {
		this.debugLevel = DebugLog.requireLevel("debugLevel", debugLevel);
	}

	/** Where debug lines go, or {@code null} for standard error. */
	public Consumer<String> debugOutput() {
		return this.debugOutput;
	}

	public void debugOutput(Consumer<String> debugOutput) {
		this.debugOutput = Objects.requireNonNull(debugOutput, "debugOutput");
	}

	public SmtpEventListener listener() {
		return this.listener;
	}

	public void listener(SmtpEventListener listener) {
		this.listener = Objects.requireNonNull(listener, "listener");
	}

	public SocketFactory socketFactory() {
		return this.socketFactory;
	}

	public void socketFactory(SocketFactory socketFactory) {
		this.socketFactory = socketFactory;
	}

}
