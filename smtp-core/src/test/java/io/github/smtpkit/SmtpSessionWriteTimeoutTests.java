package io.github.smtpkit;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A server that stops reading: a blocking socket write has no timeout of its own, so without the
 * session's write deadline the sender would hang for good once the TCP buffers are full.
 */
@Timeout(30)
class SmtpSessionWriteTimeoutTests {

	@Test
	void serverThatStopsReadingDuringTheMessageFailsTheSendWithinTheTimeout() throws Exception {
		CountDownLatch testDone = new CountDownLatch(1);
		try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			Thread serverThread = new Thread(() -> answerUntilDataThenStopReading(server, testDone), "deaf-server");
			serverThread.setDaemon(true);
			serverThread.start();
			// Far more than socket buffers hold, so the writes must block.
			byte[] message = new byte[64 * 1024 * 1024];
			try (SmtpSession smtp = SmtpSession.smtp()
				.host("127.0.0.1")
				.port(server.getLocalPort())
				.localHostname("client.test")
				.timeout(Duration.ofSeconds(1))
				.build()) {
				smtp.connect();
				// Reads only: the writes keep the bound the connection was opened with, and say so.
				smtp.setTimeout(Duration.ofSeconds(20));

				Throwable thrown = catchThrowable(() -> smtp.sendmail("from@example.test", List.of("to@example.test"), message));

				assertThat(thrown).isInstanceOf(SmtpTimeoutException.class)
					.hasMessageContaining("Timed out after 1 s writing to 127.0.0.1:" + server.getLocalPort())
					.hasMessageContaining("stopped reading");
				assertThat(smtp.isConnected()).isFalse();
			}
			finally {
				testDone.countDown();
			}
		}
	}

	/** Greets, answers EHLO, MAIL, RCPT and DATA, then reads nothing more until the test is done. */
	private static void answerUntilDataThenStopReading(ServerSocket server, CountDownLatch testDone) {
		try (Socket socket = server.accept()) {
			BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
			OutputStream out = socket.getOutputStream();
			out.write("220 deaf.test\r\n".getBytes(StandardCharsets.US_ASCII));
			for (String reply : new String[] { "250 deaf.test", "250 ok", "250 ok", "354 go ahead" }) {
				in.readLine();
				out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
			}
			testDone.await(30, TimeUnit.SECONDS);
		}
		catch (Exception ex) {
			// The client going away ends the test's server: nothing to report.
		}
	}

}
