package io.github.smtpkit.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;

import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpReplyTooLongException;
import io.github.smtpkit.SmtpServerDisconnectedException;
import io.github.smtpkit.SmtpTimeoutException;

/**
 * The wire of one session: writes commands (with debug output, redaction and listener calls) and
 * reads whole replies (bounded in bytes per line and by the read timeout), parsing them as smtplib
 * does. It keeps the commands written and not yet answered, oldest first, so that each reply is
 * reported against the command it answers however many went out in one write (PIPELINING).
 *
 * <p>It knows nothing of SMTP's dialogue: which command comes next is the session's business (and
 * the {@link TransactionEngine}'s). When the connection breaks, the wire asks the session to
 * disconnect (the session's {@code disconnect()}, which forgets what the server said and then
 * calls {@link #close()}), and throws what smtplib throws.
 *
 * <p>Not thread-safe, like the session that owns it.
 */
public final class SmtpWire {

	/** The longest reply line accepted, in bytes with its CRLF (smtplib's {@code _MAXLINE}). */
	public static final int MAX_LINE_LENGTH = 8192;

	/**
	 * The most lines one reply may have. EHLO replies run to a few dozen; without a bound, a server
	 * that never ends a multi-line reply would fill the heap.
	 */
	public static final int MAX_REPLY_LINES = 1000;

	/** The most bytes one reply may have, line endings included: 1 MiB. */
	public static final int MAX_REPLY_BYTES = 1024 * 1024;

	/** What stands for an AUTH payload in debug output and events. */
	public static final String REDACTED = "<redacted>";

	private static final String CRLF = "\r\n";

	private static final Pattern SASL_MECHANISM = Pattern.compile("[A-Z0-9_-]{1,20}");

	private final DebugLog debug;

	private final SmtpEventListener listener;

	/** Whether anyone listens: on the per-command path, events are not even built otherwise. */
	private final boolean listening;

	/** The session's disconnect(): run whenever the connection turns out broken. */
	private final Runnable sessionDisconnect;

	private Duration timeout;

	private SmtpEndpoint endpoint;

	private SmtpConnection connection;

	private ReplyReader reader;

	private OutputStream output;

	/** ASCII, or UTF-8 after an SMTPUTF8 {@code MAIL}, until RSET or a new connection. */
	private Charset commandEncoding = StandardCharsets.US_ASCII;

	/** The commands written and not answered yet, oldest first: several when pipelining. */
	private final ArrayDeque<PendingCommand> pending = new ArrayDeque<>();

	/** One-line replies read lately on this wire, kept so that a repeated one is not parsed again. */
	private final RecentReplies recentReplies = new RecentReplies();

	/**
	 * Whether an AUTH command went out and the server has answered only 334 since: every line
	 * written meanwhile is a payload, shown redacted whatever method wrote it.
	 */
	private boolean authInProgress;

	/** Whether the server greeted: only then is the connection reported closed to listeners. */
	private boolean greeted;

	/**
	 * @param debug the session's debug output
	 * @param listener the session's listener, {@link SmtpEventListener#NONE} for none
	 * @param timeout the bound on each read
	 * @param sessionDisconnect what to do when the connection breaks: the session's
	 * {@code disconnect()}, which must call {@link #close()}
	 */
	public SmtpWire(DebugLog debug, SmtpEventListener listener, Duration timeout, Runnable sessionDisconnect) {
		this.debug = debug;
		this.listener = listener;
		this.listening = listener != SmtpEventListener.NONE;
		this.timeout = timeout;
		this.sessionDisconnect = sessionDisconnect;
	}

	// ---------------------------------------------------------------- the connection

	/** Notes where the next connection goes, before it is opened: failures name it. */
	public void connectingTo(SmtpEndpoint target) {
		this.endpoint = target;
	}

	/** Reads and writes through this newly opened connection from now on. */
	public void attach(SmtpConnection opened) {
		this.connection = opened;
		useConnectionStreams();
	}

	/** The server greeted: from now on listeners hear when the connection closes. */
	public void greeted() {
		this.greeted = true;
	}

