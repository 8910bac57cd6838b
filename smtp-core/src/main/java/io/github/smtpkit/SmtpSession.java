package io.github.smtpkit;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

import io.github.smtpkit.auth.AuthMechanism;
import io.github.smtpkit.auth.SmtpAuthenticator;
import io.github.smtpkit.internal.Addresses;
import io.github.smtpkit.internal.Ascii;
import io.github.smtpkit.internal.CommandLines;
import io.github.smtpkit.internal.DebugLog;
import io.github.smtpkit.internal.DotStuffingOutputStream;
import io.github.smtpkit.internal.Listeners;
import io.github.smtpkit.internal.MessageDataOutputStream;
import io.github.smtpkit.internal.Durations;
import io.github.smtpkit.internal.MessageText;
import io.github.smtpkit.internal.MimeMessages;
import io.github.smtpkit.internal.ReplyReader;
import io.github.smtpkit.internal.SmtpConnection;
import jakarta.mail.internet.MimeMessage;

/**
 * One connection's SMTP, SMTP-over-TLS or LMTP dialogue: the port of Python's
 * {@code smtplib.SMTP}, {@code SMTP_SSL} and {@code LMTP}, with smtplib's methods in camelCase.
 *
 * <pre>{@code
 * try (SmtpSession smtp = SmtpSession.smtp().host("mail.example.com").port(587).connect()) {
 *     smtp.starttls();
 *     smtp.login("me", secret);
 *     Map<String, SmtpReply> refused = smtp.sendmail("me@example.com", List.of("you@example.org"), message);
 * }
 * }</pre>
 *
 * <p>Sessions are made by {@link #smtp()}, {@link #smtps()} and {@link #lmtp()} (or
 * {@link #builder(SmtpProtocol)}): the builder's {@code connect()} is smtplib's constructor with a
 * host, its {@code build()} the constructor without one. {@link #close()} is smtplib's {@code with}
 * exit: QUIT, then the socket is released whatever happens; {@link #disconnect()} is smtplib's
 * {@code close()}, which drops the connection without QUIT.
 *
 * <p>Where smtpkit deliberately differs from CPython:
 * <ul>
 * <li>Timeouts are finite ({@link #DEFAULT_TIMEOUT}) and bound every read and write.</li>
 * <li>TLS verifies the certificate chain and the host name by default (see {@link SmtpTls}).</li>
 * <li>Credentials are not sent in clear text to a server that is not on this machine unless
 * {@link Builder#allowCleartextAuth(boolean)} says so.</li>
 * <li>LMTP reads one reply per accepted recipient after the message ({@link #dataReplies()}).</li>
 * <li>{@link #connect()} raises {@link SmtpConnectException} for a greeting other than 220 (smtplib
 * raises it only from the constructor).</li>
 * <li>Debug output and events show AUTH payloads as {@code <redacted>}.</li>
 * <li>Command verbs go out in upper case ({@code MAIL FROM:}); smtplib sends most in lower case.</li>
 * </ul>
 *
 * <p>A session is not thread-safe: use it from one thread at a time, or use {@link SmtpClient}.
 */
public final class SmtpSession implements AutoCloseable {

	/** The timeout for connecting and for each read and write when none is configured. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

	/** The longest reply line accepted, in bytes with its CRLF (smtplib's {@code _MAXLINE}). */
	public static final int MAX_LINE_LENGTH = 8192;

	/** The most server challenges one AUTH exchange may take (smtplib's {@code _MAXCHALLENGE}). */
	public static final int MAX_AUTH_CHALLENGES = 5;

	/** The mechanisms {@link #login(String, String)} tries, in smtplib's order. */
	public static final List<AuthMechanism> DEFAULT_AUTH_MECHANISMS = List.of(AuthMechanism.CRAM_MD5,
			AuthMechanism.PLAIN, AuthMechanism.LOGIN);

	private static final String REDACTED = "<redacted>";

	/** The wait for a plain session's greeting on an implicit-TLS port without a connect timeout. */
	private static final Duration IMPLICIT_TLS_PORT_GREETING_TIMEOUT = Duration.ofSeconds(10);

	private static final String CRLF = "\r\n";

	private final SmtpProtocol protocol;

	private final String defaultHost;

	private final int defaultPort;

	private final String localHostname;

	private Duration timeout;

	private final Duration connectTimeout;

	/** The wait for a plain session's greeting on an implicit-TLS port: see {@link #readGreeting}. */
	private final Duration implicitTlsPortGreetingTimeout;

	/** The ports where servers speak TLS from the first byte (RFC 8314 3.3): 465. */
	private final Set<Integer> implicitTlsPorts;

	private final Duration dataTimeout;

	private final SSLContext sslContext;

	private final List<String> tlsProtocols;

	private final List<String> tlsCipherSuites;

	private final boolean hostnameVerification;

	private final boolean allowCleartextAuth;

	/** Not final: {@link SmtpClient} turns it off for a server that mishandles PIPELINING. */
	private boolean pipelining;

	private final boolean chunking;

	private final SmtpEventListener listener;

	/** Whether anyone listens: on the per-command path, events are not even built otherwise. */
	private final boolean listening;

	private final DebugLog debug;

	private InetSocketAddress sourceAddress;

	// The state of the current connection, all reset by disconnect().

	private SmtpConnection connection;

	private ReplyReader reader;

	private OutputStream output;

	private SmtpEndpoint endpoint;

	private Charset commandEncoding = StandardCharsets.US_ASCII;

	private String heloResp;

	private String ehloResp;

	private boolean doesEsmtp;

	private EsmtpFeatures esmtpFeatures = EsmtpFeatures.none();

	/** Recipients accepted since the last MAIL: LMTP answers once for each after the data. */
	private final List<String> acceptedRecipients = new ArrayList<>();

	private Map<String, SmtpReply> dataReplies = Map.of();

	/** The commands written and not answered yet, oldest first: several when pipelining. */
	private final ArrayDeque<PendingCommand> pending = new ArrayDeque<>();

	/** Whether the server greeted: only then is the connection reported closed to listeners. */
	private boolean established;

	/** Whether the last message's terminating dot went out: see {@link #endOfDataSent()}. */
	private boolean endOfDataSent;

	/** Whether the last transaction stalled in a pipelined group: see {@link #pipeliningStalled()}. */
	private boolean pipeliningStalled;

	private SmtpReply lastDataReply;

	private SmtpSession(Builder builder) {
		this.protocol = builder.protocol;
		this.defaultHost = (builder.unixSocket != null) ? builder.unixSocket.toString() : builder.host;
		this.defaultPort = builder.port;
		this.localHostname = builder.localHostname;
		this.timeout = builder.timeout;
		this.connectTimeout = (builder.connectTimeout != null) ? builder.connectTimeout : builder.timeout;
		this.implicitTlsPortGreetingTimeout = (builder.connectTimeout != null) ? builder.connectTimeout
				: IMPLICIT_TLS_PORT_GREETING_TIMEOUT;
		this.implicitTlsPorts = builder.implicitTlsPorts;
		this.dataTimeout = builder.dataTimeout;
		this.sslContext = builder.sslContext;
		this.tlsProtocols = builder.tlsProtocols;
		this.tlsCipherSuites = builder.tlsCipherSuites;
		this.hostnameVerification = builder.hostnameVerification;
		this.allowCleartextAuth = builder.allowCleartextAuth;
		this.pipelining = builder.pipelining;
		this.chunking = builder.chunking;
		this.listener = builder.listener;
		this.listening = builder.listener != SmtpEventListener.NONE;
		this.debug = new DebugLog(builder.debugOutput, builder.clock, builder.debugLevel);
		this.sourceAddress = builder.sourceAddress;
	}

	/** A builder for an SMTP session (smtplib's {@code SMTP}): port 25, STARTTLS on request. */
	public static Builder smtp() {
		return new Builder(SmtpProtocol.SMTP);
	}

	/** A builder for SMTP over implicit TLS (smtplib's {@code SMTP_SSL}): port 465. */
	public static Builder smtps() {
		return new Builder(SmtpProtocol.SMTPS);
	}

	/**
	 * A builder for an LMTP session (smtplib's {@code LMTP}): port 2003, or a unix-domain socket
	 * given as {@link Builder#unixSocket(Path)} or as a host that is an absolute path.
	 */
	public static Builder lmtp() {
		return new Builder(SmtpProtocol.LMTP);
	}

	/** A builder for a session speaking this protocol. */
	public static Builder builder(SmtpProtocol protocol) {
		return new Builder(Objects.requireNonNull(protocol, "protocol"));
	}

	// ---------------------------------------------------------------- connecting

	/**
	 * Connects to the host and port the builder was given (smtplib's default is {@code localhost}
	 * and the protocol's port) and reads the greeting.
	 * @return the greeting, a 220 reply
	 * @throws SmtpConnectException if the greeting is not 220; the connection is closed
	 * @throws SmtpTimeoutException if connecting or the greeting took longer than the timeouts
	 * @throws IOException if connecting failed, with a message naming the server
	 */
	public SmtpReply connect() throws IOException {
		return connect((this.defaultHost != null) ? this.defaultHost : "localhost", this.defaultPort);
	}

	/**
	 * Connects to a host; as in smtplib, {@code "host:port"} names the port too, and for LMTP an
	 * absolute path names a unix-domain socket.
	 * @see #connect(String, int)
	 */
	public SmtpReply connect(String host) throws IOException {
		return connect(host, 0);
	}

	/**
	 * Connects and reads the greeting.
	 * @param host the host name or address; with {@code port} 0 a {@code :port} suffix is honoured
	 * (a host with several colons is an IPv6 address and has none); for LMTP an absolute path is a
	 * unix-domain socket
	 * @param port the port, or 0 for the suffix or else the protocol's default
	 * @return the greeting, a 220 reply
	 * @throws IllegalArgumentException if the port suffix is not a number or a port is out of range
	 * @throws IllegalStateException if this session is connected already
	 * @throws SmtpConnectException if the greeting is not 220; the connection is closed
	 * @throws SmtpImplicitTlsPortException if a plain SMTP session got no greeting on port 465
	 * within the connect timeout: the server waits for TLS, and SMTPS is the protocol to use
	 * @throws SmtpTimeoutException if connecting or the greeting took longer than the timeouts
	 * @throws IOException if connecting failed, with a message naming the server
	 */
	public SmtpReply connect(String host, int port) throws IOException {
		Objects.requireNonNull(host, "host");
		if (isConnected()) {
			throw new IllegalStateException("Already connected to " + this.endpoint + ": close() it first");
		}
		SmtpEndpoint target = endpointFor(host, port);
		this.endpoint = target;
		this.debug.print("connect: to", target + ((this.sourceAddress != null) ? " from " + this.sourceAddress : ""));
		notifyListener((l) -> l.connectStart(target));
		long started = System.nanoTime();
		SmtpReply greeting;
		try {
			this.connection = SmtpConnection.open(target, this.sourceAddress, this.connectTimeout, this.timeout);
			useConnectionStreams();
			if (this.protocol.isImplicitTls()) {
				handshake(configuredSslContext(), false);
			}
			greeting = readGreeting(target);
		}
		catch (IOException ex) {
			disconnect();
			notifyListener((l) -> l.connectFailed(target, ex, elapsedSince(started)));
			throw ex;
		}
		this.debug.print("connect:", DebugLog.repr(greeting.message()));
		if (greeting.code() != 220) {
			SmtpConnectException refused = new SmtpConnectException(greeting.code(), greeting.message());
			disconnect();
			notifyListener((l) -> l.connectFailed(target, refused, elapsedSince(started)));
			throw refused;
		}
		this.established = true;
		notifyListener((l) -> l.connectEnd(target, greeting, elapsedSince(started)));
		return greeting;
	}

