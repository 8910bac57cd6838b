package io.github.smtpkit;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The composite hands every event to every listener, whatever one of them does. */
class CompositeSmtpEventListenerTests {

	private static final SmtpEndpoint ENDPOINT = SmtpEndpoint.tcp(SmtpProtocol.SMTP, "mail.example.test", 25);

	@Test
	void forwardsEveryEventOfTheInterface() {
		// A new event in the core must not be silently dropped by a composite that forgot it.
		List<String> forwarded = Arrays.stream(CompositeSmtpEventListener.class.getDeclaredMethods())
			.filter((method) -> Modifier.isPublic(method.getModifiers()) && !Modifier.isStatic(method.getModifiers()))
			.map(Method::getName)
			.toList();
		List<String> events = Arrays.stream(SmtpEventListener.class.getMethods())
			.filter(Method::isDefault)
			.map(Method::getName)
			.toList();
		assertThat(forwarded).containsExactlyInAnyOrderElementsOf(events);
	}

	@Test
	void aListenerThatThrowsDoesNotKeepTheOthersFromTheEvent() {
		List<String> received = new ArrayList<>();
		SmtpEventListener failing = new SmtpEventListener() {

			@Override
			public void sessionCreated(SmtpEndpoint endpoint, Duration duration) {
				throw new IllegalStateException("broken listener");
			}

		};
		SmtpEventListener recording = new SmtpEventListener() {

			@Override
			public void sessionCreated(SmtpEndpoint endpoint, Duration duration) {
				received.add("created " + endpoint);
			}

		};
		SmtpEventListener.composite(List.of(failing, recording)).sessionCreated(ENDPOINT, Duration.ZERO);
		assertThat(received).containsExactly("created mail.example.test:25");
	}

	@Test
	void noListenerIsNoneAndOneIsItself() {
		SmtpEventListener one = new SmtpEventListener() {
		};
		assertThat(SmtpEventListener.composite(List.of())).isSameAs(SmtpEventListener.NONE);
		assertThat(SmtpEventListener.composite(List.of(SmtpEventListener.NONE, one))).isSameAs(one);
	}

}
