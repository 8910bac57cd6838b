package io.github.smtpkit.spring;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import io.github.smtpkit.SmtpRateLimitUnavailableException;
import io.github.smtpkit.SmtpRateLimitedException;
import io.github.smtpkit.spring.metrics.SmtpClientMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.mail.MailSendException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code smtp.rate-limit.*}: the mail sender keeps to the limit, a send beyond it fails with
 * nothing sent, and both the waits and the refusals show in the metrics; a limit that cannot be
 * made fails start-up naming the property. With {@code smtp.rate-limit.redis-uri} the limit is
 * kept in Redis; here, without one that answers, the send fails closed, and the URI's password
 * shows nowhere.
 */
class SmtpRateLimitAutoConfigurationTests {

	private static final String REDIS_PASSWORD = "s3cret-redis-pw";

	private FakeSmtpServer server;

	private ApplicationContextRunner contextRunner;

	@BeforeEach
	void startServer() {
		this.server = FakeSmtpServer.refusing((line) -> false);
		this.contextRunner = new ApplicationContextRunner().withConfiguration(SmtpkitAutoConfigurations.all())
			.withUserConfiguration(MeterRegistryConfiguration.class)
			.withPropertyValues("smtp.host=127.0.0.1", "smtp.port=" + this.server.port(), "smtp.starttls=none",
					"smtp.connect-timeout=2s", "smtp.timeout=5s");
	}

	@AfterEach
	void stopServer() throws IOException {
		this.server.close();
	}

