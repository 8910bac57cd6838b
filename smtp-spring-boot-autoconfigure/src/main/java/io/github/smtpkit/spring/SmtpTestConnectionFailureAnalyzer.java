package io.github.smtpkit.spring;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

import javax.net.ssl.SSLException;

import io.github.smtpkit.SmtpAuthenticationException;
import io.github.smtpkit.SmtpConnectException;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpImplicitTlsPortException;
import io.github.smtpkit.SmtpNotSupportedException;
import io.github.smtpkit.SmtpPoolTimeoutException;
import io.github.smtpkit.SmtpResponseException;
import io.github.smtpkit.SmtpServerDisconnectedException;
import io.github.smtpkit.SmtpTimeoutException;
import io.github.smtpkit.SmtpTlsCertificateException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * Explains a failed {@code test-connection} in Spring Boot's failure analysis, instead of a long
 * stack trace: which server, where, what failed (refused, unknown host, timed out, TLS,
 * login...), and the properties that cure it, under the server's own prefix. Registered in
 * {@code META-INF/spring.factories}.
 */
class SmtpTestConnectionFailureAnalyzer extends AbstractFailureAnalyzer<SmtpTestConnectionException>
		implements Ordered {

	/** The core says so in a plain SmtpException: there is no type of its own to look for. */
	private static final String CLEARTEXT_REFUSED = "Refusing to send credentials in clear text";

	@Override
	public int getOrder() {
		return 0;
	}

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, SmtpTestConnectionException cause) {
		String p = cause.propertyPrefix() + ".";
		SmtpEndpoint endpoint = cause.endpoint();
		Explanation explanation = explain(cause.getCause(), p, endpoint);
		String description = "SMTP server '" + cause.server() + "' at " + endpoint + " ("
				+ endpoint.protocol().name().toLowerCase(Locale.ROOT) + ") failed the start-up check that " + p
				+ "test-connection=true asks for (NOOP through its pool): " + explanation.whatFailed();
		String action = explanation.action() + "\n\nTo start without checking the server, set " + p
				+ "test-connection=false: mail to it then fails when it is sent, not at start-up.";
		return new FailureAnalysis(description, action, cause);
	}

	/** What failed and what to do, from the first failure in the chain that says more than "I/O". */
	private static Explanation explain(@Nullable Throwable failure, String p, SmtpEndpoint endpoint) {
		for (Throwable candidate = failure; candidate != null; candidate = candidate.getCause()) {
			Explanation explanation = explainOne(candidate, p, endpoint);
			if (explanation != null) {
				return explanation;
			}
			if (candidate.getCause() == candidate) {
				break;
			}
		}
		return new Explanation(describe(failure), "Check " + p + "host, " + p + "port and " + p
				+ "protocol, and that the server can be reached from this machine.");
	}

	private static @Nullable Explanation explainOne(Throwable failure, String p, SmtpEndpoint endpoint) {
		String message = failure.getMessage();
		if (failure instanceof SmtpImplicitTlsPortException) {
			return new Explanation("it sent no greeting on port " + endpoint.port()
					+ ", where servers expect a TLS handshake first (SMTP over implicit TLS). " + message,
					"Set " + p + "protocol=smtps, or leave it unset: on port 465 that means smtps.");
		}
		if (failure instanceof SmtpTlsCertificateException certificate) {
			boolean mismatch = certificate.problem() == SmtpTlsCertificateException.Problem.HOSTNAME_MISMATCH;
			String action = mismatch
					? "Set " + p + "host to a name the certificate holds, or set " + p
							+ "ssl.verify-hostname=false if you must connect by a name it cannot hold."
					: "Trust the certificate's issuer with an SSL bundle: for example "
							+ "spring.ssl.bundle.pem.mail.truststore.certificate=classpath:mail-ca.pem and " + p
							+ "ssl.bundle=mail.";
			if (certificate.isStarttls()) {
				action += " Or set " + p + "starttls=none to send in clear text.";
			}
			return new Explanation("its TLS certificate was refused: "
					+ (mismatch ? "it does not name " + endpoint.host() : "it is not issued by an authority this "
							+ "application trusts")
					+ ". " + message, action);
		}
		if (failure instanceof SSLException) {
			return new Explanation("the TLS handshake failed: " + message, "Check " + p + "protocol (smtps: TLS "
					+ "from the first byte; smtp: STARTTLS) and the protocols and ciphers of " + p + "ssl.bundle.");
		}
		if (failure instanceof SmtpAuthenticationException refused) {
			return new Explanation("it refused the login: " + refused.smtpCode() + " " + refused.smtpError(),
					"Check " + p + "username and " + p + "password, and " + p
							+ "auth.mechanisms if it is set (some servers take only some mechanisms). With OAuth 2.0"
							+ " (XOAUTH2, OAUTHBEARER), check the token source, " + p + "auth.oauth2.token-supplier or "
							+ p + "auth.oauth2.registration-id: a refused token was replaced once, and the new one was"
							+ " refused too.");
		}
		if (message != null && message.startsWith(CLEARTEXT_REFUSED)) {
			return new Explanation("smtpkit refused to send the credentials over an unencrypted connection to "
					+ "another machine. " + message,
					"Encrypt the connection: " + p + "starttls=required (the server must offer STARTTLS) or " + p
							+ "protocol=smtps; or, if the network is yours, allow it with " + p
							+ "auth.allow-cleartext=true.");
		}
		if (failure instanceof SmtpNotSupportedException) {
			if (message != null && message.contains("STARTTLS")) {
				return new Explanation("it does not offer STARTTLS, which " + p + "starttls=required demands. "
						+ message, "Use " + p + "protocol=smtps if the server has a port for SMTP over implicit TLS "
								+ "(465), or " + p + "starttls=opportunistic to send in clear text when it offers none.");
			}
			if (message != null && message.contains("AUTH")) {
				return new Explanation("it does not offer AUTH, and " + p + "username is set. " + message,
						"Servers often offer AUTH only after STARTTLS: set " + p + "starttls=required, or "
								+ p + "protocol=smtps; or leave out " + p + "username if the server needs no login.");
			}
			return new Explanation(message, "Check " + p + "host, " + p + "port and " + p + "protocol.");
		}
		if (failure instanceof UnknownHostException) {
			return new Explanation("the host name is unknown. " + message,
					"Check the spelling of " + p + "host, and that this machine can resolve it (DNS).");
		}
		if (failure instanceof ConnectException) {
			return new Explanation("nothing accepted the connection. " + message, endpoint.isUnixSocket()
					? "Check " + p + "unix-socket, that the server listens there and that this user may connect to it."
					: "Check that the server runs and listens at " + endpoint + ", and " + p + "host and " + p
							+ "port (unset, the port is 25 for smtp, 465 for smtps and 2003 for lmtp); a firewall may "
							+ "refuse the connection too.");
		}
		if (failure instanceof SmtpPoolTimeoutException) {
			return new Explanation("no pooled session became free in time. " + message,
					"Raise " + p + "pool.max-wait or " + p + "pool.max-total.");
		}
		if (failure instanceof SmtpTimeoutException || failure instanceof SocketTimeoutException) {
			return new Explanation("it did not answer in time. " + message,
					"Check " + p + "host and " + p + "port, and that no firewall drops the connection silently; "
							+ "for a slow server raise " + p + "connect-timeout or " + p + "timeout.");
		}
		if (failure instanceof SmtpConnectException refused) {
			return new Explanation("it refused the session: " + refused.smtpCode() + " " + refused.smtpError(),
					"The server does not take mail from this client now (its reply may say why): check that "
							+ p + "host and " + p + "port name the server you mean, or ask its administrator.");
		}
		if (failure instanceof SmtpResponseException refused) {
			return new Explanation("it answered " + refused.smtpCode() + " " + refused.smtpError(),
					"Its reply says why; check that " + p + "host, " + p + "port and " + p
							+ "protocol name the server you mean.");
		}
		if (failure instanceof SmtpServerDisconnectedException) {
			return new Explanation("it closed the connection. " + message,
					"Check " + p + "protocol: a server that expects TLS from the first byte (smtps, usually port "
							+ "465) drops plain connections, and a plain one drops TLS; and check " + p + "port.");
		}
		return null;
	}

	private static String describe(@Nullable Throwable failure) {
		return (failure != null) ? failure.getClass().getSimpleName() + ": " + failure.getMessage() : "unknown";
	}

	private record Explanation(@Nullable String whatFailed, String action) {
	}

}
