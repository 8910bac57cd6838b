package io.github.smtpkit;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

/**
 * A request for delivery status notifications (RFC 3461): when the servers on the way should
 * report on each recipient ({@code NOTIFY=}, sent with every RCPT) and how much of the message a
 * report returns ({@code RET=}, sent with MAIL). Immutable; give it to an envelope with
 * {@link Envelope#withDsn(Dsn)}:
 * <pre>{@code
 * Envelope envelope = Envelope.of("app@example.com", "you@example.org")
 *     .withDsn(Dsn.notifyOn(Notify.FAILURE, Notify.DELAY).withRet(Ret.HDRS));
 * }</pre>
 *
 * <p>The parameters are sent only to a server that advertises the DSN extension in its EHLO reply;
 * to any other server the message goes without them, and without an error. This is what Jakarta
 * Mail's SMTP transport (and so Spring's {@code JavaMailSenderImpl}) and nodemailer do: a server
 * without DSN refuses the parameters, and most mail is better delivered without a report than not
 * at all. A caller who must know whether the request went out can check
 * {@link SmtpSession#hasExtn(String) hasExtn("dsn")} on a session to the same server. The record
 * component is called {@code notifyOn} because a record cannot have a component named
 * {@code notify} (it would override {@link Object#notify()}).
 *
 * @param notifyOn when to report on a recipient: {@link Notify#NEVER} alone, or any of
 * {@link Notify#SUCCESS}, {@link Notify#FAILURE} and {@link Notify#DELAY}; empty (or {@code null})
 * for no {@code NOTIFY=}, which leaves it to the server (by RFC 3461, as {@code FAILURE,DELAY})
 * @param ret whether a report returns the {@linkplain Ret#FULL full message} or only its
 * {@linkplain Ret#HDRS headers}; {@code null} for no {@code RET=}, which leaves it to the server
 */
public record Dsn(Set<Notify> notifyOn, @Nullable Ret ret) {

	/** No {@code NOTIFY=} and no {@code RET=}. */
	private static final Dsn NONE = new Dsn(Set.of(), null);

	/**
	 * Checks the conditions and keeps them in their wire order: {@link #notifyOn()} iterates
	 * {@code SUCCESS}, {@code FAILURE}, {@code DELAY}.
	 * @param notifyOn the conditions; empty or {@code null} for no {@code NOTIFY=}
	 * @param ret {@link Ret#FULL}, {@link Ret#HDRS}, or {@code null} for no {@code RET=}
	 * @throws IllegalArgumentException if {@link Notify#NEVER} comes with another condition
	 * @throws NullPointerException if a condition is {@code null}
	 */
	public Dsn(@Nullable Set<Notify> notifyOn, @Nullable Ret ret) {
		// Explicit, not compact: only so can it take a null set for a component that is never null.
		if (notifyOn == null || notifyOn.isEmpty()) {
			this.notifyOn = Set.of();
		}
		else {
			notifyOn.forEach((condition) -> Objects.requireNonNull(condition, "NOTIFY condition"));
			EnumSet<Notify> conditions = EnumSet.copyOf(notifyOn);
			if (conditions.contains(Notify.NEVER) && conditions.size() > 1) {
				throw new IllegalArgumentException("NOTIFY=NEVER cannot be combined with SUCCESS, FAILURE or DELAY"
						+ " (RFC 3461 4.1), but was asked for with them: " + conditions);
			}
			this.notifyOn = Collections.unmodifiableSet(conditions);
		}
		this.ret = ret;
	}

	/**
	 * No {@code NOTIFY=} and no {@code RET=}: each server decides. The same on the wire as an
	 * envelope without a DSN request.
	 * @return the empty request
	 */
	public static Dsn none() {
		return NONE;
	}

	/**
	 * A request to report on each recipient on these conditions, without {@code RET=}; for example
	 * {@code Dsn.notifyOn(Notify.FAILURE, Notify.DELAY)}, or {@code Dsn.notifyOn(Notify.NEVER)}.
	 * @param conditions {@link Notify#NEVER} alone, or any of the others (repeats do not matter)
	 * @return the request
	 * @throws IllegalArgumentException if {@link Notify#NEVER} comes with another condition
	 */
	public static Dsn notifyOn(Notify... conditions) {
		return NONE.withNotifyOn(conditions);
	}

	/**
	 * A request for how much of the message a report returns, without {@code NOTIFY=}.
	 * @param ret {@link Ret#FULL} or {@link Ret#HDRS}
	 * @return the request
	 */
	public static Dsn ret(Ret ret) {
		return NONE.withRet(Objects.requireNonNull(ret, "ret"));
	}

	/**
	 * This request with these conditions instead.
	 * @param conditions {@link Notify#NEVER} alone, or any of the others; none for no {@code NOTIFY=}
	 * @return a copy with {@link #notifyOn()} replaced
	 * @throws IllegalArgumentException if {@link Notify#NEVER} comes with another condition
	 */
	public Dsn withNotifyOn(Notify... conditions) {
		return new Dsn(conditionsOf(conditions), this.ret);
	}

	/**
	 * This request with this {@code RET=} instead.
	 * @param ret {@link Ret#FULL}, {@link Ret#HDRS}, or {@code null} for no {@code RET=}
	 * @return a copy with {@link #ret()} replaced
	 */
	public Dsn withRet(@Nullable Ret ret) {
		return new Dsn(this.notifyOn, ret);
	}

	/**
	 * The RCPT parameter, as sent with every recipient: {@code NOTIFY=NEVER}, or the conditions
	 * asked for in the order {@code NOTIFY=SUCCESS,FAILURE,DELAY}.
	 * @return the parameter, or empty when no condition was asked for
	 */
	public Optional<String> notifyParameter() {
		if (this.notifyOn.isEmpty()) {
			return Optional.empty();
		}
		return Optional.of(this.notifyOn.stream().map(Notify::name).collect(Collectors.joining(",", "NOTIFY=", "")));
	}

	/**
	 * The MAIL parameter: {@code RET=FULL} or {@code RET=HDRS}.
	 * @return the parameter, or empty when {@link #ret()} is {@code null}
	 */
	public Optional<String> retParameter() {
		return Optional.ofNullable(this.ret).map((value) -> "RET=" + value.name());
	}

	private static Set<Notify> conditionsOf(Notify... conditions) {
		Objects.requireNonNull(conditions, "conditions");
		return (conditions.length == 0) ? Set.of() : EnumSet.copyOf(Arrays.asList(conditions));
	}

	/** When a server reports on a recipient (RFC 3461 4.1), in the order they go on the wire. */
	public enum Notify {

		/** Never: no report, whatever happens. Only on its own. */
		NEVER,

		/** When the message was delivered (or relayed to a server without DSN). */
		SUCCESS,

		/** When the message could not be delivered. */
		FAILURE,

		/** When delivery is delayed (the server decides when that is). */
		DELAY

	}

	/** How much of the message a report returns (RFC 3461 4.3). */
	public enum Ret {

		/** The whole message. */
		FULL,

		/** Only its headers. */
		HDRS

	}

}
