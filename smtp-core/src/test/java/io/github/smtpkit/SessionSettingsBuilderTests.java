package io.github.smtpkit;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * The settings both builders share are checked in one place, so a session and a client refuse a
 * bad value alike, when it is set, naming the setting.
 */
class SessionSettingsBuilderTests {

	static Stream<Arguments> builders() {
		return Stream.of(Arguments.of("SmtpSession.Builder", SmtpSession.smtp()),
				Arguments.of("SmtpClient.Builder", SmtpClient.builder()));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("builders")
	void badValuesAreRefusedWhenSetNamingTheSetting(String name, SessionSettingsBuilder<?> builder) {
		refused(builder, (b) -> b.timeout(Duration.ZERO), "timeout");
		refused(builder, (b) -> b.connectTimeout(Duration.ofSeconds(-1)), "connectTimeout");
		refused(builder, (b) -> b.dataTimeout(Duration.ZERO), "dataTimeout");
		refused(builder, (b) -> b.tlsProtocols(List.of("TLSv1.3", " ")), "tlsProtocols");
		refused(builder, (b) -> b.tlsCipherSuites(List.of("")), "tlsCipherSuites");
		refused(builder, (b) -> b.localHostname("client.test\r\nRSET"), "localHostname");
		refused(builder, (b) -> b.debugLevel(-1), "debugLevel");
		assertThatNullPointerException().isThrownBy(() -> builder.eventListener(null)).withMessage("listener");
		assertThatNullPointerException().isThrownBy(() -> builder.sslContext(null)).withMessage("sslContext");
	}

	private static void refused(SessionSettingsBuilder<?> builder, Consumer<SessionSettingsBuilder<?>> setting,
			String named) {
		assertThatIllegalArgumentException().isThrownBy(() -> setting.accept(builder)).withMessageContaining(named);
	}

}
