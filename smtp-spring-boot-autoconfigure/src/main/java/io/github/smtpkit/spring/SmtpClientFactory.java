package io.github.smtpkit.spring;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

import io.github.smtpkit.DkimSigner;
import io.github.smtpkit.SmtpClient;
import io.github.smtpkit.SmtpEventListener;
import io.github.smtpkit.SmtpProtocol;
import io.github.smtpkit.SmtpReply;
import io.github.smtpkit.SmtpResponseException;
import io.github.smtpkit.SmtpSession;
import io.github.smtpkit.TlsMode;
import io.github.smtpkit.auth.AuthMechanism;
import io.github.smtpkit.auth.OAuth2TokenSupplier;
import io.github.smtpkit.pool.PoolConfig;
import io.github.smtpkit.spring.SmtpServerProperties.Backoff;
import io.github.smtpkit.spring.SmtpServerProperties.Dkim;
import io.github.smtpkit.spring.SmtpServerProperties.OAuth2;
import io.github.smtpkit.spring.SmtpServerProperties.Pool;
import io.github.smtpkit.spring.SmtpServerProperties.RateLimit;
import io.github.smtpkit.spring.SmtpServerProperties.Starttls;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;

/**
 * Turns one server's properties into an {@link SmtpClient}: the one place that maps
 * {@code smtp.*} keys onto {@link SmtpClient.Builder}, for the default server's bean and for each
 * named server's alike.
 *
 * <p>Every value is handed to the builder, which checks it; a value it refuses fails start-up
 * with an {@link InvalidConfigurationPropertyValueException} naming the property (Spring Boot's
 * failure analyzer then shows the property, its value and where it came from). The address and
 * pool checks that span several keys are made here too, so that they can name one; a combination
 * only {@code build()} refuses fails with an {@link IllegalStateException} naming the prefix.
 *
 * <p>Then the {@link SmtpClientBuilderCustomizer} beans get the builder, in order; a value they set
 * that the builder refuses fails with an {@link IllegalStateException} naming the customizer and
 * the server.
 */
final class SmtpClientFactory {

	private static final List<String> OAUTH_MECHANISMS = List.of("OAUTHBEARER", "XOAUTH2");

	/** Where {@code debug-level} lines go. */
	static final String DEBUG_LOGGER = "io.github.smtpkit.spring.debug";

	private static final Log logger = LogFactory.getLog(SmtpClientFactory.class);

	private static final Log debugLog = LogFactory.getLog(DEBUG_LOGGER);

	private final ObjectProvider<SmtpEventListenerFactory> listenerFactories;

	private final ObjectProvider<SslBundles> sslBundles;

	private final ObjectProvider<AuthMechanism> authMechanisms;

	private final ObjectProvider<SmtpClientBuilderCustomizer> builderCustomizers;

	private final SmtpTokenSources tokenSources;

	private SmtpClientFactory(ObjectProvider<SmtpEventListenerFactory> listenerFactories,
			ObjectProvider<SslBundles> sslBundles, ObjectProvider<AuthMechanism> authMechanisms,
			ObjectProvider<SmtpClientBuilderCustomizer> builderCustomizers, SmtpTokenSources tokenSources) {
		this.listenerFactories = listenerFactories;
		this.sslBundles = sslBundles;
		this.authMechanisms = authMechanisms;
		this.builderCustomizers = builderCustomizers;
		this.tokenSources = tokenSources;
	}

	/**
	 * A factory that finds listener factories, SSL bundles, extra AUTH mechanisms, OAuth 2.0 token
	 * suppliers and builder customizers among the beans.
	 */
	static SmtpClientFactory of(BeanFactory beanFactory) {
		return new SmtpClientFactory(beanFactory.getBeanProvider(SmtpEventListenerFactory.class),
				beanFactory.getBeanProvider(SslBundles.class), beanFactory.getBeanProvider(AuthMechanism.class),
				beanFactory.getBeanProvider(SmtpClientBuilderCustomizer.class), new SmtpTokenSources(beanFactory));
	}

