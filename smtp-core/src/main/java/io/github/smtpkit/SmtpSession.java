package io.github.smtpkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;

import io.github.smtpkit.auth.AuthContext;
import io.github.smtpkit.auth.AuthMechanism;
import io.github.smtpkit.auth.SmtpAuthenticator;
import io.github.smtpkit.internal.Addresses;
import io.github.smtpkit.internal.AuthExchange;
import io.github.smtpkit.internal.CommandLines;
import io.github.smtpkit.internal.DebugLog;
import io.github.smtpkit.internal.Durations;
import io.github.smtpkit.internal.Greeting;
import io.github.smtpkit.internal.LocalHostname;
import io.github.smtpkit.internal.MessageSourceException;
import io.github.smtpkit.internal.MessageText;
import io.github.smtpkit.internal.MimeMessages;
import io.github.smtpkit.internal.SessionConnector;
import io.github.smtpkit.internal.SessionSettings;
import io.github.smtpkit.internal.SessionSettings.Timeout;
import io.github.smtpkit.internal.SmtpWire;
import io.github.smtpkit.internal.TransactionEngine;
import jakarta.mail.internet.MimeMessage;
import org.jspecify.annotations.Nullable;

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
 * <p>Where smtpkit deliberately differs from CPython (finite timeouts, verified certificates, no
 * clear-text credentials to other machines, one LMTP reply per recipient, redacted AUTH lines and
 * more), the README's table "Where smtpkit deliberately differs from CPython" says what and why.
 *
 * <p>Inside, the session is smtplib's method table and state over internal parts: the connector,
 * which opens the connection (implicit TLS, the greeting) and upgrades it after STARTTLS; the wire,
 * which writes commands and reads replies; the greeting, which says HELO or EHLO and keeps what the
 * server advertised; and the transaction engine, which runs MAIL, RCPT and DATA (pipelined, BDAT,
 * LMTP) and which {@link SmtpClient} drives directly.
 *
 * <p>A session is not thread-safe: use it from one thread at a time, or use {@link SmtpClient}.
 */
public final class SmtpSession implements AutoCloseable {

	/** The timeout for connecting and for each read and write when none is configured. */
	public static final Duration DEFAULT_TIMEOUT = SessionSettings.DEFAULT_TIMEOUT;

	/** The longest reply line accepted, in bytes with its CRLF (smtplib's {@code _MAXLINE}). */
	public static final int MAX_LINE_LENGTH = SmtpWire.MAX_LINE_LENGTH;

	/** The most server challenges one AUTH exchange may take (smtplib's {@code _MAXCHALLENGE}). */
	public static final int MAX_AUTH_CHALLENGES = AuthExchange.MAX_CHALLENGES;

	/**
	 * The mechanisms {@link #login(String, String)} tries, strongest first: SCRAM with channel
	 * binding (over TLS), SCRAM, then smtplib's CRAM-MD5, PLAIN, LOGIN.
	 */
	public static final List<AuthMechanism> DEFAULT_AUTH_MECHANISMS = List.of(AuthMechanism.SCRAM_SHA_256_PLUS,
			AuthMechanism.SCRAM_SHA_1_PLUS, AuthMechanism.SCRAM_SHA_256, AuthMechanism.SCRAM_SHA_1,
			AuthMechanism.CRAM_MD5, AuthMechanism.PLAIN, AuthMechanism.LOGIN);

	private final SmtpProtocol protocol;

	/** Where {@link #connect()} goes: the builder's host or unix-domain socket, or {@code null}. */
	private final @Nullable String defaultHost;

	private final int defaultPort;

	/** The settings it shares with {@link SmtpClient}: timeouts, TLS, debug output, the listener. */
	private final SessionSettings settings;

	/** Writes commands and reads replies; owns the connection. */
	private final SmtpWire wire;

	/** Opens the connection (the socket, implicit TLS, the greeting) and upgrades it to TLS. */
	private final SessionConnector connector;

	/** Runs mail transactions over the wire. */
	private final TransactionEngine engine;

	/** What HELO or EHLO told on this connection, forgotten by disconnect() and STARTTLS. */
	private final Greeting greeting;

