package io.github.smtpkit.spring;

import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

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

	/**
	 * Packages not null-marked yet: their types are being reworked, and get {@code @NullMarked}
	 * with their {@code @Nullable}s once that has landed. Remove each from here when it is marked;
	 * this test fails while one is listed that is marked already.
	 */
	private static final Set<String> NOT_YET_MARKED = Set.of("io.github.smtpkit.spring.event",
			"io.github.smtpkit.spring.health", "io.github.smtpkit.spring.metrics",
			"io.github.smtpkit.spring.observation");

	@Test
	void everyPublishedPackageIsNullMarked() {
		Set<String> published = NullMarkedPackages.published(SmtpProperties.class);
		assertThat(published).as("the published packages found in the module's classes")
			.contains("io.github.smtpkit.spring")
			.containsAll(NOT_YET_MARKED);
		SortedSet<String> unmarked = NullMarkedPackages.unmarked(published, getClass().getClassLoader());
		SortedSet<String> missing = new TreeSet<>(unmarked);
		missing.removeAll(NOT_YET_MARKED);
		assertThat(missing).as("published packages whose package-info.java lacks @NullMarked").isEmpty();
		assertThat(unmarked).as("packages still listed in NOT_YET_MARKED (remove those that are marked now)")
			.containsExactlyInAnyOrderElementsOf(NOT_YET_MARKED);
	}

}
