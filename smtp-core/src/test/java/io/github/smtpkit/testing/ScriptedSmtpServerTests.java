package io.github.smtpkit.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link ScriptedSmtpServer}, driven by plain JDK sockets so the fixture is proven
 * independently of the client it will be used to test.
 */
@Timeout(20)
class ScriptedSmtpServerTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	@Test
	void greetingThenCommandAndReply() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test ESMTP").reply("250 fake.test");

			assertThat(client.readLine()).isEqualTo("220 fake.test ESMTP\r\n");
			client.send("HELO client.test\r\n");
			assertThat(client.readLine()).isEqualTo("250 fake.test\r\n");

			server.awaitScriptDone(WAIT);
			assertThat(server.host()).isEqualTo("127.0.0.1");
			assertThat(server.commands()).containsExactly("HELO client.test");
			assertThat(server.receivedText()).isEqualTo("HELO client.test\r\n");
			assertThat(server.connectionCount()).isEqualTo(1);
			server.assertNoFailures();
		}
	}

	@Test
	void multiLineReplyIsWrittenAsCrlfTerminatedLines() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").reply("250-fake.test\n250-SIZE 1000\n250 AUTH PLAIN LOGIN");

			client.readLine();
			client.send("EHLO client.test\r\n");

			byte[] expected = "250-fake.test\r\n250-SIZE 1000\r\n250 AUTH PLAIN LOGIN\r\n".getBytes(StandardCharsets.US_ASCII);
			assertThat(client.readBytes(expected.length)).isEqualTo(expected);
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void messageDataAfter354IsCapturedExactlyWithDotStuffing() throws Exception {
		String data = "Subject: dots\r\n\r\n..leading dot was stuffed\r\n.\r\n";
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test")
				.reply("250 sender ok")
				.reply("250 recipient ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.reply("221 bye")
				.awaitClose();

			client.readLine();
			assertThat(client.exchange("MAIL FROM:<a@x.test>\r\n")).isEqualTo("250 sender ok\r\n");
			assertThat(client.exchange("RCPT TO:<b@y.test>\r\n")).isEqualTo("250 recipient ok\r\n");
			assertThat(client.exchange("DATA\r\n")).isEqualTo("354 go ahead\r\n");
			// Written in two pieces so the terminator spans reads.
			client.send("Subject: dots\r\n\r\n..leading dot was stuffed\r");
			client.send("\n.\r\n");
			assertThat(client.readLine()).isEqualTo("250 queued\r\n");
			assertThat(client.exchange("QUIT\r\n")).isEqualTo("221 bye\r\n");
			client.hangUp();

			server.awaitScriptDone(WAIT);
			assertThat(server.messages()).hasSize(1);
			assertThat(new String(server.messages().get(0), StandardCharsets.ISO_8859_1)).isEqualTo(data);
			assertThat(server.commands()).containsExactly("MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA", "QUIT");
			assertThat(server.receivedText()).isEqualTo(
					"MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\nDATA\r\n" + data + "QUIT\r\n");
			assertThat(server.unexpectedCommands()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void emptyMessageRightAfter354IsRecognised() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").reply("354 go ahead").reply("250 queued").reply("250 noop");

			client.readLine();
			assertThat(client.exchange("DATA\r\n")).isEqualTo("354 go ahead\r\n");
			assertThat(client.exchange(".\r\n")).isEqualTo("250 queued\r\n");
			// Back to command lines after the data.
			assertThat(client.exchange("NOOP\r\n")).isEqualTo("250 noop\r\n");

			server.awaitScriptDone(WAIT);
			assertThat(server.messages()).singleElement().isEqualTo(".\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(server.commands()).containsExactly("DATA", "NOOP");
			server.assertNoFailures();
		}
	}

	@Test
	void bdatPayloadIsReadWithItsCommandLine() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").reply("250 chunk 1 ok").reply("250 message ok");

			client.readLine();
			// The payload contains CRLF and a lone dot: it must not be mistaken for commands.
			assertThat(client.exchange("BDAT 6\r\nab\r\n.\n")).isEqualTo("250 chunk 1 ok\r\n");
			assertThat(client.exchange("bdat 3 last\r\nxyz")).isEqualTo("250 message ok\r\n");

			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("BDAT 6", "bdat 3 last");
			assertThat(server.bdatChunks()).containsExactly("ab\r\n.\n".getBytes(StandardCharsets.US_ASCII),
					"xyz".getBytes(StandardCharsets.US_ASCII));
			assertThat(server.messages()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void repliesWritesOneReplyPerRecipientForLmtp() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test LMTP").reply("354 go").replies("250 2.0.0 a ok", "452 4.2.2 b full");

			client.readLine();
			client.exchange("DATA\r\n");
			client.send("hi\r\n.\r\n");

			assertThat(client.readLine()).isEqualTo("250 2.0.0 a ok\r\n");
			assertThat(client.readLine()).isEqualTo("452 4.2.2 b full\r\n");
			server.awaitScriptDone(WAIT);
			assertThat(server.messages()).singleElement().isEqualTo("hi\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
			server.assertNoFailures();
		}
	}

	@Test
	void readConsumesAUnitWithoutReplying() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			// Pipelining: two commands arrive together, the replies come after the second one.
			server.greet("220 fake.test").read().replies("250 sender ok", "250 recipient ok");

			client.readLine();
			client.send("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\n");

			assertThat(client.readLine()).isEqualTo("250 sender ok\r\n");
			assertThat(client.readLine()).isEqualTo("250 recipient ok\r\n");
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>");
			server.assertNoFailures();
		}
	}

	@Test
	void replyRawWritesExactBytes() throws Exception {
		byte[] malformed = "250 no line ending".getBytes(StandardCharsets.US_ASCII);
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").replyRaw(malformed).disconnect();

			client.readLine();
			client.send("NOOP\r\n");

			assertThat(client.readToEnd()).isEqualTo(malformed);
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void disconnectClosesTheConnectionWithoutReading() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("421 fake.test going away").disconnect();

			assertThat(client.readLine()).isEqualTo("421 fake.test going away\r\n");
			assertThat(client.in.read()).isEqualTo(-1);
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
		}
	}

	@Test
	void disconnectAfterReadClosesTheConnectionWithoutReplying() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").disconnectAfterRead();

			client.readLine();
			client.send("NOOP\r\n");

			assertThat(client.in.read()).isEqualTo(-1);
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("NOOP");
			server.assertNoFailures();
		}
	}

	@Test
	void stallReadsAndNeverRepliesSoTheClientTimesOut() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").stall();

			client.readLine();
			client.send("NOOP\r\n");
			server.awaitScriptDone(WAIT);
			client.socket.setSoTimeout(200);

			assertThatExceptionOfType(SocketTimeoutException.class).isThrownBy(client.in::read);
			client.hangUp();
			server.assertNoFailures();
			assertThat(server.unexpectedCommands()).isEmpty();
		}
	}

	@Test
	void closingTheServerEndsAStalledConnection() throws Exception {
		ScriptedSmtpServer server = ScriptedSmtpServer.start();
		try (TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").stall();
			client.readLine();
			client.send("NOOP\r\n");
			server.awaitScriptDone(WAIT);

			server.close();
			server.close(); // idempotent

			assertThat(client.in.read()).isEqualTo(-1);
			server.assertNoFailures();
		}
	}

	@Test
	void startTlsUpgradesTheConnectionForAClientTrustingTheCa() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test ESMTP")
				.reply("250-fake.test\n250 STARTTLS")
				.startTls(TestCertificates.serverContext(), "220 ready to start TLS")
				.reply("250-fake.test\n250 AUTH PLAIN")
				.reply("221 bye")
				.awaitClose();

			client.readLine();
			client.exchange("EHLO client.test\r\n");
			client.readLine();
			assertThat(client.exchange("STARTTLS\r\n")).isEqualTo("220 ready to start TLS\r\n");
			client.upgradeToTls(TestCertificates.clientContextTrustingCa(), "localhost", true);
			assertThat(client.exchange("EHLO client.test\r\n")).isEqualTo("250-fake.test\r\n");
			assertThat(client.readLine()).isEqualTo("250 AUTH PLAIN\r\n");
			assertThat(client.exchange("QUIT\r\n")).isEqualTo("221 bye\r\n");
			client.hangUp();

			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "STARTTLS", "EHLO client.test", "QUIT");
			// Recorded after decryption: no TLS records in the transcript.
			assertThat(server.receivedText())
				.isEqualTo("EHLO client.test\r\nSTARTTLS\r\nEHLO client.test\r\nQUIT\r\n");
			server.assertNoFailures();
		}
	}

	@Test
	void startTlsHandshakeFailsForAClientTrustingAnotherCa() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").startTls(TestCertificates.serverContext(), "220 go ahead");

			client.readLine();
			client.exchange("STARTTLS\r\n");

			assertThatExceptionOfType(SSLHandshakeException.class)
				.isThrownBy(() -> client.upgradeToTls(TestCertificates.clientContextTrustingOtherCa(), "localhost", true));
			client.hangUp();
			server.awaitScriptDone(WAIT);
			// The server's side of the refused handshake fails too: with an alert from the client, or a
			// broken pipe if the client hung up while the server was still writing its flight.
			assertThat(server.failures()).singleElement().satisfies((failure) -> {
				assertThat(failure).hasMessageContaining("connection 1, startTls(\"220 go ahead\")");
				assertThat(failure).hasCauseInstanceOf(IOException.class);
			});
			assertThatThrownBy(server::assertNoFailures).isInstanceOf(AssertionError.class)
				.hasMessageContaining("startTls");
		}
	}

	@Test
	void startTlsRecordsPlaintextPipelinedAfterTheCommand() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").startTls(TestCertificates.serverContext(), "220 go ahead").awaitClose();

			client.readLine();
			// One write, so both lines reach the server together.
			client.send("STARTTLS\r\nNOOP\r\n");
			client.readLine();
			client.upgradeToTls(TestCertificates.clientContextTrustingCa(), "localhost", true);
			client.hangUp();

			server.awaitScriptDone(WAIT);
			assertThat(server.failures()).singleElement()
				.satisfies((failure) -> assertThat(failure).hasMessageContaining("6 byte(s) of plaintext after STARTTLS"));
			assertThat(server.commands()).containsExactly("STARTTLS");
		}
	}

	@Test
	void hostNameVerificationRefusesACertificateForAnotherName() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer
			.startImplicitTls(TestCertificates.serverContextWithWrongHostname())) {
			server.greet("220 mx.wrong.test").awaitClose();

			try (TestClient client = TestClient.connect(server)) {
				assertThatExceptionOfType(SSLHandshakeException.class).isThrownBy(
						() -> client.upgradeToTls(TestCertificates.clientContextTrustingCa(), "localhost", true));
			}
			// The same chain is accepted without host-name verification: only the name was wrong.
			try (TestClient client = TestClient.connect(server)) {
				client.upgradeToTls(TestCertificates.clientContextTrustingCa(), "localhost", false);
				assertThat(client.readLine()).isEqualTo("220 mx.wrong.test\r\n");
			}

			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			assertThat(server.failures()).singleElement()
				.satisfies((failure) -> assertThat(failure).hasMessageContaining("connection 1, implicit TLS handshake"));
		}
	}

	@Test
	void implicitTlsHandshakesBeforeTheGreeting() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startImplicitTls(TestCertificates.serverContext());
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test ESMTP").reply("250 fake.test").reply("221 bye").awaitClose();

			client.upgradeToTls(TestCertificates.clientContextTrustingCa(), "localhost", true);
			assertThat(client.readLine()).isEqualTo("220 fake.test ESMTP\r\n");
			assertThat(client.exchange("EHLO client.test\r\n")).isEqualTo("250 fake.test\r\n");
			assertThat(client.exchange("QUIT\r\n")).isEqualTo("221 bye\r\n");
			client.hangUp();

			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("EHLO client.test\r\nQUIT\r\n");
			server.assertNoFailures();
		}
	}

	@Test
	void unixDomainSocket(@TempDir Path dir) throws Exception {
		Path socketFile = dir.resolve("smtp.sock");
		try (ScriptedSmtpServer server = ScriptedSmtpServer.startUnix(socketFile)) {
			server.greet("220 fake.test LMTP").reply("250 fake.test").reply("221 bye").awaitClose();

			try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
				channel.connect(UnixDomainSocketAddress.of(socketFile));
				TestClient client = new TestClient(null, Channels.newInputStream(channel),
						Channels.newOutputStream(channel));
				assertThat(client.readLine()).isEqualTo("220 fake.test LMTP\r\n");
				assertThat(client.exchange("LHLO client.test\r\n")).isEqualTo("250 fake.test\r\n");
				assertThat(client.exchange("QUIT\r\n")).isEqualTo("221 bye\r\n");
			}

			server.awaitScriptDone(WAIT);
			assertThat(server.socketFile()).isEqualTo(socketFile);
			assertThat(server.commands()).containsExactly("LHLO client.test", "QUIT");
			assertThatExceptionOfType(IllegalStateException.class).isThrownBy(server::port);
			server.assertNoFailures();
		}
		assertThat(socketFile).doesNotExist();
	}

	@Test
	void twoConnectionsInSequence() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 first")
				.reply("221 bye")
				// No awaitClose(): a greeting always starts the next connection.
				.greet("220 second")
				.reply("221 bye again")
				.awaitClose();

			try (TestClient client = TestClient.connect(server)) {
				assertThat(client.readLine()).isEqualTo("220 first\r\n");
				assertThat(client.exchange("QUIT\r\n")).isEqualTo("221 bye\r\n");
			}
			try (TestClient client = TestClient.connect(server)) {
				assertThat(client.readLine()).isEqualTo("220 second\r\n");
				assertThat(client.exchange("QUIT\r\n")).isEqualTo("221 bye again\r\n");
			}

			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(2);
			assertThat(server.received(0)).isEqualTo("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(server.received(1)).isEqualTo("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(server.receivedText()).isEqualTo("QUIT\r\nQUIT\r\n");
			server.assertNoFailures();
		}
	}

	@Test
	void commandsBeyondTheScriptAreRecordedAsUnexpected() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").reply("250 fake.test");

			client.readLine();
			client.exchange("EHLO client.test\r\n");
			client.send("NOOP\r\nRSET\r\n");
			client.hangUp();

			await().atMost(WAIT).until(() -> server.unexpectedCommands().size() == 2);
			assertThat(server.unexpectedCommands()).containsExactly("NOOP", "RSET");
			assertThat(server.commands()).containsExactly("EHLO client.test", "NOOP", "RSET");
			server.assertNoFailures();
		}
	}

	@Test
	void sendWritesAnUnsolicitedReplyMidConnection() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").reply("250 ok").send("421 4.3.2 shutting down").disconnect();

			client.readLine();
			assertThat(client.exchange("NOOP\r\n")).isEqualTo("250 ok\r\n");
			assertThat(client.readLine()).isEqualTo("421 4.3.2 shutting down\r\n");
			assertThat(client.in.read()).isEqualTo(-1);

			server.awaitScriptDone(WAIT);
			assertThat(server.connectionCount()).isEqualTo(1);
			server.assertNoFailures();
		}
	}

	@Test
	void commandsSentWhileAwaitingCloseAreRecordedAsUnexpected() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").reply("221 bye").awaitClose();

			client.readLine();
			assertThat(client.exchange("QUIT\r\n")).isEqualTo("221 bye\r\n");
			client.send("NOOP\r\n");
			client.hangUp();

			server.awaitScriptDone(WAIT);
			assertThat(server.unexpectedCommands()).containsExactly("NOOP");
			server.assertNoFailures();
		}
	}

	@Test
	void awaitCloseTimesOutWhenTheClientKeepsTheConnectionOpen() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start().withTimeout(Duration.ofMillis(300));
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").awaitClose();

			client.readLine();

			assertThat(client.in.read()).isEqualTo(-1);
			server.awaitScriptDone(WAIT);
			assertThat(server.failures()).singleElement().satisfies((failure) -> assertThat(failure)
				.hasMessageContaining("connection 1, awaitClose(): timed out"));
		}
	}

	@Test
	void actionEnqueuedWhileAConnectionIsOpenAnswersTheNextCommand() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test");
			client.readLine();
			server.awaitScriptDone(WAIT);

			server.reply("250 late but fine");
			assertThat(client.exchange("NOOP\r\n")).isEqualTo("250 late but fine\r\n");

			assertThat(server.unexpectedCommands()).isEmpty();
			server.assertNoFailures();
		}
	}

	@Test
	void takeCommandReturnsCommandsAsTheyArrive() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").reply("250 one").reply("250 two");
			client.readLine();

			client.send("NOOP 1\r\n");
			assertThat(server.takeCommand(WAIT)).isEqualTo("NOOP 1");
			client.readLine();
			client.send("NOOP 2\r\n");
			assertThat(server.takeCommand(WAIT)).isEqualTo("NOOP 2");

			assertThatThrownBy(() -> server.takeCommand(Duration.ofMillis(50))).isInstanceOf(AssertionError.class)
				.hasMessageContaining("No command line arrived");
		}
	}

	@Test
	void clientClosingWhereAReplyWasScriptedIsAFailure() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").reply("250 never sent");

			client.readLine();
			client.hangUp();

			server.awaitScriptDone(WAIT);
			assertThat(server.failures()).singleElement().satisfies((failure) -> assertThat(failure)
				.hasMessageContaining("reply(\"250 never sent\")")
				.hasMessageContaining("closed the connection"));
		}
	}

	@Test
	void clientClosingInTheMiddleOfAUnitIsAFailure() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").reply("250 never sent");

			client.readLine();
			client.send("NOO");
			client.hangUp();

			server.awaitScriptDone(WAIT);
			assertThat(server.failures()).singleElement()
				.satisfies((failure) -> assertThat(failure).hasMessageContaining("in the middle of a unit"));
			assertThat(server.receivedText()).isEqualTo("NOO");
		}
	}

	@Test
	void scriptedReadTimesOutWhenTheClientSendsNothing() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start().withTimeout(Duration.ofMillis(300));
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").reply("250 never sent");

			client.readLine();

			// The server gives up and closes the connection.
			assertThat(client.in.read()).isEqualTo(-1);
			server.awaitScriptDone(WAIT);
			assertThat(server.failures()).singleElement()
				.satisfies((failure) -> assertThat(failure).hasMessageContaining("timed out after PT0.3S"));
		}
	}

	@Test
	void overlongUnitIsAFailure() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start();
				TestClient client = TestClient.connect(server)) {
			server.greet("220 fake.test").reply("250 never sent");
			client.readLine();

			byte[] huge = new byte[ScriptedSmtpServer.MAX_UNIT_BYTES + 1];
			Arrays.fill(huge, (byte) 'x');
			try {
				client.send(huge);
			}
			catch (IOException ex) {
				// The server may close before the client has written everything.
			}

			server.awaitScriptDone(WAIT);
			assertThat(server.failures()).singleElement()
				.satisfies((failure) -> assertThat(failure).hasMessageContaining("exceeds the cap"));
		}
	}

	@Test
	void awaitScriptDoneFailsWhenTheScriptDoesNotRun() {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 nobody connects");

			assertThatThrownBy(() -> server.awaitScriptDone(Duration.ofMillis(100))).isInstanceOf(AssertionError.class)
				.hasMessageContaining("1 action(s) not finished")
				.hasMessageContaining("greet(\"220 nobody connects\")");
		}
	}

	/** A minimal blocking client: reads bytes, never decodes more than the test asks for. */
	private static final class TestClient implements AutoCloseable {

		private Socket socket;

		private InputStream in;

		private OutputStream out;

		private TestClient(Socket socket, InputStream in, OutputStream out) {
			this.socket = socket;
			this.in = in;
			this.out = out;
		}

		static TestClient connect(ScriptedSmtpServer server) throws IOException {
			Socket socket = new Socket();
			socket.connect(new InetSocketAddress(server.host(), server.port()), 5000);
			// A safety net: a broken fixture fails the test instead of hanging it.
			socket.setSoTimeout(5000);
			return new TestClient(socket, socket.getInputStream(), socket.getOutputStream());
		}

		void upgradeToTls(SSLContext context, String host, boolean verifyHostName) throws IOException {
			SSLSocket tls = (SSLSocket) context.getSocketFactory()
				.createSocket(this.socket, host, this.socket.getPort(), true);
			tls.setUseClientMode(true);
			if (verifyHostName) {
				SSLParameters parameters = tls.getSSLParameters();
				parameters.setEndpointIdentificationAlgorithm("HTTPS");
				tls.setSSLParameters(parameters);
			}
			tls.startHandshake();
			this.socket = tls;
			this.in = tls.getInputStream();
			this.out = tls.getOutputStream();
		}

		void send(String text) throws IOException {
			send(text.getBytes(StandardCharsets.ISO_8859_1));
		}

		void send(byte[] bytes) throws IOException {
			this.out.write(bytes);
			this.out.flush();
		}

		/** Sends {@code text} and returns the next reply line. */
		String exchange(String text) throws IOException {
			send(text);
			return readLine();
		}

		/** Reads one line including its LF (and CR), as ISO-8859-1. */
		String readLine() throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream();
			int b;
			while ((b = this.in.read()) != -1) {
				line.write(b);
				if (b == '\n') {
					break;
				}
			}
			return line.toString(StandardCharsets.ISO_8859_1);
		}

		byte[] readBytes(int count) throws IOException {
			return this.in.readNBytes(count);
		}

		byte[] readToEnd() throws IOException {
			return this.in.readAllBytes();
		}

		/** Closes the connection (idempotent), so the server sees end of stream. */
		void hangUp() throws IOException {
			close();
		}

		@Override
		public void close() throws IOException {
			if (this.socket != null) {
				this.socket.close();
			}
			else {
				this.in.close();
				this.out.close();
			}
		}

	}

}
