package io.github.smtpkit;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link Envelope}: checked when made, and the all-or-nothing choice carried through every copy.
 */
class EnvelopeTests {

	@Test
	void envelopesDeliverToTheAcceptedRecipientsUnlessToldOtherwise() {
		assertThat(Envelope.of("a@example.test", "b@example.test").requireAllRecipients()).isFalse();
		assertThat(new Envelope("a@example.test", List.of("b@example.test"), List.of(), List.of()).requireAllRecipients())
			.isFalse();
	}

	@Test
	void requiringAllRecipientsIsACopyWithOnlyTheFlagSet() {
		Envelope envelope = Envelope.of("a@example.test", "b@example.test", "c@example.test")
			.withMailOptions("BODY=8BITMIME")
			.withRcptOptions("NOTIFY=FAILURE");

		Envelope required = envelope.requiringAllRecipients();

		assertThat(required).isEqualTo(new Envelope("a@example.test", List.of("b@example.test", "c@example.test"),
				List.of("BODY=8BITMIME"), List.of("NOTIFY=FAILURE"), true));
		assertThat(envelope.requireAllRecipients()).isFalse();
		assertThat(required).isNotEqualTo(envelope);
		assertThat(required.requiringAllRecipients()).isEqualTo(required);
	}

	@Test
	void optionsChangedAfterwardsKeepTheFlag() {
		Envelope required = Envelope.of("a@example.test", "b@example.test").requiringAllRecipients();

		assertThat(required.withMailOptions("SMTPUTF8").requireAllRecipients()).isTrue();
		assertThat(required.withRcptOptions("NOTIFY=NEVER").requireAllRecipients()).isTrue();
		assertThat(required.withMailOptions("SMTPUTF8").mailOptions()).containsExactly("SMTPUTF8");
	}

	@Test
	void theFiveArgumentConstructorChecksAsTheFourArgumentOneDoes() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Envelope("a@example.test", List.of(), List.of(), List.of(), true))
			.withMessageContaining("at least one recipient");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Envelope("a@example.test", List.of("b@example.test\r\nRSET"), null, null, true))
			.withMessageContaining("recipient");
		assertThat(new Envelope("", List.of("b@example.test"), null, null, true).mailOptions()).isEmpty();
	}

}