	/**
	 * Reads the greeting. A plain SMTP session on a port where servers speak TLS from the first byte
	 * (465, RFC 8314 3.3) waits only the connect timeout (10 s unless set, and no longer than the
	 * timeout): such a server says nothing until it gets a TLS handshake, so the wait would end only
	 * after the whole reply timeout, with no hint of the cause.
	 * @throws SmtpImplicitTlsPortException if no greeting came on such a port within that bound
	 */
	private SmtpReply readGreeting(SmtpEndpoint target) throws IOException {
		boolean implicitTlsPort = this.protocol == SmtpProtocol.SMTP && !target.isUnixSocket()
				&& this.implicitTlsPorts.contains(target.port());
		if (!implicitTlsPort) {
			return readReply();
		}
		Duration bound = (this.implicitTlsPortGreetingTimeout.compareTo(this.timeout) < 0)
				? this.implicitTlsPortGreetingTimeout : this.timeout;
		this.connection.setReadTimeout(bound);
		SmtpReply greeting;
		try {
			greeting = readReply();
		}
		catch (SmtpTimeoutException ex) {
			throw new SmtpImplicitTlsPortException("No greeting from " + target + " within "
					+ Durations.describe(bound) + ": port " + target.port()
					+ " is for SMTP over implicit TLS (RFC 8314 3.3), where the server waits for a TLS handshake"
					+ " before it greets, but this session speaks plain SMTP. Connect with SMTPS instead:"
					+ " SmtpSession.smtps(), or SmtpProtocol.SMTPS for SmtpSession.builder(protocol) and"
					+ " SmtpClient.Builder.protocol(protocol).",
					ex.getCause());
		}
		this.connection.setReadTimeout(this.timeout);
		return greeting;
	}

	/**
	 * Connects from this local address: smtplib's {@code connect(host, port, source_address)}. The
	 * address is kept for later connections.
	 */
	public SmtpReply connect(String host, int port, InetSocketAddress sourceAddress) throws IOException {
		this.sourceAddress = sourceAddress;
		return connect(host, port);
	}

	private SmtpEndpoint endpointFor(String host, int port) {
		requirePort(port, "");
		if (this.protocol == SmtpProtocol.LMTP && host.startsWith("/")) {
			return SmtpEndpoint.unix(this.protocol, Path.of(host));
		}
		String name = host;
		int number = port;
		// As smtplib: "host:port" only when there is exactly one colon (else it is IPv6).
		if (number == 0 && host.indexOf(':') >= 0 && host.indexOf(':') == host.lastIndexOf(':')) {
			int colon = host.lastIndexOf(':');
			name = host.substring(0, colon);
			String suffix = host.substring(colon + 1);
			try {
				number = Integer.parseInt(suffix.strip());
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException("nonnumeric port '" + suffix + "' in host '" + host + "'");
			}
			requirePort(number, " in host '" + host + "'");
		}
		return SmtpEndpoint.tcp(this.protocol, name, (number != 0) ? number : this.protocol.defaultPort());
	}

	/** A port, or 0 for the protocol's default. */
	private static int requirePort(int port, String where) {
		if (port < 0 || port > 65535) {
			throw new IllegalArgumentException("port must be between 0 and 65535, but was " + port + where);
		}
		return port;
	}

	private void useConnectionStreams() {
		this.reader = new ReplyReader(this.connection.input());
		this.output = this.connection.output();
	}

	private SSLContext configuredSslContext() {
		return (this.sslContext != null) ? this.sslContext : SmtpTls.defaultContext();
	}

	/**
	 * Completes a TLS handshake, implicit or after STARTTLS.
	 * @throws SmtpTlsCertificateException if the server's certificate is not trusted or names
	 * another host, saying so and how to get past it
	 * @throws SSLHandshakeException if the handshake failed otherwise
	 * @throws SmtpTimeoutException if it took longer than the timeout
	 */
	private SSLSession handshake(SSLContext context, boolean afterStarttls) throws IOException {
		SmtpEndpoint target = this.endpoint;
		long started = System.nanoTime();
		SSLSession session;
		try {
			session = this.connection.startTls(context, this.hostnameVerification, this.tlsProtocols,
					this.tlsCipherSuites);
		}
		catch (SocketTimeoutException ex) {
			SmtpTimeoutException timedOut = new SmtpTimeoutException("Timed out after "
					+ Durations.describe(this.timeout) + " in the TLS handshake with " + target, ex);
			notifyListener((l) -> l.tlsFailed(target, timedOut));
			throw timedOut;
		}
		catch (SSLException ex) {
			SSLHandshakeException failed = SmtpTls.handshakeFailure(target, afterStarttls, ex);
			notifyListener((l) -> l.tlsFailed(target, failed));
			throw failed;
		}
		useConnectionStreams();
		this.debug.print("tls:", session.getProtocol() + " " + session.getCipherSuite());
		notifyListener((l) -> l.tlsEstablished(target, session.getProtocol(), session.getCipherSuite(),
				elapsedSince(started)));
		return session;
	}

	// ---------------------------------------------------------------- the wire

	/**
	 * Sends a string as it is, encoded as commands are (ASCII, or UTF-8 after an SMTPUTF8
	 * {@code MAIL}): smtplib's {@code send}. Prefer {@link #putcmd} and {@link #docmd}, which check
	 * for line breaks.
	 * @throws SmtpServerDisconnectedException if not connected or the write failed
	 */
	public void send(String text) throws SmtpException {
		write(encodeCommand(text), CommandLines.verbOf(text), text);
	}

	/**
	 * Sends a command line: {@code cmd}, a space and {@code args} (no space when {@code args} is
	 * empty), then CRLF. smtplib's {@code putcmd}.
	 * @throws IllegalArgumentException if the line contains CR or LF; nothing is sent
	 */
	public void putcmd(String cmd, String args) throws SmtpException {
		String line = args.isEmpty() ? cmd : cmd + " " + args;
		CommandLines.requireSingleLine("command and arguments", line);
		writeCommand(line, line);
	}

	/** {@link #putcmd(String, String)} without arguments. */
	public void putcmd(String cmd) throws SmtpException {
		putcmd(cmd, "");
	}

	/**
	 * Reads the next reply: smtplib's {@code getreply}. Multi-line replies come joined with
	 * {@code "\n"}; a code that is not a number gives {@code -1} (and no further line is read).
	 * @throws SmtpServerDisconnectedException at end of stream or on a read error; the session is
	 * closed
	 * @throws SmtpTimeoutException when no reply came within the timeout; the session is closed
	 * @throws SmtpResponseException {@code (500, "Line too long.")} for a line over
	 * {@link #MAX_LINE_LENGTH} bytes; the session is closed
	 */
	public SmtpReply getreply() throws SmtpException {
		return readReply();
	}

	/** Sends a command and reads its reply: smtplib's {@code docmd}. */
	public SmtpReply docmd(String cmd, String args) throws SmtpException {
		putcmd(cmd, args);
		return getreply();
	}

	/** {@link #docmd(String, String)} without arguments. */
	public SmtpReply docmd(String cmd) throws SmtpException {
		return docmd(cmd, "");
	}

	private void writeCommand(String line, String shownLine) throws SmtpException {
		write(encodeCommand(line + CRLF), CommandLines.verbOf(line), shownLine, true);
	}

	private void write(byte[] bytes, String verb, String shownText) throws SmtpException {
		write(bytes, verb, shownText, true);
	}

	/**
	 * Writes a command (or raw text) and expects one reply to it.
	 * @param flush whether to send it now; a pipelined group is flushed once, after its last command
	 */
	private void write(byte[] bytes, String verb, String shownText, boolean flush) throws SmtpException {
		write(bytes, verb, shownText, flush, true);
	}

	/**
	 * @param expectsReply whether the reply will be read as this command's; not so for the last
	 * BDAT chunk, whose reply is read as the message's
	 */
	private void write(byte[] bytes, String verb, String shownText, boolean flush, boolean expectsReply)
			throws SmtpException {
		if (this.debug.isEnabled()) {
			this.debug.print("send:", DebugLog.repr(shownText.endsWith(CRLF) ? shownText : shownText + CRLF));
		}
		requireConnected();
		if (expectsReply) {
			this.pending.addLast(new PendingCommand(verb, System.nanoTime()));
		}
		try {
			this.output.write(bytes);
			if (flush) {
				this.output.flush();
			}
		}
		catch (IOException ex) {
			throw writeFailure(ex);
		}
		SmtpEndpoint target = this.endpoint;
		String shownLine = shownText.endsWith(CRLF) ? shownText.substring(0, shownText.length() - 2) : shownText;
		if (this.listening) {
			notifyListener((l) -> l.commandSent(target, verb, shownLine));
		}
	}

	private SmtpException writeFailure(IOException ex) {
		SmtpEndpoint target = this.endpoint;
		Duration bound = (this.connection != null) ? this.connection.writeTimeout() : this.timeout;
		disconnect();
		if (ex instanceof SocketTimeoutException) {
			return new SmtpTimeoutException("Timed out after " + Durations.describe(bound) + " writing to "
					+ target + " (the server stopped reading)", ex);
		}
		return new SmtpServerDisconnectedException("Server not connected", ex);
	}

	private byte[] encodeCommand(String text) {
		return encode(text, this.commandEncoding);
	}

	private static byte[] encode(String text, Charset encoding) {
		if (Ascii.isAscii(text)) {
			// Nearly every command: ASCII is ASCII in either encoding, and needs no encoder.
			return text.getBytes(StandardCharsets.US_ASCII);
		}
		try {
			ByteBuffer encoded = encoding.newEncoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.encode(CharBuffer.wrap(text));
			byte[] bytes = new byte[encoded.remaining()];
			encoded.get(bytes);
			return bytes;
		}
		catch (CharacterCodingException ex) {
			throw new IllegalArgumentException("Command has characters outside " + encoding
					+ " (non-ASCII addresses need the SMTPUTF8 option on MAIL, which the server must advertise): "
					+ text.strip());
		}
	}

	/** Reads the reply to the oldest unanswered command (or, with none, the greeting). */
	private SmtpReply readReply() throws SmtpException {
		requireConnected();
		PendingCommand answered = this.pending.peekFirst();
		String verb = (answered != null) ? answered.verb() : null;
		// Most replies are one line: their text is the message, with no list or join.
		String message = null;
		StringBuilder lines = null;
		int code;
		while (true) {
			byte[] line;
			try {
				line = this.reader.readLine(MAX_LINE_LENGTH + 1);
			}
			catch (SocketTimeoutException ex) {
				SmtpEndpoint target = this.endpoint;
				disconnect();
				throw new SmtpTimeoutException("Timed out after " + Durations.describe(this.timeout)
						+ " waiting for " + ((verb != null) ? "the reply to " + verb
								: this.established ? "a reply" : "the greeting") + " from "
						+ target, ex);
			}
			catch (IOException ex) {
				disconnect();
				throw new SmtpServerDisconnectedException("Connection unexpectedly closed: " + ex.getMessage(), ex);
			}
			if (line.length == 0) {
				disconnect();
				throw new SmtpServerDisconnectedException("Connection unexpectedly closed");
			}
			if (this.debug.isEnabled()) {
				this.debug.print("reply:", DebugLog.repr(line, 0, line.length));
			}
			if (line.length > MAX_LINE_LENGTH) {
				disconnect();
				throw new SmtpResponseException(500, "Line too long.");
			}
			String text = replyText(line);
			if (message == null) {
				message = text;
			}
			else {
				lines = ((lines != null) ? lines : new StringBuilder(message)).append('\n').append(text);
			}
			code = replyCode(line);
			if (code == SmtpReply.MALFORMED_CODE || line.length < 4 || line[3] != '-') {
				break;
			}
		}
		SmtpReply reply = new SmtpReply(code, (lines != null) ? lines.toString() : message);
		if (this.debug.isEnabled()) {
			this.debug.print("reply:", "retcode (" + code + "); Msg: " + DebugLog.repr(reply.message()));
		}
		if (answered != null) {
			this.pending.pollFirst();
			if (this.listening) {
				SmtpEndpoint target = this.endpoint;
				Duration duration = elapsedSince(answered.sentAt());
				notifyListener((l) -> l.replyReceived(target, verb, reply, duration));
			}
		}
		return reply;
	}

	/** The text after the code and separator, stripped of blanks and line ending, as smtplib does. */
	private static String replyText(byte[] line) {
		int start = Math.min(4, line.length);
		int end = line.length;
		while (start < end && isStrippable(line[start])) {
			start++;
		}
		while (end > start && isStrippable(line[end - 1])) {
			end--;
		}
		return new String(line, start, end - start, StandardCharsets.UTF_8);
	}

