package io.github.smtpkit;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.zip.CRC32;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.SmtpClientTestSupport.RecordingListener;
import io.github.smtpkit.SmtpClientTestSupport.SendFinished;

import static io.github.smtpkit.SmtpClientTestSupport.ENVELOPE;
import static io.github.smtpkit.SmtpClientTestSupport.FROM;
import static io.github.smtpkit.SmtpClientTestSupport.TO;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Large and streamed messages: a 100 MiB message generated on the fly goes through
 * {@link SmtpClient} without being held in memory, and Jakarta Mail messages are streamed
 * without their Bcc headers.
 *
 * <p>The big message goes to a minimal "sink" server written here, which un-stuffs and checksums
 * the data as it arrives and keeps none of it: the scripted server caps a unit at 1 MiB and keeps
 * every byte, and GreenMail keeps every message in memory. Rather than measure the heap (which
 * depends on when the collector runs), the test checks the property that matters: the client
 * read the message source incrementally, while the server was already receiving, never more than
 * a few socket buffers ahead of it, so it never held the message whole.
 */
@Timeout(60)
class SmtpClientStreamingTests {

	private static final long HUNDRED_MIB = 100L * 1024 * 1024;

	/**
	 * How far the message source may run ahead of what the server received: the client's 64 KiB
	 * output buffer, the kernel's socket buffers on both sides (a few MiB each when auto-tuned)
	 * and the sink's 64 KiB chunk. Generous, yet far below the message size.
	 */
	private static final long MAX_LAG = 32L * 1024 * 1024;

	@Test
	void hundredMibMessageOfUnknownSizeIsStreamedNotBuffered() throws Exception {
		RecordingListener events = new RecordingListener();
		try (SinkServer sink = SinkServer.start()) {
			AtomicInteger opened = new AtomicInteger();
			AtomicLong generatedBytes = new AtomicLong();
			AtomicLong generatedCrc = new AtomicLong();
			AtomicLong maxLag = new AtomicLong();
			AtomicLong receivedAtHalf = new AtomicLong(-1);
			MessageSource source = MessageSource.of(() -> {
				opened.incrementAndGet();
				return new GeneratedMessage(HUNDRED_MIB, sink::contentBytes) {

					@Override
					void progress(long position, long received, CRC32 crc) {
						maxLag.accumulateAndGet(position - received, Math::max);
						if (position >= HUNDRED_MIB / 2) {
							receivedAtHalf.compareAndSet(-1, received);
						}
						generatedBytes.set(position);
						generatedCrc.set(crc.getValue());
					}

				};
			}, -1);
			try (SmtpClient client = sinkClient(sink, events)) {
				SendResult result = client.send(ENVELOPE, source);

				assertThat(result.accepted()).containsExactly(TO);
				assertThat(result.finalReply().code()).isEqualTo(250);
			}
			sink.awaitDone();
			assertThat(sink.failure()).isNull();
			assertThat(opened).hasValue(1);
			assertThat(generatedBytes.get()).isGreaterThan(HUNDRED_MIB);
			assertThat(sink.contentBytes()).isEqualTo(generatedBytes.get());
			assertThat(sink.crc()).as("the message arrived intact, dot-stuffing undone").isEqualTo(generatedCrc.get());
			assertThat(sink.dotStuffedLines()).isPositive();
			assertThat(receivedAtHalf.get()).as("server had received when half the source was read")
				.isGreaterThan(HUNDRED_MIB / 2 - MAX_LAG);
			assertThat(maxLag.get()).as("how far the source ran ahead of the server").isLessThan(MAX_LAG);
			assertThat(sink.commands()).contains("MAIL FROM:<" + FROM + ">");
		}
		assertThat(events.sends()).singleElement().satisfies((send) -> {
			assertThat(send.outcome()).isEqualTo(SendOutcome.ACCEPTED);
			assertThat(send.messageSize()).isEqualTo(-1);
			assertThat(send.attempts()).isEqualTo(1);
		});
	}

	@Test
	void streamedMessageOfKnownSizeAnnouncesItsSize() throws Exception {
		long size = 4L * 1024 * 1024;
		try (SinkServer sink = SinkServer.start()) {
			long total = GeneratedMessage.PREFIX.length + size;
			MessageSource source = MessageSource.of(() -> new GeneratedMessage(size, sink::contentBytes), total);
			try (SmtpClient client = sinkClient(sink, SmtpEventListener.NONE)) {
				assertThat(client.send(ENVELOPE, source).accepted()).containsExactly(TO);
			}
			sink.awaitDone();
			assertThat(sink.failure()).isNull();
			assertThat(sink.commands()).contains("MAIL FROM:<" + FROM + "> SIZE=" + total);
			assertThat(sink.contentBytes()).isEqualTo(total);
		}
	}

