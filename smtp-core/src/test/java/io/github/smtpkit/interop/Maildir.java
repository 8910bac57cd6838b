package io.github.smtpkit.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One user's maildir in the rig ({@code mail/<localpart>/Maildir}): the messages Dovecot (or
 * Postfix's virtual agent) delivered, read from {@code new} and {@code cur}. Each file is read
 * once and remembered, so polling a big maildir stays cheap. Not thread-safe.
 */
final class Maildir {

	private final Path root;

	/** By the unique part of the file name (before {@code :flags}, which changes on new -> cur). */
	private final Map<String, Delivered> seen = new LinkedHashMap<>();

	Maildir(Path root) {
		this.root = root;
	}

	Path root() {
		return this.root;
	}

	/** Every message delivered so far. */
	List<Delivered> messages() throws IOException {
		for (String folder : List.of("new", "cur")) {
			Path directory = this.root.resolve(folder);
			if (!Files.isDirectory(directory)) {
				continue;
			}
			try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
				for (Path file : files) {
					String name = file.getFileName().toString();
					String key = (name.indexOf(':') >= 0) ? name.substring(0, name.indexOf(':')) : name;
					if (this.seen.containsKey(key)) {
						continue;
					}
					byte[] bytes;
					try {
						bytes = Files.readAllBytes(file);
					}
					catch (NoSuchFileException ex) {
						continue; // moved from new to cur meanwhile: found there next time
					}
					this.seen.put(key, Delivered.parse(file, bytes));
				}
			}
		}
		return List.copyOf(this.seen.values());
	}

	/** The delivered copies of the message with this Message-ID. */
	List<Delivered> withMessageId(String messageId) throws IOException {
		return matching((message) -> messageId.equals(message.messageId()));
	}

	List<Delivered> matching(Predicate<Delivered> condition) throws IOException {
		return messages().stream().filter(condition).toList();
	}

	/**
	 * Waits (bounded by {@link InteropRig#DELIVERY_WAIT}) until the message with this Message-ID
	 * arrives, and checks that it arrived once.
	 */
	Delivered awaitMessage(String messageId) throws IOException {
		return awaitOne("the message " + messageId, (message) -> messageId.equals(message.messageId()));
	}

	/** Waits until one message meets the condition, and checks that exactly one does. */
	Delivered awaitOne(String what, Predicate<Delivered> condition) throws IOException {
		await(what + " in " + this.root).atMost(InteropRig.DELIVERY_WAIT)
			.pollInterval(java.time.Duration.ofMillis(100))
			.until(() -> !matching(condition).isEmpty());
		List<Delivered> found = matching(condition);
		assertThat(found).as("copies of %s in %s", what, this.root).hasSize(1);
		return found.get(0);
	}

	/** One delivered message: the file, its text (UTF-8, line endings as LF) and parsed headers. */
	record Delivered(Path file, String text, List<Map.Entry<String, String>> headers, String body) {

		static Delivered parse(Path file, byte[] bytes) {
			String text = new String(bytes, StandardCharsets.UTF_8).replace("\r\n", "\n");
			int end = text.indexOf("\n\n");
			String head = (end >= 0) ? text.substring(0, end) : text;
			String body = (end >= 0) ? text.substring(end + 2) : "";
			List<Map.Entry<String, String>> headers = new ArrayList<>();
			for (String line : head.split("\n")) {
				if ((line.startsWith(" ") || line.startsWith("\t")) && !headers.isEmpty()) {
					Map.Entry<String, String> last = headers.remove(headers.size() - 1);
					headers.add(Map.entry(last.getKey(), last.getValue() + " " + line.strip()));
				}
				else if (line.indexOf(':') > 0) {
					int colon = line.indexOf(':');
					headers.add(Map.entry(line.substring(0, colon), line.substring(colon + 1).strip()));
				}
			}
			return new Delivered(file, text, List.copyOf(headers), body);
		}

		/** Every value of this header, unfolded, in order; the name's case does not matter. */
		List<String> headers(String name) {
			return this.headers.stream()
				.filter((header) -> header.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
				.map(Map.Entry::getValue)
				.toList();
		}

		/** The first value of this header, or {@code null}. */
		String header(String name) {
			List<String> values = headers(name);
			return values.isEmpty() ? null : values.get(0);
		}

		String messageId() {
			return header("Message-ID");
		}

		@Override
		public String toString() {
			return this.file.toString();
		}

	}

}