	@Test
	void aSendBeyondTheLimitFailsWithNothingSentAndIsCounted() {
		this.contextRunner
			.withPropertyValues("smtp.rate-limit.messages=2", "smtp.rate-limit.period=1h", "smtp.pool.max-wait=5s")
			.run((context) -> {
				JavaMailSender mailSender = context.getBean(JavaMailSender.class);
				mailSender.send(message(1), message(2));

				assertThatExceptionOfType(MailSendException.class).isThrownBy(() -> mailSender.send(message(3)))
					.satisfies((ex) -> assertThat(ex.getFailedMessages().values()).singleElement()
						.satisfies((failure) -> assertThat(NestedExceptionUtils.getMostSpecificCause(failure))
							.isInstanceOf(SmtpRateLimitedException.class)
							.hasMessageContaining("has no permit for another message within the longest wait"
									+ " (maxWait=PT5S)")));
				assertThat(this.server.messages()).hasSize(2);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get(SmtpClientMetrics.RATE_LIMIT_EXCEEDED).tag("server", "default").counter().count())
					.isOne();
				assertThat(registry.find(SmtpClientMetrics.RATE_LIMIT_WAITS).meters()).isEmpty();
			});
	}

	@Test
	void aSendWaitsForTheNextPeriodWithinTheLongestWaitAndTheWaitIsTimed() {
		this.contextRunner
			.withPropertyValues("smtp.rate-limit.messages=1", "smtp.rate-limit.period=500ms", "smtp.pool.max-wait=5s")
			.run((context) -> {
				JavaMailSender mailSender = context.getBean(JavaMailSender.class);
				// The limit is the thing under test: one message per half second. The periods count
				// from the client's start, so a period may turn during the first send; it cannot turn
				// during the second too (a send over loopback takes far less than 500 ms), so the
				// second or the third send waits.
				for (int number = 1; number <= 3; number++) {
					mailSender.send(message(number));
				}

				assertThat(this.server.messages()).hasSize(3);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				Timer waits = registry.get(SmtpClientMetrics.RATE_LIMIT_WAITS).tag("server", "default").timer();
				assertThat(waits.count()).isBetween(1L, 2L);
				assertThat(waits.totalTime(TimeUnit.MILLISECONDS)).isGreaterThan(0).isLessThanOrEqualTo(1000);
			});
	}

	@Test
	void noLimitUnlessMessagesIsSet() {
		this.contextRunner.withPropertyValues("smtp.rate-limit.period=1h").run((context) -> {
			JavaMailSender mailSender = context.getBean(JavaMailSender.class);
			mailSender.send(message(1), message(2), message(3));
			assertThat(this.server.messages()).hasSize(3);
		});
	}

	@Test
	void aLimitOfNoMessagesFailsStartUpNamingTheProperty() {
		this.contextRunner.withPropertyValues("smtp.rate-limit.messages=0").run((context) -> assertThat(context)
			.getFailure()
			.rootCause()
			.isInstanceOf(InvalidConfigurationPropertyValueException.class)
			.hasMessageContaining("smtp.rate-limit.messages")
			.hasMessageContaining("A rate limit's messages must be at least 1, but was 0"));
	}

	@Test
	void aLimitKeptInARedisThatDoesNotAnswerFailsTheSendWithNothingSentAndNoPassword() throws IOException {
		int redisPort = closedPort();
		this.contextRunner
			.withPropertyValues("smtp.rate-limit.messages=10", "smtp.rate-limit.period=1s",
					"smtp.rate-limit.redis-uri=redis://:" + REDIS_PASSWORD + "@127.0.0.1:" + redisPort + "?timeout=1s")
			.run((context) -> {
				JavaMailSender mailSender = context.getBean(JavaMailSender.class);
				assertThatExceptionOfType(MailSendException.class).isThrownBy(() -> mailSender.send(message(1)))
					.satisfies((ex) -> assertThat(ex.getFailedMessages().values()).singleElement()
						.satisfies((failure) -> assertThat(causeOf(failure, SmtpRateLimitUnavailableException.class))
							.hasMessageStartingWith("The rate limit kept in Redis at redis://127.0.0.1:" + redisPort
									+ "/0 (key 'smtpkit:rate-limit:127.0.0.1:" + this.server.port()
									+ "') could not be asked (")
							.hasMessageContaining("each Redis call is bounded by PT1S")))
					.satisfies((ex) -> assertThat(stackTrace(ex)).doesNotContain(REDIS_PASSWORD));
				assertThat(this.server.messages()).isEmpty();
				assertThat(context.getBean(SmtpProperties.class).toString()).contains("redisUri=******")
					.doesNotContain(REDIS_PASSWORD);
			});
	}

	@Test
	void theSharedLimitsKeyIsSettable() throws IOException {
		this.contextRunner
			.withPropertyValues("smtp.rate-limit.messages=10", "smtp.rate-limit.key=smtpkit:account-42",
					"smtp.rate-limit.redis-uri=redis://127.0.0.1:" + closedPort())
			.run((context) -> assertThatExceptionOfType(MailSendException.class)
				.isThrownBy(() -> context.getBean(JavaMailSender.class).send(message(1)))
				.withStackTraceContaining("(key 'smtpkit:account-42')"));
	}

	@Test
	void aRedisUriWithoutMessagesOrThatDoesNotParseFailsStartUpWithoutItsPassword() {
		this.contextRunner.withPropertyValues("smtp.rate-limit.redis-uri=redis://:" + REDIS_PASSWORD + "@127.0.0.1")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessage("Property smtp.rate-limit.redis-uri with value '******' is invalid: It keeps the limit of"
						+ " smtp.rate-limit.messages in Redis: set that too"));
		this.contextRunner
			.withPropertyValues("smtp.rate-limit.messages=10",
					"smtp.rate-limit.redis-uri=mongodb://:" + REDIS_PASSWORD + "@127.0.0.1")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("smtp.rate-limit.redis-uri")
				.hasMessageContaining("mongodb://***@127.0.0.1 is not valid")
				.satisfies((ex) -> assertThat(stackTrace(context.getStartupFailure())).doesNotContain(REDIS_PASSWORD)));
	}

	@Test
	void aKeyWithoutRedisFailsStartUpNamingBothProperties() {
		this.contextRunner.withPropertyValues("smtp.rate-limit.messages=10", "smtp.rate-limit.key=k")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidConfigurationPropertyValueException.class)
				.hasMessageContaining("smtp.rate-limit.key")
				.hasMessageContaining("set smtp.rate-limit.redis-uri too"));
	}

	private static int closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/** The first exception of this type in the chain of causes. */
	private static Throwable causeOf(Throwable failure, Class<? extends Throwable> type) {
		Throwable cause = failure;
		for (int depth = 0; cause != null && depth < 10; depth++, cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return cause;
			}
		}
		throw new AssertionError("No " + type.getSimpleName() + " among the causes of " + failure, failure);
	}

	private static String stackTrace(Throwable ex) {
		StringWriter text = new StringWriter();
		ex.printStackTrace(new PrintWriter(text));
		return text.toString();
	}

	private static SimpleMailMessage message(int number) {
		SimpleMailMessage message = new SimpleMailMessage();
		message.setFrom("app@example.test");
		message.setTo("user@example.test");
		message.setSubject("message " + number);
		message.setText("Hello " + number + ".");
		return message;
	}

	@Configuration(proxyBeanMethods = false)
	static class MeterRegistryConfiguration {

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

}
