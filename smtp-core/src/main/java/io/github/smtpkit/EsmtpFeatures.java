package io.github.smtpkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The service extensions a server advertised in its EHLO (or LHLO) reply: smtplib's
 * {@code esmtp_features} dictionary, immutable.
 *
 * <p>Keywords are lower-cased; each maps to its parameters as one string ({@code ""} when there
 * are none). As in smtplib, the old-style {@code AUTH=PLAIN LOGIN} line some servers still send is
 * merged into {@code auth}, and several AUTH lines add up.
 */
public final class EsmtpFeatures {

	private static final EsmtpFeatures NONE = new EsmtpFeatures(Map.of());

	/** The old-style advertisement, {@code AUTH=mech ...}, sent by servers that predate RFC 4954. */
	private static final Pattern OLD_STYLE_AUTH = Pattern.compile("auth=(.*)", Pattern.CASE_INSENSITIVE);

	/** An EHLO keyword (RFC 5321 4.1.1.1): a letter or digit, then letters, digits or hyphens. */
	private static final Pattern KEYWORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9\\-]*");

	private static final Pattern WHITESPACE = Pattern.compile("\\s+");

	private final Map<String, String> features;

	private EsmtpFeatures(Map<String, String> features) {
		this.features = features;
	}

	/** No extensions: the state before EHLO, after HELO, and after STARTTLS. */
	public static EsmtpFeatures none() {
		return NONE;
	}

	/**
	 * Parses the text of a successful EHLO reply (lines joined with {@code "\n"}). The first line
	 * is the server's greeting and is skipped; lines that do not start with a keyword are ignored.
	 * @param ehloMessage the reply's text, as in {@link SmtpReply#message()}
	 * @return the advertised extensions
	 */
	public static EsmtpFeatures parse(String ehloMessage) {
		Map<String, String> features = new LinkedHashMap<>();
		String[] lines = ehloMessage.split("\n", -1);
		for (int i = 1; i < lines.length; i++) {
			String line = lines[i];
			Matcher oldStyleAuth = OLD_STYLE_AUTH.matcher(line);
			if (oldStyleAuth.lookingAt()) {
				features.merge("auth", " " + oldStyleAuth.group(1), String::concat);
				continue;
			}
			Matcher keyword = KEYWORD.matcher(line);
			if (keyword.lookingAt()) {
				String name = keyword.group().toLowerCase(Locale.ROOT);
				String params = line.substring(keyword.end()).strip();
				if (name.equals("auth")) {
					features.merge(name, " " + params, String::concat);
				}
				else {
					features.put(name, params);
				}
			}
		}
		return new EsmtpFeatures(Collections.unmodifiableMap(features));
	}

	/** Whether the server advertised this extension; the keyword's case does not matter. */
	public boolean has(String keyword) {
		return this.features.containsKey(keyword.toLowerCase(Locale.ROOT));
	}

	/** The parameters advertised with this extension ({@code ""} when none), if it was advertised. */
	public Optional<String> params(String keyword) {
		return Optional.ofNullable(this.features.get(keyword.toLowerCase(Locale.ROOT)));
	}

	/** Every advertised keyword (lower case) with its parameters, in the server's order. */
	public Map<String, String> asMap() {
		return this.features;
	}

	/** Whether nothing was advertised. */
	public boolean isEmpty() {
		return this.features.isEmpty();
	}

	/** The advertised AUTH mechanisms, upper-cased, in the server's order, without repeats. */
	public List<String> authMechanisms() {
		String auth = this.features.getOrDefault("auth", "").strip();
		List<String> mechanisms = new ArrayList<>();
		if (!auth.isEmpty()) {
			for (String mechanism : WHITESPACE.split(auth)) {
				String name = mechanism.toUpperCase(Locale.ROOT);
				if (!mechanisms.contains(name)) {
					mechanisms.add(name);
				}
			}
		}
		return List.copyOf(mechanisms);
	}

	/**
	 * The largest message the server accepts, from {@code SIZE} (RFC 1870). Empty when SIZE is not
	 * advertised, has no parameter, is 0 (which means "no fixed limit") or is not a number.
	 */
	public OptionalLong maxMessageSize() {
		String size = this.features.get("size");
		if (size == null || size.isEmpty()) {
			return OptionalLong.empty();
		}
		try {
			long limit = Long.parseLong(size.strip());
			return (limit > 0) ? OptionalLong.of(limit) : OptionalLong.empty();
		}
		catch (NumberFormatException ex) {
			return OptionalLong.empty();
		}
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (other instanceof EsmtpFeatures that) && this.features.equals(that.features);
	}

	@Override
	public int hashCode() {
		return this.features.hashCode();
	}

	@Override
	public String toString() {
		return this.features.toString();
	}

}
