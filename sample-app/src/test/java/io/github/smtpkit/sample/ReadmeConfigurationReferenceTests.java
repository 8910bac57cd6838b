package io.github.smtpkit.sample;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.smtpkit.spring.SmtpProperties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps README's configuration reference and the starter's generated configuration metadata
 * (META-INF/spring-configuration-metadata.json, made by spring-boot-configuration-processor from
 * the properties classes' javadoc) in step: every property the starter has is in the table with the
 * starter's default, and the table names no property the starter does not have.
 */
class ReadmeConfigurationReferenceTests {

	private static final String SECTION = "## Configuration reference";

	/** A table row: | `name` | type | default | meaning |. */
	private static final Pattern ROW = Pattern.compile("^\\|\\s*`([a-z0-9.<>*-]+)`\\s*\\|([^|]*)\\|([^|]*)\\|(.*)\\|\\s*$");

	private static Map<String, JsonNode> metadata;

	private static Map<String, String[]> readmeRows;

	@BeforeAll
	static void read() throws IOException {
		metadata = starterMetadata();
		readmeRows = readmeRows();
	}

	@Test
	void theMetadataIsTheStartersAndNotEmpty() {
		assertThat(metadata).containsKeys("smtp.host", "smtp.port", "smtp.servers", "management.health.smtp.enabled");
	}

	@Test
	void everyPropertyIsInTheReadmeTable() {
		List<String> missing = new ArrayList<>();
		metadata.keySet().stream().filter((name) -> !readmeRows.containsKey(documentedName(name))).forEach(missing::add);
		assertThat(missing).as("properties missing from README's '%s' table (as rows starting | `name` |)", SECTION)
			.isEmpty();
	}

	@Test
	void theReadmeTableNamesNoPropertyTheStarterDoesNotHave() {
		List<String> unknown = new ArrayList<>();
		readmeRows.keySet().stream()
			.filter((name) -> metadata.keySet().stream().noneMatch((property) -> documentedName(property).equals(name)))
			.forEach(unknown::add);
		assertThat(unknown).as("README rows for properties the starter's metadata does not have").isEmpty();
	}

	@Test
	void everyDefaultInTheReadmeIsTheStartersDefault() {
		Map<String, String> wrong = new LinkedHashMap<>();
		metadata.forEach((name, property) -> {
			JsonNode defaultValue = property.get("defaultValue");
			String[] row = readmeRows.get(documentedName(name));
			if (defaultValue == null || defaultValue.isArray() || row == null) {
				return;
			}
			String documented = row[1].strip().replace("`", "");
			if (!documented.equals(defaultValue.asString())) {
				wrong.put(name, "README says '" + documented + "', the metadata '" + defaultValue.asString() + "'");
			}
		});
		assertThat(wrong).as("defaults in README that differ from the starter's").isEmpty();
	}

	/** A map of servers is documented as its entries' prefix. */
	private static String documentedName(String property) {
		return property.equals("smtp.servers") ? "smtp.servers.<name>.*" : property;
	}

	/** The metadata of the jar (or classes folder) that holds the starter's properties, by property name. */
	private static Map<String, JsonNode> starterMetadata() throws IOException {
		URL location = SmtpProperties.class.getProtectionDomain().getCodeSource().getLocation();
		try (URLClassLoader loader = new URLClassLoader(new URL[] { location }, null)) {
			URL resource = loader.findResource("META-INF/spring-configuration-metadata.json");
			assertThat(resource).as("generated metadata in %s", location).isNotNull();
			try (InputStream in = resource.openStream()) {
				JsonNode root = JsonMapper.builder().build().readTree(in);
				Map<String, JsonNode> properties = new LinkedHashMap<>();
				root.path("properties").forEach((property) -> properties.put(property.path("name").asString(), property));
				return properties;
			}
		}
	}

	/** The rows of README's configuration reference: name -> type, default, meaning. */
	private static Map<String, String[]> readmeRows() throws IOException {
		List<String> lines = Files.readAllLines(readme(), StandardCharsets.UTF_8);
		int start = lines.indexOf(SECTION);
		assertThat(start).as("README has a section '%s'", SECTION).isNotNegative();
		Map<String, String[]> rows = new LinkedHashMap<>();
		for (String line : lines.subList(start + 1, lines.size())) {
			if (line.startsWith("## ")) {
				break;
			}
			Matcher row = ROW.matcher(line);
			if (row.matches()) {
				rows.put(row.group(1), new String[] { row.group(2), row.group(3), row.group(4) });
			}
		}
		return rows;
	}

	private static Path readme() {
		Path dir = Path.of("").toAbsolutePath();
		while (dir != null && !Files.isRegularFile(dir.resolve("README.md"))) {
			dir = dir.getParent();
		}
		assertThat(dir).as("a folder above %s with README.md", Path.of("").toAbsolutePath()).isNotNull();
		return dir.resolve("README.md");
	}

}
