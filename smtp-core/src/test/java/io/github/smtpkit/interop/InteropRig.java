package io.github.smtpkit.interop;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import io.github.smtpkit.SmtpTls;

import static org.awaitility.Awaitility.await;

/**
 * Where the repository's real-server rig ({@code interop/}, see its README) lives and how to talk
 * to it: Postfix on 127.0.0.1:2525 (STARTTLS, AUTH after TLS), :2587 (AUTH without TLS), :4465
 * (implicit TLS) and Dovecot LMTP on :2003 and a unix socket, all for the domain
 * {@code example.test}. Its run folder is {@code $INTEROP_RUN} (default {@code /tmp/smtp-interop}),
 * with the certificate in {@code certs/cert.pem} and delivered mail in
 * {@code mail/<localpart>/Maildir/{new,cur}}.
 *
 * <p>Tests talk only to loopback and the rig's unix socket.
 */
final class InteropRig {

	static final String HOST = "127.0.0.1";

	/** Postfix: STARTTLS; AUTH only after STARTTLS. */
	static final int SMTP_PORT = 2525;

	/** Postfix: AUTH without TLS (and STARTTLS). */
	static final int CLEARTEXT_AUTH_PORT = 2587;

	/** Postfix: implicit TLS, AUTH. */
	static final int SMTPS_PORT = 4465;

	/**
	 * Postfix: like {@link #SMTP_PORT}, but AUTH after STARTTLS offers every mechanism Dovecot has:
	 * SCRAM-SHA-1, SCRAM-SHA-256, XOAUTH2 and OAUTHBEARER besides PLAIN, LOGIN and CRAM-MD5. Tokens
	 * {@code valid:USER:anything} are active for USER, any other is refused as expired.
	 */
	static final int ALL_MECHANISMS_PORT = 2588;

	/**
	 * Postfix, rate limited per client address (anvil, 10 s windows): 20 messages per window, then
	 * {@code 450 4.7.1}; 3 connections at once, then {@code 421 4.7.0} at the greeting. AUTH
	 * without TLS, like {@link #CLEARTEXT_AUTH_PORT}.
	 */
	static final int RATE_LIMITED_PORT = 2589;

	/** Postfix, plain: no STARTTLS, no AUTH; delivers as {@link #SMTP_PORT} does. For failover. */
	static final int PLAIN_PORT = 2526;

	/** Postfix greeting every client with {@code 421 4.3.2} and hanging up: a host failover passes over. */
	static final int NOT_NOW_PORT = 2527;

	/** Dovecot LMTP over TCP. */
	static final int LMTP_PORT = 2003;

	/** The rig's private Redis (password {@link #REDIS_PASSWORD}, nothing persisted), for shared rate limits. */
	static final int REDIS_PORT = 6390;

	static final String REDIS_PASSWORD = "redis-pw";

	/** The name our sessions say in EHLO/LHLO. */
	static final String CLIENT_NAME = "client.interop.test";

	/** Postfix's default limit is raised to this in the rig, and advertised as SIZE. */
	static final long SIZE_LIMIT = 10_240_000;

	/** How long mail may take from Postfix's queue into a maildir (the rig retries every 10 s). */
	static final Duration DELIVERY_WAIT = Duration.ofSeconds(90);

	static final Duration TIMEOUT = Duration.ofSeconds(30);

	private InteropRig() {
	}

	static Path runDirectory() {
		String run = System.getenv("INTEROP_RUN");
		return Path.of((run != null && !run.isBlank()) ? run : "/tmp/smtp-interop");
	}

	static Path certificate() {
		return runDirectory().resolve("certs/cert.pem");
	}

	static Path lmtpSocket() {
		return runDirectory().resolve("lmtp.sock");
	}

	static Path postfixConfig() {
		return runDirectory().resolve("postfix/conf");
	}

	/** A context that trusts exactly the rig's self-signed certificate (and still checks host names). */
	static SSLContext trustingRigCertificate() throws IOException {
		return SmtpTls.trustingPem(certificate());
	}

	/** Whether the rig listens on [::1]:2525 too (start.sh drops it on machines without IPv6 loopback). */
	static boolean hasIpv6Listener() throws IOException {
		return Files.readString(postfixConfig().resolve("master.cf")).contains("[::1]:2525 ");
	}

	/**
	 * Fails with what to do when the rig is not there: under {@code -Pinterop} a missing rig is an
	 * error, never a reason to skip.
	 */
	static void requireRunning() {
		String advice = " The interop rig is not running: start it with `sudo interop/start.sh` from the"
				+ " repository root (run folder " + runDirectory() + ", set INTEROP_RUN to change it).";
		if (!Files.isReadable(certificate())) {
			throw new IllegalStateException("No certificate at " + certificate() + "." + advice);
		}
		for (int port : new int[] { SMTP_PORT, CLEARTEXT_AUTH_PORT, SMTPS_PORT, ALL_MECHANISMS_PORT, LMTP_PORT }) {
			if (!answers(port)) {
				throw new IllegalStateException("Nothing answers on " + HOST + ":" + port + "." + advice);
			}
		}
		if (!answers(REDIS_PORT)) {
			throw new IllegalStateException("Nothing answers on " + HOST + ":" + REDIS_PORT + " (Redis)." + advice);
		}
		if (!Files.exists(lmtpSocket())) {
			throw new IllegalStateException("No LMTP socket at " + lmtpSocket() + "." + advice);
		}
		Path mail = runDirectory().resolve("mail");
		if (!Files.isReadable(mail) || !Files.isExecutable(mail)) {
			throw new IllegalStateException("Cannot read " + mail + ": its maildirs belong to user 'mail';"
					+ " run the interop tests as root (or as a user who may read them).");
		}
	}

