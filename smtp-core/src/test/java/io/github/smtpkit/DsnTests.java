package io.github.smtpkit;

import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.github.smtpkit.Dsn.Notify;
import io.github.smtpkit.Dsn.Ret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * {@link Dsn}: the RFC 3461 rules checked when made, and the parameters as they go on the wire.
 */
class DsnTests {

	@Test
	void notifyConditionsGoOnTheWireInTheOrderOfTheRfcWhateverTheOrderAskedIn() {
		assertThat(Dsn.notifyOn(Notify.DELAY, Notify.SUCCESS, Notify.FAILURE).notifyParameter())
			.contains("NOTIFY=SUCCESS,FAILURE,DELAY");
		assertThat(Dsn.notifyOn(Notify.DELAY, Notify.FAILURE).notifyParameter()).contains("NOTIFY=FAILURE,DELAY");
		assertThat(Dsn.notifyOn(Notify.SUCCESS).notifyParameter()).contains("NOTIFY=SUCCESS");
		assertThat(Dsn.notifyOn(Notify.NEVER).notifyParameter()).contains("NOTIFY=NEVER");
		assertThat(Dsn.notifyOn(Notify.DELAY, Notify.SUCCESS).notifyOn()).containsExactly(Notify.SUCCESS, Notify.DELAY);
	}

	@Test
	void aConditionAskedForTwiceIsSentOnce() {
		assertThat(Dsn.notifyOn(Notify.FAILURE, Notify.FAILURE).notifyParameter()).contains("NOTIFY=FAILURE");
	}

	@Test
	void retGoesOnTheWireAsFullOrHdrs() {
		assertThat(Dsn.ret(Ret.FULL).retParameter()).contains("RET=FULL");
		assertThat(Dsn.ret(Ret.HDRS).retParameter()).contains("RET=HDRS");
		assertThat(Dsn.ret(Ret.HDRS).notifyParameter()).isEmpty();
	}

	@Test
	void nothingAskedForSendsNoParameter() {
		assertThat(Dsn.none().notifyParameter()).isEmpty();
		assertThat(Dsn.none().retParameter()).isEmpty();
		assertThat(new Dsn(null, null)).isEqualTo(Dsn.none());
		assertThat(new Dsn(Set.of(), null).notifyOn()).isEmpty();
		assertThat(Dsn.notifyOn(Notify.FAILURE).retParameter()).isEmpty();
	}

	@Test
	void neverCombinedWithAnotherConditionIsRefusedNamingTheProblem() {
		assertThatIllegalArgumentException().isThrownBy(() -> Dsn.notifyOn(Notify.NEVER, Notify.FAILURE))
			.withMessageContaining("NOTIFY=NEVER cannot be combined")
			.withMessageContaining("[NEVER, FAILURE]");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Dsn(EnumSet.of(Notify.SUCCESS, Notify.NEVER), Ret.FULL))
			.withMessageContaining("NOTIFY=NEVER");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> Dsn.ret(Ret.FULL).withNotifyOn(Notify.DELAY, Notify.NEVER))
			.withMessageContaining("NOTIFY=NEVER");
	}

	@Test
	void aNullConditionOrRetFactoryArgumentIsRefused() {
		assertThatNullPointerException().isThrownBy(() -> Dsn.notifyOn(Notify.FAILURE, null));
		assertThatNullPointerException().isThrownBy(() -> Dsn.ret(null));
	}

	@Test
	void withersChangeOnlyWhatTheyName() {
		Dsn dsn = Dsn.notifyOn(Notify.FAILURE, Notify.DELAY).withRet(Ret.HDRS);

		assertThat(dsn).isEqualTo(new Dsn(Set.of(Notify.DELAY, Notify.FAILURE), Ret.HDRS));
		assertThat(dsn.withRet(null)).isEqualTo(Dsn.notifyOn(Notify.FAILURE, Notify.DELAY));
		assertThat(dsn.withNotifyOn()).isEqualTo(Dsn.ret(Ret.HDRS));
		assertThat(dsn.withNotifyOn(Notify.NEVER)).isEqualTo(new Dsn(Set.of(Notify.NEVER), Ret.HDRS));
	}

	@Test
	void theConditionsCannotBeChangedAfterwards() {
		Set<Notify> asked = EnumSet.of(Notify.FAILURE);
		Dsn dsn = new Dsn(asked, null);
		asked.add(Notify.NEVER);

		assertThat(dsn.notifyOn()).containsExactly(Notify.FAILURE);
		assertThat(dsn.notifyOn()).isUnmodifiable();
	}

}
