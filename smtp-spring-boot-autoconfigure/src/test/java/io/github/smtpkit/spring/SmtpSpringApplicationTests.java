package io.github.smtpkit.spring;

import io.github.smtpkit.SmtpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.mail.MailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * smtpkit in a whole Spring Boot application, with every auto-configuration on the test class
 * path (Spring Boot's mail, metrics and health among them), as a user's application starts.
 */
@ExtendWith(OutputCaptureExtension.class)
class SmtpSpringApplicationTests {

	@Test
	void oursIsTheOnlyMailSenderEvenWithSpringMailProperties() {
		try (ConfigurableApplicationContext context = application().run("--smtp.host=mail.example.test",
				"--spring.mail.host=legacy.example.test")) {
			assertThat(context.getBeansOfType(MailSender.class)).containsOnlyKeys("smtpMailSender");
			assertThat(context.getBeansOfType(JavaMailSenderImpl.class)).isEmpty();
			assertThat(context.getBean(SmtpClient.class).endpoint().host()).isEqualTo("mail.example.test");
		}
	}

	@Test
	void aBadValueFailsStartUpWithAnAnalysisNamingTheProperty(CapturedOutput output) {
		assertThatException()
			.isThrownBy(() -> application().run("--smtp.host=mail.example.test", "--smtp.servers.bulk.port=70000"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid value '70000' for configuration property 'smtp.servers.bulk.port'")
			.contains("port must be between 1 and 65535");
	}

	private static SpringApplicationBuilder application() {
		return new SpringApplicationBuilder(Application.class).web(WebApplicationType.NONE);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Application {

	}

}
