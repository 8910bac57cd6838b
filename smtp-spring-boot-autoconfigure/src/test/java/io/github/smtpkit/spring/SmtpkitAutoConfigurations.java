package io.github.smtpkit.spring;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;

/**
 * smtpkit's auto-configurations as an application gets them: read from
 * {@code META-INF/spring/...AutoConfiguration.imports}, so a test also fails when one is not
 * registered there.
 */
final class SmtpkitAutoConfigurations {

	private SmtpkitAutoConfigurations() {
	}

	static AutoConfigurations all() {
		Class<?>[] classes = ImportCandidates.load(AutoConfiguration.class, SmtpkitAutoConfigurations.class.getClassLoader())
			.getCandidates()
			.stream()
			.filter((name) -> name.startsWith("io.github.smtpkit."))
			.map(SmtpkitAutoConfigurations::load)
			.toArray(Class<?>[]::new);
		return AutoConfigurations.of(classes);
	}

	private static Class<?> load(String name) {
		try {
			return Class.forName(name);
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalStateException("Registered but missing: " + name, ex);
		}
	}

}
