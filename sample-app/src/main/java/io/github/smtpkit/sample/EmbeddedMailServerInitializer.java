package io.github.smtpkit.sample;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.smtpkit.spring.SmtpServerProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Without a configured SMTP server, starts an {@link EmbeddedMailServer} and points {@code smtp.*}
 * at it, before smtpkit's auto-configuration binds those properties:
 * <ul>
 * <li>the default server ({@code smtp.host}, {@code smtp.port}): its plain SMTP port;</li>
 * <li>a second server, {@code smtp.servers.secure}: its SMTPS port, trusting the certificate
 * through the SSL bundle {@value #SSL_BUNDLE} ({@code spring.ssl.bundle.pem.*}), with the host
 * name verified as for any real server.</li>
 * </ul>
 * Any of {@code smtp.host}, {@code smtp.unix-socket} or {@code smtp.servers.*} (on the command line,
 * in application.yml, in the environment) means a real server is configured: then nothing starts
 * and nothing is added. The server stops when the application context closes, after the SMTP
 * clients have said QUIT.
 *
 * <p>Registered in {@code META-INF/spring.factories}, so that tests' application contexts get it too.
 */
public class EmbeddedMailServerInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	/** The name of the SSL bundle that trusts the embedded server's certificate. */
	public static final String SSL_BUNDLE = "embedded-smtps";

	/** The name of the property source with the embedded server's address. */
	public static final String PROPERTY_SOURCE = "embeddedMailServer";

	/** The bean name of the {@link EmbeddedMailServer}. */
	public static final String BEAN_NAME = "embeddedMailServer";

	private static final Log logger = LogFactory.getLog(EmbeddedMailServerInitializer.class);

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		ConfigurableEnvironment environment = context.getEnvironment();
		if (configuresAServer(environment)) {
			logger.info("Sending through the configured SMTP server(s); no embedded server started");
			return;
		}
		EmbeddedMailServer server = EmbeddedMailServer.start();
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("smtp.host", server.host());
		properties.put("smtp.port", server.smtpPort());
		properties.put("smtp.servers.secure.port", server.smtpsPort());
		properties.put("smtp.servers.secure.protocol", "smtps");
		properties.put("smtp.servers.secure.ssl.bundle", SSL_BUNDLE);
		properties.put("spring.ssl.bundle.pem." + SSL_BUNDLE + ".truststore.certificate",
				server.certificatePem().toUri().toString());
		environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE, properties));

		ConfigurableListableBeanFactory beanFactory = context.getBeanFactory();
		beanFactory.registerSingleton(BEAN_NAME, server);
		// Registered first, so destroyed last: after the SMTP clients' pools have closed.
		((DefaultListableBeanFactory) beanFactory).registerDisposableBean(BEAN_NAME, server::close);
		logger.info("No smtp.host configured: started an embedded GreenMail server; smtp.* now points at it: server "
				+ "'default' smtp://" + server.host() + ":" + server.smtpPort() + ", server 'secure' smtps://"
				+ server.host() + ":" + server.smtpsPort() + " (certificate made at start-up, trusted through SSL bundle '"
				+ SSL_BUNDLE + "')");
	}

	private static boolean configuresAServer(ConfigurableEnvironment environment) {
		Binder binder = Binder.get(environment);
		return hasText(binder, "smtp.host") || hasText(binder, "smtp.unix-socket")
				|| binder.bind("smtp.servers", Bindable.mapOf(String.class, SmtpServerProperties.class))
					.map((servers) -> !servers.isEmpty())
					.orElse(false);
	}

	private static boolean hasText(Binder binder, String name) {
		return binder.bind(name, String.class).map((value) -> !value.isBlank()).orElse(false);
	}

}
