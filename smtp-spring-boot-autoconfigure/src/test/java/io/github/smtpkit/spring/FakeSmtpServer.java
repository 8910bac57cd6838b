package io.github.smtpkit.spring;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A small SMTP server on 127.0.0.1 for what GreenMail will not do: refuse chosen senders and
 * recipients, refuse credentials, record every transaction exactly as it came (envelope lines and
 * data), or accept connections and never say a word. It advertises PIPELINING, 8BITMIME, DSN and
 * SMTPUTF8 (or, {@linkplain #withoutDsn made so}, all but DSN), and answers pipelined commands in
 * order. Every connection has its own daemon thread, and every read gives up after 10 s, so a test
 * never hangs on it.
 */
final class FakeSmtpServer implements AutoCloseable {

	/** A DSN parameter (RFC 3461) after the address of a MAIL or RCPT line. */
	private static final Pattern DSN_PARAMETER = Pattern.compile(">.*\\s(RET|ENVID|NOTIFY|ORCPT)=",
			Pattern.CASE_INSENSITIVE);

	private final ServerSocket serverSocket;

	private final boolean silent;

	private final Predicate<String> refused;

	private final boolean refusingCredentials;

	private final boolean dsn;

	private final AtomicInteger connections = new AtomicInteger();

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final List<String> messages = new CopyOnWriteArrayList<>();

	private final List<Transaction> transactions = new CopyOnWriteArrayList<>();

	private final List<String> commands = new CopyOnWriteArrayList<>();

	private FakeSmtpServer(boolean silent, Predicate<String> refused, boolean refusingCredentials, boolean dsn) {
		this.silent = silent;
		this.refused = refused;
		this.refusingCredentials = refusingCredentials;
		this.dsn = dsn;
		try {
			this.serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		Thread acceptor = new Thread(this::accept, "fake-smtp-acceptor");
		acceptor.setDaemon(true);
		acceptor.start();
	}

	/**
	 * A server that answers like a plain ESMTP server, refusing with 550 the MAIL and RCPT lines
	 * that match, with 451 those that match and contain {@code later@}, and with 554 after the data
	 * a message that has an {@code X-Refuse: data} header.
	 */
	static FakeSmtpServer refusing(Predicate<String> refusedLine) {
		return new FakeSmtpServer(false, refusedLine, false, true);
	}

	/**
	 * A server like {@link #refusing(Predicate)} that does not advertise DSN (as Gmail's submission
	 * servers do not) and so, as RFC 5321 4.1.1.11 has it, refuses with 555 a MAIL or RCPT line
	 * with a DSN parameter ({@code RET=}, {@code ENVID=}, {@code NOTIFY=}, {@code ORCPT=}).
	 */
	static FakeSmtpServer withoutDsn(Predicate<String> refusedLine) {
		return new FakeSmtpServer(false, refusedLine, false, false);
	}

	/** A server that offers AUTH PLAIN and LOGIN, and refuses every login with 535. */
	static FakeSmtpServer refusingCredentials() {
		return new FakeSmtpServer(false, (line) -> false, true, true);
	}

	/** A server that accepts connections and never answers, not even with a greeting. */
	static FakeSmtpServer silent() {
		return new FakeSmtpServer(true, (line) -> false, false, true);
	}

	int port() {
		return this.serverSocket.getLocalPort();
	}

	/** The connections accepted so far. */
	int connections() {
		return this.connections.get();
	}

	/** The message data received, without the terminating dot, in order. */
	List<String> messages() {
		return this.messages;
	}

	/** Every transaction that got as far as its data, in order. */
	List<Transaction> transactions() {
		return this.transactions;
	}

	/** Every command line received, on every connection, in order. */
	List<String> commands() {
		return this.commands;
	}

	/** Forgets what was received so far. */
	void clear() {
		this.messages.clear();
		this.transactions.clear();
		this.commands.clear();
	}

	private void accept() {
		while (!this.serverSocket.isClosed()) {
			try {
				Socket socket = this.serverSocket.accept();
				this.connections.incrementAndGet();
				this.sockets.add(socket);
				if (!this.silent) {
					Thread thread = new Thread(() -> converse(socket), "fake-smtp-connection");
					thread.setDaemon(true);
					thread.start();
				}
			}
			catch (IOException ex) {
				// Closed: the test is over.
			}
		}
	}

	private void converse(Socket socket) {
		try (socket) {
			socket.setSoTimeout(10_000);
			BufferedReader in = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
			OutputStream out = socket.getOutputStream();
			reply(out, "220 fake.test ESMTP");
			String mail = null;
			List<String> rcpts = new ArrayList<>();
			String line;
			while ((line = in.readLine()) != null) {
				this.commands.add(line);
				String command = line.toUpperCase(Locale.ROOT);
				if (command.startsWith("EHLO")) {
					reply(out, "250-fake.test\r\n250-PIPELINING\r\n250-8BITMIME" + (this.dsn ? "\r\n250-DSN" : "")
							+ "\r\n250-SMTPUTF8" + (this.refusingCredentials ? "\r\n250-AUTH PLAIN LOGIN" : "")
							+ "\r\n250 ENHANCEDSTATUSCODES");
				}
				else if (!this.dsn && (command.startsWith("MAIL") || command.startsWith("RCPT"))
						&& DSN_PARAMETER.matcher(line).find()) {
					if (command.startsWith("MAIL")) {
						mail = null;
					}
					reply(out, "555 5.5.4 DSN parameters not supported");
				}
				else if (command.startsWith("AUTH")) {
					reply(out, "535 5.7.8 authentication failed");
				}
				else if (command.startsWith("MAIL")) {
					boolean refusedSender = this.refused.test(line);
					mail = refusedSender ? null : line;
					reply(out, refusedSender ? "550 5.1.8 sender refused" : "250 2.1.0 ok");
				}
				else if (command.startsWith("RCPT")) {
					if (!this.refused.test(line)) {
						rcpts.add(line);
						reply(out, "250 2.1.5 ok");
					}
					else {
						reply(out, line.contains("later@") ? "451 4.3.0 try later" : "550 5.1.1 no such user");
					}
				}
				else if (command.startsWith("DATA")) {
					if (mail == null || rcpts.isEmpty()) {
						reply(out, "554 5.5.1 no valid recipients");
						continue;
					}
					reply(out, "354 go ahead");
					String data = readData(in);
					if (data == null) {
						// The client went away before the final dot: an unfinished message is discarded.
						return;
					}
					boolean refusedData = data.contains("\r\nX-Refuse: data\r\n") || data.startsWith("X-Refuse: data");
					if (!refusedData) {
						this.messages.add(data);
						this.transactions.add(new Transaction(mail, List.copyOf(rcpts), data));
					}
					reply(out, refusedData ? "554 5.6.0 message refused" : "250 2.0.0 queued");
					mail = null;
					rcpts.clear();
				}
				else if (command.startsWith("RSET")) {
					mail = null;
					rcpts.clear();
					reply(out, "250 2.0.0 ok");
				}
				else if (command.startsWith("QUIT")) {
					reply(out, "221 bye");
					return;
				}
				else {
					reply(out, "250 ok");
				}
			}
		}
		catch (IOException ex) {
			// The client went away.
		}
	}

	/** The message data up to the final dot, or {@code null} when the connection ended before it. */
	private static String readData(BufferedReader in) throws IOException {
		StringBuilder data = new StringBuilder();
		String line;
		while ((line = in.readLine()) != null) {
			if (line.equals(".")) {
				return data.toString();
			}
			data.append(line).append("\r\n");
		}
		return null;
	}

	private static void reply(OutputStream out, String reply) throws IOException {
		out.write((reply + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
	}

	/**
	 * A transaction as the server received it.
	 * @param mail the MAIL line
	 * @param rcpts the accepted RCPT lines, in order
	 * @param data the message data, dot-stuffed as sent, without the terminating dot
	 */
	record Transaction(String mail, List<String> rcpts, String data) {
	}

	@Override
	public void close() throws IOException {
		this.serverSocket.close();
		for (Socket socket : this.sockets) {
			socket.close();
		}
	}

}