	/**
	 * Completes a TLS handshake, implicit or after STARTTLS, and reads and writes through TLS from
	 * then on (bytes the server sent in clear text after its 220 are dropped, not read as if they
	 * came through TLS).
	 * @param describeFailure turns what the JDK raised into the exception that names the server and
	 * the ways out (for a refused certificate, an {@code SmtpTlsCertificateException})
	 * @throws SSLHandshakeException if the handshake failed, as {@code describeFailure} made it
	 * @throws SmtpTimeoutException if it took longer than the timeout
	 */
	public SSLSession startTls(SSLContext context, boolean hostnameVerification, List<String> protocols,
			List<String> cipherSuites, Function<SSLException, SSLHandshakeException> describeFailure)
			throws IOException {
		SmtpEndpoint target = this.endpoint;
		long started = System.nanoTime();
		SSLSession session;
		try {
			session = this.connection.startTls(context, hostnameVerification, protocols, cipherSuites);
		}
		catch (SocketTimeoutException ex) {
			SmtpTimeoutException timedOut = new SmtpTimeoutException("Timed out after "
					+ Durations.describe(this.timeout) + " in the TLS handshake with " + target, ex);
			event((l) -> l.tlsFailed(target, timedOut));
			throw timedOut;
		}
		catch (SSLException ex) {
			SSLHandshakeException failed = describeFailure.apply(ex);
			event((l) -> l.tlsFailed(target, failed));
			throw failed;
		}
		useConnectionStreams();
		this.debug.print("tls:", session.getProtocol() + " " + session.getCipherSuite());
		event((l) -> l.tlsEstablished(target, session.getProtocol(), session.getCipherSuite(),
				elapsedSince(started)));
		return session;
	}

	private void useConnectionStreams() {
		SmtpConnection opened = this.connection;
		this.reader = new ReplyReader(opened.input(), opened::limitReads);
		this.output = this.connection.output();
	}

	/**
	 * Closes the connection, forgets the unanswered commands and the command encoding, and tells
	 * the listener when the server had greeted. Does nothing more when already closed.
	 */
	public void close() {
		SmtpConnection closing = this.connection;
		this.connection = null;
		this.reader = null;
		this.output = null;
		this.commandEncoding = StandardCharsets.US_ASCII;
		this.pending.clear();
		this.authInProgress = false;
		if (closing != null) {
			closing.close();
		}
		if (this.greeted) {
			// Listeners pair this with connectEnd; a connection that failed to open got connectFailed.
			this.greeted = false;
			SmtpEndpoint target = this.endpoint;
			event((l) -> l.connectionClosed(target));
		}
	}

	/** Gives the connection up as the session's {@code disconnect()} does (a 421, a fatal fault). */
	public void disconnect() {
		this.sessionDisconnect.run();
	}

	/** The open connection, or {@code null}. */
	public SmtpConnection connection() {
		return this.connection;
	}

	public boolean isConnected() {
		return this.connection != null;
	}

	/** Where the session is (or was last) connected, or {@code null} before the first connect. */
	public SmtpEndpoint endpoint() {
		return this.endpoint;
	}

	/** The bound on each read. */
	public Duration timeout() {
		return this.timeout;
	}

	/**
	 * Changes the bound on each read from now on.
	 * @throws SmtpException as a failed write would, if the connection could not take it
	 */
	public void setTimeout(Duration timeout) throws SmtpException {
		this.timeout = timeout;
		if (this.connection != null) {
			try {
				this.connection.setReadTimeout(timeout);
			}
			catch (IOException ex) {
				throw writeFailure(ex);
			}
		}
	}

	/** The buffered stream to the server, for the message data; flush to send. */
	public OutputStream output() throws SmtpServerDisconnectedException {
		requireConnected();
		return this.output;
	}

	public void requireConnected() throws SmtpServerDisconnectedException {
		if (this.connection == null) {
			throw new SmtpServerDisconnectedException("please run connect() first");
		}
	}

	// ---------------------------------------------------------------- writing

	/** Commands from now on are UTF-8 (after an SMTPUTF8 {@code MAIL}) or, after RSET, ASCII again. */
	public void useCommandEncoding(Charset encoding) {
		this.commandEncoding = encoding;
	}

