package io.github.smtpkit.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The BOM (smtp-bom) manages every module we publish, at our version, and nothing else: an
 * application that imports it gets every module at one version, and no version of anything else.
 * A module of the build (the root POM's modules and its profiles' modules) is published unless its
 * packaging is {@code pom} or it sets {@code maven.deploy.skip} to true, as sample-app and benchmarks
 * do. The BOM has no parent (so that importers do not inherit the parent's dependency management),
 * so its version and plugin versions are checked against the parent's too.
 */
class SmtpBomTests {

	private static final String GROUP_ID = "io.github.smtpkit";

	private static Path root;

	private static Element parent;

	private static Element bom;

	@BeforeAll
	static void read() throws Exception {
		root = buildRoot();
		parent = pom(root.resolve("pom.xml"));
		bom = pom(root.resolve("smtp-bom/pom.xml"));
	}

	@Test
	void theBomManagesEveryPublishedModuleAndNothingElse() throws Exception {
		Set<String> published = new TreeSet<>();
		for (String module : modules(parent)) {
			Element pom = pom(root.resolve(module).resolve("pom.xml"));
			String packaging = text(pom, "packaging", "jar");
			String deploySkip = text(child(pom, "properties"), "maven.deploy.skip", "false");
			if (!packaging.equals("pom") && !deploySkip.equals("true")) {
				published.add(text(pom, "artifactId", null));
			}
		}
		assertThat(published).as("published modules").contains("smtp-core", "smtp-spring-boot-starter");

		Set<String> managed = new TreeSet<>();
		for (Element dependency : children(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
			String artifactId = text(dependency, "artifactId", null);
			assertThat(text(dependency, "groupId", null)).as("groupId of %s", artifactId).isEqualTo(GROUP_ID);
			assertThat(text(dependency, "version", null)).as("version of %s", artifactId)
				.isEqualTo("${project.version}");
			assertThat(text(dependency, "scope", "compile")).as("scope of %s", artifactId).isEqualTo("compile");
			assertThat(text(dependency, "type", "jar")).as("type of %s", artifactId).isEqualTo("jar");
			managed.add(artifactId);
		}
		assertThat(managed).as("the artifacts smtp-bom/pom.xml manages, against the published modules")
			.containsExactlyElementsOf(published);
	}

	@Test
	void theBomHasTheParentsCoordinatesAndNoParentOfItsOwn() {
		assertThat(child(bom, "parent")).as("smtp-bom's <parent>").isNull();
		assertThat(text(bom, "groupId", null)).isEqualTo(text(parent, "groupId", null));
		assertThat(text(bom, "version", null)).as("smtp-bom's version, against the parent POM's")
			.isEqualTo(text(parent, "version", null));
		assertThat(text(bom, "packaging", null)).isEqualTo("pom");
		assertThat(modules(parent)).as("the build's modules").contains("smtp-bom");
	}

	@Test
	void theBomPinsItsPluginsToTheParentsVersions() {
		List<Element> plugins = children(child(child(child(bom, "build"), "pluginManagement"), "plugins"), "plugin");
		assertThat(plugins).as("smtp-bom's pinned plugins").isNotEmpty();
		for (Element plugin : plugins) {
			String artifactId = text(plugin, "artifactId", null);
			assertThat(text(plugin, "version", null)).as("smtp-bom's version of %s, against the parent's", artifactId)
				.isEqualTo(text(child(parent, "properties"), artifactId + ".version", "(not pinned in the parent)"));
		}
	}

	@Test
	void theBomCarriesTheProjectInformationMavenCentralAsksFor() {
		for (String element : new String[] { "name", "description", "url" }) {
			assertThat(text(bom, element, "")).as("smtp-bom's <%s>", element).isNotBlank();
		}
		assertThat(text(bom, "url", null)).isEqualTo(text(parent, "url", null));
		assertThat(child(child(bom, "licenses"), "license")).as("smtp-bom's license").isNotNull();
		assertThat(text(child(child(bom, "licenses"), "license"), "name", null))
			.isEqualTo(text(child(child(parent, "licenses"), "license"), "name", null));
		assertThat(child(child(bom, "developers"), "developer")).as("smtp-bom's developer").isNotNull();
		assertThat(text(child(bom, "scm"), "connection", null)).isEqualTo(text(child(parent, "scm"), "connection", null));
	}

	/** The root POM's modules, and those of its profiles (benchmarks). */
	private static List<String> modules(Element project) {
		List<String> modules = new ArrayList<>();
		children(child(project, "modules"), "module").forEach((module) -> modules.add(module.getTextContent().trim()));
		for (Element profile : children(child(project, "profiles"), "profile")) {
			children(child(profile, "modules"), "module").forEach((module) -> modules.add(module.getTextContent().trim()));
		}
		return modules;
	}

	private static Element pom(Path file) throws Exception {
		assertThat(file).as("a POM").isRegularFile();
		DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
		factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
		factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
		return factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement();
	}

	private static List<Element> children(Element element, String name) {
		List<Element> children = new ArrayList<>();
		if (element != null) {
			for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
				if (node instanceof Element child && child.getTagName().equals(name)) {
					children.add(child);
				}
			}
		}
		return children;
	}

	private static Element child(Element element, String name) {
		List<Element> children = children(element, name);
		return children.isEmpty() ? null : children.get(0);
	}

	private static String text(Element element, String name, String absent) {
		Element child = child(element, name);
		return (child != null) ? child.getTextContent().trim() : absent;
	}

	/** The folder of the root POM: the nearest one above the working directory with .mvn in it. */
	private static Path buildRoot() throws IOException {
		Path dir = Path.of("").toAbsolutePath();
		while (dir != null && !(Files.isDirectory(dir.resolve(".mvn")) && Files.isRegularFile(dir.resolve("pom.xml")))) {
			dir = dir.getParent();
		}
		assertThat(dir).as("a folder above %s with .mvn and pom.xml", Path.of("").toAbsolutePath()).isNotNull();
		return dir;
	}

}
