package io.github.smtpkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

import io.github.smtpkit.auth.AuthMechanism;
import io.github.smtpkit.internal.SessionSettings;
import org.jspecify.annotations.Nullable;

/**
 * Opens the sessions of an {@link SmtpClient}'s pool, ready to send: connected to the first of its
 * hosts that answers, greeted, EHLO, STARTTLS as configured, logged in.
 *
 * <p>Holds the client's settings as {@link SmtpClient.Builder#build()} fixed them (a copy no later
 * change of the builder reaches) and makes a new {@link SmtpSession} from them for each
 * connection, so that each new connection uses the SSL context its supplier gives now (a renewed
 * certificate). Never shows the password: it has no {@code toString} of its own.
 */
final class SessionOpener {

	private final SmtpProtocol protocol;

	private final @Nullable String host;

	/** The hosts to try in order, the first being {@code host}; empty for {@code host} alone. */
	private final List<String> hosts;

	private final int port;

	private final @Nullable Path unixSocket;

	private final TlsMode tlsMode;

	private final @Nullable String username;

	private final @Nullable String password;

	private final List<AuthMechanism> authMechanisms;

	private final SessionSettings settings;

	/** Whether new sessions pipeline: asked for, and not given up on for this server. */
	private final BooleanSupplier pipelines;

	/**
	 * @throws IllegalArgumentException if a session setting is refused: checked here, so that a
	 * bad one fails {@code build()} rather than the first send
	 */
	SessionOpener(SmtpProtocol protocol, @Nullable String host, @Nullable List<String> hosts, int port,
			@Nullable Path unixSocket, TlsMode tlsMode, @Nullable String username, @Nullable String password,
			List<AuthMechanism> authMechanisms, SessionSettings settings, BooleanSupplier pipelines) {
		this.protocol = protocol;
		this.host = host;
		this.hosts = (hosts != null) ? hosts : List.of();
		this.port = port;
		this.unixSocket = unixSocket;
		this.tlsMode = tlsMode;
		this.username = username;
		this.password = password;
		this.authMechanisms = authMechanisms;
		this.settings = settings;
		this.pipelines = pipelines;
		sessionBuilder();
	}

	private SmtpSession.Builder sessionBuilder() {
		SessionSettings settings = this.settings.copy();
		Supplier<SSLContext> sslContextSupplier = settings.sslContext();
		if (sslContextSupplier != null) {
			// Asked once per new connection, so that a renewed context is used from the next one on.
			SSLContext sslContext = Objects.requireNonNull(sslContextSupplier.get(), "sslContextSupplier gave null");
			settings.sslContext(() -> sslContext);
		}
		SmtpSession.Builder sessions = SmtpSession.builder(this.protocol).settings(settings);
		if (this.unixSocket != null) {
			sessions.unixSocket(this.unixSocket);
		}
		else {
			sessions.host(this.host).port(this.port);
		}
		return sessions;
	}

	/**
	 * Opens a ready session to the first of the hosts that answers: a connection that cannot be
	 * opened (every address of the host name was tried) or a 421 at the greeting moves on to the
	 * next host; any other failure, and the last host's, is thrown, with the earlier hosts'
	 * failures suppressed in it. Nothing has been sent then, so moving on can send nothing twice.
	 */
	SmtpSession open() throws IOException {
		IOException skipped = null;
		for (int index = 0;; index++) {
			SmtpSession.Builder sessions = sessionBuilder().pipelining(this.pipelines.getAsBoolean());
			if (!this.hosts.isEmpty()) {
				SmtpEndpoint target = hostEndpoint(this.hosts.get(index), this.protocol, this.port);
				sessions.host(target.host()).port(target.port());
			}
			SmtpSession session = sessions.build();
			try {
				session.connect();
			}
			catch (IOException ex) {
				session.disconnect();
				if (skipped != null) {
					ex.addSuppressed(skipped);
				}
				boolean movesOn = !(ex instanceof SmtpResponseException response) || response.isServiceClosing();
				if (!movesOn || index >= this.hosts.size() - 1) {
					throw ex;
				}
				skipped = ex;
				continue;
			}
			return makeReady(session);
		}
	}

	/**
	 * One of {@link SmtpClient.Builder#hosts(List)}: {@code "host"} on the builder's port, or
	 * {@code "host:port"} (exactly one colon, as smtplib parses it; more is an IPv6 address).
	 * @throws IllegalArgumentException if the port is not a number or out of range
	 */
	static SmtpEndpoint hostEndpoint(String host, SmtpProtocol protocol, int port) {
		String name = host;
		int number = port;
		int colon = host.indexOf(':');
		if (colon >= 0 && colon == host.lastIndexOf(':')) {
			name = host.substring(0, colon);
			try {
				number = Integer.parseInt(host.substring(colon + 1).strip());
			}
			catch (NumberFormatException ex) {
				throw new IllegalArgumentException("nonnumeric port in host '" + host + "'");
			}
			if (number < 1 || number > 65535) {
				throw new IllegalArgumentException("port must be between 1 and 65535, but was " + number
						+ " in host '" + host + "'");
			}
		}
		return SmtpEndpoint.tcp(protocol, name, (number != 0) ? number : protocol.defaultPort());
	}

	/** Greeted already: EHLO, STARTTLS as configured, and the login. */
	private SmtpSession makeReady(SmtpSession session) throws IOException {
		try {
			session.ehloOrHeloIfNeeded();
			boolean startTls = this.tlsMode == TlsMode.STARTTLS_REQUIRED
					|| (this.tlsMode == TlsMode.STARTTLS_OPPORTUNISTIC && session.hasExtn("starttls"));
			if (startTls) {
				session.starttls();
				session.ehloOrHeloIfNeeded();
			}
			if (this.username != null) {
				session.login(this.username, this.password, this.authMechanisms, true);
			}
			return session;
		}
		catch (IOException | RuntimeException ex) {
			session.disconnect();
			throw ex;
		}
	}

}
