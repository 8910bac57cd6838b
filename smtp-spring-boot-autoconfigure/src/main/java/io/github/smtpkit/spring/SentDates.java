package io.github.smtpkit.spring;

import java.util.Date;
import java.util.Objects;
import java.util.function.LongSupplier;

import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.jspecify.annotations.Nullable;

/**
 * Gives messages the sent date {@code JavaMailSenderImpl} gives them ({@code setSentDate(new Date())}),
 * formatting the {@code Date} header once per second instead of once per message.
 *
 * <p>Jakarta Mail formats the header with one shared {@code SimpleDateFormat}, under a lock, to
 * the second: some 3 % of the CPU of sending a small message through {@link SmtpMailSender}. The
 * header of a second's first message is read back from that message and set as it is on the
 * others of the same second, so every message carries exactly the text Jakarta Mail would have
 * written (same format, same time zone). A message whose class overrides
 * {@link MimeMessage#setSentDate} gets its own method called, every time.
 */
final class SentDates {

	private static final String DATE = "Date";

	/** Whether a message class leaves {@link MimeMessage#setSentDate} as Jakarta Mail wrote it. */
	private static final ClassValue<Boolean> PLAIN_SET_SENT_DATE = new ClassValue<>() {

		@Override
		protected Boolean computeValue(Class<?> type) {
			try {
				return type.getMethod("setSentDate", Date.class).getDeclaringClass() == MimeMessage.class;
			}
			catch (NoSuchMethodException ex) {
				return false;
			}
		}

	};

	private final LongSupplier clock;

	/** The header of the latest second a message was dated in. */
	private volatile @Nullable Formatted last;

	/** @param clock the time, in milliseconds since the epoch ({@link System#currentTimeMillis()}) */
	SentDates(LongSupplier clock) {
		this.clock = Objects.requireNonNull(clock, "clock");
	}

	/** Sets the message's sent date to now, as {@code message.setSentDate(new Date())} would. */
	void stamp(MimeMessage message) throws MessagingException {
		long now = this.clock.getAsLong();
		if (!PLAIN_SET_SENT_DATE.get(message.getClass())) {
			message.setSentDate(new Date(now));
			return;
		}
		long second = Math.floorDiv(now, 1000L);
		Formatted formatted = this.last;
		if (formatted != null && formatted.second() == second) {
			message.setHeader(DATE, formatted.header());
			return;
		}
		message.setSentDate(new Date(now));
		String header = message.getHeader(DATE, null);
		if (header != null) {
			this.last = new Formatted(second, header);
		}
	}

	/** A second, and the {@code Date} header Jakarta Mail wrote for it. */
	private record Formatted(long second, String header) {
	}

}
