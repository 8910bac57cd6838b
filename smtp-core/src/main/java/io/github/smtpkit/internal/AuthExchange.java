package io.github.smtpkit.internal;

import java.util.Base64;
import java.util.List;
import java.util.Locale;

import io.github.smtpkit.SmtpAuthenticationException;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.auth.AuthMechanism;
import io.github.smtpkit.auth.SmtpAuthenticator;

/**
 * One AUTH exchange (RFC 4954), smtplib's {@code auth()}: the command with its initial response,
 * then each 334 challenge base64-decoded, answered and the answer base64-encoded, for a bounded
 * number of challenges. Every payload goes out through {@link SmtpWire#writeAuthResponse} or
 * redacted, so that nothing of the exchange reaches debug output or a listener. Also smtplib's
 * {@code login()} choice of mechanism, and the rule that keeps credentials off clear-text
 * connections to other machines.
 */
public final class AuthExchange {

	/** The most server challenges one exchange may take (smtplib's {@code _MAXCHALLENGE}). */
	public static final int MAX_CHALLENGES = 5;

	private AuthExchange() {
	}

	/**
	 * Runs the exchange and tells the listener how it ended.
	 * @param mechanism the mechanism's name, upper case and on one line
	 * @return the final reply: 235, or 503 (already authenticated)
	 * @throws SmtpAuthenticationException if the server refused
	 * @throws SmtpException if the server sent more than {@link #MAX_CHALLENGES} challenges
	 */
	public static SmtpReply run(SmtpWire wire, String mechanism, SmtpAuthenticator authenticator,
			boolean initialResponseOk) throws SmtpException {
		byte[] initialResponse = initialResponseOk ? authenticator.respond(null) : null;
		SmtpReply reply;
		int challenges;
		if (initialResponse != null) {
			// RFC 4954 4: an empty initial response is sent as "=".
			String encoded = (initialResponse.length == 0) ? "=" : base64(initialResponse);
			wire.writeCommand("AUTH " + mechanism + " " + encoded, "AUTH " + mechanism + " " + SmtpWire.REDACTED);
			reply = wire.readReply();
			challenges = 1;
		}
		else {
			wire.writeCommand(mechanism.isEmpty() ? "AUTH" : "AUTH " + mechanism);
			reply = wire.readReply();
			challenges = 0;
		}
		while (reply.code() == 334) {
			challenges++;
			byte[] challenge;
			try {
				// As smtplib: a multi-line challenge is decoded whole, its line breaks skipped.
				challenge = LenientBase64.decode(reply.message());
			}
			catch (IllegalArgumentException ex) {
				// RFC 4954 4: "*" cancels the exchange; the server answers 501.
				wire.writeCommand("*");
				SmtpReply cancelled = wire.readReply();
				throw failure(wire, mechanism, new SmtpReply(cancelled.code(),
						"Server sent a challenge that is not base64: " + reply.message()));
			}
			byte[] response = authenticator.respond(challenge);
			wire.writeAuthResponse(base64((response != null) ? response : new byte[0]));
			reply = wire.readReply();
			if (challenges > MAX_CHALLENGES) {
				throw new SmtpException("Server AUTH mechanism infinite loop. Last response: " + reply);
			}
		}
		if (reply.code() == 235 || reply.code() == 503) {
			SmtpEndpoint target = wire.endpoint();
			wire.event((l) -> l.authSucceeded(target, mechanism));
			return reply;
		}
		throw failure(wire, mechanism, reply);
	}

	/**
	 * Refuses to send credentials in clear text to a server that is not on this machine, unless
	 * allowed (loopback and unix-domain sockets always are).
	 * @throws SmtpException naming the server and the ways out
	 * @throws io.github.smtpkit.SmtpServerDisconnectedException if not connected
	 */
	public static void requireSafeForCredentials(SmtpWire wire, boolean allowCleartextAuth) throws SmtpException {
		wire.requireConnected();
		SmtpConnection connection = wire.connection();
		if (!connection.isTls() && !connection.isLoopback() && !allowCleartextAuth) {
			throw new SmtpException("Refusing to send credentials in clear text to " + wire.endpoint()
					+ ": call starttls() first, connect with implicit TLS, or allow it with allowCleartextAuth(true)");
		}
	}

	/**
	 * smtplib's {@code login()} after its checks: each of the mechanisms the server advertises, in
	 * the caller's order, until one is accepted; a refusal moves on to the next, since some servers
	 * advertise mechanisms they do not support.
	 * @param advertised the mechanisms of the server's EHLO reply, upper case
	 * @param mechanisms the mechanisms to try, most preferred first
	 * @param attempt one AUTH exchange with a mechanism: the session's {@code auth()}
	 * @return the reply that accepted
	 * @throws SmtpException if the server advertises none of the mechanisms
	 * @throws SmtpAuthenticationException the last refusal, if every mechanism was refused
	 */
	public static SmtpReply firstAccepted(List<String> advertised, List<? extends AuthMechanism> mechanisms,
			Attempt attempt) throws SmtpException {
		List<AuthMechanism> candidates = mechanisms.stream()
			.filter((mechanism) -> advertised.contains(mechanism.name().toUpperCase(Locale.ROOT)))
			.map(AuthMechanism.class::cast)
			.toList();
		if (candidates.isEmpty()) {
			throw new SmtpException("No suitable authentication method found.");
		}
		SmtpAuthenticationException lastFailure = null;
		for (AuthMechanism mechanism : candidates) {
			try {
				return attempt.auth(mechanism);
			}
			catch (SmtpAuthenticationException ex) {
				lastFailure = ex;
			}
		}
		throw lastFailure;
	}

	/** One AUTH exchange with a mechanism, as {@link #firstAccepted} tries them. */
	@FunctionalInterface
	public interface Attempt {

		SmtpReply auth(AuthMechanism mechanism) throws SmtpException;

	}

	private static SmtpAuthenticationException failure(SmtpWire wire, String mechanism, SmtpReply reply) {
		SmtpEndpoint target = wire.endpoint();
		wire.event((l) -> l.authFailed(target, mechanism, reply));
		return new SmtpAuthenticationException(reply.code(), reply.message());
	}

	private static String base64(byte[] bytes) {
		return Base64.getEncoder().encodeToString(bytes);
	}

}
