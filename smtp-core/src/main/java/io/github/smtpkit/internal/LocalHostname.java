package io.github.smtpkit.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The name a session says in HELO and EHLO when none is configured, as smtplib finds it: this
 * machine's fully qualified name, else its address as a literal such as {@code [192.0.2.1]}. The
 * look-up is slow and the answer rarely changes: done once, when first needed.
 */
public final class LocalHostname {

	private static final String VALUE = lookUp();

	private LocalHostname() {
	}

	public static String value() {
		return VALUE;
	}

	private static String lookUp() {
		try {
			InetAddress local = InetAddress.getLocalHost();
			String fqdn = local.getCanonicalHostName();
			if (fqdn.indexOf('.') >= 0 && !fqdn.equals(local.getHostAddress())) {
				return fqdn;
			}
			// RFC 5321 4.1.4: without a name, an address literal.
			return (local instanceof Inet6Address) ? "[IPv6:" + local.getHostAddress() + "]"
					: "[" + local.getHostAddress() + "]";
		}
		catch (UnknownHostException ex) {
			return "[127.0.0.1]";
		}
	}

}
