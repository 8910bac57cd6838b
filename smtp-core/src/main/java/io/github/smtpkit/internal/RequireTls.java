package io.github.smtpkit.internal;

import java.util.List;

import io.github.smtpkit.EsmtpFeatures;
import io.github.smtpkit.SmtpEndpoint;
import io.github.smtpkit.SmtpRequireTlsException;
import io.github.smtpkit.SmtpRequireTlsException.Problem;

/**
 * RFC 8689's rule for the {@code REQUIRETLS} MAIL option: a client sends it only over TLS whose
 * certificate it verified, and only to a server that advertises it; otherwise the message is not
 * sent at all. Checked before a transaction's first command, wherever the option comes from
 * ({@code Envelope.requiringTls()} or a raw MAIL option).
 */
public final class RequireTls {

	/** The MAIL option, without a value. */
	public static final String OPTION = "REQUIRETLS";

	private RequireTls() {
	}

	/**
	 * When the MAIL options ask for {@code REQUIRETLS}, checks that this connection may carry it.
	 * @param options the MAIL options as the caller gave them (before any is dropped for a server
	 * that does not speak ESMTP)
	 * @param esmtp whether the server answered EHLO
	 * @throws SmtpRequireTlsException if the connection is not TLS, did not verify the
	 * certificate, or the server does not advertise {@code REQUIRETLS}
	 */
	public static void checkIfRequested(List<String> options, SmtpConnection connection, boolean esmtp,
			EsmtpFeatures features, SmtpEndpoint endpoint) throws SmtpRequireTlsException {
		if (!isRequested(options)) {
			return;
		}
		String refused = "The message requires TLS (REQUIRETLS, RFC 8689) and was not sent: ";
		if (!connection.isTls()) {
			throw new SmtpRequireTlsException(refused + "the connection to " + endpoint
					+ " is not TLS (use STARTTLS_REQUIRED or implicit TLS)", Problem.NOT_TLS);
		}
		if (!connection.isTlsVerified()) {
			throw new SmtpRequireTlsException(refused + "the TLS connection to " + endpoint
					+ " did not verify the server's certificate and host name (host name verification is off,"
					+ " or the TLS context trusts every certificate)", Problem.CERTIFICATE_NOT_VERIFIED);
		}
		if (!esmtp || !features.has("requiretls")) {
			throw new SmtpRequireTlsException(refused + endpoint + " does not advertise REQUIRETLS in its EHLO reply",
					Problem.NOT_ADVERTISED);
		}
	}

	/** Whether the options ask for {@code REQUIRETLS}: a loop, as this runs for every message. */
	public static boolean isRequested(List<String> options) {
		for (String option : options) {
			if (option.equalsIgnoreCase(OPTION)) {
				return true;
			}
		}
		return false;
	}

}
