package io.github.smtpkit.auth;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;

import javax.security.sasl.SaslException;

import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.ServerFirstMessage;
import com.ongres.scram.common.exception.ScramException;
import com.ongres.scram.common.exception.ScramInvalidServerSignatureException;
import com.ongres.scram.common.exception.ScramServerErrorException;
import com.ongres.scram.common.util.TlsServerEndpoint;
import org.jspecify.annotations.Nullable;

/**
 * SCRAM-SHA-1 and SCRAM-SHA-256 (RFC 5802, RFC 7677), with or without channel binding, on
 * OnGres's SCRAM client: it writes and parses the messages, applies SASLprep and checks the
 * server's signature; this class maps its four steps onto AUTH's challenges.
 *
 * <p>Channel binding: a {@code -PLUS} mechanism binds to the TLS connection with
 * {@code tls-server-end-point} (RFC 5929), the hash of the certificate the server presented. The
 * stronger {@code tls-exporter} (RFC 9266) needs the TLS exporter, for which JDK 17 has no public
 * API. Without {@code -PLUS} on a TLS connection the client says it could bind but thinks the
 * server cannot (gs2 flag {@code y}), unless the server advertised the {@code -PLUS} variant,
 * which then is a deliberate choice (flag {@code n}); so a man in the middle that strips
 * {@code -PLUS} from the server's list is caught by a server that supports it.
 */
final class ScramMechanism implements AuthMechanism {

	/**
	 * The most PBKDF2 iterations a server may ask for: a server must not be able to keep the client
	 * busy for minutes. OWASP's recommendation for PBKDF2-HMAC-SHA256 is 600,000; servers use 4,096
	 * to 100,000.
	 */
	static final int MAX_ITERATIONS = 600_000;

	private final String name;

	private final boolean plus;

	private final @Nullable Supplier<String> nonces;

	ScramMechanism(String name) {
		this(name, null);
	}

	/** For tests: a mechanism whose client nonces come from the supplier (RFC test vectors). */
	ScramMechanism(String name, @Nullable Supplier<String> nonces) {
		this.name = name;
		this.plus = name.endsWith("-PLUS");
		this.nonces = nonces;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public boolean isUsable(AuthContext context) {
		return !context.password().isEmpty() && (!this.plus || context.tlsServerEndPoint() != null);
	}

	@Override
	public SmtpAuthenticator authenticator(String username, String password) {
		return authenticator(AuthContext.of(username, password));
	}

	@Override
	public SmtpAuthenticator authenticator(AuthContext context) {
		byte[] binding = context.tlsServerEndPoint();
		if (this.plus && binding == null) {
			throw new IllegalStateException(this.name + " binds the login to the TLS connection, but " + context
					+ " has no TLS server certificate to bind to: use it only over TLS");
		}
		if (context.password().isEmpty()) {
			throw new IllegalStateException(this.name + " needs a password, and the password is empty");
		}
		var builder = ScramClient.builder()
			.advertisedMechanisms(List.of(this.name))
			.username(context.username())
			.password(context.password().toCharArray());
		// For the plain variant the binding data only makes the client say "y" (it could bind);
		// the library then sends none. Not when the server offers -PLUS: choosing not to bind
		// then is ours, and "y" would make a binding server refuse (RFC 5802 6).
		if (binding != null && (this.plus || !context.advertises(this.name + "-PLUS"))) {
			builder.channelBinding(TlsServerEndpoint.TLS_SERVER_END_POINT, binding);
		}
		if (this.nonces != null) {
			builder.nonceSupplier(this.nonces);
		}
		return new ScramAuthenticator(builder.build());
	}

	@Override
	public String toString() {
		return this.name;
	}

	/** One exchange: client-first, client-final, then the check of the server's signature. */
	private final class ScramAuthenticator implements SmtpAuthenticator {

		private final ScramClient client;

		private int step;

		private boolean serverVerified;

		ScramAuthenticator(ScramClient client) {
			this.client = client;
		}

		@Override
		public byte @Nullable [] respond(byte @Nullable [] challenge) throws SaslException {
			try {
				return switch (this.step++) {
					// The initial response, or the answer to the empty challenge that asks for it.
					case 0 -> utf8(this.client.clientFirstMessage().toString());
					case 1 -> clientFinal(text(challenge));
					case 2 -> {
						this.client.serverFinalMessage(text(challenge));
						this.serverVerified = true;
						yield new byte[0];
					}
					default -> throw new SaslException(name + ": the server sent a challenge after its final message");
				};
			}
			catch (ScramInvalidServerSignatureException ex) {
				throw new SaslException(name + ": the server's signature is wrong: it does not know the password"
						+ " (or, with channel binding, it is not the server the TLS connection reached)", ex);
			}
			catch (ScramServerErrorException ex) {
				throw new SaslException(name + ": the server reported an error: " + ex.getMessage(), ex);
			}
			catch (ScramException | IllegalArgumentException | IllegalStateException ex) {
				// The library refuses a malformed or out-of-order server message with these.
				throw new SaslException(name + ": the server's message is not valid SCRAM: " + ex.getMessage(), ex);
			}
		}

		private byte[] clientFinal(String serverFirst) throws ScramException, SaslException {
			ServerFirstMessage parsed = this.client.serverFirstMessage(serverFirst);
			if (parsed.getIterationCount() > MAX_ITERATIONS) {
				throw new SaslException(name + ": the server asks for " + parsed.getIterationCount()
						+ " iterations, more than the " + MAX_ITERATIONS + " this client allows");
			}
			return utf8(this.client.clientFinalMessage().toString());
		}

		@Override
		public void accepted() throws SaslException {
			if (!this.serverVerified) {
				throw new SaslException(name + ": the server accepted the login without proving that it knows the"
						+ " password (no server signature)");
			}
		}

		private String text(byte @Nullable [] challenge) throws SaslException {
			if (challenge == null || challenge.length == 0) {
				throw new SaslException(name + ": the server sent an empty challenge where a SCRAM message belongs");
			}
			return new String(challenge, StandardCharsets.UTF_8);
		}

		private static byte[] utf8(String text) {
			return text.getBytes(StandardCharsets.UTF_8);
		}

		@Override
		public String toString() {
			return name + " exchange";
		}

	}

}
