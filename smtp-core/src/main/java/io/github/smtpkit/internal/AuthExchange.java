package io.github.smtpkit.internal;

import java.util.Base64;
import java.util.List;
import java.util.Locale;

import javax.security.sasl.SaslException;

import io.github.smtpkit.EsmtpFeatures;
import io.github.smtpkit.SmtpAuthenticationException;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.auth.AuthContext;
import io.github.smtpkit.auth.AuthMechanism;
import io.github.smtpkit.auth.SmtpAuthenticator;

/**
 * One AUTH exchange (RFC 4954), smtplib's {@code auth()}: the command with its initial response,
 * then each 334 challenge base64-decoded, answered and the answer base64-encoded, for a bounded
 * number of challenges. Every payload goes out through {@link SmtpWire#writeAuthResponse} or
 * redacted, so that nothing of the exchange reaches debug output or a listener. Also smtplib's
 * {@code login()} choice of mechanism, the one retry a mechanism with a renewable credential may
 * ask for, and the rule that keeps credentials off clear-text connections to other machines.
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
	 * @throws SmtpAuthenticationException if the server refused, or the authenticator abandoned the
	 * exchange (then with the authenticator's {@link SaslException} as the cause)
	 * @throws SmtpException if the server sent more than {@link #MAX_CHALLENGES} challenges, or the
	 * authenticator had no initial response to give (a token supplier failed)
	 */
	public static SmtpReply run(SmtpWire wire, String mechanism, SmtpAuthenticator authenticator,
			boolean initialResponseOk) throws SmtpException {
		byte[] initialResponse;
		try {
			initialResponse = initialResponseOk ? authenticator.respond(null) : null;
		}
		catch (SaslException ex) {
			// Nothing was sent yet: not a refusal, so login does not move on to another mechanism.
			throw new SmtpException("AUTH " + mechanism + " not started: " + ex.getMessage(), ex);
		}
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
				throw cancel(wire, mechanism, "Server sent a challenge that is not base64: " + reply.message(), null);
			}
			byte[] response;
			try {
				response = authenticator.respond(challenge);
			}
			catch (SaslException ex) {
				throw cancel(wire, mechanism, ex.getMessage(), ex);
			}
			wire.writeAuthResponse(base64((response != null) ? response : new byte[0]));
			reply = wire.readReply();
			if (challenges > MAX_CHALLENGES) {
				throw new SmtpException("Server AUTH mechanism infinite loop. Last response: " + reply);
			}
		}
		if (reply.code() == 235) {
			try {
				authenticator.accepted();
			}
			catch (SaslException ex) {
				// Too late to cancel: the server has logged us in. The caller must not trust the
				// connection; a pool discards it, as it does after any failed login.
				SmtpReply refusal = new SmtpReply(reply.code(), ex.getMessage() + " (server said: " + reply + ")");
				throw failure(wire, mechanism, refusal, ex);
			}
		}
		if (reply.code() == 235 || reply.code() == 503) {
			SmtpEndpoint target = wire.endpoint();
			wire.event((l) -> l.authSucceeded(target, mechanism));
			return reply;
		}
		throw failure(wire, mechanism, reply, null);
	}

	/**
	 * One login with a mechanism: checks that it can be used here, runs the exchange, and runs a
	 * second one with a new authenticator if the first was refused and its authenticator asks for
	 * that ({@link SmtpAuthenticator#refused()}: a stale OAuth 2.0 token). Never more
	 * than two.
	 * @throws SmtpException if the mechanism cannot be used on this connection
	 * @throws SmtpAuthenticationException the last refusal
	 */
	public static SmtpReply authenticate(SmtpWire wire, AuthMechanism mechanism, AuthContext context,
			boolean initialResponseOk) throws SmtpException {
		String name = CommandLines.requireSingleLine("AUTH mechanism", mechanism.name()).toUpperCase(Locale.ROOT);
		if (!mechanism.isUsable(context)) {
			throw new SmtpException("AUTH " + name + " cannot be used with " + context
					+ " (a -PLUS mechanism needs TLS, a password mechanism a password)");
		}
		SmtpAuthenticator first = mechanism.authenticator(context);
		try {
			return run(wire, name, first, initialResponseOk);
		}
		catch (SmtpAuthenticationException ex) {
			if (isAbandoned(ex) || !first.refused()) {
				throw ex;
			}
		}
		SmtpAuthenticator second = mechanism.authenticator(context);
		try {
			return run(wire, name, second, initialResponseOk);
		}
		catch (SmtpAuthenticationException ex) {
			if (!isAbandoned(ex)) {
				// Told, so that a token supplier drops this token too; no third exchange.
				second.refused();
			}
			throw ex;
		}
	}

	/**
	 * What a mechanism may know of the connection: the server, the TLS session, the advertised
	 * mechanisms.
	 */
	public static AuthContext context(SmtpWire wire, String user, String password, List<String> advertised) {
		CommandLines.requireCredential("user name", user);
		CommandLines.requireCredential("password", password);
		SmtpEndpoint endpoint = wire.endpoint();
		boolean tcp = !endpoint.isUnixSocket();
		return new AuthContext(user, password, tcp ? endpoint.host() : null, tcp ? endpoint.port() : -1,
				wire.connection().tlsSession(), advertised);
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
	 * smtplib's {@code login()} after its checks: each of the mechanisms the server advertises and
	 * that can be used on this connection, in the caller's order, until one is accepted; a refusal
	 * moves on to the next, since some servers advertise mechanisms they do not support. An
	 * exchange the client abandoned (the server failed to prove itself) does not: falling back to
	 * a weaker mechanism would hand the password to a server that just failed to authenticate.
	 * @param context the credentials and the connection; its advertised mechanisms are the
	 * server's EHLO reply's
	 * @param mechanisms the mechanisms to try, most preferred first
	 * @param attempt one AUTH exchange with a mechanism: the session's {@code auth()}
	 * @return the reply that accepted
	 * @throws SmtpException if the server advertises none of the mechanisms
	 * @throws SmtpAuthenticationException the last refusal, if every mechanism was refused
	 */
	public static SmtpReply firstAccepted(AuthContext context, List<? extends AuthMechanism> mechanisms,
			Attempt attempt) throws SmtpException {
		List<AuthMechanism> candidates = mechanisms.stream()
			.filter((mechanism) -> context.advertises(mechanism.name()) && mechanism.isUsable(context))
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
				if (isAbandoned(ex)) {
					throw ex;
				}
				lastFailure = ex;
			}
		}
		throw lastFailure;
	}

	/**
	 * The mechanisms the server advertised spelled exactly as their names: smtplib's {@code login()}
	 * compares names as advertised, so a server that writes {@code auth plain} offers nothing it
	 * can use, and nothing is sent.
	 */
	public static List<AuthMechanism> advertisedAsNamed(EsmtpFeatures features,
			List<? extends AuthMechanism> mechanisms) {
		List<String> advertised = List.of(features.params("auth").orElse("").strip().split("\\s+"));
		return mechanisms.stream()
			.filter((mechanism) -> advertised.contains(mechanism.name()))
			.map(AuthMechanism.class::cast)
			.toList();
	}

	/** One AUTH exchange with a mechanism, as {@link #firstAccepted} tries them. */
	@FunctionalInterface
	public interface Attempt {

		SmtpReply auth(AuthMechanism mechanism) throws SmtpException;

	}

	/** Whether the client, not the server, ended the exchange: its authenticator refused to go on. */
	private static boolean isAbandoned(SmtpAuthenticationException ex) {
		return ex.getCause() instanceof SaslException;
	}

	/** RFC 4954 4: "*" cancels the exchange; the server answers 501. */
	private static SmtpAuthenticationException cancel(SmtpWire wire, String mechanism, String why,
			SaslException cause) throws SmtpException {
		wire.writeCommand("*");
		SmtpReply cancelled = wire.readReply();
		return failure(wire, mechanism, new SmtpReply(cancelled.code(), why), cause);
	}

	private static SmtpAuthenticationException failure(SmtpWire wire, String mechanism, SmtpReply reply,
			SaslException cause) {
		SmtpEndpoint target = wire.endpoint();
		wire.event((l) -> l.authFailed(target, mechanism, reply));
		SmtpAuthenticationException failure = new SmtpAuthenticationException(reply.code(), reply.message());
		if (cause != null) {
			failure.initCause(cause);
		}
		return failure;
	}

	private static String base64(byte[] bytes) {
		return Base64.getEncoder().encodeToString(bytes);
	}

}
