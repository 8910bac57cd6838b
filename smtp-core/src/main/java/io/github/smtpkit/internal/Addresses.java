package io.github.smtpkit.internal;

import java.util.List;

import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;

/**
 * smtplib's address helpers, {@code quoteaddr} and {@code _addr_only}, with Jakarta Mail's parser
 * in the part of Python's {@code email.utils.parseaddr}.
 */
public final class Addresses {

	/** Characters that mean more than a bare addr-spec: a display name, brackets, a list, a comment. */
	private static final String SPECIALS = "<>()\",;:[]\\ \t";

	private Addresses() {
	}

	/**
	 * The address in angle brackets for MAIL FROM and RCPT TO: {@code "Jo <jo@example.com>"}
	 * becomes {@code <jo@example.com>}, {@code ""} becomes {@code <>} (the null reverse-path). What
	 * does not parse as one address is sent as given, bracketed unless it already starts with
	 * {@code <}, as smtplib does.
	 */
	public static String quote(String address) {
		String parsed = parseSingle(address);
		if (parsed != null) {
			return "<" + parsed + ">";
		}
		return address.strip().startsWith("<") ? address : "<" + address + ">";
	}

	/** The bare address for VRFY and EXPN, or the input when it does not parse as one address. */
	public static String addressOnly(String address) {
		String parsed = parseSingle(address);
		return (parsed != null) ? parsed : address;
	}

	/**
	 * The MAIL options that an envelope with an international address needs, as smtplib's
	 * {@code send_message} adds them: SMTPUTF8 (RFC 6531), and 8BITMIME for the UTF-8 headers.
	 */
	public static final List<String> INTERNATIONAL_MAIL_OPTIONS = List.of("SMTPUTF8", "BODY=8BITMIME");

	/** Whether the address needs SMTPUTF8 (RFC 6531): it has a character outside ASCII. */
	public static boolean isInternational(String address) {
		return !Ascii.isAscii(address);
	}

	private static String parseSingle(String address) {
		if (address.isBlank()) {
			return null;
		}
		if (isBareAddress(address)) {
			return address;
		}
		try {
			InternetAddress[] parsed = InternetAddress.parseHeader(address, false);
			// Like Python 3.13's strict parseaddr, a list of several addresses is not one address.
			if (parsed.length == 1 && parsed[0].getAddress() != null && !parsed[0].getAddress().isEmpty()) {
				return parsed[0].getAddress();
			}
			return null;
		}
		catch (AddressException ex) {
			return null;
		}
	}

	private static boolean isBareAddress(String address) {
		for (int i = 0; i < address.length(); i++) {
			if (SPECIALS.indexOf(address.charAt(i)) >= 0) {
				return false;
			}
		}
		return true;
	}

}
