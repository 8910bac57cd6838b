package io.github.smtpkit.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An in-process fake SMTP/LMTP server that follows a script, for tests that need exact protocol
 * transcripts and faults a real server will not produce on demand (malformed replies, a server
 * that hangs up or stops answering, a failed STARTTLS handshake...).
 * <p>
 * Modelled on OkHttp's {@code MockWebServer}: the test enqueues what the server does, lets the
 * client under test talk to it, then asserts on what the client sent, byte for byte:
 * <pre>{@code
 * try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
 *     server.greet("220 fake.test ESMTP")
 *         .reply("250-fake.test\n250-SIZE 1000\n250 AUTH PLAIN LOGIN")   // answers EHLO
 *         .reply("250 2.1.0 ok")                                         // MAIL FROM
 *         .reply("250 2.1.5 ok")                                         // RCPT TO
 *         .reply("354 go ahead")                                         // DATA
 *         .reply("250 2.0.0 queued")                                     // the message data
 *         .reply("221 bye")                                              // QUIT
 *         .awaitClose();
 *
 *     sendOneMessageWithTheClientUnderTest(server.host(), server.port());
 *
 *     server.awaitScriptDone(Duration.ofSeconds(5));
 *     assertThat(server.commands()).containsExactly("EHLO client.test", "MAIL FROM:<a@x.test>",
 *             "RCPT TO:<b@y.test>", "DATA", "QUIT");
 *     assertThat(new String(server.messages().get(0), StandardCharsets.ISO_8859_1))
 *             .isEqualTo("Subject: hi\r\n\r\n..dot-stuffed line\r\n.\r\n");
 *     server.assertNoFailures();
 *     assertThat(server.unexpectedCommands()).isEmpty();
 * }
 * }</pre>
 *
 * <h2>Script</h2>
 * One script (a queue of actions) is shared by all connections and consumed in order. Connections
 * are accepted and served one at a time, in order, by a single server thread; a later connection
 * waits in the listen backlog (its greeting does not arrive) until the earlier one ends. A
 * connection ends when an action ends it ({@link #disconnect()}, {@link #disconnectAfterRead()},
 * {@link #awaitClose()}, the client closing after {@link #stall()}), when the client closes it
 * while the server reads, or on a failure; the next action then belongs to the next connection.
 * {@link #greet(String)} always starts a connection: if it comes up in a connection that has
 * already run actions, the server first waits (as {@link #awaitClose()} would) for the client to
 * close that connection. Use {@link #send(String)} to write an unsolicited reply mid-connection.
 * <p>
 * Enqueue each action before the client needs it, typically the whole script before the client
 * connects; connecting first and scripting second works too. Whenever the script is empty while a
 * connection is open, the server reads and records what the client sends, answers nothing, and
 * lists each unit in {@link #unexpectedCommands()}, until the client closes the connection or
 * an action is enqueued: that action then runs at once (a greeting is written straight away), and
 * the unit being read when it arrived goes to the next reading action instead of the list.
 *
 * <h2>Units</h2>
 * Every reading action reads one <em>unit</em> from the client:
 * <ul>
 * <li>normally one command line, up to and including LF (recorded in {@link #commands()} without
 * the line ending);</li>
 * <li>after the server has written a reply whose first three characters are {@code 354}, the whole
 * message data (see {@link #messages()} for exactly what it contains);</li>
 * <li>a line {@code BDAT <n>[ LAST]} (case-insensitive) together with the {@code n} bytes that
 * follow it (the line goes to {@link #commands()}, the bytes to {@link #bdatChunks()}).</li>
 * </ul>
 * The server reads bytes, not characters; a unit is capped at {@value #MAX_UNIT_BYTES} bytes
 * (exceeding it is a failure that ends the connection). Replies given as strings are written in
 * UTF-8, each {@code \n}-separated line (a trailing {@code \r} is dropped) terminated by CRLF.
 *
 * <h2>Failures and timeouts</h2>
 * Nothing ever blocks a test unboundedly: every scripted read, write and TLS handshake, and
 * {@link #awaitClose()}, must finish within {@link #timeout()} (default 10 s, see
 * {@link #withTimeout(Duration)}), otherwise the connection is closed and a failure recorded;
 * {@link #awaitScriptDone(Duration)} and {@link #takeCommand(Duration)} are bounded too. The only
 * open-ended waits are the ones a test asks for ({@link #stall()}, and reading after the script
 * ran out), and {@link #close()} ends those. Errors on the server thread are never thrown at the
 * test: they are collected in {@link #failures()} (check with {@link #assertNoFailures()}). The
 * client closing the connection is a failure only where the script expected more from it: it is
 * quiet when the server reads after the script ran out, in {@link #awaitClose()}, in
 * {@link #disconnectAfterRead()}, {@link #drip} and {@link #stall()} (including before their unit
 * arrived), and while stalled; it is a failure in the other reading actions ({@link #reply(String)},
 * {@link #replies(String...)}, {@link #replyRaw(byte[])}, {@link #read()},
 * {@link #startTls(SSLContext, String)}), and whenever it cuts a unit in half inside one of them
 * (elsewhere the partial unit is just listed in {@link #unexpectedCommands()}). After a failure
 * the connection is closed and the rest of the script continues with the next connection; a
 * failed implicit-TLS handshake consumes no action, so the next connection starts where the
 * script stood.
 * <p>
 * All methods may be called from any thread while the server thread runs. The server uses only
 * daemon threads. {@link #close()} is idempotent, stops accepting, closes every socket, joins the
 * server thread (bounded), and deletes the unix-domain socket file.
 */
public final class ScriptedSmtpServer implements AutoCloseable {

	/** The bound on every wait unless changed with {@link #withTimeout(Duration)}. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

	/** The largest unit (command line, message data, BDAT chunk) the server will read: 1 MiB. */
	public static final int MAX_UNIT_BYTES = 1024 * 1024;

	private static final String LOOPBACK = "127.0.0.1";

	private static final Pattern BDAT = Pattern.compile("BDAT\\s+(\\d+)(\\s+LAST)?\\s*", Pattern.CASE_INSENSITIVE);

	private static final byte[] DATA_TERMINATOR = { '.', '\r', '\n' };

	private static final AtomicInteger SERVER_IDS = new AtomicInteger();

	private final ServerSocket tcpServer;

	private final ServerSocketChannel unixServer;

	private final Path socketFile;

	private final SSLContext implicitTls;

	private final Thread serverThread;

	private final ScheduledExecutorService watchdog;

	private final ExecutorService readers;

	private final AtomicBoolean closed = new AtomicBoolean();

	private volatile Duration timeout = DEFAULT_TIMEOUT;

	private volatile Connection current;

	private final Queue<Action> script = new ConcurrentLinkedQueue<>();

	/**
	 * Guards {@link #unfinishedActions}; notified whenever an action is enqueued or finishes, a read
	 * completes, or the server closes.
	 */
	private final Object progress = new Object();

	private int unfinishedActions;

	private final List<ByteSink> receivedPerConnection = new CopyOnWriteArrayList<>();

	private final List<String> commands = new CopyOnWriteArrayList<>();

	private final BlockingQueue<String> commandFeed = new LinkedBlockingQueue<>();

	private final List<byte[]> messages = new CopyOnWriteArrayList<>();

	private final List<byte[]> bdatChunks = new CopyOnWriteArrayList<>();

	private final List<String> unexpected = new CopyOnWriteArrayList<>();

	private final List<AssertionError> failures = new CopyOnWriteArrayList<>();

	private ScriptedSmtpServer(ServerSocket tcpServer, ServerSocketChannel unixServer, Path socketFile,
			SSLContext implicitTls) {
		this.tcpServer = tcpServer;
		this.unixServer = unixServer;
		this.socketFile = socketFile;
		this.implicitTls = implicitTls;
		int id = SERVER_IDS.incrementAndGet();
		this.watchdog = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "scripted-smtp-server-" + id + "-watchdog");
			thread.setDaemon(true);
			return thread;
		});
		this.readers = Executors.newCachedThreadPool((task) -> {
			Thread thread = new Thread(task, "scripted-smtp-server-" + id + "-reader");
			thread.setDaemon(true);
			return thread;
		});
		this.serverThread = new Thread(this::serve, "scripted-smtp-server-" + id);
		this.serverThread.setDaemon(true);
	}

	// ---------------------------------------------------------------------------------------
	// Starting

	/**
	 * Starts a plain-TCP server on {@code 127.0.0.1} and an ephemeral port.
	 * @return the running server
	 */
	public static ScriptedSmtpServer start() {
		return startTcp(null);
	}

	/**
	 * Starts an SMTPS server on {@code 127.0.0.1} and an ephemeral port: every accepted connection
	 * does a server-side TLS handshake with {@code serverContext} before its first action. A failed
	 * handshake is recorded in {@link #failures()} and consumes no action.
	 * @param serverContext the server's TLS context, for example {@link TestCertificates#serverContext()}
	 * @return the running server
	 */
	public static ScriptedSmtpServer startImplicitTls(SSLContext serverContext) {
		return startTcp(Objects.requireNonNull(serverContext, "serverContext"));
	}

	/**
	 * Starts a server listening on a unix-domain socket. The file must not exist yet; {@link #close()}
	 * deletes it. Keep the path short (the OS limit is about 100 bytes), for example a file in a
	 * JUnit {@code @TempDir}. {@link #startTls(SSLContext, String)} is not supported on this transport.
	 * @param socketFile where to create the socket
	 * @return the running server
	 */
	public static ScriptedSmtpServer startUnix(Path socketFile) {
		ServerSocketChannel channel = null;
		try {
			channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
			channel.bind(UnixDomainSocketAddress.of(socketFile));
			ScriptedSmtpServer server = new ScriptedSmtpServer(null, channel, socketFile, null);
			server.serverThread.start();
			return server;
		}
		catch (IOException ex) {
			closeQuietly(channel);
			throw new UncheckedIOException("Cannot listen on unix-domain socket " + socketFile, ex);
		}
	}

	private static ScriptedSmtpServer startTcp(SSLContext implicitTls) {
		ServerSocket socket = null;
		try {
			socket = new ServerSocket(0, 50, InetAddress.getByName(LOOPBACK));
			ScriptedSmtpServer server = new ScriptedSmtpServer(socket, null, null, implicitTls);
			server.serverThread.start();
			return server;
		}
		catch (IOException ex) {
			closeQuietly(socket);
			throw new UncheckedIOException("Cannot listen on " + LOOPBACK, ex);
		}
	}

	// ---------------------------------------------------------------------------------------
	// Address and settings

	/**
	 * The address to connect to.
	 * @return {@code "127.0.0.1"}
	 * @throws IllegalStateException for a unix-domain server
	 */
	public String host() {
		requireTcp();
		return LOOPBACK;
	}

	/**
	 * The port to connect to.
	 * @return the ephemeral TCP port
	 * @throws IllegalStateException for a unix-domain server
	 */
	public int port() {
		requireTcp();
		return this.tcpServer.getLocalPort();
	}

	/**
	 * The unix-domain socket file to connect to.
	 * @return the path given to {@link #startUnix(Path)}
	 * @throws IllegalStateException for a TCP server
	 */
	public Path socketFile() {
		if (this.socketFile == null) {
			throw new IllegalStateException("A TCP server has no socket file; use host() and port()");
		}
		return this.socketFile;
	}

	/**
	 * Changes the bound on the server's scripted waits (reads, writes, handshakes,
	 * {@link #awaitClose()}), on {@link #close()}'s join, and the default of
	 * {@link #awaitScriptDone()}. Takes effect for waits that start afterwards.
	 * @param timeout a positive duration
	 * @return this server
	 */
	public ScriptedSmtpServer withTimeout(Duration timeout) {
		if (timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("timeout must be positive: " + timeout);
		}
		this.timeout = timeout;
		return this;
	}

	/**
	 * The current bound on the server's waits.
	 * @return the timeout, {@link #DEFAULT_TIMEOUT} unless changed
	 */
	public Duration timeout() {
		return this.timeout;
	}

	// ---------------------------------------------------------------------------------------
	// Script

	/**
	 * Writes {@code reply} without reading anything first, as the first action of a connection
	 * (typically {@code "220 fake.test ESMTP"}). If the current connection has already run actions,
	 * the server first waits for the client to close it, then accepts the next connection and
	 * writes the greeting there.
	 * @param reply the reply; lines separated by {@code \n}
	 * @return this server
	 */
	public ScriptedSmtpServer greet(String reply) {
		byte[] bytes = encodeReply(reply);
		boolean data = announcesData(reply);
		return enqueue(new Action("greet(" + quote(reply) + ")", true, false, (c) -> {
			write(c, bytes, data);
			return Outcome.CONTINUE;
		}));
	}

	/**
	 * Writes {@code reply} without reading anything first, in the current connection (an
	 * unsolicited reply such as {@code "421 shutting down"}).
	 * @param reply the reply; lines separated by {@code \n}
	 * @return this server
	 */
	public ScriptedSmtpServer send(String reply) {
		byte[] bytes = encodeReply(reply);
		boolean data = announcesData(reply);
		return enqueue(new Action("send(" + quote(reply) + ")", false, false, (c) -> {
			write(c, bytes, data);
			return Outcome.CONTINUE;
		}));
	}

	/**
	 * Reads one unit, then writes {@code reply}.
	 * @param reply the reply; a multi-line reply as one string with {@code \n} between lines, for
	 * example {@code "250-fake.test\n250-SIZE 1000\n250 AUTH PLAIN LOGIN"}
	 * @return this server
	 */
	public ScriptedSmtpServer reply(String reply) {
		byte[] bytes = encodeReply(reply);
		boolean data = announcesData(reply);
		return enqueue(new Action("reply(" + quote(reply) + ")", false, false, (c) -> {
			readUnitOrThrow(c);
			write(c, bytes, data);
			return Outcome.CONTINUE;
		}));
	}

	/**
	 * Reads one unit, then writes exactly {@code bytes} (for malformed replies: no CRLF, bare LF,
	 * over-long lines, invalid codes...). If they start with {@code 354} the next unit is message data.
	 * @param bytes the bytes to write (copied)
	 * @return this server
	 */
	public ScriptedSmtpServer replyRaw(byte[] bytes) {
		byte[] copy = bytes.clone();
		boolean data = copy.length >= 3 && copy[0] == '3' && copy[1] == '5' && copy[2] == '4';
		return enqueue(new Action("replyRaw(" + quote(new String(copy, StandardCharsets.ISO_8859_1)) + ")", false,
				false, (c) -> {
					readUnitOrThrow(c);
					write(c, copy, data);
					return Outcome.CONTINUE;
				}));
	}

	/**
	 * Reads one unit, then writes several replies back to back (LMTP answers the message data with
	 * one reply per accepted recipient).
	 * @param replies the replies, each possibly multi-line
	 * @return this server
	 */
	public ScriptedSmtpServer replies(String... replies) {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		for (String reply : replies) {
			all.writeBytes(encodeReply(reply));
		}
		byte[] bytes = all.toByteArray();
		boolean anyData = false;
		List<String> quoted = new ArrayList<>();
		for (String reply : replies) {
			anyData |= announcesData(reply);
			quoted.add(quote(reply));
		}
		boolean data = anyData;
		return enqueue(new Action("replies(" + String.join(", ", quoted) + ")", false, false, (c) -> {
			readUnitOrThrow(c);
			write(c, bytes, data);
			return Outcome.CONTINUE;
		}));
	}

	/**
	 * Reads one unit, then writes {@code line} (plus CRLF) {@code times} times, the first at once
	 * and the others {@code interval} apart, then waits, as {@link #awaitClose()} does, for the
	 * client to close: a server that drips a reply slowly. The client closing meanwhile ends the
	 * connection quietly. The whole action must fit in {@link #timeout()}.
	 * @param line one reply line, for example {@code "250-still here"}
	 * @param times how many times to write it, at least 1
	 * @param interval the pause between two lines
	 * @return this server
	 */
	public ScriptedSmtpServer drip(String line, int times, Duration interval) {
		if (times < 1) {
			throw new IllegalArgumentException("times must be at least 1, but was " + times);
		}
		byte[] bytes = encodeReply(line);
		return enqueue(new Action("drip(" + quote(line) + ", " + times + ", " + interval + ")", false, true, (c) -> {
			readUnitOrThrow(c);
			for (int i = 0; i < times; i++) {
				if (i > 0 && !pauseUnlessClosed(interval)) {
					return Outcome.END;
				}
				try {
					write(c, bytes, false);
				}
				catch (IOException ex) {
					// The client gave up on the reply and closed: what a dripping server is for.
					return Outcome.END;
				}
			}
			readUntilClientCloses(c);
			return Outcome.END;
		}));
	}

	/** Pauses the server thread for {@code interval}, or less if the server closes: whether it did not. */
	private boolean pauseUnlessClosed(Duration interval) {
		long deadline = System.nanoTime() + interval.toNanos();
		synchronized (this.progress) {
			long left;
			while (!this.closed.get() && (left = deadline - System.nanoTime()) > 0) {
				try {
					TimeUnit.NANOSECONDS.timedWait(this.progress, left);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return false;
				}
			}
		}
		return !this.closed.get();
	}

	/**
	 * Reads one unit and writes nothing (the reply comes from a later action, as with pipelining).
	 * @return this server
	 */
	public ScriptedSmtpServer read() {
		return enqueue(new Action("read()", false, false, (c) -> {
			readUnitOrThrow(c);
			return Outcome.CONTINUE;
		}));
	}

	/**
	 * Reads one unit (the {@code STARTTLS} command), writes {@code reply}, then does a server-side
	 * TLS handshake on the same socket; later actions of this connection run over TLS. Plaintext
	 * already received after the command is discarded, as a careful server does, and recorded as a
	 * failure (pipelining past STARTTLS is a command-injection hole in a client); plaintext arriving
	 * later makes the handshake fail, which is recorded too.
	 * @param serverContext the server's TLS context, for example {@link TestCertificates#serverContext()}
	 * @param reply the reply to the command, typically {@code "220 ready to start TLS"}
	 * @return this server
	 */
	public ScriptedSmtpServer startTls(SSLContext serverContext, String reply) {
		Objects.requireNonNull(serverContext, "serverContext");
		byte[] bytes = encodeReply(reply);
		String description = "startTls(" + quote(reply) + ")";
		boolean data = announcesData(reply);
		return enqueue(new Action(description, false, false, (c) -> {
			readUnitOrThrow(c);
			write(c, bytes, data);
			int leftover = c.discardBuffered();
			if (leftover > 0) {
				recordFailure(c, description, "the client sent " + leftover
						+ " byte(s) of plaintext after STARTTLS, before the TLS handshake; they were discarded", null);
			}
			c.upgradeToTls(serverContext);
			return Outcome.CONTINUE;
		}));
	}

	/**
	 * Closes the current connection now, without reading; the next action belongs to the next
	 * connection. As the first action of a connection, it closes a connection just accepted.
	 * @return this server
	 */
	public ScriptedSmtpServer disconnect() {
		return enqueue(new Action("disconnect()", false, true, (c) -> Outcome.END));
	}

	/**
	 * Reads one unit, then closes the connection without replying.
	 * @return this server
	 */
	public ScriptedSmtpServer disconnectAfterRead() {
		return enqueue(new Action("disconnectAfterRead()", false, true, (c) -> {
			readUnitOrThrow(c);
			return Outcome.END;
		}));
	}

	/**
	 * Reads one unit and never replies: the connection stays open until the client closes it or
	 * the server is closed (then the next action belongs to the next connection). Anything the
	 * client sends meanwhile is recorded ({@link #received()}, {@link #commands()}) but not listed
	 * in {@link #unexpectedCommands()}. For {@link #awaitScriptDone(Duration)} this action is done
	 * once its unit has been read, so a test can wait for the server to be stalling.
	 * @return this server
	 */
	public ScriptedSmtpServer stall() {
		return enqueue(new Action("stall()", false, true, (c) -> {
			readUnitOrThrow(c);
			return Outcome.HOLD;
		}));
	}

	/**
	 * Ends this connection's script: waits, bounded by {@link #timeout()}, for the client to close
	 * its end (reading until end of stream), then accepts the next connection. Units the client
	 * sends meanwhile are listed in {@link #unexpectedCommands()}; a timeout is a failure.
	 * @return this server
	 */
	public ScriptedSmtpServer awaitClose() {
		return enqueue(awaitCloseAction("awaitClose()"));
	}

	private Action awaitCloseAction(String description) {
		return new Action(description, false, true, (c) -> {
			readUntilClientCloses(c);
			return Outcome.END;
		});
	}

	private ScriptedSmtpServer enqueue(Action action) {
		if (this.closed.get()) {
			throw new IllegalStateException("The server is closed");
		}
		synchronized (this.progress) {
			this.unfinishedActions++;
			this.script.add(action);
			this.progress.notifyAll();
		}
		return this;
	}

	// ---------------------------------------------------------------------------------------
	// Recordings and waits

	/**
	 * Everything the clients sent, all connections concatenated in order, byte for byte (after TLS
	 * decryption; including plaintext discarded after STARTTLS, and partial units).
	 * @return a copy of the bytes received so far
	 */
	public byte[] received() {
		ByteArrayOutputStream all = new ByteArrayOutputStream();
		for (ByteSink sink : this.receivedPerConnection) {
			all.writeBytes(sink.toByteArray());
		}
		return all.toByteArray();
	}

	/**
	 * Everything one connection's client sent, as {@link #received()}.
	 * @param connection the connection's index, 0 for the first one accepted (failure messages
	 * number connections from 1)
	 * @return a copy of the bytes received so far on that connection
	 */
	public byte[] received(int connection) {
		return this.receivedPerConnection.get(connection).toByteArray();
	}

	/**
	 * {@link #received()} decoded as ISO-8859-1, so every byte maps to exactly one char.
	 * @return the received bytes as text
	 */
	public String receivedText() {
		return new String(received(), StandardCharsets.ISO_8859_1);
	}

	/**
	 * The command lines received so far on all connections, in order, without their line ending
	 * (CRLF, or a bare LF), decoded as ISO-8859-1 (lossless: re-encode to get the bytes). Message
	 * data and BDAT payloads are not included; {@code BDAT} command lines are. Lines read after the
	 * script ran out are included too.
	 * @return a copy of the command lines
	 */
	public List<String> commands() {
		return List.copyOf(this.commands);
	}

	/**
	 * Waits for the next command line (in arrival order; independent of {@link #commands()}, which
	 * keeps them all), for tests that must react while the client is mid-conversation.
	 * @param timeout how long to wait
	 * @return the command line, as in {@link #commands()}
	 * @throws AssertionError if no command line arrives in time
	 */
	public String takeCommand(Duration timeout) {
		try {
			String command = this.commandFeed.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
			if (command == null) {
				throw new AssertionError("No command line arrived within " + timeout + diagnostics());
			}
			return command;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("Interrupted while waiting for a command line", ex);
		}
	}

	/**
	 * The message data units received so far, in order. Each is exactly the bytes the client sent
	 * after the server's {@code 354} reply, from the first byte after that reply through the
	 * terminating {@code ".\r\n"} inclusive: dot-stuffing intact ({@code ".."} stays {@code ".."}),
	 * line endings as sent, nothing added or removed. The data ends at the first line that is
	 * exactly {@code "."} CR LF, lines being split after each LF, so every element ends with
	 * {@code ".\r\n"}; for a non-empty message the bytes before it are the last line's ending
	 * ({@code "\r\n.\r\n"} from a correct client: the CR LF before the dot belongs to the last
	 * line). An empty message is just {@code ".\r\n"}. A line {@code ".\n"} (bare LF) does not end
	 * the data. Data cut short by the client closing is not included (its bytes are in
	 * {@link #received()}).
	 * @return copies of the message data units
	 */
	public List<byte[]> messages() {
		return copies(this.messages);
	}

	/**
	 * The BDAT payloads received so far, in order: exactly the {@code n} bytes that followed each
	 * {@code BDAT n} command line.
	 * @return copies of the chunks
	 */
	public List<byte[]> bdatChunks() {
		return copies(this.bdatChunks);
	}

	/**
	 * Units that no action consumed: read after the script ran out, or while waiting for the client
	 * to close ({@link #awaitClose()}, or before a {@link #greet(String)} that starts the next
	 * connection). A command line appears as in {@link #commands()}; message data as
	 * {@code "<message data, N bytes>"}; a unit cut short by the client closing as
	 * {@code "<incomplete unit: text>"}.
	 * @return a copy of the list
	 */
	public List<String> unexpectedCommands() {
		return List.copyOf(this.unexpected);
	}

	/**
	 * The errors recorded on the server thread so far. Each is an {@link AssertionError} whose
	 * message names the connection (1-based) and the action, with the underlying exception, if
	 * any, as its cause (for example an {@link javax.net.ssl.SSLHandshakeException}).
	 * @return a copy of the list
	 */
	public List<AssertionError> failures() {
		return List.copyOf(this.failures);
	}

	/**
	 * Throws if the server thread recorded any failure.
	 * @throws AssertionError listing every failure, each attached as a suppressed exception
	 */
	public void assertNoFailures() {
		List<AssertionError> recorded = failures();
		if (recorded.isEmpty()) {
			return;
		}
		StringBuilder message = new StringBuilder("The scripted SMTP server recorded " + recorded.size()
				+ " failure(s):");
		for (AssertionError failure : recorded) {
			message.append("\n  - ").append(failure.getMessage());
		}
		AssertionError error = new AssertionError(message.toString());
		recorded.forEach(error::addSuppressed);
		throw error;
	}

	/**
	 * The number of connections accepted so far.
	 * @return the count
	 */
	public int connectionCount() {
		return this.receivedPerConnection.size();
	}

	/**
	 * Waits until every action enqueued so far has run (an action that failed counts as run; a
	 * {@link #stall()} counts once its unit was read).
	 * @param timeout how long to wait
	 * @throws AssertionError on timeout, or if the server was closed with actions left
	 */
	public void awaitScriptDone(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		synchronized (this.progress) {
			while (this.unfinishedActions > 0) {
				if (this.closed.get()) {
					throw new AssertionError("The server was closed with " + this.unfinishedActions
							+ " action(s) of its script not run" + diagnostics());
				}
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					throw new AssertionError("The script was not done within " + timeout + ": "
							+ this.unfinishedActions + " action(s) not finished" + diagnostics());
				}
				try {
					TimeUnit.NANOSECONDS.timedWait(this.progress, remaining);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new AssertionError("Interrupted while waiting for the script", ex);
				}
			}
		}
	}

	/**
	 * {@link #awaitScriptDone(Duration)} with {@link #timeout()}.
	 */
	public void awaitScriptDone() {
		awaitScriptDone(this.timeout);
	}

	/**
	 * Stops the server: stops accepting, closes the current connection and the listening socket,
	 * joins the server thread (bounded by {@link #timeout()}), and deletes the unix-domain socket
	 * file. Idempotent; never throws for failures recorded on the server thread.
	 */
	@Override
	public void close() {
		if (!this.closed.compareAndSet(false, true)) {
			return;
		}
		closeQuietly(this.tcpServer);
		closeQuietly(this.unixServer);
		Connection connection = this.current;
		if (connection != null) {
			connection.forceClose();
		}
		synchronized (this.progress) {
			this.progress.notifyAll();
		}
		try {
			this.serverThread.join(this.timeout.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (this.serverThread.isAlive()) {
			this.failures.add(new AssertionError("The server thread did not stop within " + this.timeout));
		}
		this.watchdog.shutdownNow();
		this.readers.shutdownNow();
		if (this.socketFile != null) {
			try {
				Files.deleteIfExists(this.socketFile);
			}
			catch (IOException ex) {
				this.failures.add(new AssertionError("Cannot delete the socket file " + this.socketFile, ex));
			}
		}
	}

	@Override
	public String toString() {
		String address = (this.socketFile != null) ? "unix:" + this.socketFile
				: LOOPBACK + ":" + this.tcpServer.getLocalPort();
		return "ScriptedSmtpServer[" + address + (this.implicitTls != null ? ", implicit TLS" : "") + ", connections="
				+ connectionCount() + ", actions left=" + this.script.size() + "]";
	}

	// ---------------------------------------------------------------------------------------
	// Server thread

	private void serve() {
		while (!this.closed.get()) {
			Connection connection;
			try {
				connection = accept();
			}
			catch (IOException | RuntimeException ex) {
				if (!this.closed.get()) {
					this.failures.add(new AssertionError("Accepting a connection failed: " + ex, ex));
				}
				return;
			}
			this.current = connection;
			try {
				if (!this.closed.get()) {
					serveConnection(connection);
				}
			}
			catch (RuntimeException ex) {
				recordFailure(connection, "serving the connection", "unexpected error: " + ex, ex);
			}
			finally {
				try {
					endConnection(connection);
				}
				catch (RuntimeException ex) {
					recordFailure(connection, "closing the connection", "unexpected error: " + ex, ex);
				}
				this.current = null;
			}
		}
	}

	private Connection accept() throws IOException {
		if (this.unixServer != null) {
			SocketChannel channel = this.unixServer.accept();
			return new UnixConnection(newConnectionSink(), channel);
		}
		Socket socket = this.tcpServer.accept();
		socket.setTcpNoDelay(true);
		return new TcpConnection(newConnectionSink(), socket);
	}

	private ByteSink newConnectionSink() {
		ByteSink sink = new ByteSink(this.receivedPerConnection.size() + 1);
		this.receivedPerConnection.add(sink);
		return sink;
	}

	private void endConnection(Connection c) {
		CompletableFuture<Unit> pending = c.pendingRead;
		if (pending != null && !pending.isDone()) {
			// A reader thread is blocked in a read: close under it rather than attempt a TLS
			// close_notify that would contend with it. The read then fails, and is ignored.
			c.forceClose();
			return;
		}
		if (pending != null && !pending.isCompletedExceptionally()) {
			Unit unit = pending.join();
			if (unit != null) {
				// Read while the script was empty, and no action came to take it.
				this.unexpected.add(describe(unit));
			}
		}
		c.closeGracefully();
	}

	private void serveConnection(Connection c) {
		if (this.implicitTls != null) {
			Action handshake = new Action("implicit TLS handshake", false, false, (conn) -> {
				conn.upgradeToTls(this.implicitTls);
				return Outcome.CONTINUE;
			});
			if (runBounded(c, handshake) != Outcome.CONTINUE) {
				return;
			}
		}
		while (!this.closed.get()) {
			Action action = this.script.peek();
			if (action == null) {
				if (readUntilScriptOrClose(c)) {
					continue;
				}
				return;
			}
			if (action.startsConnection && c.actionsRun > 0) {
				// The greeting belongs to the next connection: let the client finish this one.
				runBounded(c, awaitCloseAction("awaitClose() implied by " + action.description
						+ ", which starts the next connection"));
				return;
			}
			this.script.poll();
			Outcome outcome;
			try {
				outcome = runBounded(c, action);
			}
			finally {
				c.actionsRun++;
				actionFinished();
			}
			if (outcome == Outcome.HOLD) {
				holdUntilClientCloses(c);
				return;
			}
			if (outcome == Outcome.END) {
				return;
			}
		}
	}

	/**
	 * Runs one action with the watchdog armed, turning every error into a recorded failure (or a
	 * quiet end, where the client closing is allowed) and an {@link Outcome#END}.
	 */
	private Outcome runBounded(Connection c, Action action) {
		Duration limit = this.timeout;
		ScheduledFuture<?> alarm;
		try {
			alarm = this.watchdog.schedule(() -> {
				c.timedOut = true;
				c.forceClose();
			}, limit.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			// Only after close() shut the watchdog down.
			return Outcome.END;
		}
		try {
			return action.step.run(c);
		}
		catch (ClientClosedException ex) {
			if (!action.quietWhenClientCloses && !this.closed.get()) {
				recordFailure(c, action.description, "the client closed the connection instead of sending a unit",
						null);
			}
			return Outcome.END;
		}
		catch (IOException | RuntimeException ex) {
			if (this.closed.get()) {
				return Outcome.END;
			}
			if (c.timedOut) {
				recordFailure(c, action.description, "timed out after " + limit, ex);
			}
			else {
				recordFailure(c, action.description, String.valueOf(ex), ex);
			}
			return Outcome.END;
		}
		finally {
			alarm.cancel(false);
		}
	}

	/**
	 * Reads while the script is empty, listing what arrives as unexpected, until an action is
	 * enqueued (returns {@code true}; a unit already read, or still being read, goes to the next
	 * reading action), or the client or the server closes (returns {@code false}). The read runs on
	 * a reader thread so that an action enqueued meanwhile, such as a greeting, runs at once.
	 */
	private boolean readUntilScriptOrClose(Connection c) {
		while (true) {
			CompletableFuture<Unit> read = pendingOrNewRead(c);
			synchronized (this.progress) {
				while (!read.isDone() && this.script.isEmpty() && !this.closed.get()) {
					try {
						this.progress.wait();
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
						return false;
					}
				}
			}
			if (this.closed.get()) {
				return false;
			}
			if (!this.script.isEmpty()) {
				return true;
			}
			Unit unit;
			try {
				unit = awaitUnit(c);
			}
			catch (IncompleteUnitException ex) {
				this.unexpected.add(ex.describe());
				return false;
			}
			catch (IOException | RuntimeException ex) {
				recordUnlessClientWentAway(c, "reading after the script ran out", ex);
				return false;
			}
			if (unit == null) {
				return false;
			}
			this.unexpected.add(describe(unit));
		}
	}

	/** After {@link #stall()}: keep the connection open, recording input, until either side closes. */
	private void holdUntilClientCloses(Connection c) {
		try {
			while (awaitUnit(c) != null) {
				// Recorded by readUnit; a stalled server answers nothing.
			}
		}
		catch (IncompleteUnitException ex) {
			// The client gave up mid-unit; its bytes are in received().
		}
		catch (IOException | RuntimeException ex) {
			recordUnlessClientWentAway(c, "stall()", ex);
		}
	}

	private void readUntilClientCloses(Connection c) throws IOException {
		while (true) {
			Unit unit;
			try {
				unit = awaitUnit(c);
			}
			catch (IncompleteUnitException ex) {
				this.unexpected.add(ex.describe());
				return;
			}
			catch (IOException ex) {
				if (c.timedOut || this.closed.get() || ex instanceof UnitTooLongException) {
					throw ex;
				}
				return; // reset by the client, or similar: it is gone, which is what we waited for
			}
			if (unit == null) {
				return;
			}
			this.unexpected.add(describe(unit));
		}
	}

	private void recordUnlessClientWentAway(Connection c, String during, Exception ex) {
		// Only a unit over the size cap is the client's fault here; a reset or the server closing is not.
		if (ex instanceof UnitTooLongException && !this.closed.get()) {
			recordFailure(c, during, ex.getMessage(), ex);
		}
	}

	private void actionFinished() {
		synchronized (this.progress) {
			this.unfinishedActions--;
			this.progress.notifyAll();
		}
	}

	private void recordFailure(Connection c, String during, String message, Throwable cause) {
		this.failures.add(new AssertionError("connection " + c.received.number + ", " + during + ": " + message, cause));
	}

	private String diagnostics() {
		Action next = this.script.peek();
		return "; next action: " + ((next != null) ? next.description : "none") + "; connections: "
				+ connectionCount() + "; commands: " + this.commands + "; failures: "
				+ this.failures.stream().map(Throwable::getMessage).toList();
	}

	// ---------------------------------------------------------------------------------------
	// Units

	private Unit readUnitOrThrow(Connection c) throws IOException {
		Unit unit = awaitUnit(c);
		if (unit == null) {
			throw new ClientClosedException();
		}
		return unit;
	}

	/**
	 * The connection's read in progress (started while the script was empty), or a new one. Reads
	 * run on a reader thread, one at a time per connection; the server thread waits for them.
	 */
	private CompletableFuture<Unit> pendingOrNewRead(Connection c) {
		CompletableFuture<Unit> read = c.pendingRead;
		if (read != null) {
			return read;
		}
		CompletableFuture<Unit> started = new CompletableFuture<>();
		c.pendingRead = started;
		try {
			this.readers.execute(() -> {
				try {
					started.complete(readUnit(c));
				}
				catch (Throwable ex) {
					started.completeExceptionally(ex);
				}
				finally {
					synchronized (this.progress) {
						this.progress.notifyAll();
					}
				}
			});
		}
		catch (RejectedExecutionException ex) {
			started.completeExceptionally(new IOException("The server is closed", ex));
		}
		return started;
	}

	/**
	 * Waits for the next unit: no bound of its own, because the watchdog (or {@link #close()})
	 * closes the connection under a read that takes too long, which ends the read.
	 */
	private Unit awaitUnit(Connection c) throws IOException {
		CompletableFuture<Unit> read = pendingOrNewRead(c);
		try {
			return read.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			c.forceClose();
			throw new InterruptedIOException("Interrupted while reading");
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof IOException io) {
				throw io;
			}
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			throw new IOException(cause);
		}
		finally {
			if (read.isDone()) {
				c.pendingRead = null;
			}
		}
	}

	/**
	 * Reads and records the next unit, or returns {@code null} if the client closed the connection
	 * before sending any byte of one. Runs on a reader thread.
	 */
	private Unit readUnit(Connection c) throws IOException {
		if (c.expectData) {
			byte[] data = readMessageData(c);
			if (data == null) {
				return null;
			}
			c.expectData = false;
			this.messages.add(data);
			return new Unit(null, data);
		}
		byte[] line = c.readLine(MAX_UNIT_BYTES);
		if (line == null) {
			return null;
		}
		String command = stripLineEnding(line);
		this.commands.add(command);
		this.commandFeed.add(command);
		Matcher bdat = BDAT.matcher(command);
		if (bdat.matches()) {
			String digits = bdat.group(1);
			long size = (digits.length() > 9) ? Long.MAX_VALUE : Long.parseLong(digits);
			if (size > MAX_UNIT_BYTES) {
				throw new UnitTooLongException("BDAT chunk of " + size + " bytes exceeds the cap of "
						+ MAX_UNIT_BYTES + " bytes");
			}
			byte[] chunk = c.readExactly((int) size);
			this.bdatChunks.add(chunk);
			return new Unit(command, chunk);
		}
		return new Unit(command, null);
	}

	private static byte[] readMessageData(Connection c) throws IOException {
		ByteArrayOutputStream data = new ByteArrayOutputStream();
		while (true) {
			byte[] line;
			try {
				line = c.readLine(MAX_UNIT_BYTES - data.size());
			}
			catch (IncompleteUnitException ex) {
				data.writeBytes(ex.partial);
				throw new IncompleteUnitException(data.toByteArray());
			}
			if (line == null) {
				if (data.size() == 0) {
					return null;
				}
				throw new IncompleteUnitException(data.toByteArray());
			}
			data.writeBytes(line);
			if (Arrays.equals(line, DATA_TERMINATOR)) {
				return data.toByteArray();
			}
		}
	}

	/**
	 * Writes and flushes; {@code announcesData} says the bytes contain a 354 reply, after which the
	 * next unit is message data.
	 */
	private static void write(Connection c, byte[] bytes, boolean announcesData) throws IOException {
		c.out.write(bytes);
		c.out.flush();
		if (announcesData) {
			c.expectData = true;
		}
	}

	private static boolean announcesData(String reply) {
		return reply.startsWith("354");
	}

	private static String describe(Unit unit) {
		if (unit.command != null) {
			return unit.command;
		}
		return "<message data, " + unit.data.length + " bytes>";
	}

	private static String stripLineEnding(byte[] line) {
		int end = line.length;
		if (end > 0 && line[end - 1] == '\n') {
			end--;
			if (end > 0 && line[end - 1] == '\r') {
				end--;
			}
		}
		return new String(line, 0, end, StandardCharsets.ISO_8859_1);
	}

	private static byte[] encodeReply(String reply) {
		Objects.requireNonNull(reply, "reply");
		StringBuilder wire = new StringBuilder();
		for (String line : reply.split("\n", -1)) {
			if (line.endsWith("\r")) {
				line = line.substring(0, line.length() - 1);
			}
			wire.append(line).append("\r\n");
		}
		// A trailing "\n" in the argument must not add an empty line.
		if (reply.endsWith("\n")) {
			wire.setLength(wire.length() - 2);
		}
		return wire.toString().getBytes(StandardCharsets.UTF_8);
	}

	private static String quote(String text) {
		String escaped = text.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n").replace("\"", "\\\"");
		if (escaped.length() > 80) {
			escaped = escaped.substring(0, 77) + "...";
		}
		return "\"" + escaped + "\"";
	}

	private static List<byte[]> copies(List<byte[]> arrays) {
		List<byte[]> copy = new ArrayList<>(arrays.size());
		for (byte[] array : arrays) {
			copy.add(array.clone());
		}
		return List.copyOf(copy);
	}

	private void requireTcp() {
		if (this.tcpServer == null) {
			throw new IllegalStateException("A unix-domain server has no host or port; use socketFile()");
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		if (closeable == null) {
			return;
		}
		try {
			closeable.close();
		}
		catch (Exception ex) {
			// Closing is best effort.
		}
	}

	// ---------------------------------------------------------------------------------------
	// Types

	private enum Outcome {

		/** The connection goes on with the next action. */
		CONTINUE,

		/** The connection is closed; the next action belongs to the next connection. */
		END,

		/** The connection stays open, unanswered, until the client or the server closes it. */
		HOLD

	}

	@FunctionalInterface
	private interface Step {

		Outcome run(Connection connection) throws IOException;

	}

	/**
	 * One scripted action. {@code startsConnection} marks a greeting; {@code quietWhenClientCloses}
	 * marks actions for which the client closing the connection is an expected outcome.
	 */
	private record Action(String description, boolean startsConnection, boolean quietWhenClientCloses, Step step) {

		@Override
		public String toString() {
			return this.description;
		}

	}

	/**
	 * A unit read from the client: a command line ({@code command} set; {@code data} is the BDAT
	 * payload, if any) or message data ({@code command} null).
	 */
	private record Unit(String command, byte[] data) {
	}

	/** The client closed the connection before sending any byte of the unit an action expected. */
	private static final class ClientClosedException extends IOException {

		ClientClosedException() {
			super("the client closed the connection");
		}

	}

	/** The client closed the connection in the middle of a unit. */
	private static final class IncompleteUnitException extends EOFException {

		final byte[] partial;

		IncompleteUnitException(byte[] partial) {
			super("the client closed the connection in the middle of a unit, after "
					+ partial.length + " byte(s): " + quote(new String(partial, StandardCharsets.ISO_8859_1)));
			this.partial = partial;
		}

		String describe() {
			return "<incomplete unit: " + new String(this.partial, StandardCharsets.ISO_8859_1) + ">";
		}

	}

	private static final class UnitTooLongException extends IOException {

		UnitTooLongException(String message) {
			super(message);
		}

	}

	/** Bytes received on one connection; written by the server thread, read by the test. */
	private static final class ByteSink {

		final int number;

		private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		ByteSink(int number) {
			this.number = number;
		}

		synchronized void write(byte[] buffer, int offset, int length) {
			this.bytes.write(buffer, offset, length);
		}

		synchronized byte[] toByteArray() {
			return this.bytes.toByteArray();
		}

	}

	/**
	 * One accepted connection: its streams (replaced by the TLS ones after an upgrade), a read
	 * buffer, and per-connection script state. Used by the server thread only, except
	 * {@link #forceClose()} and {@link #timedOut}, which the watchdog and {@link #close()} use.
	 */
	private abstract static class Connection {

		final ByteSink received;

		InputStream in;

		OutputStream out;

		private final byte[] buffer = new byte[8192];

		private int position;

		private int limit;

		/** The server wrote a 354 reply: the next unit is message data. */
		volatile boolean expectData;

		int actionsRun;

		/** A read started while the script was empty; taken by the next reading action. */
		CompletableFuture<Unit> pendingRead;

		volatile boolean timedOut;

		Connection(ByteSink received) {
			this.received = received;
		}

		/** Closes the transport from any thread, unblocking a read or write in progress. */
		abstract void forceClose();

		/** Closes the connection at the end of its script (a TLS connection sends close_notify). */
		abstract void closeGracefully();

		abstract void upgradeToTls(SSLContext context) throws IOException;

		/** Drops bytes already buffered (read from the client but not yet part of a unit). */
		int discardBuffered() {
			int count = this.limit - this.position;
			this.position = 0;
			this.limit = 0;
			return count;
		}

		/**
		 * Reads one line up to and including LF. Returns {@code null} on end of stream before the
		 * first byte; throws {@link IncompleteUnitException} on end of stream within the line.
		 */
		byte[] readLine(int maxBytes) throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream();
			while (true) {
				if (this.position == this.limit && !fill()) {
					if (line.size() == 0) {
						return null;
					}
					throw new IncompleteUnitException(line.toByteArray());
				}
				int start = this.position;
				while (this.position < this.limit && this.buffer[this.position] != '\n') {
					this.position++;
				}
				boolean complete = this.position < this.limit;
				if (complete) {
					this.position++;
				}
				line.write(this.buffer, start, this.position - start);
				if (line.size() > maxBytes) {
					throw new UnitTooLongException("a unit exceeds the cap of " + MAX_UNIT_BYTES + " bytes");
				}
				if (complete) {
					return line.toByteArray();
				}
			}
		}

		byte[] readExactly(int count) throws IOException {
			byte[] result = new byte[count];
			int filled = 0;
			while (filled < count) {
				if (this.position == this.limit && !fill()) {
					throw new IncompleteUnitException(Arrays.copyOf(result, filled));
				}
				int chunk = Math.min(count - filled, this.limit - this.position);
				System.arraycopy(this.buffer, this.position, result, filled, chunk);
				this.position += chunk;
				filled += chunk;
			}
			return result;
		}

		private boolean fill() throws IOException {
			int count = this.in.read(this.buffer);
			if (count <= 0) {
				return false;
			}
			this.received.write(this.buffer, 0, count);
			this.position = 0;
			this.limit = count;
			return true;
		}

	}

	private static final class TcpConnection extends Connection {

		private final Socket socket;

		private volatile SSLSocket tls;

		TcpConnection(ByteSink received, Socket socket) throws IOException {
			super(received);
			this.socket = socket;
			this.in = socket.getInputStream();
			this.out = socket.getOutputStream();
		}

		@Override
		void upgradeToTls(SSLContext context) throws IOException {
			SSLSocket upgraded = (SSLSocket) context.getSocketFactory()
				.createSocket(this.socket, this.socket.getInetAddress().getHostAddress(), this.socket.getPort(), true);
			upgraded.setUseClientMode(false);
			this.tls = upgraded;
			upgraded.startHandshake();
			this.in = upgraded.getInputStream();
			this.out = upgraded.getOutputStream();
		}

		@Override
		void forceClose() {
			// The plain socket, not the SSLSocket: closing the latter from another thread would try
			// to send close_notify while the server thread may hold the TLS locks.
			closeQuietly(this.socket);
		}

		@Override
		void closeGracefully() {
			closeQuietly(this.tls);
			closeQuietly(this.socket);
		}

	}

	private static final class UnixConnection extends Connection {

		private final SocketChannel channel;

		UnixConnection(ByteSink received, SocketChannel channel) {
			super(received);
			this.channel = channel;
			this.in = Channels.newInputStream(channel);
			// Not Channels.newOutputStream: on JDK 17 its writes lock the channel's blockingLock(),
			// which the reader thread holds while blocked in a read, so a greeting could not be
			// written while the server waits for input. The channel itself reads and writes
			// concurrently.
			this.out = new OutputStream() {

				@Override
				public void write(int b) throws IOException {
					write(new byte[] { (byte) b }, 0, 1);
				}

				@Override
				public void write(byte[] bytes, int offset, int length) throws IOException {
					ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
					while (buffer.hasRemaining()) {
						channel.write(buffer);
					}
				}

			};
		}

		@Override
		void upgradeToTls(SSLContext context) throws IOException {
			throw new IOException("TLS is not supported on a unix-domain socket by this fake server");
		}

		@Override
		void forceClose() {
			closeQuietly(this.channel);
		}

		@Override
		void closeGracefully() {
			closeQuietly(this.channel);
		}

	}

}