	@Test
	void mimeMessageIsStreamedWithoutItsBccHeaderToTheRecipientsOfItsHeaders() throws Exception {
		GreenMail greenMail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
		greenMail.start();
		RecordingListener events = new RecordingListener();
		try {
			MimeMessage mime = new MimeMessage(Session.getInstance(new Properties()));
			mime.setFrom(FROM);
			mime.setRecipients(RecipientType.TO, "to@example.test");
			mime.setRecipients(RecipientType.BCC, "hidden@example.test");
			mime.setSubject("streamed mime");
			mime.setText("Hello from Jakarta Mail.\r\n");
			try (SmtpClient client = SmtpClient.builder()
				.host("127.0.0.1")
				.port(greenMail.getSmtp().getPort())
				.tls(TlsMode.NONE)
				.localHostname("client.test")
				.timeout(Duration.ofSeconds(10))
				.eventListener(events)
				.build()) {
				SendResult headers = client.send(mime);
				SendResult explicit = client.send(Envelope.of(FROM, "other@example.test"), mime);

				assertThat(headers.accepted()).containsExactlyInAnyOrder("to@example.test", "hidden@example.test");
				assertThat(explicit.accepted()).containsExactly("other@example.test");
			}
			assertThat(greenMail.waitForIncomingEmail(5000, 3)).isTrue();
			MimeMessage[] received = greenMail.getReceivedMessages();
			assertThat(received).hasSize(3);
			for (MimeMessage message : received) {
				assertThat(message.getSubject()).isEqualTo("streamed mime");
				assertThat(message.getHeader("Bcc")).as("Bcc header").isNull();
			}
		}
		finally {
			greenMail.stop();
		}
		assertThat(events.sends()).extracting(SendFinished::messageSize).containsExactly(-1L, -1L);
		assertThat(events.sends()).extracting(SendFinished::recipients).containsExactly(2, 1);
	}

	private static SmtpClient sinkClient(SinkServer sink, SmtpEventListener listener) {
		return SmtpClient.builder()
			.host("127.0.0.1")
			.port(sink.port())
			.tls(TlsMode.NONE)
			.localHostname("client.test")
			.timeout(Duration.ofSeconds(10))
			.eventListener(listener)
			.build();
	}

	/**
	 * A message made on the fly: a header, then 64-byte lines of which every eighth starts with a
	 * dot (so dot-stuffing is exercised), {@code bodySize} bytes in all. Reports its progress
	 * against what the server has received so far.
	 */
	static class GeneratedMessage extends InputStream {

		static final byte[] PREFIX = "Subject: generated\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

		private static final byte[] BLOCK = block();

		private final long total;

		private final LongSupplier serverReceived;

		private final CRC32 crc = new CRC32();

		private long position;

		GeneratedMessage(long bodySize, LongSupplier serverReceived) {
			this.total = PREFIX.length + bodySize;
			this.serverReceived = serverReceived;
		}

		private static byte[] block() {
			StringBuilder block = new StringBuilder(64 * 1024);
			for (int line = 0; line < 1024; line++) {
				String text = (line % 8 == 0) ? ".dot-stuffed line " + line : "line " + line + " of generated text";
				block.append(String.format(Locale.ROOT, "%-62s\r\n", text));
			}
			return block.toString().getBytes(StandardCharsets.US_ASCII);
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return (read(one, 0, 1) < 0) ? -1 : (one[0] & 0xFF);
		}

		@Override
		public int read(byte[] buffer, int offset, int length) {
			if (this.position >= this.total) {
				return -1;
			}
			int count = (int) Math.min(length, this.total - this.position);
			int filled = 0;
			while (filled < count) {
				byte[] from;
				int index;
				if (this.position < PREFIX.length) {
					from = PREFIX;
					index = (int) this.position;
				}
				else {
					from = BLOCK;
					index = (int) ((this.position - PREFIX.length) % BLOCK.length);
				}
				int chunk = Math.min(count - filled, from.length - index);
				System.arraycopy(from, index, buffer, offset + filled, chunk);
				filled += chunk;
				this.position += chunk;
			}
			this.crc.update(buffer, offset, count);
			progress(this.position, this.serverReceived.getAsLong(), this.crc);
			return count;
		}

		void progress(long position, long received, CRC32 crc) {
		}

	}

	/**
	 * A minimal SMTP server for one connection that keeps nothing of the message: it answers
	 * every command, un-stuffs the message data as it arrives, and counts and checksums it.
	 */
	static final class SinkServer implements AutoCloseable {