	private static boolean isDigit(byte b) {
		return b >= '0' && b <= '9';
	}

	private static boolean isStrippable(byte b) {
		return b == ' ' || b == '\t' || b == '\r' || b == '\n';
	}

	/** The first three bytes as a number, as Python's {@code int()} reads them, or -1. */
	private static int replyCode(byte[] line) {
		if (line.length >= 3 && isDigit(line[0]) && isDigit(line[1]) && isDigit(line[2])) {
			return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
		}
		String code = new String(line, 0, Math.min(3, line.length), StandardCharsets.ISO_8859_1).strip();
		try {
			return Integer.parseInt(code);
		}
		catch (NumberFormatException ex) {
			return SmtpReply.MALFORMED_CODE;
		}
	}

	// ---------------------------------------------------------------- commands

	/**
	 * Says HELO with this session's local host name: smtplib's {@code helo()}.
	 * @return the reply, whose text is kept as {@link #heloResp()}
	 */
	public SmtpReply helo() throws SmtpException {
		return helo("");
	}

	/** Says HELO with this name, or the local host name when it is empty. */
	public SmtpReply helo(String name) throws SmtpException {
		putcmd("HELO", name.isEmpty() ? localHostname() : name);
		SmtpReply reply = getreply();
		this.heloResp = reply.message();
		return reply;
	}

	/**
	 * Says EHLO (LHLO for LMTP) with this session's local host name and, on 250, parses the
	 * advertised extensions into {@link #esmtpFeatures()}: smtplib's {@code ehlo()}.
	 * @return the reply, whose text is kept as {@link #ehloResp()}
	 * @throws SmtpServerDisconnectedException if the server hung up instead of answering
	 */
	public SmtpReply ehlo() throws SmtpException {
		return ehlo("");
	}

	/** Says EHLO (LHLO) with this name, or the local host name when it is empty. */
	public SmtpReply ehlo(String name) throws SmtpException {
		this.esmtpFeatures = EsmtpFeatures.none();
		putcmd(this.protocol.helloCommand().toUpperCase(Locale.ROOT), name.isEmpty() ? localHostname() : name);
		SmtpReply reply = getreply();
		// Some old servers drop the connection on EHLO (RFC 1869): say so rather than report garbage.
		if (reply.code() == SmtpReply.MALFORMED_CODE && reply.message().isEmpty()) {
			disconnect();
			throw new SmtpServerDisconnectedException("Server not connected");
		}
		this.ehloResp = reply.message();
		if (reply.code() != 250) {
			return reply;
		}
		this.doesEsmtp = true;
		this.esmtpFeatures = EsmtpFeatures.parse(reply.message());
		return reply;
	}

	/**
	 * Says EHLO, and HELO if EHLO fails, unless one of them was said on this connection already:
	 * smtplib's {@code ehlo_or_helo_if_needed()}.
	 * @throws SmtpHeloException if the server refused both
	 */
	public void ehloOrHeloIfNeeded() throws SmtpException {
		if (this.heloResp == null && this.ehloResp == null) {
			if (!ehlo().isPositiveCompletion()) {
				SmtpReply reply = helo();
				if (!reply.isPositiveCompletion()) {
					throw new SmtpHeloException(reply.code(), reply.message());
				}
			}
		}
	}

	/** Whether the server advertised this extension in its EHLO reply; case does not matter. */
	public boolean hasExtn(String extension) {
		return this.esmtpFeatures.has(extension);
	}

	/** Sends HELP and returns the reply's text: smtplib's {@code help()}. */
	public String help() throws SmtpException {
		return help("");
	}

	/** Sends HELP about a topic and returns the reply's text. */
	public String help(String topic) throws SmtpException {
		putcmd("HELP", topic);
		return getreply().message();
	}

	/** Sends RSET, ending any mail transaction, and goes back to ASCII commands. */
	public SmtpReply rset() throws SmtpException {
		this.commandEncoding = StandardCharsets.US_ASCII;
		this.acceptedRecipients.clear();
		return docmd("RSET");
	}

	/** RSET that ignores a server which has gone: its absence shows at the next command. */
	private void rsetQuietly() throws SmtpException {
		try {
			rset();
		}
		catch (SmtpServerDisconnectedException ex) {
			// As smtplib's _rset(): the caller is already reporting a failure; this one can wait.
		}
	}

	/** Sends NOOP. */
	public SmtpReply noop() throws SmtpException {
		return docmd("NOOP");
	}

	/** Sends {@code MAIL FROM:<sender>} without options. */
	public SmtpReply mail(String sender) throws SmtpException {
		return mail(sender, List.of());
	}

	/**
	 * Sends {@code MAIL FROM:<sender>} with ESMTP options: smtplib's {@code mail()}. Options are
	 * sent only to a server that answered EHLO (as in smtplib, they are dropped after HELO).
	 * @param sender the address; a display name and brackets are removed, {@code ""} is {@code <>}
	 * @param options such as {@code BODY=8BITMIME}; {@code SMTPUTF8} switches commands to UTF-8
	 * @throws SmtpNotSupportedException if {@code SMTPUTF8} is asked for but not advertised
	 */
	public SmtpReply mail(String sender, List<String> options) throws SmtpException {
		// Checked before the address parser sees it, which would drop what follows a line break.
		CommandLines.requireSingleLine("sender", sender);
		options.forEach((option) -> CommandLines.requireSingleLine("MAIL option", option));
		if (requestsSmtputf8(options)) {
			this.commandEncoding = StandardCharsets.UTF_8;
		}
		this.acceptedRecipients.clear();
		return docmd("MAIL", "FROM:" + Addresses.quote(sender) + optionSuffix(options));
	}

	/**
	 * Whether the options ask for SMTPUTF8 (RFC 6531), which makes commands UTF-8; options go only
	 * to an ESMTP server.
	 * @throws SmtpNotSupportedException if they do and the server does not advertise it
	 */
	private boolean requestsSmtputf8(List<String> options) throws SmtpNotSupportedException {
		if (!this.doesEsmtp) {
			return false;
		}
		// A loop, not a stream: this runs for every message.
		for (String option : options) {
			if (option.equalsIgnoreCase("smtputf8")) {
				if (!hasExtn("smtputf8")) {
					throw new SmtpNotSupportedException("SMTPUTF8 not supported by server");
				}
				return true;
			}
		}
		return false;
	}

	/** The options as they follow an address: none unless the server speaks ESMTP, as in smtplib. */
	private String optionSuffix(List<String> options) {
		return (!options.isEmpty() && this.doesEsmtp) ? " " + String.join(" ", options) : "";
	}

	/** Sends {@code RCPT TO:<recipient>} without options. */
	public SmtpReply rcpt(String recipient) throws SmtpException {
		return rcpt(recipient, List.of());
	}

	/**
	 * Sends {@code RCPT TO:<recipient>} with ESMTP options (sent only to an ESMTP server):
	 * smtplib's {@code rcpt()}.
	 */
	public SmtpReply rcpt(String recipient, List<String> options) throws SmtpException {
		CommandLines.requireSingleLine("recipient", recipient);
		options.forEach((option) -> CommandLines.requireSingleLine("RCPT option", option));
		SmtpReply reply = docmd("RCPT", "TO:" + Addresses.quote(recipient) + optionSuffix(options));
		noteRecipientReply(recipient, reply);
		return reply;
	}

	private void noteRecipientReply(String recipient, SmtpReply reply) {
		if (reply.code() == 250 || reply.code() == 251) {
			this.acceptedRecipients.add(recipient);
		}
	}

	/**
	 * Sends DATA and then the message: smtplib's {@code data()} for {@code bytes}. The bytes go out
	 * as they are except that lines starting with {@code .} get another one; CRLF is added if the
	 * message does not end with it, then {@code .CRLF}.
	 * @return the server's reply to the message; for LMTP see {@link #dataReplies()}
	 * @throws SmtpDataException if DATA is not answered with 354 (nothing is sent then)
	 */
	public SmtpReply data(byte[] message) throws SmtpException {
		return dataFrom(MessageSource.of(message), message);
	}

	/**
	 * {@link #data(byte[])} for text, which smtplib sends after turning lone CR and LF into CRLF.
	 * @throws IllegalArgumentException if the text is not ASCII
	 */
	public SmtpReply data(String message) throws SmtpException {
		return data(MessageText.toAsciiBytes(message));
	}

	/**
	 * {@link #data(byte[])} for a message read from a stream, which is streamed: it is never held
	 * in memory whole. The stream is read to its end but not closed.
	 * @throws IOException if reading the stream fails; the connection is then closed, since an
	 * unfinished message cannot be taken back
	 */
	public SmtpReply data(InputStream message) throws IOException {
		Objects.requireNonNull(message, "message");
		return data(new MessageSource() {

			@Override
			public long size() {
				return -1;
			}

			@Override
			public void writeTo(OutputStream out) throws IOException {
				message.transferTo(out);
			}

		});
	}

	/**
	 * {@link #data(byte[])} for a message from a {@link MessageSource}, which is streamed.
	 * @throws IOException if the source fails; the connection is then closed, since an unfinished
	 * message cannot be taken back
	 */
	public SmtpReply data(MessageSource message) throws IOException {
		try {
			return dataFrom(message, null);
		}
		catch (MessageSourceException ex) {
			throw ex.getCause();
		}
	}

	/**
	 * DATA, the message and the reply (or replies, for LMTP).
	 * @param shown the message bytes for debug output, or {@code null} when streamed
	 * @throws MessageSourceException (unchecked) when the source fails; callers that can declare
	 * {@code IOException} unwrap it
	 */
	private SmtpReply dataFrom(MessageSource source, byte[] shown) throws SmtpException {
		this.endOfDataSent = false;
		SmtpReply reply = docmd("DATA");
		return messageAfter(reply, source, shown);
	}

	/**
	 * Given DATA's reply, sends the message and reads the reply (or, for LMTP, one per accepted
	 * recipient) after it.
	 * @throws SmtpDataException if DATA was not answered with 354 (nothing more is sent then)
	 */
	private SmtpReply messageAfter(SmtpReply dataReply, MessageSource source, byte[] shown) throws SmtpException {
		writeMessageAfter(dataReply, source, shown, true);
		return readMessageOutcome();
	}

	/**
	 * Given DATA's reply, writes the message, dot-stuffed and ended with {@code .CRLF}.
	 * @param flush whether to send it all now; when not, the end of the message waits in the buffer
	 * for the next commands to join it
	 * @throws SmtpDataException if DATA was not answered with 354 (nothing is written then)
	 */
	private void writeMessageAfter(SmtpReply dataReply, MessageSource source, byte[] shown, boolean flush)
			throws SmtpException {
		if (this.debug.isEnabled()) {
			this.debug.print("data:", "(" + dataReply.code() + ", " + DebugLog.repr(dataReply.message()) + ")");
		}
		if (dataReply.code() != 354) {
			throw new SmtpDataException(dataReply.code(), dataReply.message());
		}
		writeMessage(source, shown, DotStuffingOutputStream::new, flush);
	}

	/**
	 * Sends the message in BDAT chunks (RFC 3030) instead of DATA: no dot-stuffing, and the server
	 * knows each chunk's length. Each chunk but the last is answered before the next goes out, so a
	 * refused chunk stops the transfer.
	 */
	private SmtpReply bdatFrom(MessageSource source) throws SmtpException {
		writeMessage(source, null, (wire) -> new BdatOutputStream(wire, source.size()), true);
		return readMessageOutcome();
	}

	/** Reads the reply after the message (for LMTP, one per accepted recipient) and records it. */
	private SmtpReply readMessageOutcome() throws SmtpException {
		// Each reply is reported as END-OF-DATA: writeMessage expected them when it wrote the end.
		SmtpReply result = (this.protocol == SmtpProtocol.LMTP) ? readLmtpReplies() : readReply();
		if (this.protocol != SmtpProtocol.LMTP) {
			Map<String, SmtpReply> replies = new LinkedHashMap<>();
			this.acceptedRecipients.forEach((recipient) -> replies.put(recipient, result));
			this.dataReplies = Collections.unmodifiableMap(replies);
		}
		this.acceptedRecipients.clear();
		this.lastDataReply = result;
		if (this.debug.isEnabled()) {
			this.debug.print("data:", "(" + result.code() + ", " + DebugLog.repr(result.message()) + ")");
		}
		return result;
	}