	/**
	 * Builds the client of one server and, with {@code test-connection}, checks that the server
	 * answers. The {@link SmtpClientBuilderCustomizer} beans are applied, in order, after the
	 * properties.
	 * @param server {@value SmtpServers#DEFAULT_SERVER} or the name under {@code smtp.servers}
	 * @param properties the server's effective settings
	 * @return a client; nothing is connected unless {@code test-connection} is set
	 * @throws InvalidConfigurationPropertyValueException naming a property whose value is refused
	 * @throws SmtpTestConnectionException if {@code test-connection} is set and the server does not
	 * answer
	 * @throws IllegalStateException naming the customizer whose setting the builder refused
	 */
	SmtpClient create(String server, SmtpServerProperties properties) {
		Settings settings = new Settings(SmtpServers.propertyPrefix(server));
		warnOfPlainSmtpOnImplicitTlsPort(settings, properties);
		List<SmtpClientBuilderCustomizer> customizers = this.builderCustomizers.orderedStream().toList();
		SmtpClient.Builder builder = configure(server, settings, properties);
		for (SmtpClientBuilderCustomizer customizer : customizers) {
			customize(customizer, server, settings, builder);
		}
		SmtpClient client;
		try {
			client = builder.build();
		}
		catch (IllegalArgumentException ex) {
			throw (customizers.isEmpty()) ? invalidConfiguration(settings, ex)
					: invalidConfiguration(server, settings, properties, customizers, ex);
		}
		if (properties.isTestConnection()) {
			testConnection(server, settings, client, properties);
		}
		return client;
	}

	/** A builder with the server's properties applied. */
	private SmtpClient.Builder configure(String server, Settings settings, SmtpServerProperties properties) {
		SmtpClient.Builder builder = SmtpClient.builder().protocol(properties.effectiveProtocol());
		applyAddress(settings, properties, builder);
		applyTls(settings, properties, builder);
		applyAuthentication(settings, properties, builder);
		applyDkim(settings, properties.getDkim(), builder);
		applyRateLimit(settings, properties.getRateLimit(), builder);
		settings.apply("local-hostname", properties.getLocalHostname(), builder::localHostname);
		settings.apply("connect-timeout", properties.getConnectTimeout(), builder::connectTimeout);
		settings.apply("timeout", properties.getTimeout(), builder::timeout);
		builder.pipelining(properties.isPipelining()).chunking(properties.isChunking());
		if (properties.getDebugLevel() != 0) {
			settings.apply("debug-level", properties.getDebugLevel(), builder::debugLevel);
			builder.debugOutput((line) -> debugLog.info("[" + server + "] " + line));
		}
		builder.pool(poolConfig(settings, properties.getPool()));
		applyBackoff(settings, properties.getBackoff(), builder);
		builder.eventListener(listenerFor(server));
		return builder;
	}

	/** Applies one customizer, naming it and the server if it fails (a setter refused its value). */
	private static void customize(SmtpClientBuilderCustomizer customizer, String server, Settings settings,
			SmtpClient.Builder builder) {
		try {
			customizer.customize(server, builder);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException(describe(customizer) + " failed for SMTP server '" + server + "' ("
					+ settings.prefix + "): " + ex.getMessage(), ex);
		}
	}

	private static IllegalStateException invalidConfiguration(Settings settings, IllegalArgumentException ex) {
		return new IllegalStateException("Invalid SMTP configuration under '" + settings.prefix + "': "
				+ ex.getMessage(), ex);
	}

	/**
	 * {@code build()} refused what the properties and the customizers made together: finds which
	 * made it invalid by building anew, from the properties alone, then after each customizer in
	 * turn. Only on this failure path are customizers applied a second time.
	 */
	private IllegalStateException invalidConfiguration(String server, Settings settings,
			SmtpServerProperties properties, List<SmtpClientBuilderCustomizer> customizers,
			IllegalArgumentException ex) {
		SmtpClient.Builder probe = configure(server, settings, properties);
		IllegalArgumentException refused = refusal(probe);
		if (refused != null) {
			return invalidConfiguration(settings, refused);
		}
		for (SmtpClientBuilderCustomizer customizer : customizers) {
			customize(customizer, server, settings, probe);
			refused = refusal(probe);
			if (refused != null) {
				return new IllegalStateException("Invalid SMTP configuration for server '" + server + "' ("
						+ settings.prefix + ") after " + describe(customizer) + ": " + refused.getMessage(), ex);
			}
		}
		// A customizer that does not do the same twice: name them all.
		return new IllegalStateException("Invalid SMTP configuration for server '" + server + "' (" + settings.prefix
				+ ") after " + customizers.stream().map(SmtpClientFactory::describe).toList() + ": "
				+ ex.getMessage(), ex);
	}

