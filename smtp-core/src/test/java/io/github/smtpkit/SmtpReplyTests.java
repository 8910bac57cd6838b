package io.github.smtpkit;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What a reply's code says, and the 421 that the exceptions carrying replies report. */
class SmtpReplyTests {

	@Test
	void only421SaysTheServerIsClosingTheConnection() {
		assertThat(new SmtpReply(421, "4.3.2 shutting down").isServiceClosing()).isTrue();
		assertThat(new SmtpReply(451, "4.3.0 try later").isServiceClosing()).isFalse();
		assertThat(new SmtpReply(250, "ok").isServiceClosing()).isFalse();
	}

	@Test
	void exceptionsSayWhetherTheServerIsClosingTheConnection() {
		assertThat(new SmtpDataException(421, "closing").isServiceClosing()).isTrue();
		assertThat(new SmtpDataException(554, "spam").isServiceClosing()).isFalse();
		assertThat(new SmtpSenderRefusedException(421, "closing", "a@example.test").isServiceClosing()).isTrue();
		assertThat(new SmtpRecipientsRefusedException(Map.of("a@example.test", new SmtpReply(550, "unknown"),
				"b@example.test", new SmtpReply(421, "closing"))).isServiceClosing()).isTrue();
		assertThat(new SmtpRecipientsRefusedException(Map.of("a@example.test", new SmtpReply(550, "unknown")))
			.isServiceClosing()).isFalse();
		assertThat(new SmtpServerDisconnectedException("gone").isServiceClosing()).isFalse();
	}

}