	/**
	 * LMTP (RFC 2033 4.2) answers the message once per accepted recipient, in RCPT order. smtplib
	 * reads only the first reply and leaves the rest to confuse the next command; all are read here.
	 */
	private SmtpReply readLmtpReplies() throws SmtpException {
		Map<String, SmtpReply> replies = new LinkedHashMap<>();
		SmtpReply firstRefusal = null;
		SmtpReply last = null;
		int expected = endOfDataReplyCount();
		for (int i = 0; i < expected; i++) {
			last = readReply();
			if (i < this.acceptedRecipients.size()) {
				replies.put(this.acceptedRecipients.get(i), last);
			}
			if (firstRefusal == null && last.code() != 250) {
				firstRefusal = last;
			}
		}
		this.dataReplies = Collections.unmodifiableMap(replies);
		return (firstRefusal != null) ? firstRefusal : last;
	}

	/** How many replies follow the end of the message: for LMTP one per accepted recipient. */
	private int endOfDataReplyCount() {
		// Without an accepted recipient (RCPT sent by hand through docmd), one reply is all there is.
		return (this.protocol == SmtpProtocol.LMTP) ? Math.max(1, this.acceptedRecipients.size()) : 1;
	}

	/**
	 * Writes the message through a framing (dot-stuffing for DATA, chunks for BDAT), bounded by the
	 * data timeout, and tells a failing source from a failing connection.
	 */
	private void writeMessage(MessageSource source, byte[] shown,
			Function<OutputStream, MessageDataOutputStream> framing, boolean flush) throws SmtpException {
		requireConnected();
		FailureRecordingOutputStream wire = new FailureRecordingOutputStream(this.output);
		MessageDataOutputStream data = framing.apply(wire);
		AtomicBoolean dataTimedOut = new AtomicBoolean();
		try (AutoCloseable deadline = (this.dataTimeout != null)
				? this.connection.abortAfter(this.dataTimeout, () -> dataTimedOut.set(true)) : null) {
			source.writeTo(data);
			data.finish();
			if (flush) {
				data.flush();
			}
		}
		catch (IOException ex) {
			if (dataTimedOut.get()) {
				SmtpEndpoint target = this.endpoint;
				disconnect();
				throw new SmtpTimeoutException("Timed out after " + Durations.describe(this.dataTimeout)
						+ " sending the message data to " + target, ex);
			}
			if (ex instanceof SmtpException handled) {
				// The session has dealt with it already: a BDAT command failed, or a chunk was refused.
				throw handled;
			}
			if (wire.failure != null) {
				throw writeFailure(wire.failure);
			}
			// The source failed, not the server; the message is unfinished and SMTP cannot take
			// part of one back: drop the connection so the server discards it.
			disconnect();
			throw new MessageSourceException(ex);
		}
		catch (Exception ex) {
			// A message source that throws unchecked leaves the message unfinished just the same.
			disconnect();
			throw (ex instanceof RuntimeException runtime) ? runtime : new IllegalStateException(ex);
		}
		// Written, if perhaps not yet flushed: a lost reply from here on leaves the outcome unknown.
		this.endOfDataSent = true;
		long sentAt = System.nanoTime();
		// Expected now, before any command that may follow in the same write, so that replies are
		// matched to what they answer in order.
		for (int i = endOfDataReplyCount(); i > 0; i--) {
			this.pending.addLast(new PendingCommand(SmtpEventListener.END_OF_DATA, sentAt));
		}
		long written = data.bytesWritten();
		if (this.debug.isEnabled()) {
			this.debug.print("send:", describeData(shown, written));
		}
		SmtpEndpoint target = this.endpoint;
		if (this.listening) {
			notifyListener((l) -> l.messageDataSent(target, written));
		}
	}

	private static String describeData(byte[] shown, long written) {
		if (shown == null) {
			return "<" + written + " bytes of message data from a stream>";
		}
		int length = Math.min(shown.length, DebugLog.MAX_DATA_SHOWN);
		String repr = DebugLog.repr(shown, 0, length);
		return (length < shown.length) ? repr + " ... (" + written + " bytes written in all)" : repr;
	}

	/**
	 * Whether the end of the last message ({@code CRLF.CRLF}) was written. After that, a lost
	 * reply leaves the outcome unknown: the server may have accepted the message.
	 */
	boolean endOfDataSent() {
		return this.endOfDataSent;
	}

	/**
	 * Whether the last {@code sendmail} failed because the server answered part of a pipelined
	 * group and then nothing more (a timeout) or hung up. The message data had not been sent, so
	 * nothing was accepted; {@link SmtpClient} then sends again without pipelining.
	 */
	boolean pipeliningStalled() {
		return this.pipeliningStalled;
	}

	/** Sends one command at a time from now on, whatever the builder said. */
	void disablePipelining() {
		this.pipelining = false;
	}

	/**
	 * The reply after the last message (for LMTP its first refusal, or else its last reply), or
	 * {@code null} before any or once a new {@code sendmail} has begun.
	 */
	SmtpReply lastDataReply() {
		return this.lastDataReply;
	}

	/**
	 * The reply after the last message, per recipient: for LMTP each recipient's own reply, in
	 * order; for SMTP every accepted recipient maps to the one reply. Empty before any DATA.
	 */
	public Map<String, SmtpReply> dataReplies() {
		return this.dataReplies;
	}

	/** Sends VRFY for the address (display name removed): smtplib's {@code verify()}. */
	public SmtpReply verify(String address) throws SmtpException {
		return docmd("VRFY", Addresses.addressOnly(CommandLines.requireSingleLine("address", address)));
	}

	/** The same as {@link #verify(String)}, smtplib's alias. */
	public SmtpReply vrfy(String address) throws SmtpException {
		return verify(address);
	}

	/** Sends EXPN for the address (display name removed): smtplib's {@code expn()}. */
	public SmtpReply expn(String address) throws SmtpException {
		return docmd("EXPN", Addresses.addressOnly(CommandLines.requireSingleLine("address", address)));
	}

	// ---------------------------------------------------------------- authentication

	/**
	 * Runs one AUTH exchange: smtplib's {@code auth()}. The initial response (RFC 4954) is sent
	 * with the command when {@code initialResponseOk} and the authenticator has one; then each 334
	 * challenge is base64-decoded, answered, and the answer base64-encoded, for at most
	 * {@link #MAX_AUTH_CHALLENGES} challenges. Nothing of the exchange reaches debug output or a
	 * listener except as {@code <redacted>}.
	 * @param mechanism the mechanism's name, such as {@code PLAIN}
	 * @param authenticator answers the challenges
	 * @param initialResponseOk whether to send the initial response with the command
	 * @return the final reply: 235, or 503 (already authenticated)
	 * @throws SmtpAuthenticationException if the server refused
	 * @throws SmtpException if the server sent more than {@link #MAX_AUTH_CHALLENGES} challenges, or
	 * credentials would go in clear text to a server that is not on this machine
	 */
	public SmtpReply auth(String mechanism, SmtpAuthenticator authenticator, boolean initialResponseOk)
			throws SmtpException {
		String name = CommandLines.requireSingleLine("AUTH mechanism", mechanism).toUpperCase(Locale.ROOT);
		requireSafeForCredentials();
		byte[] initialResponse = initialResponseOk ? authenticator.respond(null) : null;
		SmtpReply reply;
		int challenges;
		if (initialResponse != null) {
			// RFC 4954 4: an empty initial response is sent as "=".
			String encoded = (initialResponse.length == 0) ? "=" : base64(initialResponse);
			writeCommand("AUTH " + name + " " + encoded, "AUTH " + name + " " + REDACTED);
			reply = getreply();
			challenges = 1;
		}
		else {
			reply = docmd("AUTH", name);
			challenges = 0;
		}
		while (reply.code() == 334) {
			challenges++;
			byte[] challenge;
			try {
				challenge = Base64.getMimeDecoder().decode(reply.message());
			}
			catch (IllegalArgumentException ex) {
				// RFC 4954 4: "*" cancels the exchange; the server answers 501.
				writeCommand("*", "*");
				SmtpReply cancelled = getreply();
				throw authFailure(name, new SmtpReply(cancelled.code(),
						"Server sent a challenge that is not base64: " + reply.message()));
			}
			byte[] response = authenticator.respond(challenge);
			// The verb is "AUTH", not the first word of the line: that would be the payload, unredacted.
			write(encodeCommand(base64((response != null) ? response : new byte[0]) + CRLF), "AUTH", REDACTED);
			reply = getreply();
			if (challenges > MAX_AUTH_CHALLENGES) {
				throw new SmtpException("Server AUTH mechanism infinite loop. Last response: " + reply);
			}
		}
		if (reply.code() == 235 || reply.code() == 503) {
			SmtpEndpoint target = this.endpoint;
			notifyListener((l) -> l.authSucceeded(target, name));
			return reply;
		}
		throw authFailure(name, reply);
	}

	/** {@link #auth(String, SmtpAuthenticator, boolean)} with a built-in or custom mechanism. */
	public SmtpReply auth(AuthMechanism mechanism, String user, String password, boolean initialResponseOk)
			throws SmtpException {
		return auth(mechanism.name(), mechanism.authenticator(user, password), initialResponseOk);
	}

	/** {@link #auth(AuthMechanism, String, String, boolean)} with the initial response allowed. */
	public SmtpReply auth(AuthMechanism mechanism, String user, String password) throws SmtpException {
		return auth(mechanism, user, password, true);
	}

	private SmtpAuthenticationException authFailure(String mechanism, SmtpReply reply) {
		SmtpEndpoint target = this.endpoint;
		notifyListener((l) -> l.authFailed(target, mechanism, reply));
		return new SmtpAuthenticationException(reply.code(), reply.message());
	}

	/**
	 * Logs in with the first of CRAM-MD5, PLAIN and LOGIN the server advertises, trying the next
	 * when one is refused: smtplib's {@code login()}.
	 * @return the successful reply
	 * @throws SmtpNotSupportedException if the server does not offer AUTH
	 * @throws SmtpException if none of the mechanisms is offered
	 * @throws SmtpAuthenticationException the last refusal, if every mechanism was refused
	 */
	public SmtpReply login(String user, String password) throws SmtpException {
		return login(user, password, DEFAULT_AUTH_MECHANISMS, true);
	}

	/** {@link #login(String, String)}, choosing whether initial responses are sent. */
	public SmtpReply login(String user, String password, boolean initialResponseOk) throws SmtpException {
		return login(user, password, DEFAULT_AUTH_MECHANISMS, initialResponseOk);
	}

	/**
	 * {@link #login(String, String)} with your own mechanisms in your order of preference.
	 * @param mechanisms the mechanisms to try, most preferred first, among those advertised
	 */
	public SmtpReply login(String user, String password, List<? extends AuthMechanism> mechanisms,
			boolean initialResponseOk) throws SmtpException {
		Objects.requireNonNull(user, "user");
		Objects.requireNonNull(password, "password");
		ehloOrHeloIfNeeded();
		if (!hasExtn("auth")) {
			throw new SmtpNotSupportedException("SMTP AUTH extension not supported by server.");
		}
		List<String> advertised = this.esmtpFeatures.authMechanisms();
		List<AuthMechanism> candidates = mechanisms.stream()
			.filter((mechanism) -> advertised.contains(mechanism.name().toUpperCase(Locale.ROOT)))
			.map(AuthMechanism.class::cast)
			.toList();
		if (candidates.isEmpty()) {
			throw new SmtpException("No suitable authentication method found.");
		}
		SmtpAuthenticationException lastFailure = null;
		for (AuthMechanism mechanism : candidates) {
			try {
				// Some servers advertise mechanisms they do not support: go on to the next one.
				return auth(mechanism, user, password, initialResponseOk);
			}
			catch (SmtpAuthenticationException ex) {
				lastFailure = ex;
			}
		}
		throw lastFailure;
	}

	private void requireSafeForCredentials() throws SmtpException {
		requireConnected();
		if (!this.connection.isTls() && !this.connection.isLoopback() && !this.allowCleartextAuth) {
			throw new SmtpException("Refusing to send credentials in clear text to " + this.endpoint
					+ ": call starttls() first, connect with implicit TLS, or allow it with allowCleartextAuth(true)");
		}
	}