	/**
	 * Writes raw text, encoded as commands are, and expects one reply: smtplib's {@code send}.
	 * @throws IllegalArgumentException if the text has characters the command encoding lacks
	 */
	public void sendRaw(String text) throws SmtpException {
		write(encode(text), CommandLines.verbOf(text), text, true, true);
	}

	/**
	 * Writes raw bytes as they are and expects one reply: smtplib's {@code send} given bytes.
	 * Debug output and listeners see them as Latin-1 text (redacted if they are AUTH lines).
	 */
	public void sendRaw(byte[] bytes) throws SmtpException {
		String shown = new String(bytes, StandardCharsets.ISO_8859_1);
		write(bytes.clone(), CommandLines.verbOf(shown), shown, true, true);
	}

	/** Writes a command line (CRLF is added) and sends it now; its reply is expected next. */
	public void writeCommand(String line) throws SmtpException {
		writeCommand(line, line);
	}

	/**
	 * Writes a command line whose debug output and event show {@code shownLine} instead: for an
	 * AUTH payload, {@link #REDACTED}.
	 */
	public void writeCommand(String line, String shownLine) throws SmtpException {
		write(encode(line + CRLF), CommandLines.verbOf(line), shownLine, true, true);
	}

	/**
	 * Writes a line of an AUTH exchange, reported with the verb {@code AUTH} and shown redacted:
	 * its first word is the payload.
	 */
	public void writeAuthResponse(String payload) throws SmtpException {
		write(encode(payload + CRLF), "AUTH", REDACTED, true, true);
	}

	/**
	 * Writes a prepared command and expects its reply.
	 * @param flush whether to send it now; a pipelined group is flushed once, after its last command
	 */
	public void write(PreparedCommand command, boolean flush) throws SmtpException {
		if (needsText(command.verb())) {
			write(command.bytes(), command.verb(), command.line(), flush, true);
			return;
		}
		// Nobody is shown the command and it is no part of AUTH: its text is not even made.
		requireConnected();
		send(command.bytes(), command.verb(), flush, true);
	}

	/**
	 * Whether a command must go through {@link #write(byte[], String, String, boolean, boolean)}:
	 * it is shown (debug output), reported (a listener), or a line of an AUTH exchange, which that
	 * method redacts and whose state it keeps. A new case there is a new case here.
	 */
	private boolean needsText(String verb) {
		return this.debug.isEnabled() || this.listening || this.authInProgress || "AUTH".equals(verb);
	}

	/**
	 * Writes a command (or raw text) and, unless told otherwise, expects one reply to it.
	 * @param flush whether to send it now
	 * @param expectsReply whether the reply will be read as this command's; not so for the last
	 * BDAT chunk, whose reply is read as the message's
	 */
	public void write(byte[] bytes, String verb, String shownText, boolean flush, boolean expectsReply)
			throws SmtpException {
		// A line of an AUTH exchange, however it is sent (auth(), docmd(), send()), is all payload.
		boolean authCommand = !this.authInProgress && "AUTH".equals(verb);
		String shown = this.authInProgress ? REDACTED : authCommand ? redactAuthCommand(shownText) : shownText;
		String reportedVerb = this.authInProgress ? "AUTH" : verb;
		if (this.debug.isEnabled()) {
			// Before the check, as smtplib prints it even when not connected.
			this.debug.print("send:", DebugLog.repr(shown.endsWith(CRLF) ? shown : shown + CRLF));
		}
		requireConnected();
		if (authCommand) {
			this.authInProgress = true;
		}
		send(bytes, reportedVerb, flush, expectsReply);
		if (this.listening) {
			SmtpEndpoint target = this.endpoint;
			String shownLine = shown.endsWith(CRLF) ? shown.substring(0, shown.length() - 2) : shown;
			String sentVerb = reportedVerb;
			event((l) -> l.commandSent(target, sentVerb, shownLine));
		}
	}

	/** Writes the bytes of a command and, if one is expected, notes that its reply is due. */
	private void send(byte[] bytes, String verb, boolean flush, boolean expectsReply) throws SmtpException {
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
	}

