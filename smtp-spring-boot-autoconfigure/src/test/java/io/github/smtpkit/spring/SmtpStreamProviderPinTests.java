package io.github.smtpkit.spring;

import io.github.smtpkit.internal.StreamProviderLookup;
import jakarta.mail.util.StreamProvider;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code smtp.jakarta-mail.pin-stream-provider}: the mail sender's auto-configuration names Jakarta
 * Mail's stream provider in its system property, unless told not to. (That it is left alone when
 * someone set it, or when the system class loader cannot see the provider, is
 * {@code StreamProviderLookupTests}'.)
 */
class SmtpStreamProviderPinTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(SmtpkitAutoConfigurations.all());

	private final @Nullable String original = System.getProperty(StreamProviderLookup.PROVIDER_PROPERTY);

	@BeforeEach
	void unset() {
		System.clearProperty(StreamProviderLookup.PROVIDER_PROPERTY);
	}

	@AfterEach
	void restore() {
		if (this.original != null) {
			System.setProperty(StreamProviderLookup.PROVIDER_PROPERTY, this.original);
		}
		else {
			System.clearProperty(StreamProviderLookup.PROVIDER_PROPERTY);
		}
	}

	@Test
	void theDefaultServersMailSenderPinsTheProviderJakartaMailFinds() {
		String found = StreamProvider.provider().getClass().getName();
		this.contextRunner.withPropertyValues("smtp.host=mail.example.test").run((context) -> {
			assertThat(context).hasSingleBean(SmtpMailSender.class);
			assertThat(System.getProperty(StreamProviderLookup.PROVIDER_PROPERTY)).isEqualTo(found);
		});
	}

	@Test
	void aNamedServersMailSenderPinsItToo() {
		String found = StreamProvider.provider().getClass().getName();
		this.contextRunner.withPropertyValues("smtp.servers.bulk.host=mail.example.test").run((context) -> {
			assertThat(context).hasBean("bulkSmtpMailSender");
			assertThat(System.getProperty(StreamProviderLookup.PROVIDER_PROPERTY)).isEqualTo(found);
		});
	}

	@Test
	void falseLeavesThePropertyUnsetForEveryServer() {
		this.contextRunner
			.withPropertyValues("smtp.host=mail.example.test", "smtp.servers.bulk.host=mail.example.test",
					"smtp.jakarta-mail.pin-stream-provider=false")
			.run((context) -> {
				assertThat(context).hasBean("bulkSmtpMailSender").hasBean("smtpMailSender");
				assertThat(System.getProperty(StreamProviderLookup.PROVIDER_PROPERTY)).isNull();
			});
	}

}
