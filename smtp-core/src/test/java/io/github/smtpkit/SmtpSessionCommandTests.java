package io.github.smtpkit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.github.smtpkit.testing.ScriptedSmtpServer;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.ThrowingConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The commands of smtplib's {@code SMTP} class, checked byte for byte on the wire against the
 * scripted server: HELO/EHLO and the features they learn, the simple commands, MAIL and RCPT with
 * options and address quoting, DATA with dot-stuffing, and ending a session.
 */
@Timeout(20)
class SmtpSessionCommandTests {

	private static final Duration WAIT = Duration.ofSeconds(5);

	private static final String EHLO_WITH_EXTENSIONS = "250-fake.test greets client.test\n250-SIZE 35882577\n"
			+ "250-8BITMIME\n250-AUTH=LOGIN\n250-AUTH PLAIN CRAM-MD5\n250-STARTTLS\n250-DSN\n250 HELP";

	// ---------------------------------------------------------------- HELO / EHLO

	@Test
	void heloSaysTheConfiguredNameAndKeepsTheReply() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250 fake.test hello client.test").reply("250 hi again").awaitClose();
			SmtpSession session = client(server).connect();

			assertThat(session.helo()).isEqualTo(new SmtpReply(250, "fake.test hello client.test"));
			assertThat(session.heloResp()).isEqualTo("fake.test hello client.test");
			assertThat(session.ehloResp()).isNull();
			assertThat(session.doesEsmtp()).isFalse();
			assertThat(session.helo("other.name")).isEqualTo(new SmtpReply(250, "hi again"));
			assertThat(session.heloResp()).isEqualTo("hi again");

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("HELO client.test\r\nHELO other.name\r\n");
			server.assertNoFailures();
		}
	}

	@Test
	void withoutAConfiguredNameHeloAndEhloSayTheLocalHostName() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250 hello").reply("250 fake.test").awaitClose();
			SmtpSession session = SmtpSession.smtp().host(server.host()).port(server.port()).timeout(WAIT).connect();
			String name = session.localHostname();
			assertThat(name).isNotBlank().doesNotContainAnyWhitespaces();

			session.helo();
			session.ehlo();

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("HELO " + name, "EHLO " + name);
			server.assertNoFailures();
		}
	}

	@Test
	void ehloSaysTheGivenNameInsteadOfTheConfiguredOne() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250 fake.test").reply("250 fake.test").awaitClose();
			SmtpSession session = client(server).connect();

			session.ehlo();
			session.ehlo("mx.example.org");

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("EHLO client.test\r\nEHLO mx.example.org\r\n");
		}
	}

	@Test
	void lmtpSaysLhlo() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 lmtp.test LMTP").reply("250-lmtp.test\n250 PIPELINING").reply("250 again").awaitClose();
			SmtpSession session = SmtpSession.lmtp()
				.host(server.host())
				.port(server.port())
				.localHostname("client.test")
				.timeout(WAIT)
				.connect();

			assertThat(session.ehlo()).isEqualTo(new SmtpReply(250, "lmtp.test\nPIPELINING"));
			assertThat(session.hasExtn("pipelining")).isTrue();
			session.ehlo("named.test");

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("LHLO client.test\r\nLHLO named.test\r\n");
		}
	}

	@Test
	void ehloParsesTheAdvertisedExtensions() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply(EHLO_WITH_EXTENSIONS).awaitClose();
			SmtpSession session = client(server).connect();
			assertThat(session.doesEsmtp()).isFalse();
			assertThat(session.esmtpFeatures().isEmpty()).isTrue();

			SmtpReply reply = session.ehlo();

			assertThat(reply.code()).isEqualTo(250);
			assertThat(reply.message()).isEqualTo("fake.test greets client.test\nSIZE 35882577\n8BITMIME\n"
					+ "AUTH=LOGIN\nAUTH PLAIN CRAM-MD5\nSTARTTLS\nDSN\nHELP");
			assertThat(session.ehloResp()).isEqualTo(reply.message());
			assertThat(session.heloResp()).isNull();
			assertThat(session.doesEsmtp()).isTrue();
			assertThat(session.esmtpFeatures().asMap()).containsExactly(entry("size", "35882577"),
					entry("8bitmime", ""), entry("auth", " LOGIN PLAIN CRAM-MD5"), entry("starttls", ""),
					entry("dsn", ""), entry("help", ""));
			assertThat(session.esmtpFeatures().authMechanisms()).containsExactly("LOGIN", "PLAIN", "CRAM-MD5");
			assertThat(session.esmtpFeatures().maxMessageSize()).hasValue(35882577L);
			assertThat(session.hasExtn("SIZE")).isTrue();
			assertThat(session.hasExtn("size")).isTrue();
			assertThat(session.hasExtn("StartTLS")).isTrue();
			assertThat(session.hasExtn("pipelining")).isFalse();
			assertThat(session.hasExtn("fake.test")).as("the first line is the greeting, not a keyword").isFalse();

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test");
		}
	}

	@Test
	void refusedEhloKeepsItsReplyButLearnsNothing() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("502 5.5.1 EHLO not implemented").awaitClose();
			SmtpSession session = client(server).connect();

			assertThat(session.ehlo()).isEqualTo(new SmtpReply(502, "5.5.1 EHLO not implemented"));

			assertThat(session.ehloResp()).isEqualTo("5.5.1 EHLO not implemented");
			assertThat(session.doesEsmtp()).isFalse();
			assertThat(session.esmtpFeatures().isEmpty()).isTrue();
			session.disconnect();
			server.awaitScriptDone(WAIT);
		}
	}

	@Test
	void ehloOrHeloIfNeededSaysEhloOnceOnly() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250 8BITMIME").reply("250 ok").awaitClose();
			SmtpSession session = client(server).connect();

			session.ehloOrHeloIfNeeded();
			session.ehloOrHeloIfNeeded();
			session.noop();

			assertThat(session.doesEsmtp()).isTrue();
			assertThat(session.hasExtn("8bitmime")).isTrue();
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("EHLO client.test\r\nNOOP\r\n");
		}
	}

	@Test
	void ehloOrHeloIfNeededFallsBackToHelo() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 old.test").reply("500 5.5.2 what?").reply("250 old.test hello").reply("250 ok").awaitClose();
			SmtpSession session = client(server).connect();

			session.ehloOrHeloIfNeeded();

			assertThat(session.doesEsmtp()).isFalse();
			assertThat(session.ehloResp()).isEqualTo("5.5.2 what?");
			assertThat(session.heloResp()).isEqualTo("old.test hello");
			assertThat(session.esmtpFeatures().isEmpty()).isTrue();
			session.ehloOrHeloIfNeeded();
			session.noop();
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("EHLO client.test\r\nHELO client.test\r\nNOOP\r\n");
			server.assertNoFailures();
		}
	}

	@Test
	void ehloOrHeloIfNeededRaisesHeloExceptionWhenBothAreRefused() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 grumpy.test").reply("502 no EHLO").reply("501 5.5.4 no HELO either").reply("250 ok")
				.awaitClose();
			SmtpSession session = client(server).connect();

			assertThatExceptionOfType(SmtpHeloException.class).isThrownBy(session::ehloOrHeloIfNeeded)
				.satisfies((ex) -> {
					assertThat(ex.smtpCode()).isEqualTo(501);
					assertThat(ex.smtpError()).isEqualTo("5.5.4 no HELO either");
				});

			assertThat(session.isConnected()).isTrue();
			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "ok"));
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "HELO client.test", "NOOP");
		}
	}

	@Test
	void ehloAnsweredByHangingUpIsADisconnect() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 old.test").disconnectAfterRead();
			SmtpSession session = client(server).connect();

			assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(session::ehloOrHeloIfNeeded);

			assertThat(session.isConnected()).isFalse();
			assertThat(session.ehloResp()).isNull();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).as("no HELO on a closed connection").containsExactly("EHLO client.test");
		}
	}

	// ---------------------------------------------------------------- simple commands

	@Test
	void noopRsetAndHelpSendTheirVerbs() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250 2.0.0 OK")
				.reply("250 2.0.0 reset")
				.reply("214-Supported commands:\n214 EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY")
				.reply("214 MAIL FROM:<address>")
				.awaitClose();
			SmtpSession session = client(server).connect();

			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "2.0.0 OK"));
			assertThat(session.rset()).isEqualTo(new SmtpReply(250, "2.0.0 reset"));
			assertThat(session.help()).isEqualTo("Supported commands:\nEHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY");
			assertThat(session.help("MAIL")).isEqualTo("MAIL FROM:<address>");

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("NOOP\r\nRSET\r\nHELP\r\nHELP MAIL\r\n");
			server.assertNoFailures();
		}
	}

	@Test
	void verifyAndExpnSendTheBareAddress() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("252 2.1.5 Cannot VRFY user, but will accept message")
				.reply("250 Jo <jo@x.test>")
				.reply("550 5.1.1 no such user")
				.reply("250-Ann <ann@x.test>\n250 Bob <bob@x.test>")
				.reply("502 5.5.1 EXPN not implemented")
				.awaitClose();
			SmtpSession session = client(server).connect();

			assertThat(session.verify("nobody@nowhere.test"))
				.isEqualTo(new SmtpReply(252, "2.1.5 Cannot VRFY user, but will accept message"));
			assertThat(session.vrfy("Jo <jo@x.test>")).isEqualTo(new SmtpReply(250, "Jo <jo@x.test>"));
			assertThat(session.verify("\"Smith, Jo\" <jo.smith@x.test>")).isEqualTo(new SmtpReply(550, "5.1.1 no such user"));
			assertThat(session.expn("list-1")).isEqualTo(new SmtpReply(250, "Ann <ann@x.test>\nBob <bob@x.test>"));
			assertThat(session.expn("The List <list-2@x.test>")).isEqualTo(new SmtpReply(502, "5.5.1 EXPN not implemented"));

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("VRFY nobody@nowhere.test", "VRFY jo@x.test",
					"VRFY jo.smith@x.test", "EXPN list-1", "EXPN list-2@x.test");
			server.assertNoFailures();
		}
	}

	@Test
	void mailAndRcptWithoutOptions() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250 2.1.0 sender ok").reply("251 2.1.5 will forward").awaitClose();
			SmtpSession session = client(server).connect();

			assertThat(session.mail("a@x.test")).isEqualTo(new SmtpReply(250, "2.1.0 sender ok"));
			assertThat(session.rcpt("b@y.test")).isEqualTo(new SmtpReply(251, "2.1.5 will forward"));

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("MAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\n");
		}
	}

	@Test
	void mailAndRcptSendOptionsToAnEsmtpServer() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply(EHLO_WITH_EXTENSIONS).reply("250 ok").reply("250 ok").awaitClose();
			SmtpSession session = client(server).connect();
			session.ehlo();

			session.mail("a@x.test", List.of("BODY=8BITMIME", "SIZE=1000"));
			session.rcpt("b@y.test", List.of("NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;b@y.test"));

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test",
					"MAIL FROM:<a@x.test> BODY=8BITMIME SIZE=1000",
					"RCPT TO:<b@y.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@y.test");
		}
	}

	@Test
	void optionsAreDroppedWhenTheServerDidNotAnswerEhlo() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 old.test").reply("502 no").reply("250 old.test").reply("250 ok").reply("250 ok")
				.reply("250 ok").awaitClose();
			SmtpSession session = client(server).connect();
			session.ehloOrHeloIfNeeded();
			assertThat(session.doesEsmtp()).isFalse();

			session.mail("a@x.test", List.of("BODY=8BITMIME"));
			session.rcpt("b@y.test", List.of("NOTIFY=NEVER"));
			// Not even SMTPUTF8 is looked at: as in smtplib, options go only to an ESMTP server.
			session.mail("c@x.test", List.of("SMTPUTF8"));

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "HELO client.test",
					"MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "MAIL FROM:<c@x.test>");
		}
	}

	@ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
	@CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
			"''                             | <>",
			"<>                             | <>",
			"a@x.test                       | <a@x.test>",
			"<a@x.test>                     | <a@x.test>",
			"Jo Smith <jo@x.test>           | <jo@x.test>",
			"\"Smith, Jo\" <jo@x.test>      | <jo@x.test>",
			"jo@x.test (Jo)                 | <jo@x.test>",
			"a@b@c                          | <a@b@c>",
			"x@[192.0.2.1]                  | <x@[192.0.2.1]>" })
	void addressesAreQuotedAsSmtplibDoes(String address, String quoted) throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250 ok").reply("250 ok").awaitClose();
			SmtpSession session = client(server).connect();

			session.mail(address);
			session.rcpt(address);

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("MAIL FROM:" + quoted, "RCPT TO:" + quoted);
		}
	}

	@Test
	void docmdPutcmdGetreplyAndSendWriteExactlyWhatTheyAreGiven() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250 xfoo done")
				.reply("250 xempty done")
				.reply("252 maybe")
				.reply("250 raw done")
				.reply("502 EXPN not implemented")
				.awaitClose();
			SmtpSession session = client(server).connect();

			assertThat(session.docmd("XFOO", "bar  baz")).isEqualTo(new SmtpReply(250, "xfoo done"));
			assertThat(session.docmd("XEMPTY", "")).isEqualTo(new SmtpReply(250, "xempty done"));
			session.putcmd("XBAR");
			assertThat(session.getreply()).isEqualTo(new SmtpReply(252, "maybe"));
			session.send("raw ");
			session.send("Line\r\n");
			assertThat(session.getreply()).isEqualTo(new SmtpReply(250, "raw done"));
			session.putcmd("EXPN", "");
			assertThat(session.getreply()).isEqualTo(new SmtpReply(502, "EXPN not implemented"));

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("XFOO bar  baz\r\nXEMPTY\r\nXBAR\r\nraw Line\r\nEXPN\r\n");
			server.assertNoFailures();
		}
	}

	// ---------------------------------------------------------------- CR, LF and non-ASCII

	static Stream<Arguments> commandsWithLineBreaks() {
		return Stream.of(
				call("mail sender with CRLF", (s) -> s.mail("a@x.test\r\nRCPT TO:<evil@y.test>")),
				call("mail sender with display name and CRLF", (s) -> s.mail("Jo <jo@x.test>\r\nRSET")),
				call("mail sender with LF only", (s) -> s.mail("a@x.test\nRSET")),
				call("mail option", (s) -> s.mail("a@x.test", List.of("BODY=8BITMIME\r\nRSET"))),
				call("second mail option", (s) -> s.mail("a@x.test", List.of("X-OPTION", "X-OPTION2\nX-INJECTED"))),
				call("rcpt recipient", (s) -> s.rcpt("b@y.test\nDATA")),
				call("rcpt recipient with display name", (s) -> s.rcpt("Bo <b@y.test>\r\nDATA")),
				call("rcpt option", (s) -> s.rcpt("b@y.test", List.of("NOTIFY=NEVER\rX"))),
				call("verify", (s) -> s.verify("a@x.test\r\nEXPN all")),
				call("verify with display name", (s) -> s.verify("Jo <jo@x.test>\r\nEXPN all")),
				call("vrfy", (s) -> s.vrfy("a@x.test\nRSET")),
				call("expn", (s) -> s.expn("list\r\nRSET")),
				call("helo name", (s) -> s.helo("client.test\r\nRSET")),
				call("ehlo name", (s) -> s.ehlo("client.test\nRSET")),
				call("help topic", (s) -> s.help("MAIL\r\nRSET")),
				call("putcmd command", (s) -> s.putcmd("helo\nX-INJECTED")),
				call("putcmd args", (s) -> s.putcmd("XFOO", "a\r\nb")),
				call("docmd args", (s) -> s.docmd("XFOO", "bar\rbaz")));
	}

	@ParameterizedTest(name = "[{index}] {0}")
	@MethodSource("commandsWithLineBreaks")
	void lineBreaksInAnArgumentAreRefusedAndNothingIsSent(ThrowingConsumer<SmtpSession> command) throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250-SIZE 1000\n250-8BITMIME\n250 SMTPUTF8")
				.reply("250 ok")
				.awaitClose();
			SmtpSession session = client(server).connect();
			session.ehlo();

			assertThatIllegalArgumentException().isThrownBy(() -> command.accept(session))
				.withMessageContaining("prohibited newline characters");

			assertThat(session.isConnected()).isTrue();
			// The NOOP comes right after the EHLO: nothing went out in between.
			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "ok"));
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("EHLO client.test\r\nNOOP\r\n");
			server.assertNoFailures();
		}
	}

	static Stream<Arguments> commandsWithNul() {
		return Stream.of(
				call("mail sender", (s) -> s.mail("a@x.test\0RCPT TO:<evil@y.test>")),
				call("mail option", (s) -> s.mail("a@x.test", List.of("BODY=8BITMIME\0X"))),
				call("rcpt recipient", (s) -> s.rcpt("b@y.test\0")),
				call("rcpt option", (s) -> s.rcpt("b@y.test", List.of("NOTIFY=NEVER\0X"))),
				call("verify", (s) -> s.verify("a\0@x.test")),
				call("expn", (s) -> s.expn("list\0")),
				call("helo name", (s) -> s.helo("client\0.test")),
				call("ehlo name", (s) -> s.ehlo("client.test\0")),
				call("help topic", (s) -> s.help("MAIL\0")),
				call("docmd args", (s) -> s.docmd("XFOO", "bar\0baz")),
				call("sendmail recipient", (s) -> s.sendmail("a@x.test", List.of("b@y.test", "c\0@y.test"),
						"Subject: hi\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII), List.of(), List.of())));
	}

	@ParameterizedTest(name = "[{index}] {0}")
	@MethodSource("commandsWithNul")
	void nulInAnArgumentIsRefusedAndNothingIsSent(ThrowingConsumer<SmtpSession> command) throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250-SIZE 1000\n250-8BITMIME\n250 SMTPUTF8")
				.reply("250 ok")
				.awaitClose();
			SmtpSession session = client(server).connect();
			session.ehlo();

			assertThatIllegalArgumentException().isThrownBy(() -> command.accept(session))
				.withMessageContaining("prohibited NUL character")
				.withMessageContaining("\\0");

			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "ok"));
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("EHLO client.test\r\nNOOP\r\n");
			server.assertNoFailures();
		}
	}

	@Test
	void lineBreakInAnOptionIsRefusedEvenWhereOptionsWouldBeDropped() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 old.test").reply("250 old.test").reply("250 ok").awaitClose();
			SmtpSession session = client(server).connect();
			session.helo();

			assertThatIllegalArgumentException().isThrownBy(() -> session.mail("a@x.test", List.of("X\r\nRSET")))
				.withMessageContaining("MAIL option");
			assertThatIllegalArgumentException().isThrownBy(() -> session.rcpt("b@y.test", List.of("X\nRSET")))
				.withMessageContaining("RCPT option");

			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "ok"));
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("HELO client.test\r\nNOOP\r\n");
		}
	}

	@Test
	void lineBreakInTheLocalHostNameIsRefusedByTheBuilder() {
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpSession.smtp().localHostname("hi\nX-INJECTED"))
			.withMessageContaining("prohibited newline characters")
			.withMessageContaining("hi\\nX-INJECTED");
		assertThatIllegalArgumentException().isThrownBy(() -> SmtpSession.smtp().localHostname("hi\rX"))
			.withMessageContaining("localHostname");
	}

	@Test
	void nonAsciiWithoutSmtputf8IsRefusedAndNothingIsSent() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250 SMTPUTF8").reply("250 ok").awaitClose();
			SmtpSession session = client(server).connect();
			session.ehlo();

			assertThatIllegalArgumentException().isThrownBy(() -> session.mail("jö@x.test"))
				.withMessageContaining("SMTPUTF8");
			assertThatIllegalArgumentException().isThrownBy(() -> session.rcpt("ü@y.test"));
			assertThatIllegalArgumentException().isThrownBy(() -> session.verify("jö"));
			assertThatIllegalArgumentException().isThrownBy(() -> session.helo("hôst"));

			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "ok"));
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("EHLO client.test\r\nNOOP\r\n");
		}
	}

	@Test
	void smtputf8OptionSwitchesCommandsToUtf8UntilRset() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test")
				.reply("250-fake.test\n250-8BITMIME\n250 SMTPUTF8")
				.reply("250 ok")
				.reply("250 ok")
				.reply("250 reset")
				.reply("250 ok")
				.awaitClose();
			SmtpSession session = client(server).connect();
			session.ehlo();

			session.mail("jö@exämple.test", List.of("SMTPUTF8", "BODY=8BITMIME"));
			session.rcpt("Ünïcode <ü@y.test>");
			session.rset();
			assertThatIllegalArgumentException().isThrownBy(() -> session.rcpt("ü@y.test"));
			session.noop();

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.received()).isEqualTo(("EHLO client.test\r\n"
					+ "MAIL FROM:<jö@exämple.test> SMTPUTF8 BODY=8BITMIME\r\n" + "RCPT TO:<ü@y.test>\r\n"
					+ "RSET\r\n" + "NOOP\r\n").getBytes(StandardCharsets.UTF_8));
			server.assertNoFailures();
		}
	}

	@Test
	void refusedMailWithSmtputf8LeavesCommandsInAscii() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250 SMTPUTF8").reply("250 ok").awaitClose();
			SmtpSession session = client(server).connect();
			session.ehlo();

			assertThatIllegalArgumentException()
				.isThrownBy(() -> session.mail("jö@x.test", List.of("SMTPUTF8", "X-OPTION\nX-INJECTED")))
				.withMessageContaining("prohibited newline characters");
			assertThatIllegalArgumentException().isThrownBy(() -> session.rcpt("ü@y.test"))
				.as("no MAIL with SMTPUTF8 was sent, so commands are still ASCII")
				.withMessageContaining("SMTPUTF8");

			session.noop();
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("EHLO client.test\r\nNOOP\r\n");
		}
	}

	@Test
	void smtputf8OptionIsNotSupportedWithoutTheExtension() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250 8BITMIME").reply("250 ok").awaitClose();
			SmtpSession session = client(server).connect();
			session.ehlo();

			assertThatExceptionOfType(SmtpNotSupportedException.class)
				.isThrownBy(() -> session.mail("jö@x.test", List.of("smtputf8")))
				.withMessageContaining("SMTPUTF8");

			assertThat(session.isConnected()).isTrue();
			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "ok"));
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("EHLO client.test\r\nNOOP\r\n");
		}
	}

	// ---------------------------------------------------------------- DATA

	@Test
	void dataStuffsDotsAtTheStartOfLines() throws Exception {
		assertThat(sentData((s) -> s.data(".A test\r\n..two\r\nmid.dle.\r\n.\r\nend.")))
			.isEqualTo("..A test\r\n...two\r\nmid.dle.\r\n..\r\nend.\r\n.\r\n");
	}

	@Test
	void dataFixesLoneCarriageReturnsAndLineFeedsInText() throws Exception {
		assertThat(sentData((s) -> s.data("abc\n.jkl\rfoo\r\n..blue\r\r\nend\r")))
			.isEqualTo("abc\r\n..jkl\r\nfoo\r\n...blue\r\n\r\nend\r\n.\r\n");
	}

	@Test
	void dataSendsBytesUntouchedApartFromDots() throws Exception {
		byte[] message = "lone\nfeed\rreturn\n.dot after LF\r.no dot after CR\u00e9".getBytes(StandardCharsets.ISO_8859_1);

		assertThat(sentData((s) -> s.data(message)))
			.isEqualTo("lone\nfeed\rreturn\n..dot after LF\r.no dot after CR\u00e9\r\n.\r\n");
	}

	@Test
	void dataAddsCrlfOnlyWhenMissing() throws Exception {
		assertThat(sentData((s) -> s.data("no line end"))).isEqualTo("no line end\r\n.\r\n");
		assertThat(sentData((s) -> s.data("line end\r\n"))).isEqualTo("line end\r\n.\r\n");
		assertThat(sentData((s) -> s.data("cr only\r".getBytes(StandardCharsets.US_ASCII))))
			.isEqualTo("cr only\r\r\n.\r\n");
	}

	@Test
	void emptyMessageIsAnEmptyLine() throws Exception {
		assertThat(sentData((s) -> s.data(""))).isEqualTo("\r\n.\r\n");
		assertThat(sentData((s) -> s.data(new byte[0]))).isEqualTo("\r\n.\r\n");
	}

	@Test
	void dataReturnsTheReplyToTheMessage() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("354 End data with <CR><LF>.<CR><LF>").reply("250 2.0.0 queued as 12345")
				.awaitClose();
			SmtpSession session = client(server).connect();

			assertThat(session.data("Subject: hi\r\n\r\nbody\r\n")).isEqualTo(new SmtpReply(250, "2.0.0 queued as 12345"));

			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("DATA");
			assertThat(server.receivedText()).isEqualTo("DATA\r\nSubject: hi\r\n\r\nbody\r\n.\r\n");
		}
	}

	@Test
	void dataWithNonAsciiTextIsRefusedBeforeAnythingIsSent() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250 ok").awaitClose();
			SmtpSession session = client(server).connect();

			assertThatIllegalArgumentException().isThrownBy(() -> session.data("Subject: caf\u00e9\r\n\r\n"))
				.withMessageContaining("U+00E9");

			session.noop();
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("NOOP\r\n");
		}
	}

	@Test
	void refusedDataRaisesDataExceptionAndSendsNoMessage() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("554 5.5.1 no valid recipients").reply("250 ok").awaitClose();
			SmtpSession session = client(server).connect();

			assertThatExceptionOfType(SmtpDataException.class).isThrownBy(() -> session.data("Subject: x\r\n\r\nhi\r\n"))
				.satisfies((ex) -> {
					assertThat(ex.smtpCode()).isEqualTo(554);
					assertThat(ex.smtpError()).isEqualTo("5.5.1 no valid recipients");
					assertThat(ex.recipientReplies()).isEmpty();
				});

			assertThat(session.isConnected()).isTrue();
			assertThat(session.noop()).isEqualTo(new SmtpReply(250, "ok"));
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("DATA\r\nNOOP\r\n");
			assertThat(server.messages()).isEmpty();
		}
	}

	@Test
	void dataFromAStreamSendsTheSameBytesAsFromAnArray() throws Exception {
		byte[] message = largeMessageWithDots();
		byte[] expected = referenceDotStuffing(message);

		byte[] fromArray = sentDataBytes((s) -> s.data(message));
		byte[] fromStream = sentDataBytes((s) -> s.data(new TrickleInputStream(new ByteArrayInputStream(message))));

		assertThat(fromArray).isEqualTo(expected);
		assertThat(fromStream).isEqualTo(expected);
	}

	@Test
	void dataFromAStreamIsReadToItsEndButNotClosed() throws Exception {
		boolean[] closed = new boolean[1];
		ByteArrayInputStream content = new ByteArrayInputStream("hello\r\n".getBytes(StandardCharsets.US_ASCII)) {

			@Override
			public void close() {
				closed[0] = true;
			}

		};

		assertThat(sentData((s) -> s.data(content))).isEqualTo("hello\r\n.\r\n");

		assertThat(content.available()).isZero();
		assertThat(closed[0]).isFalse();
	}

	@Test
	void failingStreamDropsTheConnectionWithoutTheFinalDot() throws Exception {
		IOException failure = new IOException("disk gone");
		InputStream failing = new InputStream() {

			private boolean served;

			@Override
			public int read() throws IOException {
				throw failure;
			}

			@Override
			public int read(byte[] buffer, int offset, int length) throws IOException {
				if (this.served) {
					throw failure;
				}
				this.served = true;
				byte[] start = "Subject: partial\r\n\r\nfirst part\r\n".getBytes(StandardCharsets.US_ASCII);
				System.arraycopy(start, 0, buffer, offset, start.length);
				return start.length;
			}

		};
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("354 go ahead").awaitClose();
			SmtpSession session = client(server).connect();

			assertThatExceptionOfType(IOException.class).isThrownBy(() -> session.data(failing))
				.satisfies((ex) -> assertThat(ex).isSameAs(failure));

			assertThat(session.isConnected()).isFalse();
			// awaitClose() is done once the client has closed the connection.
			server.awaitScriptDone(WAIT);
			assertThat(server.messages()).as("no complete message arrived").isEmpty();
			assertThat(server.receivedText()).startsWith("DATA\r\n").doesNotContain(".\r\n");
		}
	}

	// ---------------------------------------------------------------- ending

	@Test
	void quitReturnsTheReplyForgetsTheServerAndCloses() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250 SIZE 100").reply("221 2.0.0 bye").awaitClose();
			SmtpSession session = client(server).connect();
			session.ehlo();

			assertThat(session.quit()).isEqualTo(new SmtpReply(221, "2.0.0 bye"));

			assertThat(session.isConnected()).isFalse();
			assertThat(session.ehloResp()).isNull();
			assertThat(session.heloResp()).isNull();
			assertThat(session.doesEsmtp()).isFalse();
			assertThat(session.esmtpFeatures().isEmpty()).isTrue();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("EHLO client.test", "QUIT");
			server.assertNoFailures();
		}
	}

	@Test
	void quitClosesEvenWhenTheServerHangsUp() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").disconnectAfterRead();
			SmtpSession session = client(server).connect();

			assertThatExceptionOfType(SmtpServerDisconnectedException.class).isThrownBy(session::quit)
				.withMessageContaining("Connection unexpectedly closed");

			assertThat(session.isConnected()).isFalse();
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("QUIT");
		}
	}

	@Test
	void closeSendsQuitAndReleasesTheConnection() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250 ok").reply("221 bye").awaitClose();

			SmtpSession used;
			try (SmtpSession session = client(server).connect()) {
				session.noop();
				used = session;
			}

			assertThat(used.isConnected()).isFalse();
			server.awaitScriptDone(WAIT);
			assertThat(server.receivedText()).isEqualTo("NOOP\r\nQUIT\r\n");
			server.assertNoFailures();
		}
	}

	@Test
	void closeIgnoresAServerThatHasGoneAlready() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").disconnect();
			SmtpSession session = client(server).connect();
			server.awaitScriptDone(WAIT);

			assertThatNoException().isThrownBy(session::close);

			assertThat(session.isConnected()).isFalse();
		}
	}

	@Test
	void closeReportsARefusedQuitAfterReleasingTheConnection() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("421 4.3.0 shutting down anyway").awaitClose();
			SmtpSession session = client(server).connect();

			assertThatExceptionOfType(SmtpResponseException.class).isThrownBy(session::close).satisfies((ex) -> {
				assertThat(ex.smtpCode()).isEqualTo(421);
				assertThat(ex.smtpError()).isEqualTo("4.3.0 shutting down anyway");
			});

			assertThat(session.isConnected()).isFalse();
			// awaitClose() is done only once the socket was closed.
			server.awaitScriptDone(WAIT);
			assertThat(server.commands()).containsExactly("QUIT");
		}
	}

	@Test
	void closeWhenNotConnectedIsANoOp() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("221 bye").awaitClose();
			SmtpSession session = client(server).connect();
			session.quit();
			server.awaitScriptDone(WAIT);

			session.close();
			session.close();

			assertThat(session.isConnected()).isFalse();
			assertThat(server.commands()).containsExactly("QUIT");
		}
	}

	@Test
	void disconnectSendsNothingAndForgetsTheServer() throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("250-fake.test\n250 8BITMIME").awaitClose()
				.greet("220 fake.test again").reply("250 ok").awaitClose();
			SmtpSession session = client(server).connect();
			session.ehlo();

			session.disconnect();

			assertThat(session.isConnected()).isFalse();
			assertThat(session.ehloResp()).isNull();
			assertThat(session.doesEsmtp()).isFalse();
			assertThat(session.hasExtn("8bitmime")).isFalse();
			assertThat(session.connect()).isEqualTo(new SmtpReply(220, "fake.test again"));
			session.ehloOrHeloIfNeeded();
			session.disconnect();
			server.awaitScriptDone(WAIT);
			assertThat(server.received(0)).isEqualTo("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
			assertThat(server.received(1)).isEqualTo("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
			server.assertNoFailures();
		}
	}

	// ---------------------------------------------------------------- helpers

	private static SmtpSession.Builder client(ScriptedSmtpServer server) {
		return SmtpSession.smtp().host(server.host()).port(server.port()).localHostname("client.test").timeout(WAIT);
	}

	private static Arguments call(String name, ThrowingConsumer<SmtpSession> command) {
		return Arguments.of(Named.of(name, command));
	}

	private static Map.Entry<String, String> entry(String key, String value) {
		return Map.entry(key, value);
	}

	/** Runs a data call against a server that says 354 and then 250; returns the data as received. */
	private static String sentData(ThrowingConsumer<SmtpSession> dataCall) throws Exception {
		return new String(sentDataBytes(dataCall), StandardCharsets.ISO_8859_1);
	}

	private static byte[] sentDataBytes(ThrowingConsumer<SmtpSession> dataCall) throws Exception {
		try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
			server.greet("220 fake.test").reply("354 go ahead").reply("250 2.0.0 queued").awaitClose();
			SmtpSession session = client(server).connect();
			try {
				dataCall.accept(session);
			}
			catch (Throwable ex) {
				throw new AssertionError(ex);
			}
			session.disconnect();
			server.awaitScriptDone(WAIT);
			server.assertNoFailures();
			assertThat(server.commands()).containsExactly("DATA");
			assertThat(server.messages()).hasSize(1);
			return server.messages().get(0);
		}
	}

	/** About 200 KiB of lines, many starting with dots, with lone CR and LF in between. */
	private static byte[] largeMessageWithDots() {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes("Subject: dots\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
		for (int i = 0; i < 6000; i++) {
			String line = switch (i % 5) {
				case 0 -> "." + i + " starts with a dot\r\n";
				case 1 -> "..two dots " + i + "\n";
				case 2 -> "after lone CR\r." + i + "\r\n";
				case 3 -> ".\r\n";
				default -> "plain line " + i + " with a . inside\r\n";
			};
			out.writeBytes(line.getBytes(StandardCharsets.US_ASCII));
		}
		out.writeBytes(".last line without end".getBytes(StandardCharsets.US_ASCII));
		return out.toByteArray();
	}

	/** What smtplib's data() sends for bytes, computed independently of the production code. */
	private static byte[] referenceDotStuffing(byte[] message) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		boolean lineStart = true;
		for (byte b : message) {
			if (lineStart && b == '.') {
				out.write('.');
			}
			out.write(b);
			lineStart = (b == '\n');
		}
		int n = message.length;
		if (n < 2 || message[n - 2] != '\r' || message[n - 1] != '\n') {
			out.writeBytes(new byte[] { '\r', '\n' });
		}
		out.writeBytes(new byte[] { '.', '\r', '\n' });
		return out.toByteArray();
	}

	/** Hands out at most a few bytes per read, so that lines and dots straddle every boundary. */
	private static final class TrickleInputStream extends FilterInputStream {

		private int call;

		TrickleInputStream(InputStream in) {
			super(in);
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int size = 1 + (this.call++ % 7);
			return super.read(buffer, offset, Math.min(length, size));
		}

	}

}
