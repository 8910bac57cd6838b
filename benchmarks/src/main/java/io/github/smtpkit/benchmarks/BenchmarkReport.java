package io.github.smtpkit.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns the result lines of one benchmark run into a Markdown table ({@code docs/benchmark.md}),
 * a bar chart ({@code docs/benchmark.svg}) and the same table on standard output.
 *
 * <pre>
 * java -cp benchmarks.jar io.github.smtpkit.benchmarks.BenchmarkReport results.txt[,more.txt] benchmark.md benchmark.svg "machine"
 * </pre>
 *
 * <p>Input: lines {@code RESULT client=.. conns=.. size=.. msgs=.. seconds=.. msgps=.. cpu_ms_per_1000=..
 * [alloc_kib_per_msg=..] [errors=..] [placement=pinned|unpinned]} (one per run, from {@link SendBenchmark}
 * and from run.sh for smtp-source) and {@code FAILED client=.. conns=.. size=..} for a run that failed or
 * timed out. Figures are medians over the runs of each configuration; each placement (client pinned
 * to its own core or not) has its own table, compared with smtp-source placed the same way, and
 * when both are there a table puts them side by side.
 */
public final class BenchmarkReport {

	/** The clients in table order, with their labels and bar colours. */
	private static final Map<String, String[]> CLIENTS = new LinkedHashMap<>();

	static {
		CLIENTS.put("smtp-source", new String[] { "Postfix smtp-source", "#8c8c8c" });
		CLIENTS.put("smtpkit", new String[] { "smtpkit SmtpClient.send, pipelining", "#1f6fb4" });
		CLIENTS.put("smtpkit-8threads", new String[] { "smtpkit SmtpClient.send from 8 threads, pipelining", "#3d8fd1" });
		CLIENTS.put("smtpkit-batch", new String[] { "smtpkit SmtpClient.sendAll, batches of 100", "#0b3d6b" });
		CLIENTS.put("raw-pipeline", new String[] { "raw pipelining socket loop (no library), batches of 100",
				"#4d4d4d" });
		CLIENTS.put("smtpkit-nopipe", new String[] { "smtpkit SmtpClient.send, no pipelining", "#8fbbe0" });
		CLIENTS.put("angus", new String[] { "Angus Mail, reused Transport (one per connection)", "#e8861a" });
		CLIENTS.put("spring", new String[] { "Spring JavaMailSenderImpl (connection per send)", "#c73a32" });
		CLIENTS.put("mailsender-simple", new String[] {
				"smtpkit MailSender send(SimpleMailMessage), events + metrics + observation", "#2a9d5c" });
		CLIENTS.put("mailsender-simple-quiet", new String[] {
				"smtpkit MailSender send(SimpleMailMessage), events, metrics, observation off", "#7fcf9f" });
		CLIENTS.put("spring-simple", new String[] {
				"Spring JavaMailSenderImpl send(SimpleMailMessage) (connection per send)", "#e0716b" });
		CLIENTS.put("mailsender-mime", new String[] {
				"smtpkit MailSender send(MimeMessageHelper multipart), events + metrics + observation", "#1d7044" });
		CLIENTS.put("mailsender-mime-quiet", new String[] {
				"smtpkit MailSender send(MimeMessageHelper multipart), events, metrics, observation off", "#5fb584" });
		CLIENTS.put("spring-mime", new String[] {
				"Spring JavaMailSenderImpl send(MimeMessageHelper multipart) (connection per send)", "#a8322c" });
		CLIENTS.put("spring-mime-pinned", new String[] {
				"Spring JavaMailSenderImpl send(MimeMessageHelper multipart), stream provider pinned as the starter does",
				"#c9544d" });
		// Against Postfix's smtpd with a discard transport (run.sh names these runs), not smtp-sink.
		CLIENTS.put("smtpd-data", new String[] {
				"smtpkit SmtpClient.send, DATA, to Postfix smtpd (discard transport)", "#6a51a3" });
		CLIENTS.put("smtpd-bdat", new String[] {
				"smtpkit SmtpClient.send, BDAT in one round trip, to Postfix smtpd (discard transport)", "#3f007d" });
	}

	/** Whether the row's client sent to Postfix's smtpd, which smtp-source's figures (against smtp-sink) do not compare with. */
	static boolean toSmtpd(String client) {
		return client.startsWith("smtpd-");
	}