	// ---------------------------------------------------------------- TLS

	/**
	 * Upgrades the connection with STARTTLS using the context the builder was given (by default
	 * {@link SmtpTls#defaultContext()}, which verifies the certificate), checking the host name
	 * unless the builder turned that off. Afterwards EHLO state is forgotten, as RFC 3207 requires.
	 * @see #starttls(SSLContext)
	 */
	public SmtpReply starttls() throws IOException {
		return starttls(null);
	}

	/**
	 * Upgrades the connection with STARTTLS: smtplib's {@code starttls(context=...)}.
	 * @param context the context to use, or {@code null} for the builder's
	 * @return the server's 220 reply
	 * @throws SmtpNotSupportedException if the server does not advertise STARTTLS
	 * @throws SmtpResponseException if the server does not answer 220
	 * @throws SmtpTlsCertificateException if the server's certificate is not trusted or names
	 * another host; the message names the ways out; the connection is closed
	 * @throws SSLHandshakeException if the handshake fails otherwise; the connection is closed
	 */
	public SmtpReply starttls(SSLContext context) throws IOException {
		ehloOrHeloIfNeeded();
		if (!hasExtn("starttls")) {
			throw new SmtpNotSupportedException("STARTTLS extension not supported by server.");
		}
		if (this.connection.isUnixSocket()) {
			throw new SmtpNotSupportedException("STARTTLS over a unix-domain socket is not supported");
		}
		SmtpReply reply = docmd("STARTTLS");
		if (reply.code() != 220) {
			throw new SmtpResponseException(reply.code(), reply.message());
		}
		try {
			handshake((context != null) ? context : configuredSslContext(), true);
		}
		catch (IOException ex) {
			disconnect();
			throw ex;
		}
		// What the server said in clear text cannot be trusted any more (RFC 3207 4.2).
		forgetGreeting();
		return reply;
	}

	// ---------------------------------------------------------------- whole transactions

	/** {@link #sendmail(String, Collection, byte[], List, List)} for one recipient and a text message. */
	public Map<String, SmtpReply> sendmail(String from, String to, String message) throws SmtpException {
		return sendmail(from, List.of(to), MessageText.toAsciiBytes(message), List.of(), List.of());
	}

	/** {@link #sendmail(String, Collection, byte[], List, List)} for a text message. */
	public Map<String, SmtpReply> sendmail(String from, Collection<String> to, String message) throws SmtpException {
		return sendmail(from, to, MessageText.toAsciiBytes(message), List.of(), List.of());
	}

	/** {@link #sendmail(String, Collection, byte[], List, List)} without options. */
	public Map<String, SmtpReply> sendmail(String from, Collection<String> to, byte[] message) throws SmtpException {
		return sendmail(from, to, message, List.of(), List.of());
	}

	/**
	 * {@link #sendmail(String, Collection, byte[], List, List)} for a text message, which is sent
	 * with lone CR and LF turned into CRLF and must be ASCII.
	 */
	public Map<String, SmtpReply> sendmail(String from, Collection<String> to, String message,
			List<String> mailOptions, List<String> rcptOptions) throws SmtpException {
		return sendmail(from, to, MessageText.toAsciiBytes(message), mailOptions, rcptOptions);
	}

	/**
	 * Sends a whole mail transaction: smtplib's {@code sendmail}. EHLO (or HELO) first if needed;
	 * {@code SIZE=n} and the mail options go with MAIL when the server speaks ESMTP; each recipient
	 * gets RCPT with the rcpt options; then DATA.
	 * @param from the envelope sender
	 * @param to the envelope recipients
	 * @param message the message, sent as it is apart from dot-stuffing
	 * @param mailOptions ESMTP options for MAIL, such as {@code BODY=8BITMIME} or {@code SMTPUTF8}
	 * @param rcptOptions ESMTP options for every RCPT, such as {@code NOTIFY=FAILURE}
	 * @return the refused recipients with their replies, in order; empty when all were accepted. For
	 * LMTP, recipients refused after the data are included
	 * @throws IllegalArgumentException if an address or option contains CR or LF; nothing is sent
	 * @throws SmtpHeloException if the server refused EHLO and HELO
	 * @throws SmtpSenderRefusedException if MAIL was refused (RSET follows, or on 421 the session is
	 * closed)
	 * @throws SmtpRecipientsRefusedException if every recipient was refused (RSET follows), or one
	 * got 421 (the session is closed)
	 * @throws SmtpDataException if DATA or the message was refused (after a refused message RSET
	 * follows, or on 421 the session is closed)
	 * @throws SmtpNotSupportedException if {@code SMTPUTF8} is asked for but not advertised
	 */
	public Map<String, SmtpReply> sendmail(String from, Collection<String> to, byte[] message,
			List<String> mailOptions, List<String> rcptOptions) throws SmtpException {
		Objects.requireNonNull(message, "message");
		return transact(from, to, mailOptions, rcptOptions, false, MessageSource.of(message), message);
	}

	/**
	 * {@link #sendmail(String, Collection, byte[], List, List)} for a streamed message: it is never
	 * held in memory whole. {@code SIZE=} is sent only when the source knows its size.
	 * @throws IOException if the source fails (the connection is then closed) or as for
	 * {@link #sendmail(String, Collection, byte[], List, List)}
	 */
	public Map<String, SmtpReply> sendmail(String from, Collection<String> to, MessageSource message,
			List<String> mailOptions, List<String> rcptOptions) throws IOException {
		Objects.requireNonNull(message, "message");
		try {
			return transact(from, to, mailOptions, rcptOptions, false, message, null);
		}
		catch (MessageSourceException ex) {
			throw ex.getCause();
		}
	}

	/**
	 * One mail transaction: checks, EHLO if needed, then MAIL, RCPT, DATA and the message, one at a
	 * time or pipelined.
	 * @param requireAllRecipients whether a recipient refused at RCPT stops the message for all
	 * (see {@link Envelope#requiringAllRecipients()}); smtplib's {@code sendmail} never does
	 * @param shown the message bytes for debug output, or {@code null} when streamed
	 */
	private Map<String, SmtpReply> transact(String from, Collection<String> to, List<String> mailOptions,
			List<String> rcptOptions, boolean requireAllRecipients, MessageSource source, byte[] shown)
			throws SmtpException {
		startTransaction();
		return transact(prepare(from, to, mailOptions, rcptOptions, requireAllRecipients, source, shown));
	}

	/** One mail transaction of an envelope, as {@link #prepare(Envelope, MessageSource)} makes it. */
	private Map<String, SmtpReply> transact(Envelope envelope, MessageSource source) throws SmtpException {
		startTransaction();
		return transact(prepare(envelope, source));
	}

	/** Forgets what the last transaction left behind, before a new one is prepared. */
	private void startTransaction() {
		this.endOfDataSent = false;
		this.pipeliningStalled = false;
		this.lastDataReply = null;
	}

	/** Sends a prepared transaction, one command at a time or pipelined. */
	private Map<String, SmtpReply> transact(Transaction transaction) throws SmtpException {
		MessageSource source = transaction.source();
		if (usePipelining()) {
			return transactPipelined(transaction);
		}
		this.acceptedRecipients.clear();
		SmtpReply reply = command(transaction.mail());
		if (reply.code() != 250) {
			closeOn421OrReset(reply);
			throw new SmtpSenderRefusedException(reply.code(), reply.message(), transaction.from());
		}
		Map<String, SmtpReply> refused = new LinkedHashMap<>();
		for (int i = 0; i < transaction.to().size(); i++) {
			String recipient = transaction.to().get(i);
			SmtpReply recipientReply = command(transaction.rcpts().get(i));
			noteRecipientReply(recipient, recipientReply);
			checkRecipientReply(recipient, recipientReply, refused);
		}
		if (refused.size() == transaction.to().size()) {
			rsetQuietly();
			throw new SmtpRecipientsRefusedException(refused);
		}
		requireAllAccepted(transaction, refused);
		if (transaction.chunked()) {
			return outcome(bdatFrom(source), refused, true);
		}
		writeMessageOf(transaction, command(DATA), true);
		return outcome(readMessageOutcome(), refused, true);
	}

	/**
	 * A transaction checked and ready to go: the sender and recipients, their MAIL and RCPT lines
	 * made and encoded, the message, and whether it goes to all recipients or to none.
	 */
	private record Transaction(String from, List<String> to, Command mail, List<Command> rcpts,
			MessageSource source, byte[] shown, boolean chunked, boolean requireAllRecipients) {

		/**
		 * Whether DATA goes in the pipelined group. Not with BDAT, whose chunks follow once the
		 * recipients are known; nor when all recipients are required: after 354 the transaction
		 * cannot be abandoned short of closing the connection, so DATA waits for the RCPT replies.
		 */
		boolean dataInGroup() {
			return !this.chunked && !this.requireAllRecipients;
		}

		/** How many commands a pipelined group of it holds: MAIL, each RCPT and perhaps DATA. */
		int groupSize() {
			return 1 + this.rcpts.size() + (dataInGroup() ? 1 : 0);
		}

	}

	/** A command line, made and encoded before anything of its transaction is sent. */
	private record Command(String verb, String line, byte[] bytes) {
	}

	/** DATA, the same for every transaction. */
	private static final Command DATA = new Command("DATA", "DATA",
			("DATA" + CRLF).getBytes(StandardCharsets.US_ASCII));

	/** Sends a prepared command and reads its reply. */
	private SmtpReply command(Command command) throws SmtpException {
		write(command.bytes(), command.verb(), command.line(), true);
		return readReply();
	}

	/**
	 * Checks everything and makes every MAIL and RCPT line before anything is sent (a bad
	 * recipient must not strand a started transaction), says EHLO if needed, and works out the MAIL
	 * options: {@code SIZE=} when the server takes it, and only for ESMTP the caller's. The lines
	 * are encoded for this transaction: UTF-8 with {@code SMTPUTF8}, else ASCII.
	 * @throws IllegalArgumentException if an address or option contains CR or LF, or a character
	 * that needs {@code SMTPUTF8} when it is not asked for
	 * @throws SmtpMessageTooLargeException if the server's SIZE limit is below the message's size
	 * @throws SmtpNotSupportedException if {@code BODY=BINARYMIME} is asked for without BDAT, or
	 * {@code SMTPUTF8} without the server's support
	 */
	private Transaction prepare(String from, Collection<String> to, List<String> mailOptions, List<String> rcptOptions,
			boolean requireAllRecipients, MessageSource source, byte[] shown) throws SmtpException {
		Objects.requireNonNull(from, "from");
		Objects.requireNonNull(to, "to");
		List<String> mailOpts = (mailOptions != null) ? mailOptions : List.of();
		List<String> rcptOpts = (rcptOptions != null) ? rcptOptions : List.of();
		CommandLines.requireSingleLine("sender", from);
		to.forEach((recipient) -> CommandLines.requireSingleLine("recipient", recipient));
		mailOpts.forEach((option) -> CommandLines.requireSingleLine("MAIL option", option));
		rcptOpts.forEach((option) -> CommandLines.requireSingleLine("RCPT option", option));

		ehloOrHeloIfNeeded();
		long size = source.size();
		List<String> esmtpOptions = new ArrayList<>();
		if (this.doesEsmtp) {
			if (hasExtn("size") && size >= 0) {
				OptionalLong limit = this.esmtpFeatures.maxMessageSize();
				if (limit.isPresent() && size > limit.getAsLong()) {
					throw new SmtpMessageTooLargeException(size, limit.getAsLong(), this.endpoint);
				}
				esmtpOptions.add("SIZE=" + size);
			}
			esmtpOptions.addAll(mailOpts);
		}
		boolean chunked = useChunking();
		if (esmtpOptions.stream().anyMatch("BODY=BINARYMIME"::equalsIgnoreCase) && !chunked) {
			throw new SmtpNotSupportedException("BODY=BINARYMIME needs BDAT (RFC 3030): the server must advertise"
					+ " CHUNKING and BINARYMIME, and chunking must be turned on");
		}
		Charset encoding = StandardCharsets.US_ASCII;
		if (requestsSmtputf8(esmtpOptions)) {
			encoding = StandardCharsets.UTF_8;
			// As smtplib's mail(): commands sent by hand after this one go out in UTF-8 too.
			this.commandEncoding = encoding;
		}
		List<String> recipients = List.copyOf(to);
		Command mail = prepared("MAIL", "FROM:" + Addresses.quote(from) + optionSuffix(esmtpOptions), encoding);
		String rcptSuffix = optionSuffix(rcptOpts);
		List<Command> rcpts = new ArrayList<>(recipients.size());
		for (String recipient : recipients) {
			rcpts.add(prepared("RCPT", "TO:" + Addresses.quote(recipient) + rcptSuffix, encoding));
		}
		return new Transaction(from, recipients, mail, rcpts, source, shown, chunked, requireAllRecipients);
	}