		private final ServerSocket listener;

		private final Thread thread;

		private final List<String> commands = new CopyOnWriteArrayList<>();

		private final AtomicLong contentBytes = new AtomicLong();

		private final CRC32 crc = new CRC32();

		private volatile long crcValue = -1;

		private volatile long dotStuffedLines;

		private volatile Throwable failure;

		private Socket connection;

		private final byte[] in = new byte[64 * 1024];

		private int position;

		private int limit;

		private InputStream input;

		private SinkServer(ServerSocket listener) {
			this.listener = listener;
			this.thread = new Thread(this::serve, "smtp-sink");
			this.thread.setDaemon(true);
		}

		static SinkServer start() throws IOException {
			SinkServer sink = new SinkServer(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
			sink.thread.start();
			return sink;
		}

		int port() {
			return this.listener.getLocalPort();
		}

		long contentBytes() {
			return this.contentBytes.get();
		}

		long crc() {
			return this.crcValue;
		}

		long dotStuffedLines() {
			return this.dotStuffedLines;
		}

		List<String> commands() {
			return List.copyOf(this.commands);
		}

		Throwable failure() {
			return this.failure;
		}

		void awaitDone() throws InterruptedException {
			this.thread.join(TimeUnit.SECONDS.toMillis(30));
			assertThat(this.thread.isAlive()).as("the sink finished its connection").isFalse();
		}

		private void serve() {
			try (Socket socket = this.listener.accept()) {
				synchronized (this) {
					this.connection = socket;
				}
				socket.setSoTimeout(30_000);
				this.input = socket.getInputStream();
				OutputStream out = socket.getOutputStream();
				write(out, "220 sink.test ESMTP");
				String line;
				while ((line = readLine()) != null) {
					this.commands.add(line);
					String verb = line.split(" ", 2)[0].toUpperCase(Locale.ROOT);
					switch (verb) {
						case "EHLO" -> write(out, "250-sink.test\r\n250-SIZE\r\n250 8BITMIME");
						case "MAIL", "RCPT", "RSET", "NOOP" -> write(out, "250 ok");
						case "DATA" -> {
							write(out, "354 go ahead");
							receiveData();
							write(out, "250 2.0.0 sunk");
						}
						case "QUIT" -> {
							write(out, "221 bye");
							return;
						}
						default -> write(out, "500 unknown command");
					}
				}
			}
			catch (Throwable ex) {
				this.failure = ex;
			}
		}

		private static void write(OutputStream out, String reply) throws IOException {
			out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
			out.flush();
		}

		private int next() throws IOException {
			if (this.position == this.limit) {
				int count = this.input.read(this.in);
				if (count <= 0) {
					return -1;
				}
				this.position = 0;
				this.limit = count;
			}
			return this.in[this.position++] & 0xFF;
		}

		private String readLine() throws IOException {
			StringBuilder line = new StringBuilder();
			int b;
			while ((b = next()) != '\n') {
				if (b < 0) {
					return null;
				}
				if (b != '\r') {
					line.append((char) b);
				}
			}
			return line.toString();
		}

		/** Reads the data up to the terminating {@code .CRLF}, undoing dot-stuffing, keeping nothing. */
		private void receiveData() throws IOException {
			byte[] chunk = new byte[64 * 1024];
			int filled = 0;
			boolean lineStart = true;
			while (true) {
				int b = nextOrFail();
				if (lineStart && b == '.') {
					int c = nextOrFail();
					if (c == '\r') {
						int d = nextOrFail();
						if (d == '\n') {
							break;
						}
						chunk[filled++] = '\r';
						b = d;
					}
					else {
						this.dotStuffedLines++;
						b = c;
					}
					if (filled == chunk.length) {
						filled = flush(chunk, filled);
					}
				}
				chunk[filled++] = (byte) b;
				lineStart = (b == '\n');
				if (filled == chunk.length) {
					filled = flush(chunk, filled);
				}
			}
			flush(chunk, filled);
			this.crcValue = this.crc.getValue();
		}

		private int nextOrFail() throws IOException {
			int b = next();
			if (b < 0) {
				throw new EOFException("The client closed the connection inside the message data");
			}
			return b;
		}

		private int flush(byte[] chunk, int filled) {
			this.crc.update(chunk, 0, filled);
			this.contentBytes.addAndGet(filled);
			return 0;
		}

		@Override
		public void close() throws IOException {
			this.listener.close();
			synchronized (this) {
				if (this.connection != null) {
					this.connection.close();
				}
			}
			try {
				this.thread.join(TimeUnit.SECONDS.toMillis(10));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

	}

}