	/** The placements in table order: client pinned to its own core, and not. */
	private static final List<String> PLACEMENTS = List.of("pinned", "unpinned");

	private BenchmarkReport() {
	}

	/** One configuration's runs. */
	static final class Row {

		final String client;

		final int conns;

		final int size;

		final String placement;

		final List<Double> msgps = new ArrayList<>();

		final List<Double> cpu = new ArrayList<>();

		final List<Double> alloc = new ArrayList<>();

		int failed;

		Row(String client, int conns, int size, String placement) {
			this.client = client;
			this.conns = conns;
			this.size = size;
			this.placement = placement;
		}

		double medianMsgps() {
			return median(this.msgps);
		}

		double medianCpu() {
			return median(this.cpu);
		}

		String label() {
			String[] known = CLIENTS.get(this.client);
			return (known != null) ? known[0] : this.client;
		}

		String color() {
			String[] known = CLIENTS.get(this.client);
			return (known != null) ? known[1] : "#555555";
		}

	}

	public static void main(String[] args) throws IOException {
		if (args.length < 3) {
			throw new IllegalArgumentException("usage: BenchmarkReport results.txt out.md out.svg [machine description]");
		}
		List<Path> files = new ArrayList<>();
		for (String file : args[0].split(",")) {
			files.add(Path.of(file));
		}
		List<Row> rows = read(files);
		String machine = (args.length > 3) ? args[3] : "";
		List<String> placements = PLACEMENTS.stream()
			.filter((placement) -> rows.stream().anyMatch((r) -> r.placement.equals(placement)))
			.toList();
		StringBuilder tables = new StringBuilder();
		StringBuilder targets = new StringBuilder();
		for (String placement : placements) {
			List<Row> placed = rows.stream().filter((r) -> r.placement.equals(placement)).toList();
			String heading = placementHeading(placement);
			tables.append("### ").append(heading).append("\n\n").append(table(placed)).append("\n");
			targets.append("### ").append(heading).append("\n\n").append(targets(placed)).append("\n");
		}
		if (placements.size() > 1) {
			tables.append("### Pinned and unpinned side by side\n\n").append(sideBySide(rows)).append("\n");
		}
		System.out.println(tables);
		System.out.println(targets);
		int runs = rows.stream().mapToInt((r) -> r.msgps.size()).max().orElse(0);
		String markdown = "# smtpkit benchmark\n\n"
				+ "Made by `benchmarks/run.sh` (see the README's *Performance* section). " + machine + "\n\n"
				+ "Each figure is the median of " + runs + " runs of about the same length, interleaved so that"
				+ " every client sees the same machine state; one recipient per message; a body of 1 KiB or"
				+ " 100 KiB (as `smtp-source -l`) under a few headers. *× smtp-source* compares with"
				+ " `smtp-source` on the same number of connections in the same run. CPU is the client's"
				+ " process CPU time (user + system) during the measured phase, per 1,000 messages: for the Java"
				+ " clients the whole benchmark JVM (sending threads, JIT, GC), for `smtp-source` its rusage. Heap"
				+ " KiB / msg is what the sending threads allocated per message (Java clients only).\n\n"
				+ "*Pinned*: smtp-sink on CPU 0, each client on CPU 1, the JVM with a fixed 512 MiB heap."
				+ " *Unpinned*: both placed by the scheduler, the JVM's default heap, as on users' machines.\n\n"
				+ tables + "## Targets of issues 6 and 16\n\n" + targets;
		Files.writeString(Path.of(args[1]), markdown, StandardCharsets.UTF_8);
		String charted = placements.isEmpty() ? "pinned" : placements.get(0);
		Files.writeString(Path.of(args[2]),
				svg(rows.stream().filter((r) -> r.placement.equals(charted)).toList(), runs, placementHeading(charted)),
				StandardCharsets.UTF_8);
	}

	private static String placementHeading(String placement) {
		return placement.equals("pinned") ? "Pinned (client on its own core, 512 MiB heap)"
				: "Unpinned (placed by the scheduler, default heap)";
	}

