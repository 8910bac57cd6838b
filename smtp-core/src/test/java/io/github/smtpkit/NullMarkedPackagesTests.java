package io.github.smtpkit;

import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.github.smtpkit.testing.NullMarkedPackages;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every published package of smtp-core is {@code @NullMarked} (JSpecify), so that null checkers
 * and Kotlin read its unannotated types as non-null and only {@code @Nullable} ones as nullable.
 * {@code internal} is not API and is not checked. A new package fails this test until its
 * {@code package-info.java} says {@code @NullMarked}.
 */
class NullMarkedPackagesTests {

	@Test
	void everyPublishedPackageIsNullMarked() {
		Set<String> published = NullMarkedPackages.published(SmtpSession.class);
		assertThat(published).as("the published packages found in smtp-core's classes")
			.contains("io.github.smtpkit", "io.github.smtpkit.auth", "io.github.smtpkit.pool")
			.doesNotContain("io.github.smtpkit.internal");
		assertThat(NullMarkedPackages.unmarked(published, getClass().getClassLoader()))
			.as("published packages whose package-info.java lacks @NullMarked")
			.isEmpty();
	}

	@Test
	void aPackageWithoutNullMarkedPackageInfoIsReported() throws Exception {
		// This test's own classes: the scripted server's package has no package-info at all.
		Path testClasses = Path.of(getClass().getProtectionDomain().getCodeSource().getLocation().toURI());
		assertThat(NullMarkedPackages.unmarked(NullMarkedPackages.published(testClasses), getClass().getClassLoader()))
			.contains("io.github.smtpkit.testing");
	}

}
