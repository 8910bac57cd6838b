package io.github.smtpkit.spring;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SentDates}: the Date header Jakarta Mail writes, formatted once per second. */
class SentDatesTests {

	private static final long SECOND = 1_733_400_000_000L;

	private final Session session = Session.getInstance(new java.util.Properties());

	private final AtomicLong now = new AtomicLong();

	private final SentDates sentDates = new SentDates(this.now::get);

	@Test
	void everyMessageGetsTheHeaderJakartaMailWritesForItsInstant() throws MessagingException {
		long[] instants = { SECOND + 100, SECOND + 999, SECOND + 1000, SECOND + 61_000, SECOND - 1 };
		for (long instant : instants) {
			this.now.set(instant);
			MimeMessage message = new MimeMessage(this.session);

			this.sentDates.stamp(message);

			assertThat(message.getHeader("Date", null)).as("at %d", instant).isEqualTo(jakartaMailDate(instant));
			assertThat(message.getSentDate()).isEqualTo(new Date(instant / 1000 * 1000));
		}
	}

	@Test
	void aSecondsLaterMessagesGetItsHeaderAndTheNextSecondGetsItsOwn() throws MessagingException {
		List<String> headers = new ArrayList<>();
		for (long instant : new long[] { SECOND, SECOND + 400, SECOND + 1400 }) {
			this.now.set(instant);
			MimeMessage message = new MimeMessage(this.session);
			this.sentDates.stamp(message);
			headers.add(message.getHeader("Date", null));
		}

		assertThat(headers.get(0)).isEqualTo(jakartaMailDate(SECOND));
		assertThat(headers.get(1)).isEqualTo(headers.get(0));
		assertThat(headers.get(2)).isNotEqualTo(headers.get(0)).isEqualTo(jakartaMailDate(SECOND + 1400));
	}

	@Test
	void aMessageThatOverridesSetSentDateHasItCalledEveryTime() throws MessagingException {
		List<Date> dated = new ArrayList<>();
		this.now.set(SECOND + 10);
		this.sentDates.stamp(new MimeMessage(this.session));
		for (long instant : new long[] { SECOND + 20, SECOND + 30 }) {
			this.now.set(instant);
			MimeMessage message = new MimeMessage(this.session) {

				@Override
				public void setSentDate(Date date) throws MessagingException {
					dated.add(date);
					super.setSentDate(date);
				}

			};
			this.sentDates.stamp(message);
		}

		assertThat(dated).containsExactly(new Date(SECOND + 20), new Date(SECOND + 30));
	}

	private String jakartaMailDate(long instant) throws MessagingException {
		MimeMessage reference = new MimeMessage(this.session);
		reference.setSentDate(new Date(instant));
		return reference.getHeader("Date", null);
	}

}