	private SmtpSession(Builder builder) {
		this.protocol = builder.protocol;
		this.defaultHost = (builder.unixSocket != null) ? builder.unixSocket.toString() : builder.host;
		this.defaultPort = builder.port;
		this.settings = builder.settings.copy();
		Consumer<String> debugOutput = (this.settings.debugOutput() != null) ? this.settings.debugOutput()
				: System.err::println;
		DebugLog debug = new DebugLog(debugOutput, builder.clock, this.settings.debugLevel());
		this.wire = new SmtpWire(debug, this.settings.listener(), this.settings.timeout(Timeout.READ_WRITE),
				this::disconnect);
		this.greeting = new Greeting(this.wire, this.protocol);
		this.connector = new SessionConnector(this.wire, this.protocol, this.settings, builder.implicitTlsPorts,
				builder.sourceAddress, SmtpTls::handshakeFailure);
		this.engine = new TransactionEngine(this.wire, new EngineSession(), this.protocol, builder.pipelining,
				this.settings.chunking(), this.settings.timeout(Timeout.DATA));
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
		return this.connector.connect(host, port);
	}

	/**
	 * Connects from this local address: smtplib's {@code connect(host, port, source_address)}. The
	 * address is kept for later connections; {@code null} lets the system choose, as smtplib's
	 * {@code None}.
	 */
	public SmtpReply connect(String host, int port, @Nullable InetSocketAddress sourceAddress) throws IOException {
		this.connector.sourceAddress(sourceAddress);
		return connect(host, port);
	}

	// ---------------------------------------------------------------- the wire

	/**
	 * Sends a string as it is, encoded as commands are (ASCII, or UTF-8 after an SMTPUTF8
	 * {@code MAIL}): smtplib's {@code send}. Prefer {@link #putcmd} and {@link #docmd}, which check
	 * for line breaks.
	 * @throws SmtpServerDisconnectedException if not connected or the write failed
	 */
	public void send(String text) throws SmtpException {
		this.wire.sendRaw(text);
	}

	/**
	 * Sends bytes exactly as given: smtplib's {@code send} given {@code bytes}. Debug output and
	 * listeners show them as Latin-1 text (AUTH lines redacted).
	 * @throws SmtpServerDisconnectedException if not connected or the write failed
	 */
	public void send(byte[] bytes) throws SmtpException {
		this.wire.sendRaw(bytes);
	}

	/**
	 * smtplib's {@code quotedata}: line endings made CRLF and a dot doubled at the start of every
	 * line, as message data is sent after DATA (which does this itself).
	 */
	public static String quotedata(String data) {
		return MessageText.quoteData(data);
	}

	/**
	 * Sends a command line: {@code cmd}, a space and {@code args} (no space when {@code args} is
	 * empty), then CRLF. smtplib's {@code putcmd}.
	 * @throws IllegalArgumentException if the line contains CR or LF; nothing is sent
	 */
	public void putcmd(String cmd, String args) throws SmtpException {
		String line = args.isEmpty() ? cmd : cmd + " " + args;
		this.wire.writeCommand(CommandLines.requireSingleLine("command and arguments", line));
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
		return this.wire.readReply();
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
		return this.greeting.helo(name.isEmpty() ? localHostname() : name);
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
		return this.greeting.ehlo(name.isEmpty() ? localHostname() : name);
	}

	/**
	 * Says EHLO, and HELO if EHLO fails, unless one of them was said on this connection already:
	 * smtplib's {@code ehlo_or_helo_if_needed()}.
	 * @throws SmtpHeloException if the server refused both
	 */
	public void ehloOrHeloIfNeeded() throws SmtpException {
		this.greeting.ehloOrHeloIfNeeded(localHostname());
	}

	/** Whether the server advertised this extension in its EHLO reply; case does not matter. */
	public boolean hasExtn(String extension) {
		return this.greeting.features().has(extension);
	}

	/** Sends HELP and returns the reply's text: smtplib's {@code help()}. */
	public String help() throws SmtpException {
		return help("");
	}

	/** Sends HELP about a topic and returns the reply's text. */
	public String help(String topic) throws SmtpException {
		return docmd("HELP", topic).message();
	}

