package io.github.smtpkit.benchmarks;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire's limit for {@code sendAll}, as a peer: a minimal client with no library around it,
 * one socket per thread, that pipelines as far as RFC 2920 allows. Per batch of
 * {@value SendBenchmark#BATCH} messages it writes MAIL, RCPT and DATA, reads their three replies,
 * then for each message writes its data, its end-of-data dot and (but for the last) the next
 * message's MAIL, RCPT and DATA in one write, and reads the replies: the shape of
 * {@code SmtpClient.sendAll}, one round trip per message, without anything else.
 *
 * <p>It checks each reply's class and nothing more; the benchmark's message has no line that
 * starts with a dot, so it is written as it is, without dot-stuffing.
 */
final class RawPipelineClient implements SendBenchmark.Client {

	private static final byte[] COMMANDS = ("MAIL FROM:<" + SendBenchmark.FROM + ">\r\nRCPT TO:<" + SendBenchmark.TO
			+ ">\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII);

	private static final byte[] END_OF_DATA = ".\r\n".getBytes(StandardCharsets.US_ASCII);

	/** A reply line longer than this is not a reply smtp-sink sends. */
	private static final int MAX_LINE = 4096;

	private final String host;

	private final int port;

	private final SendBenchmark.Message message;

	private final String heloName;

	private final List<Socket> sockets = new ArrayList<>();

	RawPipelineClient(String host, int port, SendBenchmark.Message message, String heloName) {
		this.host = host;
		this.port = port;
		this.message = message;
		this.heloName = heloName;
	}

	@Override
	public SendBenchmark.Worker worker(int index) throws IOException {
		Socket socket = new Socket();
		synchronized (this.sockets) {
			this.sockets.add(socket);
		}
		socket.setTcpNoDelay(true);
		socket.setSoTimeout(60_000);
		socket.connect(new InetSocketAddress(this.host, this.port), 10_000);
		InputStream in = new BufferedInputStream(socket.getInputStream(), 8192);
		OutputStream out = socket.getOutputStream();
		expect(in, '2', "greeting");
		out.write(("EHLO " + this.heloName + "\r\n").getBytes(StandardCharsets.US_ASCII));
		expect(in, '2', "EHLO");
		// One buffer per thread: the message (its Message-ID patched in place), the dot, the next commands.
		byte[] data = this.message.bytes();
		byte[] buffer = new byte[data.length + END_OF_DATA.length + COMMANDS.length];
		System.arraycopy(data, 0, buffer, 0, data.length);
		System.arraycopy(END_OF_DATA, 0, buffer, data.length, END_OF_DATA.length);
		System.arraycopy(COMMANDS, 0, buffer, data.length + END_OF_DATA.length, COMMANDS.length);
		int withoutCommands = data.length + END_OF_DATA.length;
		long[] id = { SendBenchmark.firstId(index) };
		return new SendBenchmark.Worker() {

			@Override
			public void send(int count) throws IOException {
				out.write(COMMANDS);
				expect(in, '2', "MAIL");
				expect(in, '2', "RCPT");
				expect(in, '3', "DATA");
				for (int i = 0; i < count; i++) {
					RawPipelineClient.this.message.patchId(buffer, id[0]++);
					boolean last = i == count - 1;
					out.write(buffer, 0, last ? withoutCommands : buffer.length);
					expect(in, '2', "end of data");
					if (!last) {
						expect(in, '2', "MAIL");
						expect(in, '2', "RCPT");
						expect(in, '3', "DATA");
					}
				}
			}

			@Override
			public int batchSize() {
				return SendBenchmark.BATCH;
			}

		};
	}

	/** Reads one reply, single- or multi-line, and checks the first digit of its code. */
	private static void expect(InputStream in, char replyClass, String answering) throws IOException {
		while (true) {
			int length = 0;
			int first = -1;
			int fourth = -1;
			int b;
			while ((b = in.read()) != '\n') {
				if (b < 0) {
					throw new IOException("connection closed while reading the reply to " + answering);
				}
				if (length == 0) {
					first = b;
				}
				else if (length == 3) {
					fourth = b;
				}
				if (++length > MAX_LINE) {
					throw new IOException("reply line to " + answering + " longer than " + MAX_LINE);
				}
			}
			if (fourth == '-') {
				continue;
			}
			if (first != replyClass) {
				throw new IOException("unexpected reply to " + answering + " (class " + (char) first + ")");
			}
			return;
		}
	}

	@Override
	public void close() {
		for (Socket socket : this.sockets) {
			try {
				socket.close();
			}
			catch (IOException ex) {
				// After the measurement: nothing to report.
			}
		}
	}

}
