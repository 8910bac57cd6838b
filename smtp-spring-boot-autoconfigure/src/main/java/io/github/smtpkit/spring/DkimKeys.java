package io.github.smtpkit.spring;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.util.Collections;

import io.github.smtpkit.DkimSigner;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.io.ApplicationResourceLoader;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.core.io.Resource;

/**
 * The private key of {@code smtp.dkim.*}: from a PEM file, or from an SSL bundle's key store. A key
 * that cannot be had fails start-up naming the property, never showing the key.
 */
final class DkimKeys {

	private DkimKeys() {
	}

	/**
	 * The key in a PKCS#8 PEM file.
	 * @param property the property's full name, for the error
	 * @param location a resource location: a file path, {@code file:} or {@code classpath:}
	 */
	static PrivateKey fromPem(String property, String location) {
		Resource resource = ApplicationResourceLoader.get().getResource(location);
		try (InputStream in = resource.getInputStream()) {
			return DkimSigner.parsePrivateKey(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
		}
		catch (IOException | IllegalArgumentException ex) {
			throw new InvalidConfigurationPropertyValueException(property, location,
					"Cannot read a DKIM private key there: " + ex.getMessage());
		}
	}

	/**
	 * The private key of an SSL bundle's key store: under the bundle's key alias, or the store's
	 * only key entry.
	 * @param property the property's full name, for the error
	 */
	static PrivateKey fromBundle(String property, String name, @Nullable SslBundles bundles) {
		if (bundles == null) {
			throw new InvalidConfigurationPropertyValueException(property, name, "There is no SslBundles bean"
					+ " (Spring Boot's SslAutoConfiguration makes one from spring.ssl.bundle.*)");
		}
		try {
			SslBundle bundle = bundles.getBundle(name);
			KeyStore store = bundle.getStores().getKeyStore();
			if (store == null) {
				throw new InvalidConfigurationPropertyValueException(property, name, "The SSL bundle has no key store");
			}
			SslBundleKey bundleKey = bundle.getKey();
			String alias = (bundleKey.getAlias() != null) ? bundleKey.getAlias() : onlyKeyAlias(property, name, store);
			String password = (bundleKey.getPassword() != null) ? bundleKey.getPassword()
					: bundle.getStores().getKeyStorePassword();
			Key key = store.getKey(alias, (password != null) ? password.toCharArray() : null);
			if (!(key instanceof PrivateKey privateKey)) {
				throw new InvalidConfigurationPropertyValueException(property, name,
						"The SSL bundle's key store has no private key under the alias '" + alias + "'");
			}
			return privateKey;
		}
		catch (NoSuchSslBundleException ex) {
			throw new InvalidConfigurationPropertyValueException(property, name, ex.getMessage());
		}
		catch (GeneralSecurityException ex) {
			throw new InvalidConfigurationPropertyValueException(property, name,
					"Cannot read the private key of the SSL bundle's key store: " + ex.getMessage());
		}
	}

	private static String onlyKeyAlias(String property, String name, KeyStore store) throws GeneralSecurityException {
		String found = null;
		for (String alias : Collections.list(store.aliases())) {
			if (store.isKeyEntry(alias)) {
				if (found != null) {
					throw new InvalidConfigurationPropertyValueException(property, name, "The SSL bundle's key store"
							+ " holds several keys: name the one to sign with as the bundle's key alias");
				}
				found = alias;
			}
		}
		if (found == null) {
			throw new InvalidConfigurationPropertyValueException(property, name,
					"The SSL bundle's key store holds no private key");
		}
		return found;
	}

}