	/** What {@code build()} refuses in the builder, or {@code null}; a client it makes is closed unused. */
	private static @Nullable IllegalArgumentException refusal(SmtpClient.Builder builder) {
		try {
			builder.build().close();
			return null;
		}
		catch (IllegalArgumentException ex) {
			return ex;
		}
	}

	private static String describe(SmtpClientBuilderCustomizer customizer) {
		return SmtpClientBuilderCustomizer.class.getSimpleName() + " " + customizer.getClass().getName();
	}

	/**
	 * Port 465 with protocol smtp set explicitly is almost always a mistake: the server waits for
	 * a TLS handshake, and the first connection fails (after the connect timeout, with the core's
	 * SmtpImplicitTlsPortException). Said at start-up, naming the property that fixes it.
	 */
	private static void warnOfPlainSmtpOnImplicitTlsPort(Settings settings, SmtpServerProperties properties) {
		if (properties.getProtocol() == SmtpProtocol.SMTP && properties.usesImplicitTlsPort()) {
			logger.warn(settings.name("port") + " is " + properties.getPort()
					+ ", the port of SMTP over implicit TLS (RFC 8314 3.3), but " + settings.name("protocol")
					+ " is smtp: a server there waits for a TLS handshake before it greets, so connections will fail"
					+ " after the connect timeout. Set " + settings.name("protocol")
					+ "=smtps (or leave it unset: on port 465 that means smtps).");
		}
	}

	private static void applyAddress(Settings settings, SmtpServerProperties properties, SmtpClient.Builder builder) {
		Path unixSocket = properties.getUnixSocket();
		if (unixSocket != null) {
			settings.apply("unix-socket", unixSocket, (socket) -> {
				if (properties.effectiveProtocol() != SmtpProtocol.LMTP) {
					throw new IllegalArgumentException("A unix-domain socket is for protocol lmtp, but protocol is "
							+ properties.effectiveProtocol().name().toLowerCase(Locale.ROOT));
				}
				builder.unixSocket(socket);
			});
			return;
		}
		List<String> hosts = properties.getHosts();
		if (!hosts.isEmpty()) {
			if (properties.getHost() != null) {
				throw new InvalidConfigurationPropertyValueException(settings.name("hosts"), hosts,
						"Set either host or hosts, not both (host " + properties.getHost() + ")");
			}
			settings.apply("hosts", hosts, builder::hosts);
		}
		else if (properties.getHost() == null) {
			throw new InvalidConfigurationPropertyValueException(settings.name("host"), null,
					"Either host, hosts or (for lmtp) unix-socket must be set");
		}
		else {
			settings.apply("host", properties.getHost(), builder::host);
		}
		settings.apply("port", properties.getPort(), builder::port);
	}

	/**
	 * SMTPS is encrypted from the first byte, and a unix-domain socket never is, so
	 * {@code starttls} (perhaps inherited from {@code smtp.starttls}) applies to the others only.
	 */
	private void applyTls(Settings settings, SmtpServerProperties properties, SmtpClient.Builder builder) {
		Starttls starttls = properties.getStarttls();
		if (properties.effectiveProtocol() == SmtpProtocol.SMTPS) {
			builder.tls(TlsMode.IMPLICIT);
		}
		else if (properties.getUnixSocket() != null) {
			builder.tls(TlsMode.NONE);
		}
		else if (starttls != null) {
			builder.tls(switch (starttls) {
				case NONE -> TlsMode.NONE;
				case OPPORTUNISTIC -> TlsMode.STARTTLS_OPPORTUNISTIC;
				case REQUIRED -> TlsMode.STARTTLS_REQUIRED;
			});
		}
		builder.hostnameVerification(properties.getSsl().isVerifyHostname());
		String bundleName = properties.getSsl().getBundle();
		if (bundleName != null) {
			settings.apply("ssl.bundle", bundleName, (name) -> applySslBundle(name, builder));
		}
	}

