package io.github.smtpkit.spring;

import java.util.Set;

import io.github.smtpkit.testing.NullMarkedPackages;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every published package of the auto-configuration module is {@code @NullMarked} (JSpecify), as
 * Spring Framework 7 and Spring Boot 4 are, so that null checkers and Kotlin read its
 * unannotated types as non-null and only {@code @Nullable} ones as nullable. A new package fails
 * this test until its {@code package-info.java} says {@code @NullMarked}.
 */
class NullMarkedPackagesTests {

	@Test
	void everyPublishedPackageIsNullMarked() {
		Set<String> published = NullMarkedPackages.published(SmtpProperties.class);
		assertThat(published).as("the published packages found in the module's classes")
			.contains("io.github.smtpkit.spring", "io.github.smtpkit.spring.event", "io.github.smtpkit.spring.health",
					"io.github.smtpkit.spring.metrics", "io.github.smtpkit.spring.observation");
		assertThat(NullMarkedPackages.unmarked(published, getClass().getClassLoader()))
			.as("published packages whose package-info.java lacks @NullMarked")
			.isEmpty();
	}

}