	/**
	 * An AUTH command as debug output and listeners see it: the verb, the mechanism when it looks
	 * like one (RFC 4422 3.1: upper-case letters, digits, hyphens and underscores, at most 20), and
	 * {@link #REDACTED} for anything after it (an initial response, or what a caller wrote there).
	 */
	static String redactAuthCommand(String line) {
		int end = line.indexOf('\r');
		int newline = line.indexOf('\n');
		if (end < 0 || (newline >= 0 && newline < end)) {
			end = (newline >= 0) ? newline : line.length();
		}
		String[] words = line.substring(0, end).strip().split("[ \t]+", 3);
		if (words.length == 1 && line.substring(end).isBlank()) {
			return words[0];
		}
		if (words.length >= 2 && SASL_MECHANISM.matcher(words[1]).matches()) {
			boolean nothingMore = words.length == 2 && line.substring(end).isBlank();
			return words[0] + " " + words[1] + (nothingMore ? "" : " " + REDACTED);
		}
		return words[0] + " " + REDACTED;
	}

	/** Sends what was written and not flushed: a pipelined group, perhaps behind a message's end. */
	public void flush() throws SmtpException {
		try {
			this.output.flush();
		}
		catch (IOException ex) {
			throw writeFailure(ex);
		}
	}

	/**
	 * Expects {@code count} replies to something written outside this class (the end of the
	 * message data), reported with this verb.
	 */
	public void expectReplies(String verb, int count, long sentAtNanos) {
		for (int i = count; i > 0; i--) {
			this.pending.addLast(new PendingCommand(verb, sentAtNanos));
		}
	}

	/**
	 * Turns a failed write into what smtplib raises, after disconnecting: a timeout when the server
	 * stopped reading, else a disconnect.
	 */
	public SmtpException writeFailure(IOException ex) {
		SmtpEndpoint target = this.endpoint;
		Duration bound = (this.connection != null) ? this.connection.writeTimeout() : this.timeout;
		disconnect();
		if (ex instanceof SocketTimeoutException) {
			return new SmtpTimeoutException("Timed out after " + Durations.describe(bound) + " writing to "
					+ target + " (the server stopped reading)", ex);
		}
		return new SmtpServerDisconnectedException("Server not connected", ex);
	}

	/** Encodes text as commands are encoded now. */
	public byte[] encode(String text) {
		return encode(text, this.commandEncoding);
	}