	/**
	 * Uses the bundle's context, protocols and ciphers, and swaps in a new context when the
	 * bundle's certificates are renewed: the client asks for the context for every new connection.
	 */
	private void applySslBundle(String name, SmtpClient.Builder builder) {
		SslBundles bundles = this.sslBundles.getIfAvailable();
		if (bundles == null) {
			throw new IllegalArgumentException("There is no SslBundles bean (Spring Boot's SslAutoConfiguration "
					+ "makes one from spring.ssl.bundle.*)");
		}
		SslBundle bundle;
		try {
			bundle = bundles.getBundle(name);
			AtomicReference<SSLContext> current = new AtomicReference<>(bundle.createSslContext());
			bundles.addBundleUpdateHandler(name, (renewed) -> current.set(renewed.createSslContext()));
			builder.sslContextSupplier(current::get);
		}
		catch (NoSuchSslBundleException ex) {
			throw new IllegalArgumentException(ex.getMessage(), ex);
		}
		SslOptions options = bundle.getOptions();
		if (options.getEnabledProtocols() != null) {
			builder.tlsProtocols(Arrays.asList(options.getEnabledProtocols()));
		}
		if (options.getCiphers() != null) {
			builder.tlsCipherSuites(Arrays.asList(options.getCiphers()));
		}
	}

	/**
	 * Credentials and mechanisms. With a token source ({@code auth.oauth2.*}) the password is
	 * optional and the default mechanisms start with OAUTHBEARER and XOAUTH2; the password ones
	 * follow when a password is set.
	 */
	private void applyAuthentication(Settings settings, SmtpServerProperties properties,
			SmtpClient.Builder builder) {
		builder.allowCleartextAuth(properties.getAuth().isAllowCleartext());
		String username = properties.getUsername();
		OAuth2 oauth2 = properties.getAuth().getOauth2();
		if (username == null) {
			if (oauth2.isConfigured()) {
				throw new InvalidConfigurationPropertyValueException(settings.name("username"), null,
						"A username must be set with " + settings.name("auth.oauth2.*")
								+ ": XOAUTH2 and OAUTHBEARER send it with the token");
			}
			return;
		}
		OAuth2TokenSupplier tokens = this.tokenSources.supplier(settings.prefix, oauth2);
		String password = properties.getPassword();
		if (password == null && tokens == null) {
			throw new InvalidConfigurationPropertyValueException(settings.name("password"), null,
					"A password (or a token source: " + settings.name("auth.oauth2.token-supplier") + " or "
							+ settings.name("auth.oauth2.registration-id") + ") must be set when a username is");
		}
		settings.apply("username", username, (name) -> builder.credentials(name, (password != null) ? password : ""));
		List<String> mechanisms = properties.getAuth().getMechanisms();
		if (!mechanisms.isEmpty()) {
			settings.apply("auth.mechanisms", mechanisms,
					(names) -> builder.authMechanisms(mechanisms(settings, names, tokens)));
		}
		else if (tokens != null) {
			List<AuthMechanism> defaults = new ArrayList<>(oauthMechanisms(tokens));
			if (password != null) {
				defaults.addAll(SmtpSession.DEFAULT_AUTH_MECHANISMS);
			}
			builder.authMechanisms(defaults);
		}
	}

