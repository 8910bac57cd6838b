package io.github.smtpkit.sample;

import java.util.List;
import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpSession;
import jakarta.mail.internet.MimeMessage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Sends one mail at start-up. Without {@code smtp.host} it starts an in-process GreenMail server on
 * a free port first, so the sample needs no mail server; with it, the mail goes to that server.
 */
@Component
class SampleMailRunner implements ApplicationRunner {

	private static final Log logger = LogFactory.getLog(SampleMailRunner.class);

	private final String host;

	private final int port;

	SampleMailRunner(@Value("${smtp.host:}") String host, @Value("${smtp.port:25}") int port) {
		this.host = host;
		this.port = port;
	}

	@Override
	public void run(ApplicationArguments args) throws Exception {
		if (!this.host.isEmpty()) {
			send(this.host, this.port);
			return;
		}
		GreenMail embedded = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
		embedded.start();
		try {
			send("127.0.0.1", embedded.getSmtp().getPort());
			for (MimeMessage received : embedded.getReceivedMessages()) {
				logger.info("The embedded server received \"" + received.getSubject() + "\" for "
						+ List.of(received.getAllRecipients()));
			}
		}
		finally {
			embedded.stop();
		}
	}

	private void send(String host, int port) throws Exception {
		String message = "From: sample@example.com\r\nTo: you@example.com\r\nSubject: Hello from smtpkit\r\n\r\n"
				+ "Sent by the smtpkit sample application.\r\n";
		try (SmtpSession smtp = SmtpSession.smtp().host(host).port(port).connect()) {
			Map<String, SmtpReply> refused = smtp.sendmail("sample@example.com", List.of("you@example.com"), message);
			logger.info("Sent to " + host + ":" + port + "; refused recipients: " + refused);
		}
	}

}
