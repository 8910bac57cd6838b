package io.github.smtpkit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.jspecify.annotations.NullMarked;

/**
 * Finds a module's published packages, the packages of its main classes but the
 * {@code internal} ones, and tells which of them are not {@link NullMarked @NullMarked}: the check
 * behind each module's {@code NullMarkedPackagesTests}. A package counts as null-marked when its
 * {@code package-info} class carries the annotation, which JSpecify keeps at run time; a package
 * without a {@code package-info} class (javac writes none for one without annotations) is not.
 *
 * <p>Packages are found by walking the directory or jar the given class was loaded from, so a
 * package added later is checked without anyone listing it.
 */
public final class NullMarkedPackages {

	private NullMarkedPackages() {
	}

	/**
	 * The packages that hold classes where {@code anyClass} was loaded from (its module's
	 * {@code target/classes}, or its jar), but those named {@code internal} or under one.
	 * @param anyClass a class of the module
	 * @return the package names, sorted
	 */
	public static SortedSet<String> published(Class<?> anyClass) {
		return published(codeSource(anyClass));
	}

	/**
	 * The packages that hold classes under this class-path root (a directory or a jar), but those
	 * named {@code internal} or under one.
	 * @param root the class-path root
	 * @return the package names, sorted
	 */
	public static SortedSet<String> published(Path root) {
		if (Files.isDirectory(root)) {
			return packagesUnder(root);
		}
		try (FileSystem jar = FileSystems.newFileSystem(root)) {
			return packagesUnder(jar.getPath("/"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Those of the packages that are not {@link NullMarked @NullMarked}.
	 * @param packages the package names
	 * @param loader where their classes are
	 * @return the names of the packages without the annotation, sorted
	 */
	public static SortedSet<String> unmarked(Set<String> packages, ClassLoader loader) {
		SortedSet<String> unmarked = new TreeSet<>();
		for (String name : packages) {
			if (!isNullMarked(name, loader)) {
				unmarked.add(name);
			}
		}
		return unmarked;
	}

	private static boolean isNullMarked(String packageName, ClassLoader loader) {
		try {
			return Class.forName(packageName + ".package-info", false, loader).isAnnotationPresent(NullMarked.class);
		}
		catch (ClassNotFoundException ex) {
			return false;
		}
	}

	private static Path codeSource(Class<?> anyClass) {
		try {
			return Path.of(anyClass.getProtectionDomain().getCodeSource().getLocation().toURI());
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static SortedSet<String> packagesUnder(Path root) {
		SortedSet<String> packages = new TreeSet<>();
		try (Stream<Path> files = Files.walk(root)) {
			files.filter((file) -> file.toString().endsWith(".class"))
				.map((file) -> root.relativize(file.getParent()))
				.filter((dir) -> dir.getNameCount() > 0 && !dir.toString().isEmpty()
						&& !dir.startsWith("META-INF"))
				.map((dir) -> dir.toString().replace(dir.getFileSystem().getSeparator(), "."))
				.filter((name) -> !isInternal(name))
				.forEach(packages::add);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return packages;
	}

	private static boolean isInternal(String packageName) {
		return packageName.endsWith(".internal") || packageName.contains(".internal.");
	}

}
