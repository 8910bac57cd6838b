package io.github.smtpkit.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The smtpkit sample: a web page that sends mail through the smtpkit starter's
 * {@link org.springframework.mail.javamail.JavaMailSender}, configured by {@code application.yml}
 * alone. Without {@code smtp.host} it sends to an embedded GreenMail server (see
 * {@link EmbeddedMailServerInitializer}) and shows what arrived; with
 * {@code --smtp.host=... --smtp.username=... --smtp.password=...} it sends for real.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