	/**
	 * {@link #prepare(String, Collection, List, List, boolean, MessageSource, byte[])} for an
	 * envelope, after EHLO: its MAIL and RCPT options are those for the server's extensions
	 * ({@link Envelope#mailOptionsFor}), so that its DSN request goes only to a server that
	 * advertises DSN. Every envelope reaches the transaction engine through here.
	 */
	private Transaction prepare(Envelope envelope, MessageSource source) throws SmtpException {
		ehloOrHeloIfNeeded();
		return prepare(envelope.from(), envelope.recipients(), envelope.mailOptionsFor(this.esmtpFeatures),
				envelope.rcptOptionsFor(this.esmtpFeatures), envelope.requireAllRecipients(), source, null);
	}

	private Command prepared(String verb, String arguments, Charset encoding) {
		String line = verb + " " + arguments;
		return new Command(verb, line, encode(line + CRLF, encoding));
	}

	/** Whether transactions are pipelined: asked for, and advertised by the server. */
	private boolean usePipelining() {
		return this.pipelining && this.doesEsmtp && hasExtn("pipelining");
	}

	/** Whether messages go in BDAT chunks: asked for, and advertised by the server. */
	private boolean useChunking() {
		return this.chunking && this.doesEsmtp && hasExtn("chunking");
	}

	/**
	 * The transaction with PIPELINING (RFC 2920): MAIL, every RCPT and DATA go out in one write,
	 * and their replies are matched back in order. The outcome, refusals included, is reported
	 * exactly as without pipelining. When all recipients are required, DATA goes out on its own
	 * after the RCPT replies ({@link Transaction#dataInGroup()}).
	 */
	private Map<String, SmtpReply> transactPipelined(Transaction transaction) throws SmtpException {
		queueGroup(transaction);
		flushCommands();
		GroupReplies replies = readGroupReplies(transaction, 0);
		if (transaction.chunked()) {
			return outcome(bdatFrom(transaction.source()), replies.refused(), true);
		}
		writeMessageOf(transaction, replies.dataReply(), true);
		return outcome(readMessageOutcome(), replies.refused(), true);
	}

	/**
	 * Given DATA's reply, writes the transaction's message. A refused DATA ends the transaction
	 * first, with RSET (or, after 421, by closing): smtplib's {@code sendmail} leaves it open, and
	 * the next MAIL would be refused as a nested one.
	 * @throws SmtpDataException if DATA was not answered with 354
	 */
	private void writeMessageOf(Transaction transaction, SmtpReply dataReply, boolean flush) throws SmtpException {
		if (dataReply.code() != 354) {
			closeOn421OrReset(dataReply);
		}
		writeMessageAfter(dataReply, transaction.source(), transaction.shown(), flush);
	}

	/**
	 * Writes MAIL, every RCPT and, when {@link Transaction#dataInGroup()}, DATA without sending
	 * them yet.
	 */
	private void queueGroup(Transaction transaction) throws SmtpException {
		queue(transaction.mail());
		for (Command rcpt : transaction.rcpts()) {
			queue(rcpt);
		}
		if (transaction.dataInGroup()) {
			queue(DATA);
		}
	}

	private void queue(Command command) throws SmtpException {
		write(command.bytes(), command.verb(), command.line(), false);
	}

	/** The refused recipients of a pipelined group, and the reply to its DATA ({@code null} with BDAT). */
	private record GroupReplies(Map<String, SmtpReply> refused, SmtpReply dataReply) {
	}

	/**
	 * Reads the replies to a pipelined group, in order, and reports a refused sender, all
	 * recipients refused, or a 421 exactly as without pipelining. A 421 ends the dialogue (RFC 5321
	 * 3.8): the server answers nothing after it, so it is reported where it came. When all
	 * recipients are required, a refused one ends the transaction with RSET, and otherwise DATA,
	 * left out of the group, is sent now and its reply returned.
	 *
	 * <p>RSET may follow here because nothing else is on its way: the caller writes the next
	 * commands (the next message's group, in {@link #sendEachPipelined}) only after this group's
	 * replies are all read and its message written.
	 * @param answeredBefore the replies already read for commands that went out in the same write
	 * (the end of the previous message): a server that answered those and then nothing of this
	 * group has mishandled the pipelining just the same
	 * @throws SmtpServerDisconnectedException (or its kind {@link SmtpTimeoutException}) when the
	 * server hung up or fell silent; after part of the group was answered, it says that the server
	 * may mishandle PIPELINING, and {@link #pipeliningStalled()} is set
	 */
	private GroupReplies readGroupReplies(Transaction transaction, int answeredBefore) throws SmtpException {
		Map<String, SmtpReply> refused = new LinkedHashMap<>();
		this.acceptedRecipients.clear();
		SmtpReply mailReply;
		SmtpReply dataReply = null;
		int answered = answeredBefore;
		try {
			mailReply = getreply();
			answered++;
			if (mailReply.isServiceClosing()) {
				disconnect();
				throw new SmtpSenderRefusedException(mailReply.code(), mailReply.message(), transaction.from());
			}
			for (String recipient : transaction.to()) {
				SmtpReply reply = getreply();
				answered++;
				noteRecipientReply(recipient, reply);
				checkRecipientReply(recipient, reply, refused);
			}
			if (transaction.dataInGroup()) {
				dataReply = getreply();
			}
		}
		catch (SmtpServerDisconnectedException ex) {
			// A timeout too: SmtpTimeoutException is a kind of it.
			if (answered == 0) {
				throw ex;
			}
			throw pipeliningStalled(ex, answered, answeredBefore + transaction.groupSize());
		}
		if (dataReply != null && dataReply.isServiceClosing()) {
			disconnect();
			throw new SmtpDataException(dataReply.code(), dataReply.message());
		}
		boolean nothingToDeliver = mailReply.code() != 250 || refused.size() == transaction.to().size();
		if (nothingToDeliver) {
			if (dataReply != null && dataReply.code() == 354) {
				// DATA went out before the refusals came back and the server took it (RFC 2920 3.1):
				// end the empty message at once; without recipients the server must refuse it.
				write(encodeCommand("." + CRLF), SmtpEventListener.END_OF_DATA, ".");
				getreply();
			}
			rsetQuietly();
			if (mailReply.code() != 250) {
				throw new SmtpSenderRefusedException(mailReply.code(), mailReply.message(), transaction.from());
			}
			throw new SmtpRecipientsRefusedException(refused);
		}
		requireAllAccepted(transaction, refused);
		if (!transaction.chunked() && !transaction.dataInGroup()) {
			// Every recipient accepted: now the message may go to them.
			dataReply = command(DATA);
		}
		return new GroupReplies(refused, dataReply);
	}

	/**
	 * When the transaction requires all recipients and the server refused some (not all: that is
	 * checked first, as for any transaction), ends it with RSET before any message data: nothing is
	 * delivered. A 421 has closed the session before this.
	 * @throws SmtpRecipientsRefusedException with the refused recipients, if any
	 */
	private void requireAllAccepted(Transaction transaction, Map<String, SmtpReply> refused) throws SmtpException {
		if (transaction.requireAllRecipients() && !refused.isEmpty()) {
			rsetQuietly();
			throw SmtpRecipientsRefusedException.notAllAccepted(refused, transaction.to().size());
		}
	}

	/** What became of each message of {@link #sendEach}, told as soon as it is known. */
	interface EachOutcome {

		/**
		 * The message went out and at least one recipient took it; {@link #lastDataReply()} and
		 * {@link #dataReplies()} describe it until the next outcome.
		 * @param refused the refused recipients, as {@code sendmail} returns them
		 */
		void sent(int index, Map<String, SmtpReply> refused);

		/**
		 * The message failed by itself, as {@code sendmail} would have thrown (refused, too large,
		 * an address it could not send); the session is still usable.
		 */
		void failed(int index, Exception failure);

	}

	/**
	 * Sends messages one after another, each as {@code sendmail} would (but all or nothing when its
	 * envelope {@linkplain Envelope#requireAllRecipients() requires all recipients}, and with its
	 * {@linkplain Envelope#withDsn(Dsn) DSN request} when the server advertises DSN), telling each
	 * outcome as soon as it is known. With PIPELINING (on, and advertised) and without BDAT, a
	 * message's data and end go out in one write with the next message's MAIL, RCPT and DATA: RFC
	 * 2920 3.1 lets message content open a group. A message then costs one round trip instead of
	 * two (two when all its recipients are required: its DATA waits for their replies).
	 * @throws IOException the failure that left the session unusable (it is closed): the first
	 * message not told about was then under way, its data sent if {@link #endOfDataSent()}; the
	 * messages after it were not sent
	 */
	void sendEach(List<OutgoingMessage> messages, EachOutcome outcomes) throws IOException {
		this.endOfDataSent = false;
		this.pipeliningStalled = false;
		try {
			ehloOrHeloIfNeeded();
			if (usePipelining() && !useChunking()) {
				sendEachPipelined(messages, outcomes);
				return;
			}
			for (int i = 0; i < messages.size(); i++) {
				try {
					outcomes.sent(i, transact(messages.get(i).envelope(), messages.get(i).message()));
				}
				catch (SmtpException | RuntimeException ex) {
					if (!isConnected()) {
						throw ex;
					}
					outcomes.failed(i, ex);
				}
			}
		}
		catch (MessageSourceException ex) {
			throw ex.getCause();
		}
	}

	private void sendEachPipelined(List<OutgoingMessage> messages, EachOutcome outcomes) throws SmtpException {
		int next = 0;
		int current = -1;
		Transaction transaction = null;
		int answeredBefore = 0;
		while (true) {
			if (transaction == null) {
				// Nothing under way (the first message, or the last one failed early): a group of its own.
				for (; transaction == null && next < messages.size(); next++) {
					transaction = queueNext(messages, next, outcomes);
					current = next;
				}
				if (transaction == null) {
					return;
				}
				flushCommands();
				answeredBefore = 0;
			}
			GroupReplies replies;
			try {
				replies = readGroupReplies(transaction, answeredBefore);
				writeMessageOf(transaction, replies.dataReply(), false);
			}
			catch (SmtpException ex) {
				if (!isConnected()) {
					throw ex;
				}
				outcomes.failed(current, ex);
				transaction = null;
				continue;
			}
			int endOfDataReplies = endOfDataReplyCount();
			// The next message's commands join the end of this one's data in one write.
			Transaction following = null;
			int followingIndex = -1;
			for (; following == null && next < messages.size(); next++) {
				following = queueNext(messages, next, outcomes);
				followingIndex = next;
			}
			flushCommands();
			try {
				// With nothing queued behind it, a refused message is followed by RSET as in sendmail.
				outcomes.sent(current, outcome(readMessageOutcome(), replies.refused(), following == null));
			}
			catch (SmtpException ex) {
				if (!isConnected()) {
					throw ex;
				}
				outcomes.failed(current, ex);
			}
			this.endOfDataSent = false;
			if (following != null && !isConnected()) {
				// The message was delivered to some recipients with a 421 for another (LMTP): the
				// server is closing, and the next message's commands are unanswered and not sent.
				throw new SmtpServerDisconnectedException("The server closed the connection (421) before"
						+ " answering the next message's commands");
			}
			transaction = following;
			current = followingIndex;
			answeredBefore = endOfDataReplies;
			if (transaction == null) {
				return;
			}
		}
	}