	/**
	 * Encodes command text: ASCII as it is, anything else in the encoding given.
	 * @throws IllegalArgumentException if the text has characters the encoding lacks
	 */
	public static byte[] encode(String text, Charset encoding) {
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

	// ---------------------------------------------------------------- reading

	/**
	 * Reads the reply to the oldest unanswered command (or, with none, the greeting): smtplib's
	 * {@code getreply}. Lines are joined with {@code "\n"}; a code that is not a number gives
	 * {@link SmtpReply#MALFORMED_CODE} and ends the reply. The whole reply, however many lines it
	 * has, must arrive within the connection's read timeout (the session's timeout).
	 * @throws SmtpServerDisconnectedException at end of stream or on a read error; disconnected
	 * @throws SmtpTimeoutException when the reply did not come whole within the timeout; disconnected
	 * @throws SmtpReplyTooLongException {@code (500, "Line too long.")} for a line over
	 * {@link #MAX_LINE_LENGTH} bytes, or for a reply of more than {@link #MAX_REPLY_LINES} lines or
	 * {@link #MAX_REPLY_BYTES} bytes; disconnected
	 */
	public SmtpReply readReply() throws SmtpException {
		requireConnected();
		PendingCommand answered = this.pending.peekFirst();
		String verb = (answered != null) ? answered.verb() : null;
		Duration budget = this.connection.readTimeout();
		this.reader.startReply(budget);
		// Most replies are one line: their text is the message, with no list or join.
		String message = null;
		StringBuilder lines = null;
		int lineCount = 0;
		long byteCount = 0;
		int code;
		SmtpReply known = null;
		while (true) {
			int length = readLine(verb, budget);
			byte[] line = this.reader.lineBuffer();
			if (this.debug.isEnabled()) {
				this.debug.print("reply:", DebugLog.repr(line, 0, length));
			}
			if (length > MAX_LINE_LENGTH) {
				disconnect();
				throw new SmtpReplyTooLongException("Line too long.");
			}
			lineCount++;
			byteCount += length;
			if (lineCount > MAX_REPLY_LINES || byteCount > MAX_REPLY_BYTES) {
				SmtpEndpoint target = this.endpoint;
				disconnect();
				throw new SmtpReplyTooLongException("Reply too long: " + target + " sent more than "
						+ ((lineCount > MAX_REPLY_LINES) ? MAX_REPLY_LINES + " lines" : MAX_REPLY_BYTES + " bytes")
						+ " in " + ((verb != null) ? "the reply to " + verb : "one reply"));
			}
			boolean last = length < 4 || line[3] != '-';
			if (lineCount == 1 && last) {
				// A one-line reply the server sent before (a batch's "250 2.0.0 Ok"): the same reply.
				known = this.recentReplies.find(line, length);
				if (known != null) {
					code = known.code();
					break;
				}
			}
			String text = replyText(line, length);
			if (message == null) {
				message = text;
			}
			else {
				lines = ((lines != null) ? lines : new StringBuilder(message)).append('\n').append(text);
			}
			code = replyCode(line, length);
			if (code == SmtpReply.MALFORMED_CODE || last) {
				if (lineCount == 1) {
					known = this.recentReplies.remember(line, length, new SmtpReply(code, message));
				}
				break;
			}
		}
		endReply();
		SmtpReply reply = (known != null) ? known : new SmtpReply(code, (lines != null) ? lines.toString() : message);
		if (this.debug.isEnabled()) {
			this.debug.print("reply:", "retcode (" + code + "); Msg: " + DebugLog.repr(reply.message()));
		}
		if (this.authInProgress && code != 334) {
			this.authInProgress = false;
		}
		if (answered != null) {
			this.pending.pollFirst();
			if (this.listening) {
				SmtpEndpoint target = this.endpoint;
				Duration duration = elapsedSince(answered.sentAt());
				event((l) -> l.replyReceived(target, verb, reply, duration));
			}
		}
		return reply;
	}

	/** The reply is whole: the next one's reads get the whole timeout again. */
	private void endReply() throws SmtpException {
		try {
			this.reader.endReply();
		}
		catch (IOException ex) {
			throw writeFailure(ex);
		}
	}

	/** One line of a reply, one byte over the limit at most, so that an over-long one shows. */
	private int readLine(String verb, Duration budget) throws SmtpException {
		int length;
		try {
			length = this.reader.readLineIntoBuffer(MAX_LINE_LENGTH + 1);
		}
		catch (SocketTimeoutException ex) {
			SmtpEndpoint target = this.endpoint;
			disconnect();
			throw new SmtpTimeoutException("Timed out after " + Durations.describe(budget) + " waiting for "
					+ ((verb != null) ? "the reply to " + verb : this.greeted ? "a reply" : "the greeting") + " from "
					+ target, ex);
		}
		catch (IOException ex) {
			disconnect();
			throw new SmtpServerDisconnectedException("Connection unexpectedly closed: " + ex.getMessage(), ex);
		}
		if (length == 0) {
			disconnect();
			throw new SmtpServerDisconnectedException("Connection unexpectedly closed");
		}
		return length;
	}

	/** The text after the code and separator, stripped of blanks and line ending, as smtplib does. */
	static String replyText(byte[] line) {
		return replyText(line, line.length);
	}

	/** {@link #replyText(byte[])} of the first {@code length} bytes. */
	static String replyText(byte[] line, int length) {
		int start = Math.min(4, length);
		int end = length;
		while (start < end && isStrippable(line[start])) {
			start++;
		}
		while (end > start && isStrippable(line[end - 1])) {
			end--;
		}
		return decodeText(line, start, end - start);
	}

	/**
	 * Reply text as UTF-8 when it is UTF-8 (what SMTPUTF8 servers send), otherwise as Latin-1, one
	 * character per byte, as smtplib decodes EHLO replies: no byte is lost to U+FFFD.
	 */
	private static String decodeText(byte[] bytes, int offset, int length) {
		boolean ascii = true;
		for (int i = offset; i < offset + length && ascii; i++) {
			ascii = bytes[i] >= 0;
		}
		if (ascii) {
			return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
		}
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes, offset, length))
				.toString();
		}
		catch (CharacterCodingException ex) {
			return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
		}
	}

	private static boolean isDigit(byte b) {
		return b >= '0' && b <= '9';
	}

	private static boolean isStrippable(byte b) {
		return b == ' ' || b == '\t' || b == '\r' || b == '\n';
	}

	/**
	 * The first three bytes as a number, as Python's {@code int()} reads them (ASCII white space
	 * around, a sign, digits with single underscores between them: {@code "2_5"} is 25), or -1.
	 */
	static int replyCode(byte[] line) {
		return replyCode(line, line.length);
	}

	/** {@link #replyCode(byte[])} of the first {@code length} bytes. */
	static int replyCode(byte[] line, int length) {
		if (length >= 3 && isDigit(line[0]) && isDigit(line[1]) && isDigit(line[2])) {
			return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
		}
		int start = 0;
		int end = Math.min(3, length);
		while (start < end && isPythonSpace(line[start])) {
			start++;
		}
		while (end > start && isPythonSpace(line[end - 1])) {
			end--;
		}
		boolean negative = start < end && line[start] == '-';
		if (start < end && (line[start] == '-' || line[start] == '+')) {
			start++;
		}
		if (start == end) {
			return SmtpReply.MALFORMED_CODE;
		}
		int value = 0;
		for (int i = start; i < end; i++) {
			if (isDigit(line[i])) {
				value = value * 10 + (line[i] - '0');
			}
			else if (line[i] != '_' || i == start || !isDigit(line[i - 1]) || i + 1 == end || !isDigit(line[i + 1])) {
				return SmtpReply.MALFORMED_CODE;
			}
		}
		return negative ? -value : value;
	}

	/** Python's {@code bytes.isspace()}: what {@code int()} strips. */
	private static boolean isPythonSpace(byte b) {
		return b == ' ' || (b >= '\t' && b <= '\r');
	}

	// ---------------------------------------------------------------- debug and events

	/** The session's debug output, for what is not a command or a reply (connects, TLS, data). */
	public DebugLog debug() {
		return this.debug;
	}

	/** Whether anyone listens: a caller on a hot path can skip building an event. */
	public boolean isListening() {
		return this.listening;
	}

	/** Tells the listener; one that throws is logged and ignored. */
	public void event(Consumer<SmtpEventListener> event) {
		Listeners.notify(this.listener, event);
	}

	static Duration elapsedSince(long startNanos) {
		return Duration.ofNanos(System.nanoTime() - startNanos);
	}

	/**
	 * The last few one-line replies, with the bytes they were read from: a server answers most
	 * commands of a batch with the same few lines, and a line seen before is the same reply
	 * (a {@link SmtpReply} is a value), so it is neither decoded nor made again.
	 */
	private static final class RecentReplies {

		/** Lines longer than this (a queue ID, a long text) are rarely sent twice: not kept. */
		private static final int MAX_LENGTH = 128;

		private final byte[][] lines = new byte[4][];

		private final SmtpReply[] replies = new SmtpReply[4];

		private int next;

		SmtpReply find(byte[] line, int length) {
			for (int i = 0; i < this.lines.length; i++) {
				byte[] seen = this.lines[i];
				if (seen != null && Arrays.equals(seen, 0, seen.length, line, 0, length)) {
					return this.replies[i];
				}
			}
			return null;
		}

		/** Keeps the reply read from this line, unless it is too long; returns the reply. */
		SmtpReply remember(byte[] line, int length, SmtpReply reply) {
			if (length <= MAX_LENGTH) {
				this.lines[this.next] = Arrays.copyOf(line, length);
				this.replies[this.next] = reply;
				this.next = (this.next + 1) % this.lines.length;
			}
			return reply;
		}

	}

	/** A command written and not answered yet: its verb and when it went out, for events. */
	private record PendingCommand(String verb, long sentAt) {
	}

}