	static List<Row> read(List<Path> files) throws IOException {
		Map<String, Row> rows = new LinkedHashMap<>();
		List<String> lines = new ArrayList<>();
		for (Path file : files) {
			lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
		}
		for (String line : lines) {
			boolean failed = line.startsWith("FAILED ");
			if (!line.startsWith("RESULT ") && !failed) {
				continue;
			}
			Map<String, String> fields = new HashMap<>();
			for (String pair : line.substring(line.indexOf(' ') + 1).trim().split("\\s+")) {
				int eq = pair.indexOf('=');
				if (eq > 0) {
					fields.put(pair.substring(0, eq), pair.substring(eq + 1));
				}
			}
			String client = fields.get("client");
			int conns = Integer.parseInt(fields.get("conns"));
			int size = Integer.parseInt(fields.get("size"));
			String placement = fields.getOrDefault("placement", "pinned");
			Row row = rows.computeIfAbsent(client + "/" + conns + "/" + size + "/" + placement,
					(k) -> new Row(client, conns, size, placement));
			if (failed || !"0".equals(fields.getOrDefault("errors", "0"))) {
				row.failed++;
				continue;
			}
			row.msgps.add(Double.parseDouble(fields.get("msgps")));
			row.cpu.add(Double.parseDouble(fields.get("cpu_ms_per_1000")));
			if (fields.containsKey("alloc_kib_per_msg")) {
				row.alloc.add(Double.parseDouble(fields.get("alloc_kib_per_msg")));
			}
		}
		List<Row> sorted = new ArrayList<>(rows.values());
		List<String> order = new ArrayList<>(CLIENTS.keySet());
		sorted.sort(Comparator.<Row>comparingInt((r) -> r.size)
			.thenComparingInt((r) -> r.conns)
			.thenComparingInt((r) -> order.contains(r.client) ? order.indexOf(r.client) : order.size()));
		return sorted;
	}