	/**
	 * Signs every message when {@code dkim.domain} is set, with the key from {@code dkim.private-key}
	 * (a PEM file) or {@code dkim.key-bundle} (an SSL bundle's key store).
	 */
	private void applyDkim(Settings settings, Dkim dkim, SmtpClient.Builder builder) {
		String domain = dkim.getDomain();
		if (domain == null) {
			return;
		}
		String selector = dkim.getSelector();
		if (selector == null) {
			throw new InvalidConfigurationPropertyValueException(settings.name("dkim.selector"), null,
					"A DKIM selector must be set when dkim.domain is");
		}
		if ((dkim.getPrivateKey() == null) == (dkim.getKeyBundle() == null)) {
			throw new InvalidConfigurationPropertyValueException(settings.name("dkim.private-key"),
					dkim.getPrivateKey(), "Set either dkim.private-key (a PEM file) or dkim.key-bundle (an SSL"
							+ " bundle), not both and not neither, for DKIM signing as " + domain);
		}
		PrivateKey key = (dkim.getPrivateKey() != null) ? DkimKeys.fromPem(settings.name("dkim.private-key"),
				dkim.getPrivateKey()) : DkimKeys.fromBundle(settings.name("dkim.key-bundle"), dkim.getKeyBundle(),
						this.sslBundles.getIfAvailable());
		settings.apply("dkim.domain", domain, (name) -> {
			try {
				DkimSigner signer = DkimSigner.forKey(name, selector, key);
				builder.dkimSigner(dkim.getHeaders().isEmpty() ? signer : signer.withHeaders(dkim.getHeaders()));
			}
			catch (IllegalStateException ex) {
				// jDKIM is not on the class path.
				throw new IllegalArgumentException(ex.getMessage(), ex);
			}
		});
	}

	/**
	 * Limits the sending rate when {@code rate-limit.messages} is set, in Redis when
	 * {@code rate-limit.redis-uri} is set too.
	 */
	private static void applyRateLimit(Settings settings, RateLimit rateLimit, SmtpClient.Builder builder) {
		settings.apply("rate-limit.messages", rateLimit.getMessages(), (messages) -> {
			try {
				builder.rateLimit(messages, rateLimit.getPeriod());
			}
			catch (IllegalStateException ex) {
				// Bucket4j is not on the class path.
				throw new IllegalArgumentException(ex.getMessage(), ex);
			}
		});
		String redisUri = rateLimit.getRedisUri();
		if (redisUri != null) {
			if (rateLimit.getMessages() == null) {
				throw new InvalidConfigurationPropertyValueException(settings.name("rate-limit.redis-uri"), "******",
						"It keeps the limit of " + settings.name("rate-limit.messages") + " in Redis: set that too");
			}
			try {
				builder.rateLimitRedis(redisUri);
			}
			catch (IllegalArgumentException | IllegalStateException ex) {
				// Not Settings.apply: its message would quote the value, and the URI may carry a password.
				// Ours name the URI without it (or Bucket4j's Redis integration or Lettuce as missing).
				throw new InvalidConfigurationPropertyValueException(settings.name("rate-limit.redis-uri"), "******",
						ex.getMessage());
			}
		}
		else if (rateLimit.getKey() != null) {
			throw new InvalidConfigurationPropertyValueException(settings.name("rate-limit.key"), rateLimit.getKey(),
					"It is the key of a limit kept in Redis: set " + settings.name("rate-limit.redis-uri") + " too");
		}
		settings.apply("rate-limit.key", rateLimit.getKey(), builder::rateLimitKey);
	}

	/**
	 * The named mechanisms, in order, among the built-in ones, the OAuth ones when there is a token
	 * supplier, and the application's beans (which win over a built-in of the same name).
	 */
	private List<AuthMechanism> mechanisms(Settings settings, List<String> names, @Nullable OAuth2TokenSupplier tokens) {
		Map<String, AuthMechanism> known = Stream
			.of(SmtpSession.DEFAULT_AUTH_MECHANISMS.stream(),
					(tokens != null) ? oauthMechanisms(tokens).stream() : Stream.<AuthMechanism>empty(),
					this.authMechanisms.orderedStream())
			.flatMap(Function.identity())
			.collect(Collectors.toMap((mechanism) -> mechanism.name().toUpperCase(Locale.ROOT), Function.identity(),
					(builtIn, bean) -> bean, LinkedHashMap::new));
		List<AuthMechanism> mechanisms = new ArrayList<>();
		for (String name : names) {
			String key = name.strip().toUpperCase(Locale.ROOT);
			AuthMechanism mechanism = known.get(key);
			if (mechanism == null && OAUTH_MECHANISMS.contains(key)) {
				throw new IllegalArgumentException(key + " logs in with OAuth 2.0 tokens: set "
						+ settings.name("auth.oauth2.token-supplier") + " or " + settings.name("auth.oauth2.registration-id"));
			}
			if (mechanism == null) {
				throw new IllegalArgumentException("Unknown AUTH mechanism '" + name + "'; known: " + known.keySet());
			}
			mechanisms.add(mechanism);
		}
		return mechanisms;
	}

