package io.github.smtpkit.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The smtpkit sample: sends one mail through {@link io.github.smtpkit.SmtpSession} to an embedded
 * GreenMail server (or to {@code --smtp.host}/{@code --smtp.port}) and prints what arrived.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