	static String table(List<Row> rows) {
		StringBuilder out = new StringBuilder();
		out.append("| message | client | connections | msg/s (median) | runs, msg/s | × smtp-source | CPU ms / 1,000 msgs"
				+ " | heap KiB / msg |\n");
		out.append("|---|---|---:|---:|---|---:|---:|---:|\n");
		for (Row row : rows) {
			Row source = toSmtpd(row.client) ? null : find(rows, "smtp-source", row.conns, row.size);
			String ratio = (source != null && !source.msgps.isEmpty() && !row.msgps.isEmpty())
					? String.format(Locale.ROOT, "%.2f×", row.medianMsgps() / source.medianMsgps()) : "–";
			String runs = String.join(" · ", row.msgps.stream().map(BenchmarkReport::count).toList())
					+ ((row.failed > 0) ? " (" + row.failed + " failed)" : "");
			out.append("| ").append(sizeLabel(row.size))
				.append(" | ").append(row.label())
				.append(" | ").append(row.conns)
				.append(" | ").append(row.msgps.isEmpty() ? "failed" : "**" + count(row.medianMsgps()) + "**")
				.append(" | ").append(runs)
				.append(" | ").append(ratio)
				.append(" | ").append(row.cpu.isEmpty() ? "–" : String.format(Locale.ROOT, "%.0f", row.medianCpu()))
				.append(" | ").append(row.alloc.isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f", median(row.alloc)))
				.append(" |\n");
		}
		return out.toString();
	}

	/**
	 * The targets, each with what was measured and whether it was met: for {@code send},
	 * one message at a time, and for {@code sendAll}, batches pipelined across messages.
	 */
	static String targets(List<Row> rows) {
		StringBuilder out = new StringBuilder();
		out.append("| target | API | measured | met |\n|---|---|---:|:---:|\n");
		String[][] apis = { { "send()", "smtpkit" }, { "sendAll()", "smtpkit-batch" } };
		for (String[] api : apis) {
			ratioTarget(out, rows, "One connection, 1 KiB: ≥ 2.0× smtp-source", api, 1, 1024, "smtp-source", 1, 2.0);
		}
		for (String[] api : apis) {
			ratioTarget(out, rows, "One connection, 100 KiB: ≥ 1.0× smtp-source", api, 1, 102400, "smtp-source", 1,
					1.0);
		}
		for (String[] api : apis) {
			ratioTarget(out, rows, "8 connections, 1 KiB: ≥ 1.0× smtp-source with 8 sessions", api, 8, 1024,
					"smtp-source", 8, 1.0);
		}
		for (String[] api : apis) {
			Row cpu = find(rows, api[1], 1, 1024);
			if (cpu != null && !cpu.cpu.isEmpty()) {
				out.append(String.format(Locale.ROOT,
						"| Client CPU ≤ 100 ms per 1,000 messages of 1 KiB (one connection) | %s | %.0f ms | %s |\n",
						api[0], cpu.medianCpu(), (cpu.medianCpu() <= 100) ? "yes" : "**no**"));
			}
		}
		for (String[] api : apis) {
			ratioTarget(out, rows, "≥ 5× Spring's JavaMailSenderImpl at 1 KiB (one connection)", api, 1, 1024,
					"spring", 1, 5.0);
		}
		// Issue 16: the injected MailSender, against Spring's sender sending the same messages.
		String[][] mailSenders = { { "MailSender send(SimpleMailMessage), instrumented", "mailsender-simple", "spring-simple" },
				{ "MailSender send(SimpleMailMessage), not instrumented", "mailsender-simple-quiet", "spring-simple" },
				{ "MailSender send(MimeMessage), instrumented", "mailsender-mime", "spring-mime" },
				{ "MailSender send(MimeMessage), not instrumented", "mailsender-mime-quiet", "spring-mime" } };
		for (String[] api : mailSenders) {
			ratioTarget(out, rows, "≥ 5× JavaMailSenderImpl with the same messages, 1 KiB, one connection", api, 1, 1024,
					api[2], 1, 5.0);
		}
		for (String[] api : mailSenders) {
			ratioTarget(out, rows, "≥ 1.5× smtp-source, 1 KiB, one connection", api, 1, 1024, "smtp-source", 1, 1.5);
		}
		ratioTarget(out, rows, "≥ 0.8× a raw pipelining loop, 1 KiB, one connection", apis[1], 1, 1024, "raw-pipeline",
				1, 0.8);
		// Issue 16: concurrent send() sharing the connections' pipelines, against sendAll on as many.
		String[] concurrent = { "send() from 8 threads", "smtpkit-8threads" };
		for (int conns : new int[] { 1, 2 }) {
			ratioTarget(out, rows, "≥ 0.8× sendAll on the same connections, 1 KiB, " + conns
					+ ((conns == 1) ? " connection" : " connections"), concurrent, conns, 1024, "smtpkit-batch", conns, 0.8);
		}
		// Issue 16 item 4: one round trip instead of two per send(); more than 1.0× is the point.
		ratioTarget(out, rows, "BDAT beats DATA against Postfix smtpd, 1 KiB, one connection (≥ 1.0×)",
				new String[] { "send(), BDAT", "smtpd-bdat" }, 1, 1024, "smtpd-data", 1, 1.0);
		return out.toString();
	}

	/** Each configuration's median msg/s and ratio to smtp-source, pinned beside unpinned. */
	static String sideBySide(List<Row> rows) {
		StringBuilder out = new StringBuilder();
		out.append("| message | client | connections | pinned msg/s | × smtp-source | unpinned msg/s | × smtp-source |\n");
		out.append("|---|---|---:|---:|---:|---:|---:|\n");
		List<String> seen = new ArrayList<>();
		for (Row row : rows) {
			String key = row.client + "/" + row.conns + "/" + row.size;
			if (seen.contains(key)) {
				continue;
			}
			seen.add(key);
			out.append("| ").append(sizeLabel(row.size)).append(" | ").append(row.label()).append(" | ").append(row.conns);
			for (String placement : PLACEMENTS) {
				List<Row> placed = rows.stream().filter((r) -> r.placement.equals(placement)).toList();
				Row same = find(placed, row.client, row.conns, row.size);
				Row source = toSmtpd(row.client) ? null : find(placed, "smtp-source", row.conns, row.size);
				boolean measured = same != null && !same.msgps.isEmpty();
				out.append(" | ").append(measured ? count(same.medianMsgps()) : "–");
				out.append(" | ").append((measured && source != null && !source.msgps.isEmpty())
						? String.format(Locale.ROOT, "%.2f×", same.medianMsgps() / source.medianMsgps()) : "–");
			}
			out.append(" |\n");
		}
		return out.toString();
	}

	/** @param api the API's name and the benchmark client that measures it */
	private static void ratioTarget(StringBuilder out, List<Row> rows, String name, String[] api, int conns, int size,
			String versus, int versusConns, double goal) {
		Row row = find(rows, api[1], conns, size);
		Row other = find(rows, versus, versusConns, size);
		if (row == null || other == null || row.msgps.isEmpty() || other.msgps.isEmpty()) {
			out.append("| ").append(name).append(" | ").append(api[0]).append(" | not measured | – |\n");
			return;
		}
		double ratio = row.medianMsgps() / other.medianMsgps();
		out.append(String.format(Locale.ROOT, "| %s | %s | %.2f× (%s vs %s msg/s) | %s |\n", name, api[0], ratio,
				count(row.medianMsgps()), count(other.medianMsgps()), (ratio >= goal) ? "yes" : "**no**"));
	}

	static Row find(List<Row> rows, String client, int conns, int size) {
		return rows.stream()
			.filter((r) -> r.client.equals(client) && r.conns == conns && r.size == size)
			.findFirst()
			.orElse(null);
	}

	// ---------------------------------------------------------------- the chart

	/** Horizontal bars of msg/s, one panel per message size, each panel with its own scale. */
	static String svg(List<Row> rows, int runs, String placement) {
		int width = 1180;
		int labelWidth = 600;
		int barMax = 460;
		int rowHeight = 22;
		int y = 40;
		StringBuilder body = new StringBuilder();
		TreeSet<Integer> sizes = new TreeSet<>();
		rows.forEach((r) -> sizes.add(r.size));
		for (int size : sizes) {
			List<Row> panel = rows.stream().filter((r) -> r.size == size).toList();
			double max = panel.stream().filter((r) -> !r.msgps.isEmpty()).mapToDouble(Row::medianMsgps).max().orElse(1);
			y += 26;
			body.append(text(10, y, sizeLabel(size) + " messages, one recipient", "bold", 15, "start"));
			y += 10;
			int lastConns = -1;
			for (Row row : panel) {
				if (lastConns != -1 && row.conns != lastConns) {
					y += 6;
				}
				lastConns = row.conns;
				double value = row.msgps.isEmpty() ? 0 : row.medianMsgps();
				int bar = (int) Math.round(barMax * value / max);
				String label = row.label() + " · " + row.conns + ((row.conns == 1) ? " connection" : " connections");
				body.append(text(labelWidth - 8, y + 15, label, "normal", 12, "end"));
				body.append(String.format(Locale.ROOT,
						"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>%n", labelWidth, y + 3,
						Math.max(bar, 1), rowHeight - 6, row.color()));
				String shown = row.msgps.isEmpty() ? "failed" : count(value) + " msg/s";
				body.append(text(labelWidth + bar + 6, y + 15, shown, "normal", 12, "start"));
				y += rowHeight;
			}
			y += 8;
		}
		int height = y + 24;
		StringBuilder svg = new StringBuilder();
		svg.append(String.format(Locale.ROOT,
				"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
						+ " font-family=\"Helvetica, Arial, sans-serif\">%n",
				width, height, width, height));
		svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", width, height));
		svg.append(text(10, 24, "Messages per second to Postfix smtp-sink on loopback (median of " + runs
				+ " runs; longer is better); " + placement, "bold", 14, "start"));
		svg.append(body);
		svg.append(text(10, height - 10, "Each panel has its own scale. Made by benchmarks/run.sh; figures in docs/benchmark.md.",
				"normal", 11, "start"));
		svg.append("</svg>\n");
		return svg.toString();
	}

	private static String text(int x, int y, String content, String weight, int size, String anchor) {
		return String.format(Locale.ROOT,
				"<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"%s\" text-anchor=\"%s\" fill=\"#222222\">%s</text>%n",
				x, y, size, weight, anchor, escape(content));
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
	}

	// ---------------------------------------------------------------- numbers

	static double median(List<Double> values) {
		if (values.isEmpty()) {
			return Double.NaN;
		}
		List<Double> sorted = new ArrayList<>(values);
		sorted.sort(null);
		int n = sorted.size();
		return (n % 2 == 1) ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
	}

	private static String count(double value) {
		return (value >= 100) ? String.format(Locale.US, "%,.0f", value) : String.format(Locale.US, "%.1f", value);
	}

	private static String sizeLabel(int size) {
		return (size % 1024 == 0) ? (size / 1024) + " KiB" : size + " B";
	}

}
