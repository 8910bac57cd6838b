package io.github.smtpkit.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.EsmtpFeatures;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpReplyTooLongException;
import io.github.smtpkit.SmtpServerDisconnectedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Seeded, bounded random testing of everything that reads the server's bytes: the reply reader
 * (over a real loopback socket), the EHLO feature parser and the AUTH challenge decoding. Whatever
 * the server sends, they end in a reply or a typed exception, within bounded memory and time.
 *
 * <p>Not jqwik: its current release runs under the JUnit Platform 6 of Spring Boot 4 but prints,
 * on every run, that it is not to be used by AI agents, a wish this code (written with one)
 * respects. Each case draws from {@code new Random(seed + case)}: a failure names the seed and the
 * case, and {@code -Dsmtpkit.fuzz.seed=...} replays or varies the run.
 */
@Timeout(120)
class ServerInputFuzzTests {

	private static final long SEED = Long.getLong("smtpkit.fuzz.seed", 0x5EED_2026_1205L);

	private static final int SOCKET_CASES = 250;

	private static final int PARSER_CASES = 3000;

	private static ServerSocket server;

	private static ExecutorService serverThread;

	@BeforeAll
	static void listen() throws IOException {
		server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		serverThread = Executors.newSingleThreadExecutor();
	}

	@AfterAll
	static void stop() throws Exception {
		server.close();
		serverThread.shutdownNow();
		assertThat(serverThread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void whateverTheServerSendsTheWireGivesRepliesOrATypedExceptionAndStops() throws Exception {
		for (int i = 0; i < SOCKET_CASES; i++) {
			Random random = new Random(SEED + i);
			byte[] sent = serverOutput(random);
			String what = "seed " + SEED + ", case " + i + " (" + sent.length + " bytes)";
			Future<?> serving = serverThread.submit(() -> serveOnce(sent));
			SmtpWire wire = connect(Duration.ofSeconds(5));
			int replies = 0;
			Throwable ended = null;
			// Each reply takes at least one line: the number of lines bounds the loop.
			int maxReplies = count(sent, (byte) '\n') + 1;
			while (ended == null) {
				try {
					SmtpReply reply = wire.readReply();
					assertThat(reply.message().length()).as(what).isLessThanOrEqualTo(SmtpWire.MAX_REPLY_BYTES);
					replies++;
					assertThat(replies).as(what).isLessThanOrEqualTo(maxReplies);
				}
				catch (SmtpException ex) {
					ended = ex;
				}
				catch (RuntimeException ex) {
					throw new AssertionError(what + ": an untyped exception", ex);
				}
			}
			assertThat(wire.isConnected()).as(what).isFalse();
			assertThat(ended).as(what).isInstanceOfAny(SmtpServerDisconnectedException.class,
					SmtpReplyTooLongException.class);
			serving.get(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void theEhloParserTakesAnyReplyText() {
		for (int i = 0; i < PARSER_CASES; i++) {
			Random random = new Random(SEED + i);
			String text = ehloText(random);
			String what = "seed " + SEED + ", case " + i + ": " + DebugLog.repr(text);
			Throwable thrown = catchThrowable(() -> {
				EsmtpFeatures features = EsmtpFeatures.parse(text);
				features.asMap().keySet().forEach((keyword) -> assertThat(features.has(keyword)).isTrue());
				features.authMechanisms().forEach((mechanism) -> assertThat(mechanism).isNotBlank());
				features.maxMessageSize().ifPresent((size) -> assertThat(size).isPositive());
			});
			assertThat(thrown).as(what).isNull();
		}
	}

	@Test
	void challengeDecodingGivesBytesOrIllegalArgumentAndSkipsWhatIsNotBase64() {
		for (int i = 0; i < PARSER_CASES; i++) {
			Random random = new Random(SEED + i);
			byte[] original = new byte[random.nextInt(200)];
			random.nextBytes(original);
			String encoded = Base64.getEncoder().encodeToString(original);
			String noisy = withNoise(encoded, random);
			String what = "seed " + SEED + ", case " + i + ": " + DebugLog.repr(noisy);
			// Line breaks, spaces and other characters outside the alphabet are skipped, as in Python.
			assertThat(LenientBase64.decode(noisy)).as(what).isEqualTo(original);

			String junk = randomText(random, 80);
			Throwable thrown = catchThrowable(() -> {
				byte[] decoded = LenientBase64.decode(junk);
				assertThat(decoded.length).isLessThanOrEqualTo(junk.length() * 3 / 4);
			});
			if (thrown != null) {
				assertThat(thrown).as("seed " + SEED + ", case " + i + ": " + DebugLog.repr(junk))
					.isInstanceOf(IllegalArgumentException.class);
			}
		}
	}

	// ---------------------------------------------------------------- generators

	/** What a broken or hostile server might send: mostly reply-like lines, sometimes not at all. */
	private static byte[] serverOutput(Random random) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int shape = random.nextInt(20);
		if (shape == 0) {
			// A reply that never ends, in many short lines.
			for (int i = random.nextInt(SmtpWire.MAX_REPLY_LINES + 200); i >= 0; i--) {
				out.writeBytes("250-more\r\n".getBytes(StandardCharsets.US_ASCII));
			}
			return out.toByteArray();
		}
		if (shape == 1) {
			// Over-long lines.
			byte[] line = new byte[SmtpWire.MAX_LINE_LENGTH - 10 + random.nextInt(20)];
			random.nextBytes(line);
			out.writeBytes(line);
			return out.toByteArray();
		}
		for (int line = random.nextInt(12); line >= 0; line--) {
			out.writeBytes(code(random));
			int separator = random.nextInt(10);
			out.write((separator < 5) ? '-' : (separator < 8) ? ' ' : random.nextInt(256));
			byte[] text = new byte[random.nextInt(60)];
			for (int b = 0; b < text.length; b++) {
				text[b] = (byte) ((random.nextInt(8) == 0) ? random.nextInt(256) : ' ' + random.nextInt(95));
			}
			out.writeBytes(text);
			int ending = random.nextInt(10);
			out.writeBytes((ending < 7) ? new byte[] { '\r', '\n' } : (ending < 9) ? new byte[] { '\n' } : new byte[] { '\r' });
		}
		return out.toByteArray();
	}

	private static byte[] code(Random random) {
		return switch (random.nextInt(6)) {
			case 0 -> new byte[0];
			case 1 -> new byte[] { (byte) random.nextInt(256), (byte) random.nextInt(256), (byte) random.nextInt(256) };
			case 2 -> "2_5".getBytes(StandardCharsets.US_ASCII);
			default -> String.valueOf(100 + random.nextInt(900)).getBytes(StandardCharsets.US_ASCII);
		};
	}

	private static String ehloText(Random random) {
		StringBuilder text = new StringBuilder("mx.test greets you");
		String[] keywords = { "SIZE", "AUTH", "AUTH=", "auth=", "PIPELINING", "8BITMIME", "SMTPUTF8", "DSN", "-x", "" };
		for (int i = random.nextInt(15); i >= 0; i--) {
			text.append('\n').append(keywords[random.nextInt(keywords.length)]);
			switch (random.nextInt(4)) {
				case 0 -> text.append(' ').append(random.nextLong());
				case 1 -> text.append(' ').append(randomText(random, 30));
				case 2 -> text.append(randomText(random, 10));
				default -> {
				}
			}
		}
		return text.toString();
	}

	private static String randomText(Random random, int maxLength) {
		StringBuilder text = new StringBuilder();
		for (int i = random.nextInt(maxLength + 1); i > 0; i--) {
			int kind = random.nextInt(10);
			text.append((kind < 6) ? (char) (' ' + random.nextInt(95))
					: (kind < 8) ? "=\t\r\n ".charAt(random.nextInt(5)) : (char) random.nextInt(0xD800));
		}
		return text.toString();
	}

	/** Spreads characters outside the base64 alphabet (never a pad) through encoded text. */
	private static String withNoise(String encoded, Random random) {
		StringBuilder noisy = new StringBuilder();
		String noise = "\n\r\t !*-.:\u00e9";
		for (int i = 0; i < encoded.length(); i++) {
			if (random.nextInt(8) == 0) {
				noisy.append(noise.charAt(random.nextInt(noise.length())));
			}
			noisy.append(encoded.charAt(i));
		}
		return noisy.toString();
	}

	// ---------------------------------------------------------------- plumbing

	/** Accepts one connection, writes the bytes and closes; a client that left early is fine. */
	private static Void serveOnce(byte[] bytes) throws IOException {
		try (Socket socket = server.accept()) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			try {
				out.write(bytes);
				out.flush();
			}
			catch (IOException ex) {
				// The client refused the reply and closed first: what it should do with some of these.
			}
		}
		return null;
	}

	private static SmtpWire connect(Duration timeout) throws IOException {
		SmtpWire[] wire = new SmtpWire[1];
		wire[0] = new SmtpWire(new DebugLog((line) -> {
		}, Clock.systemUTC(), 0), SmtpEventListener.NONE, timeout, () -> wire[0].close());
		SmtpEndpoint target = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "127.0.0.1", server.getLocalPort());
		wire[0].connectingTo(target);
		wire[0].attach(SmtpConnection.open(target, null, null, timeout, timeout));
		return wire[0];
	}

	private static int count(byte[] bytes, byte value) {
		int count = 0;
		for (byte b : bytes) {
			if (b == value) {
				count++;
			}
		}
		return count;
	}

}
