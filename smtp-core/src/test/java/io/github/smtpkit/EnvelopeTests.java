package io.github.smtpkit;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.smtpkit.Dsn.Notify;
import io.github.smtpkit.Dsn.Ret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@link Envelope}: checked when made, the all-or-nothing choice and the DSN request carried through
 * every copy, the DSN request sent only to a server that advertises DSN, and REQUIRETLS.
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
				List.of("BODY=8BITMIME"), List.of("NOTIFY=FAILURE"), null, true));
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
	void theCanonicalConstructorChecksAsTheFourArgumentOneDoes() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Envelope("a@example.test", List.of(), List.of(), List.of(), null, true))
			.withMessageContaining("at least one recipient");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Envelope("a@example.test", List.of("b@example.test\r\nRSET"), null, null, null, true))
			.withMessageContaining("recipient");
		assertThat(new Envelope("", List.of("b@example.test"), null, null, null, true).mailOptions()).isEmpty();
	}

	@Test
	void theDsnRequestIsCarriedThroughEveryCopy() {
		Dsn dsn = Dsn.notifyOn(Notify.FAILURE).withRet(Ret.HDRS);
		Envelope envelope = Envelope.of("a@example.test", "b@example.test").withDsn(dsn);

		assertThat(Envelope.of("a@example.test", "b@example.test").dsn()).isNull();
		assertThat(envelope.dsn()).isEqualTo(dsn);
		assertThat(envelope.withMailOptions("BODY=8BITMIME").dsn()).isEqualTo(dsn);
		assertThat(envelope.withRcptOptions("ORCPT=rfc822;b@example.test").dsn()).isEqualTo(dsn);
		assertThat(envelope.requiringAllRecipients().dsn()).isEqualTo(dsn);
		assertThat(envelope.requiringAllRecipients().withDsn(null))
			.isEqualTo(Envelope.of("a@example.test", "b@example.test").requiringAllRecipients());
		Envelope international = Envelope.of("a@example.test", "jürgen@example.test").withDsn(dsn);
		assertThat(international.withSmtputf8IfNeeded().dsn()).isEqualTo(dsn);
		assertThat(international.withSmtputf8IfNeeded().mailOptions()).containsExactly("SMTPUTF8", "BODY=8BITMIME");
	}

	@Test
	void theDsnParametersAreSentOnlyToAServerThatAdvertisesDsnAndBeforeTheOwnOptions() {
		Envelope envelope = Envelope.of("a@example.test", "b@example.test")
			.withMailOptions("BODY=8BITMIME")
			.withRcptOptions("ORCPT=rfc822;b@example.test")
			.withDsn(Dsn.notifyOn(Notify.SUCCESS, Notify.FAILURE).withRet(Ret.FULL));
		EsmtpFeatures dsn = EsmtpFeatures.parse("fake.test\nPIPELINING\nDSN\n8BITMIME");
		EsmtpFeatures noDsn = EsmtpFeatures.parse("fake.test\nPIPELINING\n8BITMIME");

		assertThat(envelope.mailOptionsFor(dsn)).containsExactly("RET=FULL", "BODY=8BITMIME");
		assertThat(envelope.rcptOptionsFor(dsn)).containsExactly("NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;b@example.test");
		assertThat(envelope.mailOptionsFor(noDsn)).containsExactly("BODY=8BITMIME");
		assertThat(envelope.rcptOptionsFor(noDsn)).containsExactly("ORCPT=rfc822;b@example.test");
		assertThat(envelope.mailOptionsFor(EsmtpFeatures.none())).containsExactly("BODY=8BITMIME");
		assertThat(envelope.rcptOptionsFor(EsmtpFeatures.none())).containsExactly("ORCPT=rfc822;b@example.test");
	}

	@Test
	void anEmptyOrPartialDsnRequestSendsOnlyWhatItAsksFor() {
		EsmtpFeatures dsn = EsmtpFeatures.parse("fake.test\nDSN");
		Envelope retOnly = Envelope.of("a@example.test", "b@example.test").withDsn(Dsn.ret(Ret.HDRS));
		Envelope none = Envelope.of("a@example.test", "b@example.test").withDsn(Dsn.none());

		assertThat(retOnly.mailOptionsFor(dsn)).containsExactly("RET=HDRS");
		assertThat(retOnly.rcptOptionsFor(dsn)).isEmpty();
		assertThat(none.mailOptionsFor(dsn)).isEmpty();
		assertThat(none.rcptOptionsFor(dsn)).isEmpty();
	}

	@Test
	void aDsnParameterAlsoGivenAsARawOptionIsRefused() {
		Envelope raw = Envelope.of("a@example.test", "b@example.test")
			.withMailOptions("ret=full")
			.withRcptOptions("NOTIFY=NEVER");

		assertThatIllegalArgumentException().isThrownBy(() -> raw.withDsn(Dsn.notifyOn(Notify.FAILURE)))
			.withMessageContaining("NOTIFY= is asked for twice")
			.withMessageContaining("NOTIFY=NEVER");
		assertThatIllegalArgumentException().isThrownBy(() -> raw.withDsn(Dsn.ret(Ret.HDRS)))
			.withMessageContaining("RET= is asked for twice")
			.withMessageContaining("ret=full");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> Envelope.of("a@example.test", "b@example.test")
				.withDsn(Dsn.ret(Ret.FULL))
				.withMailOptions("RET=HDRS"))
			.withMessageContaining("RET=");
		// A Dsn that does not ask for the parameter leaves the raw option alone.
		assertThat(raw.withDsn(Dsn.none()).rcptOptions()).containsExactly("NOTIFY=NEVER");
	}

	@Test
	void requiringTlsAddsTheRequireTlsOptionLastAndIsCarriedThroughEveryCopy() {
		Envelope envelope = Envelope.of("a@example.test", "b@example.test")
			.withMailOptions("BODY=8BITMIME")
			.withDsn(Dsn.notifyOn(Notify.FAILURE).withRet(Ret.HDRS));
		EsmtpFeatures dsn = EsmtpFeatures.parse("fake.test\nDSN");

		Envelope requiring = envelope.requiringTls();

		assertThat(envelope.requireTls()).isFalse();
		assertThat(envelope.mailOptionsFor(dsn)).containsExactly("RET=HDRS", "BODY=8BITMIME");
		assertThat(requiring.requireTls()).isTrue();
		assertThat(requiring.mailOptionsFor(dsn)).containsExactly("RET=HDRS", "BODY=8BITMIME", "REQUIRETLS");
		assertThat(requiring.mailOptions()).as("the option is added when sent, not stored").containsExactly("BODY=8BITMIME");
		assertThat(requiring.withMailOptions("SMTPUTF8").requireTls()).isTrue();
		assertThat(requiring.withDsn(null).withRcptOptions("NOTIFY=NEVER").requireTls()).isTrue();
		assertThat(requiring.requiringAllRecipients().requireTls()).isTrue();
		assertThat(requiring.requiringAllRecipients().requireAllRecipients()).isTrue();
		assertThat(new Envelope("a@example.test", List.of("b@example.test"), List.of(), List.of(), null, false).requireTls())
			.isFalse();
	}

	@Test
	void requireTlsGivenBothAsTheFlagAndAsAnOptionIsRefused() {
		Envelope raw = Envelope.of("a@example.test", "b@example.test").withMailOptions("requiretls");

		assertThatIllegalArgumentException().isThrownBy(raw::requiringTls)
			.withMessageContaining("REQUIRETLS is asked for twice");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> Envelope.of("a@example.test", "b@example.test").requiringTls().withMailOptions("REQUIRETLS"))
			.withMessageContaining("give it one way only");
	}

}
