package io.github.smtpkit.internal;

import java.util.Locale;

import io.github.smtpkit.EsmtpFeatures;
import io.github.smtpkit.SmtpException;
import io.github.smtpkit.SmtpHeloException;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpServerDisconnectedException;
import org.jspecify.annotations.Nullable;

/**
 * What one connection's HELO or EHLO (LHLO) established: smtplib's {@code helo_resp},
 * {@code ehlo_resp}, {@code does_esmtp} and {@code esmtp_features}, and the commands that set them.
 * The session and the transaction engine read the server's extensions here; the session forgets
 * them when the connection ends and after STARTTLS (RFC 3207 4.2).
 */
public final class Greeting {

	private final SmtpWire wire;

	private final SmtpProtocol protocol;

	private @Nullable String heloResp;

	private @Nullable String ehloResp;

	private boolean doesEsmtp;

	private EsmtpFeatures features = EsmtpFeatures.none();

	public Greeting(SmtpWire wire, SmtpProtocol protocol) {
		this.wire = wire;
		this.protocol = protocol;
	}

	/** Says HELO with this name and keeps the reply's text. */
	public SmtpReply helo(String name) throws SmtpException {
		SmtpReply reply = command("HELO", name);
		this.heloResp = reply.message();
		return reply;
	}

	/**
	 * Says EHLO (LHLO for LMTP) with this name and, on 250, parses the advertised extensions.
	 * @throws SmtpServerDisconnectedException if the server hung up instead of answering; the
	 * session is disconnected
	 */
	public SmtpReply ehlo(String name) throws SmtpException {
		this.features = EsmtpFeatures.none();
		SmtpReply reply = command(this.protocol.helloCommand().toUpperCase(Locale.ROOT), name);
		// Some old servers drop the connection on EHLO (RFC 1869): say so rather than report garbage.
		if (reply.code() == SmtpReply.MALFORMED_CODE && reply.message().isEmpty()) {
			this.wire.disconnect();
			throw new SmtpServerDisconnectedException("Server not connected");
		}
		this.ehloResp = reply.message();
		if (reply.code() == 250) {
			this.doesEsmtp = true;
			this.features = EsmtpFeatures.parse(reply.message());
		}
		return reply;
	}

	/**
	 * Says EHLO, and HELO if EHLO fails, unless one of them was said on this connection already.
	 * @param name the name to say
	 * @throws SmtpHeloException if the server refused both
	 */
	public void ehloOrHeloIfNeeded(String name) throws SmtpException {
		if (this.heloResp == null && this.ehloResp == null && !ehlo(name).isPositiveCompletion()) {
			SmtpReply reply = helo(name);
			if (!reply.isPositiveCompletion()) {
				throw new SmtpHeloException(reply.code(), reply.message());
			}
		}
	}

	/** Forgets what HELO or EHLO told: the next transaction says EHLO again. */
	public void forget() {
		this.heloResp = null;
		this.ehloResp = null;
		this.doesEsmtp = false;
		this.features = EsmtpFeatures.none();
	}

	public @Nullable String heloResp() {
		return this.heloResp;
	}

	public @Nullable String ehloResp() {
		return this.ehloResp;
	}

	/** Whether the server answered EHLO with 250 on this connection: options are sent only then. */
	public boolean doesEsmtp() {
		return this.doesEsmtp;
	}

	/** The extensions of the last successful EHLO, or none. */
	public EsmtpFeatures features() {
		return this.features;
	}

	private SmtpReply command(String verb, String name) throws SmtpException {
		this.wire.writeCommand(CommandLines.requireSingleLine("command and arguments", verb + " " + name));
		return this.wire.readReply();
	}

}