	private static boolean answers(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(HOST, port), 2000);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** A fresh identifier for one test's mail, so that tests never see each other's messages. */
	static String uniqueId(String what) {
		return what + "-" + UUID.randomUUID();
	}

	/** A Message-ID for one test's message: {@code <what-uuid@interop.test>}. */
	static String messageId(String what) {
		return "<" + uniqueId(what) + "@interop.test>";
	}

	/** A small ASCII message with CRLF line endings. */
	static byte[] message(String from, String to, String messageId, String subject) {
		return message(from, to, messageId, subject, "Sent by smtpkit's interoperability tests.\r\n");
	}

	static byte[] message(String from, String to, String messageId, String subject, String body) {
		String text = "From: " + from + "\r\n" + "To: " + to + "\r\n" + "Subject: " + subject + "\r\n"
				+ "Message-ID: " + messageId + "\r\n" + "Date: Sat, 28 Nov 2026 12:00:00 +0000\r\n"
				+ "MIME-Version: 1.0\r\n" + "Content-Type: text/plain; charset=us-ascii\r\n" + "\r\n" + body;
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	static Maildir maildir(String localpart) {
		return new Maildir(runDirectory().resolve("mail").resolve(localpart).resolve("Maildir"));
	}

	// ---------------------------------------------------------------- controlling Postfix

	/**
	 * Stops the rig's Postfix and starts it again, as start.sh and stop.sh do
	 * ({@code postfix -c <conf> stop|start}), then waits until smtpd greets again. Dovecot keeps
	 * running. Needs root.
	 */
	static void restartPostfix() throws IOException, InterruptedException {
		postfix("stop");
		postfix("start");
		await("Postfix greeting again on " + HOST + ":" + SMTP_PORT).atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> greets(SMTP_PORT));
	}

	/**
	 * Makes Postfix keep accepted mail in its queue instead of handing it to Dovecot
	 * ({@code defer_transports = lmtp}), until {@link #resumePostfixDelivery()}. Stopping Postfix
	 * while it hands a message over can deliver that message twice: its queue-to-LMTP step is
	 * at-least-once (Dovecot saved it, Postfix was killed before noting that). Deferring keeps that
	 * server-side effect out of a test about what the client does. The setting lives in the run
	 * folder's main.cf, which start.sh writes anew.
	 */
	static void deferPostfixDelivery() throws IOException, InterruptedException {
		run(60, "postconf", "-c", postfixConfig().toString(), "-e", "defer_transports = lmtp");
		postfix("reload");
	}

	/** Undoes {@link #deferPostfixDelivery()} and asks Postfix to deliver what it kept, now. */
	static void resumePostfixDelivery() throws IOException, InterruptedException {
		run(60, "postconf", "-c", postfixConfig().toString(), "-X", "defer_transports");
		if (answers(SMTP_PORT)) {
			postfix("reload");
			run(60, "postqueue", "-c", postfixConfig().toString(), "-f");
		}
	}

	private static void run(int seconds, String... command) throws IOException, InterruptedException {
		String[] line = command.clone();
		if (Files.isExecutable(Path.of("/usr/sbin", line[0]))) {
			line[0] = "/usr/sbin/" + line[0];
		}
		File log = runDirectory().resolve("log/postfix.stderr").toFile();
		Process process = new ProcessBuilder(line).redirectInput(new File("/dev/null"))
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log))
			.redirectErrorStream(true)
			.start();
		if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IOException(String.join(" ", command) + " did not finish within " + seconds + " s");
		}
		if (process.exitValue() != 0) {
			throw new IOException(String.join(" ", command) + " failed with exit code " + process.exitValue()
					+ "; see " + log);
		}
	}

	/** Starts the rig's Postfix if it is not running (after a test that failed half-way through a restart). */
	static void ensurePostfixRunning() throws IOException, InterruptedException {
		if (!answers(SMTP_PORT)) {
			postfix("start");
		}
	}

	private static boolean greets(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(HOST, port), 1000);
			socket.setSoTimeout(2000);
			InputStream in = socket.getInputStream();
			byte[] greeting = new byte[3];
			int read = in.readNBytes(greeting, 0, 3);
			socket.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
			return read == 3 && new String(greeting, StandardCharsets.US_ASCII).equals("220");
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static void postfix(String command) throws IOException, InterruptedException {
		// As start.sh: the daemon must not inherit our pipes, so its output goes to the rig's log.
		run(60, "postfix", "-c", postfixConfig().toString(), command);
	}

	/**
	 * Whether Postfix's queue is empty: after that no more mail will arrive, so counting delivered
	 * copies is final.
	 */
	static boolean postfixQueueIsEmpty() throws IOException, InterruptedException {
		String postqueue = Files.isExecutable(Path.of("/usr/sbin/postqueue")) ? "/usr/sbin/postqueue" : "postqueue";
		Path output = Files.createTempFile("postqueue", ".txt");
		try {
			// Into a file, not a pipe: reading a pipe could block beyond the bound below.
			Process process = new ProcessBuilder(postqueue, "-c", postfixConfig().toString(), "-p")
				.redirectInput(new File("/dev/null"))
				.redirectOutput(output.toFile())
				.redirectErrorStream(true)
				.start();
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IOException("postqueue -p did not finish within 30 s");
			}
			String text = Files.readString(output, StandardCharsets.UTF_8);
			return process.exitValue() == 0 && text.toLowerCase(Locale.ROOT).contains("mail queue is empty");
		}
		finally {
			Files.deleteIfExists(output);
		}
	}

}