	/** OAUTHBEARER (the standard, RFC 7628) before XOAUTH2. */
	private static List<AuthMechanism> oauthMechanisms(OAuth2TokenSupplier tokens) {
		return List.of(AuthMechanism.oauthBearer(tokens), AuthMechanism.xoauth2(tokens));
	}

	/** The back-off's two settings, checked together; a bad one is named by its own key. */
	private static void applyBackoff(Settings settings, Backoff backoff, SmtpClient.Builder builder) {
		Duration initial = backoff.getInitial();
		boolean initialWrong = initial == null || initial.isZero() || initial.isNegative();
		settings.apply(initialWrong ? "backoff.initial" : "backoff.max", initialWrong ? initial : backoff.getMax(),
				(ignored) -> builder.backoff(initial, backoff.getMax()));
	}

	private static PoolConfig poolConfig(Settings settings, Pool pool) {
		PoolConfig.Builder builder = PoolConfig.builder();
		settings.apply("pool.max-total", pool.getMaxTotal(), builder::maxTotal);
		settings.apply("pool.max-idle", pool.getMaxIdle(), builder::maxIdle);
		settings.apply("pool.min-idle", pool.getMinIdle(), builder::minIdle);
		settings.apply("pool.max-wait", pool.getMaxWait(), builder::maxWait);
		settings.apply("pool.idle-timeout", pool.getIdleTimeout(), builder::idleTimeout);
		settings.apply("pool.max-lifetime", pool.getMaxLifetime(), builder::maxLifetime);
		settings.apply("pool.max-messages-per-connection", pool.getMaxMessagesPerConnection(),
				builder::maxMessagesPerConnection);
		settings.apply("pool.validate-after-idle", pool.getValidateAfterIdle(), builder::validateAfterIdle);
		settings.apply("pool.validation-timeout", pool.getValidationTimeout(), builder::validationTimeout);
		try {
			return builder.build();
		}
		catch (IllegalArgumentException ex) {
			// The builder refuses max-idle above max-total, else min-idle above max-idle: name the
			// property it refused, checked in its order.
			int maxIdle = (pool.getMaxIdle() != null) ? pool.getMaxIdle() : pool.getMaxTotal();
			boolean maxIdleTooHigh = maxIdle > pool.getMaxTotal();
			throw new InvalidConfigurationPropertyValueException(
					settings.name(maxIdleTooHigh ? "pool.max-idle" : "pool.min-idle"),
					maxIdleTooHigh ? maxIdle : pool.getMinIdle(), ex.getMessage());
		}
	}

	private SmtpEventListener listenerFor(String server) {
		return SmtpEventListener
			.composite(this.listenerFactories.orderedStream().map((factory) -> factory.create(server)).toList());
	}

	private static void testConnection(String server, Settings settings, SmtpClient client,
			SmtpServerProperties properties) {
		try {
			SmtpReply reply = client.ping(properties.getPool().getMaxWait());
			if (!reply.isPositiveCompletion()) {
				throw new SmtpResponseException(reply.code(), reply.message());
			}
		}
		catch (IOException | RuntimeException ex) {
			client.close();
			throw new SmtpTestConnectionException(server, client.endpoint(), ex);
		}
	}

	/** Applies values to a builder, naming the property of a value the builder refuses. */
	private static final class Settings {

		private final String prefix;

		Settings(String prefix) {
			this.prefix = prefix;
		}

		String name(String key) {
			return this.prefix + "." + key;
		}

		/** Hands a value that is set to the builder; {@code null} keeps the builder's default. */
		<T> void apply(String key, @Nullable T value, Consumer<T> setter) {
			if (value == null) {
				return;
			}
			try {
				setter.accept(value);
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException(name(key), value, ex.getMessage());
			}
		}

	}

}