	/**
	 * Checks a message and writes its MAIL, RCPT and DATA without sending them; or, when a check
	 * fails (nothing is written then), tells its failure and gives {@code null}.
	 */
	private Transaction queueNext(List<OutgoingMessage> messages, int index, EachOutcome outcomes)
			throws SmtpException {
		OutgoingMessage message = messages.get(index);
		try {
			Transaction transaction = prepare(message.envelope(), message.message());
			queueGroup(transaction);
			return transaction;
		}
		catch (SmtpException | IllegalArgumentException ex) {
			// Nothing of this message was written, and the one before may be under way: no RSET here.
			if (!isConnected()) {
				throw ex;
			}
			outcomes.failed(index, ex);
			return null;
		}
	}

	/**
	 * The server answered the start of a pipelined group and then fell silent or hung up: the
	 * signature of a server that advertises PIPELINING but reads one command at a time and drops
	 * what else was in its input. Remembered for {@link #pipeliningStalled()}, and said in the
	 * exception, which keeps its type.
	 */
	private SmtpServerDisconnectedException pipeliningStalled(SmtpServerDisconnectedException ex, int answered,
			int sent) {
		this.pipeliningStalled = true;
		String message = ex.getMessage() + ", after it had answered " + answered + " of " + sent
				+ " pipelined commands: it may mishandle PIPELINING (RFC 2920) although it advertises it";
		return (ex instanceof SmtpTimeoutException) ? new SmtpTimeoutException(message, ex)
				: new SmtpServerDisconnectedException(message, ex);
	}

	/**
	 * Adds a refused recipient to the map. A 421 ends the transaction: the server is closing the
	 * connection, so the session closes too and reports the refusals so far.
	 */
	private void checkRecipientReply(String recipient, SmtpReply reply, Map<String, SmtpReply> refused)
			throws SmtpRecipientsRefusedException {
		if (reply.code() != 250 && reply.code() != 251) {
			refused.put(recipient, reply);
		}
		if (reply.isServiceClosing()) {
			disconnect();
			throw new SmtpRecipientsRefusedException(refused);
		}
	}

	/**
	 * The end of a transaction whose message went out: refusals after the data, or the refused map.
	 * @param resetAfterRefusal whether a refused message is followed by RSET, as smtplib does; the
	 * transaction is over either way (RFC 5321 4.1.1.4), and RSET must not come between replies
	 * when the next transaction's commands are already on their way
	 */
	private Map<String, SmtpReply> outcome(SmtpReply reply, Map<String, SmtpReply> refused, boolean resetAfterRefusal)
			throws SmtpException {
		if (this.protocol == SmtpProtocol.LMTP) {
			return lmtpOutcome(refused, resetAfterRefusal);
		}
		if (reply.code() != 250) {
			closeOn421OrReset(reply, resetAfterRefusal);
			throw new SmtpDataException(reply.code(), reply.message());
		}
		return Collections.unmodifiableMap(refused);
	}

	private void flushCommands() throws SmtpException {
		try {
			this.output.flush();
		}
		catch (IOException ex) {
			throw writeFailure(ex);
		}
	}

	/** For LMTP: recipients refused after the data join the refused; all refused is a data error. */
	private Map<String, SmtpReply> lmtpOutcome(Map<String, SmtpReply> refused, boolean resetAfterRefusal)
			throws SmtpException {
		Map<String, SmtpReply> replies = this.dataReplies;
		SmtpReply firstRefusal = null;
		boolean anyAccepted = false;
		boolean serviceClosing = false;
		for (Map.Entry<String, SmtpReply> entry : replies.entrySet()) {
			SmtpReply reply = entry.getValue();
			if (reply.code() == 250) {
				anyAccepted = true;
				continue;
			}
			refused.put(entry.getKey(), reply);
			firstRefusal = (firstRefusal != null) ? firstRefusal : reply;
			serviceClosing |= reply.isServiceClosing();
		}
		boolean refusedByAll = !anyAccepted && firstRefusal != null;
		if (serviceClosing) {
			// The server is closing the channel, whether or not some recipients have the message.
			disconnect();
		}
		else if (refusedByAll && resetAfterRefusal) {
			rsetQuietly();
		}
		if (refusedByAll) {
			throw new SmtpDataException(firstRefusal.code(), firstRefusal.message(), replies);
		}
		return Collections.unmodifiableMap(refused);
	}

	/** A 421 means the server is closing the channel (RFC 5321 3.8): close too; else RSET. */
	private void closeOn421OrReset(SmtpReply reply) throws SmtpException {
		closeOn421OrReset(reply, true);
	}

	private void closeOn421OrReset(SmtpReply reply, boolean reset) throws SmtpException {
		if (reply.isServiceClosing()) {
			disconnect();
		}
		else if (reset) {
			rsetQuietly();
		}
	}

	/**
	 * Sends a Jakarta Mail message with the sender and recipients taken from its headers:
	 * {@link #sendMessage(MimeMessage, String, Collection, List, List)} without overrides.
	 */
	public Map<String, SmtpReply> sendMessage(MimeMessage message) throws SmtpException {
		return sendMessage(message, null, null, List.of(), List.of());
	}

	/**
	 * Sends a Jakarta Mail message: smtplib's {@code send_message}, with {@link MimeMessage} in the
	 * part of Python's {@code email.message.Message}.
	 * <ul>
	 * <li>Without {@code from}, the sender is the first address of {@code Sender}, or else of
	 * {@code From}; without {@code to}, the recipients are those of {@code To}, {@code Bcc} and
	 * {@code Cc}. When the message has one {@code Resent-Date} header, the {@code Resent-} headers
	 * are used instead; with several, it is refused.</li>
	 * <li>{@code Bcc} and {@code Resent-Bcc} are never transmitted.</li>
	 * <li>When an address is not ASCII, {@code SMTPUTF8} and {@code BODY=8BITMIME} are added to the
	 * mail options, and the server must advertise SMTPUTF8.</li>
	 * </ul>
	 * The message is written with Jakarta Mail, which may add headers such as {@code Message-ID}
	 * ({@code saveChanges()}), as {@code Transport.send} does.
	 * @throws IllegalArgumentException if the message has several {@code Resent-} blocks, or no
	 * sender where one is needed, or a header that does not parse as addresses
	 * @throws SmtpNotSupportedException if an address needs SMTPUTF8 and the server lacks it
	 */
	public Map<String, SmtpReply> sendMessage(MimeMessage message, String from, Collection<String> to,
			List<String> mailOptions, List<String> rcptOptions) throws SmtpException {
		ehloOrHeloIfNeeded();
		MimeMessages.Envelope envelope = MimeMessages.envelopeOf(message, from, to);
		List<String> options = new ArrayList<>((mailOptions != null) ? mailOptions : List.of());
		if (envelope.isInternational()) {
			if (!hasExtn("smtputf8")) {
				throw new SmtpNotSupportedException("One or more source or delivery addresses require"
						+ " internationalized email support, but the server does not advertise the required"
						+ " SMTPUTF8 capability");
			}
			options.addAll(envelope.mailOptions());
		}
		byte[] bytes = MimeMessages.toBytesWithoutBcc(message);
		return sendmail(envelope.sender(), envelope.recipients(), bytes, options, rcptOptions);
	}

	// ---------------------------------------------------------------- ending

	/**
	 * Sends QUIT, forgets the EHLO state and closes the connection: smtplib's {@code quit()}.
	 * @return the server's reply to QUIT
	 */
	public SmtpReply quit() throws SmtpException {
		try {
			return docmd("QUIT");
		}
		finally {
			disconnect();
		}
	}

	/**
	 * Ends the session as smtplib's {@code with} block does: QUIT, then the connection is released
	 * whatever happens. A server that has already gone is not an error; a reply to QUIT other than
	 * 221 is reported after the connection was released. Does nothing when not connected.
	 * @throws SmtpResponseException if QUIT was answered with something other than 221
	 */
	@Override
	public void close() throws SmtpException {
		if (!isConnected()) {
			return;
		}
		try {
			SmtpReply reply = docmd("QUIT");
			if (reply.code() != 221) {
				throw new SmtpResponseException(reply.code(), reply.message());
			}
		}
		catch (SmtpServerDisconnectedException ex) {
			// Gone already: there is nothing left to end.
		}
		finally {
			disconnect();
		}
	}

	/** Forgets what HELO or EHLO told: the next transaction says EHLO again. */
	private void forgetGreeting() {
		this.heloResp = null;
		this.ehloResp = null;
		this.doesEsmtp = false;
		this.esmtpFeatures = EsmtpFeatures.none();
	}

	/**
	 * Closes the connection without QUIT: smtplib's {@code close()}. The session forgets what it
	 * learned from the server and can {@code connect} again.
	 */
	public void disconnect() {
		SmtpConnection closing = this.connection;
		this.connection = null;
		this.reader = null;
		this.output = null;
		forgetGreeting();
		this.commandEncoding = StandardCharsets.US_ASCII;
		this.acceptedRecipients.clear();
		this.pending.clear();
		if (closing != null) {
			closing.close();
		}
		if (this.established) {
			// Listeners pair this with connectEnd; a connection that failed to open got connectFailed.
			this.established = false;
			SmtpEndpoint target = this.endpoint;
			notifyListener((l) -> l.connectionClosed(target));
		}
	}

	// ---------------------------------------------------------------- state

	/** Sets the debug level: 0 off, 1 connections and every line, 2 the same with time stamps. */
	public void setDebugLevel(int level) {
		this.debug.setLevel(DebugLog.requireLevel("debug level", level));
	}

	/** Whether the session has an open connection. */
	public boolean isConnected() {
		return this.connection != null;
	}

	/** Whether the connection is encrypted (implicit TLS, or after STARTTLS). */
	public boolean isTls() {
		return this.connection != null && this.connection.isTls();
	}

	/** The protocol this session speaks. */
	public SmtpProtocol protocol() {
		return this.protocol;
	}

	/** Where the session is (or was last) connected, or {@code null} before the first connect. */
	public SmtpEndpoint endpoint() {
		return this.endpoint;
	}

	/** The text of the last HELO reply on this connection, or {@code null}: smtplib's {@code helo_resp}. */
	public String heloResp() {
		return this.heloResp;
	}

	/** The text of the last EHLO reply on this connection, or {@code null}: smtplib's {@code ehlo_resp}. */
	public String ehloResp() {
		return this.ehloResp;
	}

	/** Whether the server answered EHLO with 250 on this connection: smtplib's {@code does_esmtp}. */
	public boolean doesEsmtp() {
		return this.doesEsmtp;
	}

	/** The extensions of the last successful EHLO: smtplib's {@code esmtp_features}. */
	public EsmtpFeatures esmtpFeatures() {
		return this.esmtpFeatures;
	}

	/**
	 * The name this session says in HELO and EHLO: the configured one, else this machine's fully
	 * qualified name, else its address as a literal such as {@code [192.0.2.1]}, as smtplib does.
	 */
	public String localHostname() {
		return (this.localHostname != null) ? this.localHostname : LocalHostname.VALUE;
	}

	/** The timeout of each read (and, as configured, of each write). */
	public Duration timeout() {
		return this.timeout;
	}

	/**
	 * Changes the bound on each read from now on, like setting the timeout of smtplib's socket:
	 * for example a short one for a health check, then back. Writes keep the configured timeout.
	 * @throws IllegalArgumentException if zero or negative
	 */
	public void setTimeout(Duration timeout) throws SmtpException {
		this.timeout = Durations.requirePositive("timeout", timeout);
		if (this.connection != null) {
			try {
				this.connection.setReadTimeout(timeout);
			}
			catch (IOException ex) {
				throw writeFailure(ex);
			}
		}
	}

	@Override
	public String toString() {
		return "SmtpSession[" + this.protocol.name().toLowerCase(Locale.ROOT) + " "
				+ (isConnected() ? this.endpoint + (isTls() ? ", TLS" : "") : "not connected") + "]";
	}

	private void requireConnected() throws SmtpServerDisconnectedException {
		if (this.connection == null) {
			throw new SmtpServerDisconnectedException("please run connect() first");
		}
	}

	private void notifyListener(Consumer<SmtpEventListener> event) {
		Listeners.notify(this.listener, event);
	}

	private static Duration elapsedSince(long startNanos) {
		return Duration.ofNanos(System.nanoTime() - startNanos);
	}

