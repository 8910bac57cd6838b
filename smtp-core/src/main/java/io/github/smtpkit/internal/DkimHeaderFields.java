package io.github.smtpkit.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A message's header fields as DKIM signs them, and their {@code relaxed} canonical form (RFC 6376
 * 3.4.2), computed over the fields' bytes.
 *
 * <p>This is ours rather than jDKIM's because jDKIM hashes header fields as Java strings encoded
 * in the platform's default charset ({@code String.getBytes()}): on a JVM whose default is ASCII
 * (JDK 17 under {@code LANG=C}) a raw UTF-8 field (SMTPUTF8 mail) would be hashed with {@code ?}
 * for every non-ASCII character, and the signature would not verify. Here every byte is a
 * character of the same value (ISO-8859-1), so each field goes back to its exact bytes whatever
 * the platform.
 */
public final class DkimHeaderFields {

	/** Runs of spaces and tabs, each one space in the relaxed form. */
	private static final Pattern WHITE_SPACE = Pattern.compile("[ \t]+");

	/**
	 * The fields by their name in lower case, each field folding and all, without the CRLF that
	 * ends it, one character per byte, in the message's order: each field's name is read once.
	 */
	private final Map<String, List<String>> fieldsByName;

	private DkimHeaderFields(List<String> fields) {
		Map<String, List<String>> byName = new HashMap<>();
		for (String field : fields) {
			byName.computeIfAbsent(lowerCaseAscii(nameOf(field)), (name) -> new ArrayList<>()).add(field);
		}
		this.fieldsByName = byName;
	}

	/**
	 * The fields of a header section with CRLF line endings, up to its empty line if it has one.
	 * @param section the header section's bytes
	 */
	public static DkimHeaderFields parse(byte[] section) {
		String text = new String(section, StandardCharsets.ISO_8859_1);
		List<String> fields = new ArrayList<>();
		StringBuilder current = null;
		for (String line : text.split("\r\n", -1)) {
			if (line.isEmpty()) {
				break; // the empty line that ends the header section
			}
			boolean continuation = line.charAt(0) == ' ' || line.charAt(0) == '\t';
			if (continuation && current != null) {
				current.append("\r\n").append(line);
			}
			else {
				if (current != null) {
					fields.add(current.toString());
				}
				current = new StringBuilder(line);
			}
		}
		if (current != null) {
			fields.add(current.toString());
		}
		return new DkimHeaderFields(fields);
	}

	/** Whether the message has a field of this name (case-insensitive). */
	public boolean has(String name) {
		return this.fieldsByName.containsKey(lowerCaseAscii(name));
	}

	/**
	 * The canonical form of the fields that {@code h=} names, each ending with CRLF, in the order
	 * RFC 6376 5.4.2 gives: a name listed twice takes the field's instances from the bottom up, and
	 * a name listed more often than the message has it (over-signing) adds nothing.
	 * @param names the names in {@code h=}
	 */
	public byte[] relaxed(List<String> names) {
		Map<String, Integer> taken = new HashMap<>();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (String name : names) {
			String key = lowerCaseAscii(name.strip());
			List<String> instances = this.fieldsByName.getOrDefault(key, List.of());
			int done = taken.merge(key, 1, Integer::sum);
			if (done <= instances.size()) {
				out.writeBytes(relaxed(instances.get(instances.size() - done)).getBytes(StandardCharsets.ISO_8859_1));
				out.writeBytes(new byte[] { '\r', '\n' });
			}
		}
		return out.toByteArray();
	}

	/**
	 * One field in the {@code relaxed} form, without CRLF: the name in lower case, no white space
	 * around the colon, the value unfolded, each run of spaces and tabs one space, none at its ends.
	 * @param field the field with its folding, one character per byte (ISO-8859-1)
	 */
	public static String relaxed(String field) {
		int colon = field.indexOf(':');
		if (colon < 0) {
			throw new IllegalArgumentException("Not a header field (no colon): " + field);
		}
		String name = lowerCaseAscii(nameOf(field));
		String value = field.substring(colon + 1).replace("\r\n", "");
		value = WHITE_SPACE.matcher(value).replaceAll(" ");
		// Only spaces are trimmed (String.strip would take other control characters too).
		value = value.startsWith(" ") ? value.substring(1) : value;
		value = value.endsWith(" ") ? value.substring(0, value.length() - 1) : value;
		return name + ":" + value;
	}

	/** The field's name: up to the colon, without the spaces and tabs before it. */
	private static String nameOf(String field) {
		int colon = field.indexOf(':');
		int end = (colon < 0) ? field.length() : colon;
		while (end > 0 && (field.charAt(end - 1) == ' ' || field.charAt(end - 1) == '\t')) {
			end--;
		}
		return field.substring(0, end);
	}

	/** Lower case for field names, which are ASCII: no other character is changed. */
	private static String lowerCaseAscii(String text) {
		StringBuilder lower = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			lower.append((c >= 'A' && c <= 'Z') ? (char) (c + ('a' - 'A')) : c);
		}
		return lower.toString();
	}

}