	/** Sends RSET, ending any mail transaction, and goes back to ASCII commands. */
	public SmtpReply rset() throws SmtpException {
		return this.engine.rset();
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
		return this.engine.mail(sender, options);
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
		return this.engine.rcpt(recipient, options);
	}

	/**
	 * Sends DATA and then the message: smtplib's {@code data()} for {@code bytes}. The bytes go out
	 * as they are except that lines starting with {@code .} get another one; CRLF is added if the
	 * message does not end with it, then {@code .CRLF}.
	 * @return the server's reply to the message; for LMTP see {@link #dataReplies()}
	 * @throws SmtpDataException if DATA is not answered with 354 (nothing is sent then)
	 */
	public SmtpReply data(byte[] message) throws SmtpException {
		return this.engine.data(MessageSource.of(message), message);
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
			return this.engine.data(message, null);
		}
		catch (MessageSourceException ex) {
			throw ex.getCause();
		}
	}

	/**
	 * The reply after the last message, per recipient: for LMTP each recipient's own reply, in
	 * order; for SMTP every accepted recipient maps to the one reply. Empty before any DATA.
	 */
	public Map<String, SmtpReply> dataReplies() {
		return this.engine.dataReplies();
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
		AuthExchange.requireSafeForCredentials(this.wire, this.settings.allowCleartextAuth());
		return AuthExchange.run(this.wire, name, authenticator, initialResponseOk);
	}

	/**
	 * {@link #auth(String, SmtpAuthenticator, boolean)} with a built-in or custom mechanism, which
	 * learns the connection (TLS session, server) through an {@link AuthContext}. When the server
	 * refuses and the mechanism's credential can be renewed (an OAuth 2.0 token), one more exchange
	 * follows with a fresh one.
	 * @throws SmtpException also if the mechanism cannot be used on this connection (a -PLUS
	 * mechanism without TLS)
	 */
	public SmtpReply auth(AuthMechanism mechanism, String user, String password, boolean initialResponseOk)
			throws SmtpException {
		AuthExchange.requireSafeForCredentials(this.wire, this.settings.allowCleartextAuth());
		return AuthExchange.authenticate(this.wire, mechanism, authContext(user, password), initialResponseOk);
	}

	/** {@link #auth(AuthMechanism, String, String, boolean)} with the initial response allowed. */
	public SmtpReply auth(AuthMechanism mechanism, String user, String password) throws SmtpException {
		return auth(mechanism, user, password, true);
	}

	/**
	 * Logs in with the first of {@link #DEFAULT_AUTH_MECHANISMS} the server advertises and this
	 * connection allows, trying the next when one is refused: smtplib's {@code login()}, which
	 * knows CRAM-MD5, PLAIN and LOGIN only.
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
		// Each advertised one in turn: some servers advertise mechanisms they do not support.
		return AuthExchange.firstAccepted(authContext(user, password),
				AuthExchange.advertisedAsNamed(this.greeting.features(), mechanisms),
				(mechanism) -> auth(mechanism, user, password, initialResponseOk));
	}

	private AuthContext authContext(String user, String password) {
		return AuthExchange.context(this.wire, user, password, this.greeting.features().authMechanisms());
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
	public SmtpReply starttls(@Nullable SSLContext context) throws IOException {
		ehloOrHeloIfNeeded();
		if (!hasExtn("starttls")) {
			throw new SmtpNotSupportedException("STARTTLS extension not supported by server.");
		}
		if (this.wire.connection().isUnixSocket()) {
			throw new SmtpNotSupportedException("STARTTLS over a unix-domain socket is not supported");
		}
		SmtpReply reply = docmd("STARTTLS");
		if (reply.code() != 220) {
			throw new SmtpResponseException(reply.code(), reply.message());
		}
		this.connector.starttls(context);
		// What the server said in clear text cannot be trusted any more (RFC 3207 4.2).
		this.greeting.forget();
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
		return this.engine.sendmail(from, to, mailOptions, rcptOptions, MessageSource.of(message), message);
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
			return this.engine.sendmail(from, to, mailOptions, rcptOptions, message, null);
		}
		catch (MessageSourceException ex) {
			throw ex.getCause();
		}
	}

	/**
	 * Sends a whole mail transaction for an envelope, with its options as {@link SmtpClient} sends
	 * them: its {@linkplain Envelope#withDsn DSN request} only to a server that advertises DSN, all
	 * or nothing when it {@linkplain Envelope#requiringAllRecipients() requires all recipients}, and
	 * only over verified TLS to a server that advertises REQUIRETLS when it
	 * {@linkplain Envelope#requiringTls() requires TLS}.
	 * @return the refused recipients with their replies, as {@link #sendmail(String, Collection, byte[], List, List)}
	 * @throws SmtpRequireTlsException if the envelope requires TLS and this connection may not carry
	 * it; nothing was sent
	 * @throws IOException if the source fails (the connection is then closed) or as for
	 * {@link #sendmail(String, Collection, byte[], List, List)}
	 */
	public Map<String, SmtpReply> sendmail(Envelope envelope, MessageSource message) throws IOException {
		Objects.requireNonNull(envelope, "envelope");
		Objects.requireNonNull(message, "message");
		try {
			return this.engine.transact(envelope, message);
		}
		catch (MessageSourceException ex) {
			throw ex.getCause();
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
	 * @param from the envelope sender, or {@code null} to take it from the headers
	 * @param to the envelope recipients, or {@code null} to take them from the headers
	 * @throws IllegalArgumentException if the message has several {@code Resent-} blocks, or no
	 * sender where one is needed, or a header that does not parse as addresses
	 * @throws SmtpNotSupportedException if an address needs SMTPUTF8 and the server lacks it
	 */
	public Map<String, SmtpReply> sendMessage(MimeMessage message, @Nullable String from,
			@Nullable Collection<String> to, List<String> mailOptions, List<String> rcptOptions) throws SmtpException {
		ehloOrHeloIfNeeded();
		MimeMessages.Envelope envelope = MimeMessages.envelopeOf(message, from, to);
		List<String> options = envelope.mailOptionsFor(this.greeting.features(), mailOptions);
		byte[] bytes = MimeMessages.toBytesWithoutBcc(message);
		return sendmail(envelope.sender(), envelope.recipients(), bytes, options, rcptOptions);
	}

	// ---------------------------------------------------------------- for SmtpClient

	/** The transaction engine, which {@link SmtpClient} drives without smtplib's methods. */
	TransactionEngine engine() {
		return this.engine;
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

	/**
	 * Closes the connection without QUIT: smtplib's {@code close()}. The session forgets what it
	 * learned from the server and can {@code connect} again.
	 */
	public void disconnect() {
		this.greeting.forget();
		this.engine.connectionClosed();
		this.wire.close();
	}

	// ---------------------------------------------------------------- state

	/** Sets the debug level: 0 off, 1 connections and every line, 2 the same with time stamps. */
	public void setDebugLevel(int level) {
		debug().setLevel(DebugLog.requireLevel("debug level", level));
	}

	/** The debug level: 0 off, 1 every line, 2 (or more) with time stamps. */
	public int debugLevel() {
		return debug().level();
	}

	/**
	 * The local address connections are made from (smtplib's {@code source_address}), or
	 * {@code null} for any.
	 */
	public @Nullable InetSocketAddress sourceAddress() {
		return this.connector.sourceAddress();
	}

	/** Whether the session has an open connection. */
	public boolean isConnected() {
		return this.wire.isConnected();
	}

	/** Whether the connection is encrypted (implicit TLS, or after STARTTLS). */
	public boolean isTls() {
		return this.wire.isConnected() && this.wire.connection().isTls();
	}

	/** The protocol this session speaks. */
	public SmtpProtocol protocol() {
		return this.protocol;
	}

	/** Where the session is (or was last) connected, or {@code null} before the first connect. */
	public @Nullable SmtpEndpoint endpoint() {
		return this.wire.endpoint();
	}

	/** The text of the last HELO reply on this connection, or {@code null}: smtplib's {@code helo_resp}. */
	public @Nullable String heloResp() {
		return this.greeting.heloResp();
	}

	/** The text of the last EHLO reply on this connection, or {@code null}: smtplib's {@code ehlo_resp}. */
	public @Nullable String ehloResp() {
		return this.greeting.ehloResp();
	}

	/** Whether the server answered EHLO with 250 on this connection: smtplib's {@code does_esmtp}. */
	public boolean doesEsmtp() {
		return this.greeting.doesEsmtp();
	}

	/** The extensions of the last successful EHLO: smtplib's {@code esmtp_features}. */
	public EsmtpFeatures esmtpFeatures() {
		return this.greeting.features();
	}

	/**
	 * The name this session says in HELO and EHLO: the configured one, else this machine's fully
	 * qualified name, else its address as a literal such as {@code [192.0.2.1]}, as smtplib does.
	 */
	public String localHostname() {
		String configured = this.settings.localHostname();
		return (configured != null) ? configured : LocalHostname.value();
	}

	/** The timeout of each read (and, as configured, of each write). */
	public Duration timeout() {
		return this.wire.timeout();
	}

	/**
	 * Changes the bound on each read from now on, like setting the timeout of smtplib's socket:
	 * for example a short one for a health check, then back. Writes keep the configured timeout.
	 * @throws IllegalArgumentException if zero or negative
	 */
	public void setTimeout(Duration timeout) throws SmtpException {
		this.wire.setTimeout(Durations.requirePositive("timeout", timeout));
	}

	@Override
	public String toString() {
		return "SmtpSession[" + this.protocol.name().toLowerCase(Locale.ROOT) + " "
				+ (isConnected() ? endpoint() + (isTls() ? ", TLS" : "") : "not connected") + "]";
	}

	private DebugLog debug() {
		return this.wire.debug();
	}

	/** This session as the engine sees it: its EHLO state, and this package's helpers. */
	private final class EngineSession implements TransactionEngine.Session {

		@Override
		public void greetIfNeeded() throws SmtpException {
			ehloOrHeloIfNeeded();
		}

		@Override
		public boolean doesEsmtp() {
			return SmtpSession.this.greeting.doesEsmtp();
		}

		@Override
		public EsmtpFeatures features() {
			return SmtpSession.this.greeting.features();
		}

		@Override
		public List<String> mailOptionsFor(Envelope envelope) {
			return envelope.mailOptionsFor(SmtpSession.this.greeting.features());
		}

		@Override
		public List<String> rcptOptionsFor(Envelope envelope) {
			return envelope.rcptOptionsFor(SmtpSession.this.greeting.features());
		}

		@Override
		public SmtpRecipientsRefusedException notAllAccepted(Map<String, SmtpReply> refused, int total) {
			return SmtpRecipientsRefusedException.notAllAccepted(refused, total);
		}

	}

	/**
	 * Configures a session. Every setting has a safe default: 60 s timeouts, certificate and host
	 * name verification, no clear-text credentials to other machines, no debug output.
	 */
	public static final class Builder extends SessionSettingsBuilder<Builder> {

		private final SmtpProtocol protocol;

		private @Nullable String host;

		private int port;

		private @Nullable Path unixSocket;

		private Set<Integer> implicitTlsPorts = Set.of(SmtpProtocol.SMTPS.defaultPort());

		private @Nullable InetSocketAddress sourceAddress;

		private boolean pipelining;

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
			this.port = SessionConnector.requirePort(port, "");
			return this;
		}

		/** A unix-domain socket to connect to instead of TCP (LMTP only, as in smtplib). */
		public Builder unixSocket(Path socket) {
			this.unixSocket = SessionConnector.requireUnixSocket(this.protocol, socket);
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
		 * The local address to connect from: smtplib's {@code source_address} (default, or
		 * {@code null}: the system chooses).
		 */
		public Builder sourceAddress(@Nullable InetSocketAddress sourceAddress) {
			this.sourceAddress = sourceAddress;
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

		/** The clock for debug time stamps (default: the system clock). */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock");
			return this;
		}

		/**
		 * Every setting {@link SmtpClient.Builder} shares with this builder at once, checked: how a
		 * client configures the session of each connection it opens.
		 * @throws IllegalArgumentException naming a bad value
		 */
		Builder settings(SessionSettings settings) {
			settings.validate();
			this.settings = settings.copy();
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
