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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A small SMTP server on 127.0.0.1 for what GreenMail will not do: refuse chosen recipients, or
 * accept connections and never say a word. Every connection has its own daemon thread, and every
 * read gives up after 10 s, so a test never hangs on it.
 */
final class FakeSmtpServer implements AutoCloseable {

	private final ServerSocket serverSocket;

	private final boolean silent;

	private final Predicate<String> refusedRecipient;

	private final AtomicInteger connections = new AtomicInteger();

	private final List<Socket> sockets = new CopyOnWriteArrayList<>();

	private final List<String> messages = new CopyOnWriteArrayList<>();

	private FakeSmtpServer(boolean silent, Predicate<String> refusedRecipient) {
		this.silent = silent;
		this.refusedRecipient = refusedRecipient;
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

	/** A server that answers like a plain ESMTP server, refusing the matching recipients with 550. */
	static FakeSmtpServer refusing(Predicate<String> refusedRecipient) {
		return new FakeSmtpServer(false, refusedRecipient);
	}

	/** A server that accepts connections and never answers, not even with a greeting. */
	static FakeSmtpServer silent() {
		return new FakeSmtpServer(true, (recipient) -> false);
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
			String line;
			while ((line = in.readLine()) != null) {
				String command = line.toUpperCase(Locale.ROOT);
				if (command.startsWith("EHLO")) {
					reply(out, "250-fake.test\r\n250 8BITMIME");
				}
				else if (command.startsWith("RCPT")) {
					reply(out, this.refusedRecipient.test(line) ? "550 5.1.1 no such user" : "250 2.1.5 ok");
				}
				else if (command.startsWith("DATA")) {
					reply(out, "354 go ahead");
					this.messages.add(readData(in));
					reply(out, "250 2.0.0 queued");
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

	private static String readData(BufferedReader in) throws IOException {
		StringBuilder data = new StringBuilder();
		String line;
		while ((line = in.readLine()) != null && !line.equals(".")) {
			data.append(line).append("\r\n");
		}
		return data.toString();
	}

	private static void reply(OutputStream out, String reply) throws IOException {
		out.write((reply + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
	}

	@Override
	public void close() throws IOException {
		this.serverSocket.close();
		for (Socket socket : this.sockets) {
			socket.close();
		}
	}

}
