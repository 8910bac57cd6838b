package io.github.smtpkit.spring;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.mail.autoconfigure.MailSenderAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.mail.MailException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.mail.javamail.MimeMessagePreparator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same application code sent through Spring Boot's own {@link JavaMailSenderImpl} (made by
 * Boot's {@link MailSenderAutoConfiguration} from {@code spring.mail.*}) and through smtpkit's
 * {@link SmtpMailSender} (made by smtpkit's auto-configuration from {@code smtp.*}), to the same
 * recording server: the envelope (MAIL FROM and every RCPT, in order), the message bytes and what
 * the application is told of failures must be the same. Only what must differ is normalised: the
 * Message-ID, the Date and the MIME boundaries.
 *
 * <p>The build runs this class twice: as it is, and on a JVM whose default charset is ASCII
 * ({@code -Dfile.encoding=ANSI_X3.4-1968}, {@code LANG=C}), as in many containers on JDK 17.
 */
class SmtpMailSenderDifferentialTests {

	private static final String ASCII_RUN = "smtpkit.test.expect-ascii-default-charset";

	private static FakeSmtpServer server;

	@BeforeAll
	static void startServer() {
		server = FakeSmtpServer.refusing((line) -> line.contains("refused@") || line.contains("later@"));
	}

	@AfterAll
	static void stopServer() throws IOException {
		server.close();
	}

	@Test
	void theAsciiRunRunsWithAnAsciiDefaultCharset() {
		// Guards the second run: were its JVM options lost, it would pass on UTF-8 and prove nothing.
		boolean asciiRun = Boolean.getBoolean(ASCII_RUN);
		assertThat(Charset.defaultCharset().equals(StandardCharsets.US_ASCII)).isEqualTo(asciiRun);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("applicationCode")
	void smtpkitSendsWhatSpringBootSends(String name, ApplicationCode code) {
		Outcome boot = outcome(bootRunner(), "mailSender", code);
		Outcome smtpkit = outcome(smtpkitRunner(), "mailSender", code);
		assertThat(boot.transactions()).as("the recording server must have seen the case").isNotNull();
		assertThat(smtpkit).isEqualTo(boot);
	}

	@Test
	void nonAsciiTextArrivesIntactWhateverTheDefaultCharset() throws Exception {
		Outcome smtpkit = outcome(smtpkitRunner(), "mailSender", (sender) -> {
			SimpleMailMessage message = simple("Jürgen Müller <juergen@example.test>", "one@example.test");
			message.setSubject("Grüße");
			message.setText("Grüße aus Köln");
			sender.send(message);
		});
		String data = smtpkit.transactions().get(0).data();
		MimeMessage received = new MimeMessage(null, new ByteArrayInputStream(data.getBytes(StandardCharsets.US_ASCII)));
		assertThat(data).as("7-bit on the wire").matches("\\p{ASCII}*");
		assertThat(received.getSubject()).isEqualTo("Grüße");
		assertThat(MimeUtility.decodeText(received.getHeader("From", null))).isEqualTo("Jürgen Müller <juergen@example.test>");
		assertThat(received.getContent()).asString().isEqualToIgnoringNewLines("Grüße aus Köln");
		assertThat(received.getContentType()).containsIgnoringCase("charset=UTF-8");
	}

	/** An {@link SMTPMessage} that asks for delivery status notifications (RFC 3461). */
	private static final ApplicationCode SMTP_MESSAGE_WITH_DSN = (sender) -> {
		SMTPMessage message = new SMTPMessage(Session.getInstance(new Properties()));
		message.setFrom("app@example.test");
		message.setRecipients(MimeMessage.RecipientType.TO, "one@example.test, two@example.test");
		message.setSubject("With DSN");
		message.setText("text");
		message.setEnvelopeFrom("bounces@example.test");
		message.setNotifyOptions(SMTPMessage.NOTIFY_FAILURE | SMTPMessage.NOTIFY_DELAY);
		message.setReturnOption(SMTPMessage.RETURN_HDRS);
		sender.send(message);
	};

	static Stream<Object[]> applicationCode() {
		Map<String, ApplicationCode> cases = new LinkedHashMap<>();
		cases.put("SimpleMailMessage with to, cc, bcc and reply-to", (sender) -> {
			SimpleMailMessage message = simple("app@example.test", "one@example.test", "two@example.test");
			message.setCc("cc@example.test");
			message.setBcc("hidden@example.test");
			message.setReplyTo("replies@example.test");
			sender.send(message);
		});
		cases.put("SimpleMailMessage copied from a template with a default from", (sender) -> {
			SimpleMailMessage template = new SimpleMailMessage();
			template.setFrom("App <app@example.test>");
			template.setSubject("Your order");
			SimpleMailMessage message = new SimpleMailMessage(template);
			message.setTo("one@example.test");
			message.setText("It has shipped.");
			sender.send(message);
		});
		cases.put("ASCII text (charset of the default encoding)", (sender) -> sender.send(simple("app@example.test",
				"one@example.test")));
		cases.put("non-ASCII subject, body and display names", (sender) -> {
			SimpleMailMessage message = simple("Jürgen Müller <juergen@example.test>", "Zoë <one@example.test>");
			message.setSubject("Grüße");
			message.setText("Grüße aus Köln");
			sender.send(message);
		});
		cases.put("MimeMessageHelper multipart with attachment and inline image", (sender) -> {
			MimeMessage message = sender.createMimeMessage();
			MimeMessageHelper helper = new MimeMessageHelper(message, true);
			helper.setFrom("App <app@example.test>");
			helper.setTo("one@example.test");
			helper.setCc("cc@example.test");
			helper.setBcc("hidden@example.test");
			helper.setSubject("Report");
			helper.setText("<p>See <img src='cid:logo'></p>", true);
			helper.addInline("logo", new ByteArrayResource(new byte[] { (byte) 0x89, 'P', 'N', 'G' }), "image/png");
			helper.addAttachment("report.pdf", new ByteArrayResource("%PDF-1.4".getBytes(StandardCharsets.US_ASCII)));
			sender.send(message);
		});
		cases.put("MimeMessageHelper with non-ASCII names everywhere", (sender) -> {
			MimeMessage message = sender.createMimeMessage();
			MimeMessageHelper helper = new MimeMessageHelper(message, true);
			helper.setFrom("juergen@example.test", "Jürgen Müller");
			helper.setTo("Zoë Ångström <one@example.test>");
			helper.setSubject("Übersicht für März");
			helper.setText("Anbei die Übersicht. ✓");
			helper.addAttachment("Übersicht März.txt", new ByteArrayResource("Köln".getBytes(StandardCharsets.UTF_8)));
			sender.send(message);
		});
		cases.put("MimeMessagePreparator", (sender) -> sender.send((MimeMessagePreparator) (message) -> {
			MimeMessageHelper helper = new MimeMessageHelper(message);
			helper.setFrom("app@example.test");
			helper.setTo(new String[] { "one@example.test", "two@example.test" });
			helper.setSubject("Prepared");
			helper.setText("Prepared text");
		}));
		cases.put("createMimeMessage(InputStream)", (sender) -> {
			MimeMessage message = sender.createMimeMessage(new ByteArrayInputStream(("From: app@example.test\r\n"
					+ "To: one@example.test\r\nCc: two@example.test\r\nSubject: raw\r\n\r\nFrom a stream.\r\n.dot\r\n")
				.getBytes(StandardCharsets.US_ASCII)));
			message.setHeader("Message-ID", "<kept@app.example.test>");
			sender.send(message);
		});
		cases.put("Sender header does not change MAIL FROM", (sender) -> {
			MimeMessage message = sender.createMimeMessage();
			MimeMessageHelper helper = new MimeMessageHelper(message);
			helper.setFrom("author@example.test");
			helper.setTo("one@example.test");
			helper.setSubject("On behalf");
			helper.setText("text");
			message.setHeader("Sender", "secretary@example.test");
			sender.send(message);
		});
		cases.put("Resent headers do not change the envelope", (sender) -> {
			MimeMessage message = sender.createMimeMessage();
			MimeMessageHelper helper = new MimeMessageHelper(message);
			helper.setFrom("author@example.test");
			helper.setTo("one@example.test");
			helper.setSubject("Resent");
			helper.setText("text");
			message.setHeader("Resent-Date", "Thu, 1 Jan 2026 00:00:00 +0000");
			message.setHeader("Resent-From", "forwarder@example.test");
			message.setHeader("Resent-To", "elsewhere@example.test");
			sender.send(message);
		});
		cases.put("SMTPMessage envelope-from, NOTIFY and RET", SMTP_MESSAGE_WITH_DSN);
		cases.put("SMTPMessage with sendPartial", (sender) -> {
			SMTPMessage message = new SMTPMessage(Session.getInstance(new Properties()));
			message.setFrom("app@example.test");
			message.setRecipients(MimeMessage.RecipientType.TO, "one@example.test, refused@example.test");
			message.setSubject("Partial");
			message.setText("text");
			message.setSendPartial(true);
			sender.send(message);
		});
		cases.put("a partially refused recipient list", (sender) -> {
			SimpleMailMessage message = simple("app@example.test", "one@example.test", "refused@example.test",
					"later@example.test", "two@example.test");
			sender.send(message);
		});
		cases.put("every recipient refused", (sender) -> sender.send(simple("app@example.test", "refused@example.test")));
		cases.put("the sender refused", (sender) -> sender.send(simple("refused@example.test", "one@example.test")));
		cases.put("the message refused after its data", (sender) -> {
			MimeMessage message = sender.createMimeMessage();
			MimeMessageHelper helper = new MimeMessageHelper(message);
			helper.setFrom("app@example.test");
			helper.setTo("one@example.test");
			helper.setSubject("Refused");
			helper.setText("text");
			message.setHeader("X-Refuse", "data");
			sender.send(message);
		});
		cases.put("send(array) with one bad message in the middle", (sender) -> sender.send(
				simple("app@example.test", "one@example.test"), simple("app@example.test", "refused@example.test"),
				simple("app@example.test", "three@example.test")));
		cases.put("a message without recipients", (sender) -> {
			MimeMessage message = sender.createMimeMessage();
			new MimeMessageHelper(message).setFrom("app@example.test");
			message.setSubject("Nobody");
			message.setText("text");
			sender.send(message);
		});
		cases.put("an address that does not parse", (sender) -> sender.send(simple("app@example.test",
				"not an address <")));
		cases.put("a preparator that fails", (sender) -> sender.send((MimeMessagePreparator) (message) -> {
			throw new IOException("no template");
		}));
		return cases.entrySet().stream().map((entry) -> new Object[] { entry.getKey(), entry.getValue() });
	}

	@Test
	void aDsnRequestGoesToAServerThatAdvertisesDsn() {
		Outcome boot = outcome(bootRunner(), "mailSender", SMTP_MESSAGE_WITH_DSN);
		Outcome smtpkit = outcome(smtpkitRunner(), "mailSender", SMTP_MESSAGE_WITH_DSN);
		assertThat(boot.failure()).isNull();
		assertThat(boot.transactions()).singleElement().satisfies((transaction) -> {
			assertThat(transaction.mail()).isEqualTo("MAIL FROM:<bounces@example.test> RET=HDRS");
			assertThat(transaction.rcpts()).containsExactly("RCPT TO:<one@example.test> NOTIFY=FAILURE,DELAY",
					"RCPT TO:<two@example.test> NOTIFY=FAILURE,DELAY");
		});
		assertThat(smtpkit).isEqualTo(boot);
	}

	@Test
	void aDsnRequestToAServerWithoutDsnIsDroppedAndTheMessageDelivered() throws IOException {
		try (FakeSmtpServer withoutDsn = FakeSmtpServer.withoutDsn((line) -> false)) {
			Outcome boot = outcome(withoutDsn, bootRunner().withPropertyValues("spring.mail.port=" + withoutDsn.port()),
					"mailSender", SMTP_MESSAGE_WITH_DSN);
			Outcome smtpkit = outcome(withoutDsn, smtpkitRunner().withPropertyValues("smtp.port=" + withoutDsn.port()),
					"mailSender", SMTP_MESSAGE_WITH_DSN);
			assertThat(boot.failure()).isNull();
			assertThat(boot.transactions()).singleElement().satisfies((transaction) -> {
				assertThat(transaction.mail()).isEqualTo("MAIL FROM:<bounces@example.test>");
				assertThat(transaction.rcpts()).containsExactly("RCPT TO:<one@example.test>", "RCPT TO:<two@example.test>");
			});
			assertThat(smtpkit).isEqualTo(boot);
		}
	}

	@Test
	void anUnreachableServerFailsEveryMessageAlike() throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0)) {
			closedPort = socket.getLocalPort();
		}
		ApplicationCode code = (sender) -> sender.send(simple("app@example.test", "one@example.test"),
				simple("app@example.test", "two@example.test"));
		Outcome boot = outcome(bootRunner().withPropertyValues("spring.mail.port=" + closedPort), "mailSender", code);
		Outcome smtpkit = outcome(smtpkitRunner().withPropertyValues("smtp.port=" + closedPort), "mailSender", code);
		assertThat(boot.failure()).startsWith("MailSendException");
		// The causes are each transport's own connection failure: compare which messages failed.
		assertThat(keysOf(smtpkit.failure())).isEqualTo(keysOf(boot.failure()));
	}

	@Test
	void refusedCredentialsAreAMailAuthenticationException() throws IOException {
		try (FakeSmtpServer refusing = FakeSmtpServer.refusingCredentials()) {
			ApplicationCode code = (sender) -> sender.send(simple("app@example.test", "one@example.test"));
			Outcome boot = outcome(bootRunner().withPropertyValues("spring.mail.port=" + refusing.port(),
					"spring.mail.username=app", "spring.mail.password=wrong"), "mailSender", code);
			Outcome smtpkit = outcome(smtpkitRunner().withPropertyValues("smtp.port=" + refusing.port(),
					"smtp.username=app", "smtp.password=wrong"), "mailSender", code);
			assertThat(boot.failure()).isEqualTo("MailAuthenticationException");
			assertThat(smtpkit.failure()).isEqualTo(boot.failure());
		}
	}

	@Test
	void theBounceAddressIsMailSmtpFrom() {
		ApplicationCode code = (sender) -> sender.send(simple("app@example.test", "one@example.test"));
		Outcome boot = outcome(bootRunner().withPropertyValues(
				"spring.mail.properties.mail.smtp.from=bounces@example.test"), "mailSender", code);
		Outcome smtpkit = outcome(smtpkitRunner().withPropertyValues("smtp.envelope-from=bounces@example.test"),
				"mailSender", code);
		assertThat(boot.transactions()).singleElement()
			.satisfies((transaction) -> assertThat(transaction.mail()).isEqualTo("MAIL FROM:<bounces@example.test>"));
		assertThat(smtpkit).isEqualTo(boot);
	}

	@Test
	void partialDeliveryIsMailSmtpSendpartial() {
		ApplicationCode code = (sender) -> sender.send(simple("app@example.test", "one@example.test",
				"refused@example.test", "later@example.test"));
		Outcome boot = outcome(bootRunner().withPropertyValues("spring.mail.properties.mail.smtp.sendpartial=true"),
				"mailSender", code);
		Outcome smtpkit = outcome(smtpkitRunner().withPropertyValues("smtp.partial-delivery=true"), "mailSender",
				code);
		assertThat(boot.transactions()).singleElement()
			.satisfies((transaction) -> assertThat(transaction.rcpts()).containsExactly("RCPT TO:<one@example.test>"));
		assertThat(smtpkit).isEqualTo(boot);
	}

	private static List<String> keysOf(String failure) {
		return Pattern.compile("\\[(\\w+:[^=]*)=").matcher(failure).results().map((match) -> match.group(1)).toList();
	}

	// ---------------------------------------------------------------- the two senders

	/** Spring Boot's own sender, configured by Boot from spring.mail.*. */
	private static ApplicationContextRunner bootRunner() {
		return new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MailSenderAutoConfiguration.class))
			.withPropertyValues("spring.mail.host=127.0.0.1", "spring.mail.port=" + server.port(),
					"spring.mail.properties.mail.smtp.connectiontimeout=2000",
					"spring.mail.properties.mail.smtp.timeout=5000");
	}

	/** smtpkit's sender, configured by smtpkit from smtp.*. */
	private static ApplicationContextRunner smtpkitRunner() {
		return new ApplicationContextRunner().withConfiguration(SmtpkitAutoConfigurations.all())
			.withPropertyValues("smtp.host=127.0.0.1", "smtp.port=" + server.port(), "smtp.starttls=none",
					"smtp.connect-timeout=2s", "smtp.timeout=5s");
	}

	/** Runs the application code against one sender and says what the server got and the application was told. */
	private static Outcome outcome(ApplicationContextRunner runner, String beanName, ApplicationCode code) {
		return outcome(server, runner, beanName, code);
	}

	/** As {@link #outcome(ApplicationContextRunner, String, ApplicationCode)}, recorded by the given server. */
	private static Outcome outcome(FakeSmtpServer recordingServer, ApplicationContextRunner runner, String beanName,
			ApplicationCode code) {
		List<Outcome> outcome = new ArrayList<>();
		runner.run((context) -> {
			assertThat(context).hasNotFailed();
			JavaMailSender sender = context.getBean(beanName, JavaMailSender.class);
			recordingServer.clear();
			String failure = null;
			try {
				code.send(sender);
			}
			catch (MailException ex) {
				failure = describe(ex);
			}
			outcome.add(new Outcome(
					recordingServer.transactions().stream().map(SmtpMailSenderDifferentialTests::normalized).toList(),
					failure));
		});
		return outcome.get(0);
	}

	// ---------------------------------------------------------------- normalising

	private static final Pattern BOUNDARY = Pattern.compile("----=_Part_\\d+_-?\\d+\\.\\d+");

	private static final Pattern MESSAGE_ID = Pattern.compile("(?m)^Message-ID: <[^>]*@[^>]*>$");

	private static final Pattern DATE = Pattern.compile("(?m)^Date: .*$");

	/** The transaction without what must differ between two sends: Message-ID, Date, boundaries. */
	private static FakeSmtpServer.Transaction normalized(FakeSmtpServer.Transaction transaction) {
		String data = transaction.data();
		if (!data.contains("<kept@app.example.test>")) {
			data = MESSAGE_ID.matcher(data).replaceAll("Message-ID: <normalised>");
		}
		data = DATE.matcher(data).replaceAll("Date: normalised");
		Map<String, String> boundaries = new LinkedHashMap<>();
		Matcher matcher = BOUNDARY.matcher(data);
		StringBuilder replaced = new StringBuilder();
		while (matcher.find()) {
			String placeholder = boundaries.computeIfAbsent(matcher.group(), (found) -> "BOUNDARY-" + boundaries.size());
			matcher.appendReplacement(replaced, placeholder);
		}
		matcher.appendTail(replaced);
		return new FakeSmtpServer.Transaction(transaction.mail(), transaction.rcpts(), replaced.toString());
	}

	/** What the application can see of a failure, in a form two senders can be compared by. */
	private static String describe(MailException ex) {
		StringBuilder description = new StringBuilder(ex.getClass().getSimpleName());
		if (ex instanceof MailSendException send && !send.getFailedMessages().isEmpty()) {
			description.append(' ');
			Map<String, String> failed = new LinkedHashMap<>();
			send.getFailedMessages().forEach((message, cause) -> failed.put(key(message), describe(cause)));
			description.append(failed);
		}
		return description.toString();
	}

	private static String key(Object message) {
		try {
			String subject = (message instanceof SimpleMailMessage simple) ? simple.getSubject() + " to "
					+ String.join(",", simple.getTo()) : ((MimeMessage) message).getSubject();
			return message.getClass().getSimpleName().replace("SMTPMessage", "MimeMessage") + ":" + subject;
		}
		catch (MessagingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String describe(Exception cause) {
		if (!(cause instanceof SendFailedException failed)) {
			// Not a refusal: each transport says it in its own words; its kind must be the same.
			return (cause instanceof MessagingException) ? "MessagingException" : "not a MessagingException";
		}
		StringBuilder description = new StringBuilder(failed.getClass().getSimpleName());
		if (failed instanceof SMTPSendFailedException smtp) {
			description.append(" ").append(smtp.getReturnCode());
		}
		description.append(" sent=").append(addresses(failed.getValidSentAddresses()));
		description.append(" unsent=").append(addresses(failed.getValidUnsentAddresses()));
		description.append(" invalid=").append(addresses(failed.getInvalidAddresses()));
		List<String> perAddress = new ArrayList<>();
		for (Exception next = failed.getNextException(); next instanceof MessagingException messaging; next = messaging
			.getNextException()) {
			if (next instanceof SMTPAddressFailedException address) {
				perAddress.add(address.getAddress() + " " + address.getReturnCode());
			}
		}
		return description.append(" per address=").append(perAddress).toString();
	}

	private static List<String> addresses(Address[] addresses) {
		return (addresses != null) ? Stream.of(addresses).map(Address::toString).toList() : List.of();
	}

	private static SimpleMailMessage simple(String from, String... to) {
		SimpleMailMessage message = new SimpleMailMessage();
		message.setFrom(from);
		message.setTo(to);
		message.setSubject("Hello");
		message.setText("Hello there.");
		return message;
	}

	/** Application code written for spring-boot-starter-mail. */
	@FunctionalInterface
	interface ApplicationCode {

		void send(JavaMailSender sender) throws Exception;

	}

	/** What the server received, and what the application was told ({@code null}: nothing, it worked). */
	record Outcome(List<FakeSmtpServer.Transaction> transactions, String failure) {
	}

}
