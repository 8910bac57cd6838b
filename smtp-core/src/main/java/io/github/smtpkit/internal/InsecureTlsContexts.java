package io.github.smtpkit.internal;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

import javax.net.ssl.SSLContext;

/**
 * The TLS contexts made by {@code SmtpTls.insecureTrustAllCertificates()}, remembered so that a
 * connection can tell that its certificate was not verified (a context does not show its trust
 * managers). Weakly held: a context nobody uses any more is forgotten.
 */
public final class InsecureTlsContexts {

	private static final Set<SSLContext> CONTEXTS = Collections.synchronizedSet(
			Collections.newSetFromMap(new WeakHashMap<>()));

	private InsecureTlsContexts() {
	}

	/** Remembers a context that trusts every certificate. */
	public static SSLContext register(SSLContext context) {
		CONTEXTS.add(context);
		return context;
	}

	/** Whether the context trusts every certificate: made by {@code insecureTrustAllCertificates()}. */
	public static boolean contains(SSLContext context) {
		return CONTEXTS.contains(context);
	}

}