	private static String base64(byte[] bytes) {
		return Base64.getEncoder().encodeToString(bytes);
	}

	/**
	 * Frames message data as BDAT chunks (RFC 3030): {@code BDAT n}, then n bytes as they are. A
	 * chunk goes out when the buffer is full, and its reply is awaited before the next one; the last
	 * chunk, sent by {@link #finish()}, says {@code LAST} and its reply is the message's reply.
	 */
	private final class BdatOutputStream extends MessageDataOutputStream {

		/** Large enough that a chunk's round trip is small next to its transfer, small enough to buffer. */
		private static final int CHUNK_SIZE = 256 * 1024;

		private byte[] buffer;

		private int count;

		private long bytesWritten;

		BdatOutputStream(OutputStream wire, long size) {
			super(wire);
			// A small message needs no big buffer; a large or unknown one grows to a chunk.
			this.buffer = new byte[(int) ((size >= 0) ? Math.min(size, CHUNK_SIZE) : Math.min(8192, CHUNK_SIZE))];
		}

		@Override
		public void write(int b) throws IOException {
			write(new byte[] { (byte) b }, 0, 1);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			while (length > 0) {
				if (this.count == CHUNK_SIZE) {
					sendChunk(false);
				}
				if (this.count == this.buffer.length) {
					this.buffer = Arrays.copyOf(this.buffer, Math.min(CHUNK_SIZE, Math.max(1, this.buffer.length * 2)));
				}
				int taken = Math.min(length, this.buffer.length - this.count);
				System.arraycopy(bytes, offset, this.buffer, this.count, taken);
				this.count += taken;
				offset += taken;
				length -= taken;
			}
		}

		@Override
		public void finish() throws IOException {
			sendChunk(true);
		}

		@Override
		public long bytesWritten() {
			return this.bytesWritten;
		}

		private void sendChunk(boolean last) throws IOException {
			String line = "BDAT " + this.count + (last ? " LAST" : "");
			// The reply to the last chunk is the message's reply, read as such by readMessageOutcome().
			SmtpSession.this.write(encodeCommand(line + CRLF), "BDAT", line, false, !last);
			this.out.write(this.buffer, 0, this.count);
			this.out.flush();
			this.bytesWritten += this.count;
			this.count = 0;
			if (!last) {
				SmtpReply reply = getreply();
				if (reply.code() != 250) {
					closeOn421OrReset(reply);
					throw new SmtpDataException(reply.code(), reply.message());
				}
			}
		}

	}

	/** A command written and not answered yet: its verb and when it went out, for events. */
	private record PendingCommand(String verb, long sentAt) {
	}

	/** Remembers whether the connection failed, to tell it apart from a failing message source. */
	private static final class FailureRecordingOutputStream extends FilterOutputStream {

		private IOException failure;

		FailureRecordingOutputStream(OutputStream out) {
			super(out);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			try {
				this.out.write(bytes, offset, length);
			}
			catch (IOException ex) {
				this.failure = ex;
				throw ex;
			}
		}

		@Override
		public void write(int b) throws IOException {
			// Dot-stuffing writes each added dot as one byte: no array for it.
			try {
				this.out.write(b);
			}
			catch (IOException ex) {
				this.failure = ex;
				throw ex;
			}
		}

		@Override
		public void flush() throws IOException {
			try {
				this.out.flush();
			}
			catch (IOException ex) {
				this.failure = ex;
				throw ex;
			}
		}

	}

	/** The caller's message source failed: not the server's fault, and not an SmtpException. */
	private static final class MessageSourceException extends UncheckedIOException {

		private static final long serialVersionUID = 1L;

		MessageSourceException(IOException cause) {
			super("Reading the message failed: " + cause.getMessage(), cause);
		}

	}

	/** The FQDN lookup is slow and the answer rarely changes: done once, when first needed. */
	private static final class LocalHostname {

		static final String VALUE = lookUp();

		private static String lookUp() {
			try {
				InetAddress local = InetAddress.getLocalHost();
				String fqdn = local.getCanonicalHostName();
				if (fqdn.indexOf('.') >= 0 && !fqdn.equals(local.getHostAddress())) {
					return fqdn;
				}
				// RFC 5321 4.1.4: without a name, an address literal.
				return (local instanceof Inet6Address) ? "[IPv6:" + local.getHostAddress() + "]"
						: "[" + local.getHostAddress() + "]";
			}
			catch (UnknownHostException ex) {
				return "[127.0.0.1]";
			}
		}

	}

	/**
	 * Configures a session. Every setting has a safe default: 60 s timeouts, certificate and host
	 * name verification, no clear-text credentials to other machines, no debug output.
	 */
	public static final class Builder {

		private final SmtpProtocol protocol;

		private String host;

		private int port;

		private Path unixSocket;

		private String localHostname;

		private Duration timeout = DEFAULT_TIMEOUT;

		private Duration connectTimeout;

		private Set<Integer> implicitTlsPorts = Set.of(SmtpProtocol.SMTPS.defaultPort());

		private Duration dataTimeout;

		private InetSocketAddress sourceAddress;

		private SSLContext sslContext;

		private List<String> tlsProtocols = List.of();

		private List<String> tlsCipherSuites = List.of();

		private boolean hostnameVerification = true;

		private boolean allowCleartextAuth;

		private boolean pipelining;

		private boolean chunking;

		private SmtpEventListener listener = SmtpEventListener.NONE;

		private int debugLevel;

		private Consumer<String> debugOutput = System.err::println;

		private Clock clock = Clock.systemDefaultZone();

		private Builder(SmtpProtocol protocol) {
			this.protocol = protocol;
		}

		/** The server to connect to (default {@code localhost}); {@code "host:port"} works as in smtplib. */
		public Builder host(String host) {
			this.host = Objects.requireNonNull(host, "host");
			return this;
		}

		/** The port (default: 25, 465 or 2003 by protocol). */
		public Builder port(int port) {
			this.port = requirePort(port, "");
			return this;
		}

		/** A unix-domain socket to connect to instead of TCP (LMTP only, as in smtplib). */
		public Builder unixSocket(Path socket) {
			if (this.protocol != SmtpProtocol.LMTP) {
				throw new IllegalArgumentException("unixSocket is for LMTP, but this builder is for " + this.protocol);
			}
			if (!socket.isAbsolute()) {
				throw new IllegalArgumentException("unixSocket must be an absolute path, but was " + socket);
			}
			this.unixSocket = socket;
			return this;
		}

		/** The name to say in HELO and EHLO (default: this machine's fully qualified name). */
		public Builder localHostname(String localHostname) {
			this.localHostname = CommandLines.requireSingleLine("localHostname",
					Objects.requireNonNull(localHostname, "localHostname"));
			return this;
		}

		/**
		 * The bound on each read and each write, and on connecting unless
		 * {@link #connectTimeout(Duration)} is set. Default 60 s.
		 * @throws IllegalArgumentException if zero or negative
		 */
		public Builder timeout(Duration timeout) {
			this.timeout = Durations.requirePositive("timeout", timeout);
			return this;
		}

		/**
		 * The bound on opening the TCP connection (default: the timeout). For a plain SMTP session
		 * on port 465, where servers speak TLS first, it also bounds the wait for the greeting
		 * (default there 10 s): see {@link SmtpImplicitTlsPortException}.
		 */
		public Builder connectTimeout(Duration connectTimeout) {
			this.connectTimeout = Durations.requirePositive("connectTimeout", connectTimeout);
			return this;
		}

		/**
		 * The ports where servers speak TLS from the first byte (default 465 only), for tests that
		 * cannot listen on 465.
		 */
		Builder implicitTlsPorts(Integer... ports) {
			this.implicitTlsPorts = Set.of(ports);
			return this;
		}

		/**
		 * The bound on sending one whole message, from DATA's 354 to the terminating dot (default:
		 * none beyond the timeout on each write). A server that reads, but very slowly, is cut off.
		 */
		public Builder dataTimeout(Duration dataTimeout) {
			this.dataTimeout = Durations.requirePositive("dataTimeout", dataTimeout);
			return this;
		}

		/** The local address to connect from: smtplib's {@code source_address}. */
		public Builder sourceAddress(InetSocketAddress sourceAddress) {
			this.sourceAddress = sourceAddress;
			return this;
		}

		/**
		 * The TLS context for implicit TLS and {@link SmtpSession#starttls()} (default:
		 * {@link SmtpTls#defaultContext()}, which verifies certificates against the JDK's authorities).
		 */
		public Builder sslContext(SSLContext sslContext) {
			this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
			return this;
		}

		/**
		 * The TLS protocols to enable, such as {@code TLSv1.3} (default: the context's). For a
		 * policy that the context alone does not carry, as Spring Boot's SSL bundle options.
		 * @throws IllegalArgumentException if a name is blank
		 */
		public Builder tlsProtocols(List<String> protocols) {
			this.tlsProtocols = requireNames("tlsProtocols", protocols);
			return this;
		}

		/** The cipher suites to enable, in JSSE's names (default: the context's). */
		public Builder tlsCipherSuites(List<String> cipherSuites) {
			this.tlsCipherSuites = requireNames("tlsCipherSuites", cipherSuites);
			return this;
		}

		private static List<String> requireNames(String what, List<String> names) {
			List<String> copy = List.copyOf(Objects.requireNonNull(names, what));
			if (copy.stream().anyMatch(String::isBlank)) {
				throw new IllegalArgumentException(what + " must not contain a blank name, but was " + copy);
			}
			return copy;
		}

		/**
		 * Whether the server's certificate must name the host connected to (default {@code true}).
		 * Turning it off lets anyone with a certificate from a trusted authority pose as the server.
		 */
		public Builder hostnameVerification(boolean hostnameVerification) {
			this.hostnameVerification = hostnameVerification;
			return this;
		}

		/**
		 * Whether AUTH may send credentials over an unencrypted connection to a server that is not
		 * on this machine (default {@code false}; loopback and unix-domain sockets are always allowed).
		 */
		public Builder allowCleartextAuth(boolean allowCleartextAuth) {
			this.allowCleartextAuth = allowCleartextAuth;
			return this;
		}

		/**
		 * Whether {@code sendmail} and {@code sendMessage} pipeline MAIL, RCPT and DATA (RFC 2920)
		 * when the server advertises PIPELINING (default {@code false}: one command at a time, as
		 * smtplib). Saves a round trip per recipient and one more per message; refusals are reported
		 * the same either way.
		 */
		public Builder pipelining(boolean pipelining) {
			this.pipelining = pipelining;
			return this;
		}

		/**
		 * Whether {@code sendmail} and {@code sendMessage} send messages with BDAT (RFC 3030) instead
		 * of DATA when the server advertises CHUNKING (default {@code false}). BDAT needs no
		 * dot-stuffing and is required for {@code BODY=BINARYMIME}; the message must already have
		 * CRLF line endings, as every {@link MessageSource} does.
		 */
		public Builder chunking(boolean chunking) {
			this.chunking = chunking;
			return this;
		}

		/** Receives the session's events (default: none). */
		public Builder eventListener(SmtpEventListener listener) {
			this.listener = Objects.requireNonNull(listener, "listener");
			return this;
		}

		/** The debug level to start with: 0 off (default), 1 every line, 2 with time stamps. */
		public Builder debugLevel(int debugLevel) {
			this.debugLevel = DebugLog.requireLevel("debugLevel", debugLevel);
			return this;
		}

		/** Where debug lines go (default: standard error). */
		public Builder debugOutput(Consumer<String> debugOutput) {
			this.debugOutput = Objects.requireNonNull(debugOutput, "debugOutput");
			return this;
		}

		/** The clock for debug time stamps (default: the system clock). */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock");
			return this;
		}

		/** A session that is not connected yet: call {@link SmtpSession#connect()}. */
		public SmtpSession build() {
			return new SmtpSession(this);
		}

		/**
		 * A connected session: {@link #build()} then {@link SmtpSession#connect()}, as smtplib's
		 * constructor with a host.
		 * @throws SmtpConnectException if the greeting is not 220
		 * @throws IOException if connecting failed
		 */
		public SmtpSession connect() throws IOException {
			SmtpSession session = build();
			session.connect();
			return session;
		}

	}

}
