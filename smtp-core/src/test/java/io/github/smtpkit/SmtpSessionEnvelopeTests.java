package io.github.smtpkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.github.smtpkit.testing.ScriptedSmtpServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SmtpSession#sendmail(Envelope, MessageSource)} sending one envelope again and again, as
 * {@link SmtpClient} does: its MAIL and RCPT lines are made once and kept, so these tests check
 * that each message still gets its own size, that a new connection (and what its server
 * advertises) gets lines of its own, and that SMTPUTF8 still makes later commands UTF-8.
 */
@Timeout(20)
class SmtpSessionEnvelopeTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final Envelope ENVELOPE = Envelope.of("from@example.test", "to@example.test");

	@Test
	void eachMessageOfTheSameEnvelopeGetsItsOwnSize() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250 SIZE 1000");
			for (int i = 0; i < 3; i++) {
				server.reply("250 sender ok").reply("250 rcpt ok").reply("354 go ahead").reply("250 queued");
			}
			try (SmtpSession smtp = session(server).connect()) {
				for (String body : new String[] { "a", "bb", "ccccccccccc" }) {
					assertThat(smtp.sendmail(ENVELOPE, MessageSource.of(message(body)))).isEmpty();
				}
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).filteredOn((command) -> command.startsWith("MAIL"))
				.containsExactly("MAIL FROM:<from@example.test> SIZE=" + message("a").length,
						"MAIL FROM:<from@example.test> SIZE=" + message("bb").length,
						"MAIL FROM:<from@example.test> SIZE=" + message("ccccccccccc").length);
			server.assertNoFailures();
		}
	}

	@Test
	void aNewConnectionGetsLinesForWhatItsServerAdvertises() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250 SIZE 1000")
				.reply("250 sender ok")
				.reply("250 rcpt ok")
				.reply("354 go ahead")
				.reply("250 queued")
				.disconnect()
				.greet("220 fake.test")
				.reply("250 fake.test without SIZE")
				.reply("250 sender ok")
				.reply("250 rcpt ok")
				.reply("354 go ahead")
				.reply("250 queued");
			try (SmtpSession smtp = session(server).connect()) {
				smtp.sendmail(ENVELOPE, MessageSource.of(message("one")));
				smtp.disconnect();
				smtp.connect();
				smtp.sendmail(ENVELOPE, MessageSource.of(message("two")));
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).filteredOn((command) -> command.startsWith("MAIL"))
				.containsExactly("MAIL FROM:<from@example.test> SIZE=" + message("one").length,
						"MAIL FROM:<from@example.test>");
			server.assertNoFailures();
		}
	}

	@Test
	void smtputf8MakesCommandsUtf8AgainForTheNextMessageAfterRset() throws Exception {
		Envelope international = Envelope.of("from@example.test", "jörg@example.test").withSmtputf8IfNeeded();
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250-SMTPUTF8\n250 8BITMIME");
			server.reply("250 sender ok").reply("250 rcpt ok").reply("354 go ahead").reply("250 queued");
			server.reply("250 reset");
			server.reply("250 sender ok").reply("250 rcpt ok").reply("354 go ahead").reply("250 queued");
			server.reply("252 cannot verify");
			try (SmtpSession smtp = session(server).connect()) {
				smtp.sendmail(international, MessageSource.of(message("one")));
				smtp.rset();
				// RSET made commands ASCII again: only the second message's SMTPUTF8 makes them UTF-8.
				smtp.sendmail(international, MessageSource.of(message("two")));
				assertThat(smtp.docmd("VRFY", "jörg@example.test").code()).isEqualTo(252);
				smtp.disconnect();
			}
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).filteredOn((command) -> command.startsWith("RCPT"))
				.containsExactly(asRecorded("RCPT TO:<jörg@example.test>"), asRecorded("RCPT TO:<jörg@example.test>"));
			assertThat(server.commands()).endsWith("RSET", "MAIL FROM:<from@example.test> SMTPUTF8 BODY=8BITMIME",
					asRecorded("RCPT TO:<jörg@example.test>"), "DATA", asRecorded("VRFY jörg@example.test"));
			server.assertNoFailures();
		}
	}

	/** A command sent in UTF-8 as the scripted server records it: one character per byte. */
	private static String asRecorded(String command) {
		return new String(command.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
	}

	private static byte[] message(String body) {
		return ("Subject: test\r\n\r\n" + body + "\r\n").getBytes(StandardCharsets.US_ASCII);
	}

	private static SmtpSession.Builder session(ScriptedSmtpServer server) {
		return SmtpSession.smtp()
			.host(server.host())
			.port(server.port())
			.localHostname("client.test")
			.timeout(Duration.ofSeconds(2));
	}

}
