package io.github.smtpkit.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.Collections;
import java.util.Enumeration;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

import jakarta.mail.MessagingException;
import jakarta.mail.util.StreamProvider;

/**
 * Makes Jakarta Mail's look-up of its {@code StreamProvider} cheap while smtpkit writes a message.
 *
 * <p>Jakarta Mail 2.1 looks its stream provider up anew each time it writes a part or encodes a
 * body ({@code StreamProvider.provider()}: a {@link java.util.ServiceLoader} over the thread's
 * context class loader; jakartaee/mail-api issues 699 and 861), and each look-up opens the jar
 * that names the provider afresh and scans the class path for it: some 100 µs on a small class
 * path, more on a large one, at least twice per message and twice more per part of a multipart.
 * That was most of the CPU of sending a {@code MimeMessage}.
 *
 * <p>While {@link #run} runs its action, the thread's context class loader is one that answers
 * that one look-up from memory, with what the real context class loader answered the first time,
 * and leaves everything else to the real one (it is its parent, and defines no class). So Jakarta
 * Mail finds the same provider, in the same way, only without reading jars. When the real loader
 * names no provider, nothing is changed: Jakarta Mail's own fall-backs run as before.
 */
public final class StreamProviderLookup {

	/** Where {@link java.util.ServiceLoader} looks for the provider's name. */
	static final String SERVICE_FILE = "META-INF/services/jakarta.mail.util.StreamProvider";

	/**
	 * The system property Jakarta Mail reads before its service look-up: when it names a class,
	 * {@code StreamProvider.provider()} loads that class from the context class loader and scans
	 * nothing.
	 */
	public static final String PROVIDER_PROPERTY = "jakarta.mail.util.StreamProvider";

	/**
	 * The loader made for the context class loader last seen: one entry is enough, since an
	 * application's sending threads share one context class loader. When another comes, a new one
	 * replaces it (its first look-up costs what Jakarta Mail's own would).
	 */
	private static volatile CachedServiceLoader last;

	private StreamProviderLookup() {
	}

	/**
	 * Runs the action (writing a message with Jakarta Mail) with the stream provider's look-up
	 * answered from memory, and restores the thread's context class loader afterwards.
	 */
	public static void run(Write action) throws IOException, MessagingException {
		Thread thread = Thread.currentThread();
		ClassLoader original = thread.getContextClassLoader();
		ClassLoader cached = cachedFor(original);
		if (cached == null) {
			action.run();
			return;
		}
		thread.setContextClassLoader(cached);
		try {
			action.run();
		}
		finally {
			thread.setContextClassLoader(original);
		}
	}

	/**
	 * Names the stream provider in {@link #PROVIDER_PROPERTY} when that is safe, so that every
	 * look-up in this JVM, by any code, is a class load instead of a scan of the class path.
	 *
	 * <p>{@link #run} helps only while smtpkit writes; an application that builds a multipart
	 * message (Spring's {@code MimeMessageHelper}, {@code new MimeMultipart()}, {@code new
	 * MimeBodyPart()}) pays the scan in its own code, several times per message, before any sender
	 * sees it: most of the CPU such a message costs.
	 *
	 * <p>Safe means that the property then changes nothing any thread would find: it is not set
	 * already, and the system class loader (the context class loader of threads that were given
	 * none, such as the common fork-join pool's) finds the same provider class as the current
	 * context class loader does, and shares its {@code StreamProvider} type. Jakarta Mail does not
	 * fall back when the named class cannot be loaded, so where the system class loader cannot see
	 * the provider (an application run from a Spring Boot fat jar, whose libraries only its own
	 * class loader sees) nothing is set.
	 * @return the class name this call set, or {@code null} when it set nothing
	 */
	public static synchronized String pinProvider() {
		return pinProvider(Thread.currentThread().getContextClassLoader(), ClassLoader.getSystemClassLoader());
	}

	/** {@link #pinProvider()}, with the two class loaders that must agree given. */
	static synchronized String pinProvider(ClassLoader context, ClassLoader system) {
		if (System.getProperty(PROVIDER_PROPERTY) != null) {
			return null;
		}
		Class<?> found = firstProvider((context != null) ? context : StreamProvider.class.getClassLoader());
		if (found == null || found != firstProvider(system)) {
			return null;
		}
		System.setProperty(PROVIDER_PROPERTY, found.getName());
		return found.getName();
	}

	/** The provider class the loader's service look-up finds first, or {@code null}. */
	private static Class<?> firstProvider(ClassLoader loader) {
		try {
			return ServiceLoader.load(StreamProvider.class, loader)
				.stream()
				.findFirst()
				.map(ServiceLoader.Provider::type)
				.orElse(null);
		}
		catch (ServiceConfigurationError ex) {
			// A provider the loader names but cannot load or that is not a StreamProvider of this API.
			return null;
		}
	}

	/** The loader that answers for {@code original}, or {@code null} to leave the look-up alone. */
	static ClassLoader cachedFor(ClassLoader original) {
		// As Jakarta Mail: without a context class loader, the API's own loader.
		ClassLoader parent = (original != null) ? original : StreamProvider.class.getClassLoader();
		if (parent == null) {
			return null;
		}
		CachedServiceLoader loader = last;
		if (loader == null || loader.getParent() != parent) {
			byte[] serviceFile = serviceFile(parent);
			if (serviceFile == null) {
				return null;
			}
			loader = new CachedServiceLoader(parent, serviceFile);
			last = loader;
		}
		return loader;
	}

	/** Every copy of the service file the loader sees, one after the other; {@code null} when it sees none. */
	private static byte[] serviceFile(ClassLoader loader) {
		try {
			Enumeration<URL> files = loader.getResources(SERVICE_FILE);
			if (!files.hasMoreElements()) {
				return null;
			}
			ByteArrayOutputStream all = new ByteArrayOutputStream();
			while (files.hasMoreElements()) {
				URLConnection connection = files.nextElement().openConnection();
				// As ServiceLoader reads it: not from a cached (and perhaps since closed) jar.
				connection.setUseCaches(false);
				try (InputStream in = connection.getInputStream()) {
					in.transferTo(all);
				}
				all.write('\n');
			}
			return all.toByteArray();
		}
		catch (IOException | RuntimeException ex) {
			// Then Jakarta Mail looks for itself, and reports what it finds.
			return null;
		}
	}

	/** What {@link #run} runs: Jakarta Mail writing a message. */
	@FunctionalInterface
	public interface Write {

		void run() throws IOException, MessagingException;

	}

	/**
	 * A child of the real context class loader that answers {@link #SERVICE_FILE} from memory and
	 * otherwise delegates (parent first, defining nothing).
	 */
	private static final class CachedServiceLoader extends ClassLoader {

		static {
			registerAsParallelCapable();
		}

		private final URL serviceFile;

		CachedServiceLoader(ClassLoader parent, byte[] content) {
			super("smtpkit-stream-provider", parent);
			this.serviceFile = inMemory(content);
		}

		@Override
		public Enumeration<URL> getResources(String name) throws IOException {
			if (SERVICE_FILE.equals(name)) {
				return Collections.enumeration(Collections.singletonList(this.serviceFile));
			}
			return super.getResources(name);
		}

		/**
		 * Straight to the parent, which is what {@link ClassLoader#loadClass(String, boolean)}
		 * ends up doing for a loader that defines nothing, without first taking a lock of its own
		 * and asking the JVM for a class it never defined: Jakarta Mail and Activation load a class
		 * by name from the context class loader several times per message written (each part's
		 * content handler, the stream provider named in {@link #PROVIDER_PROPERTY}).
		 */
		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			return getParent().loadClass(name);
		}

		@Override
		public URL getResource(String name) {
			return SERVICE_FILE.equals(name) ? this.serviceFile : super.getResource(name);
		}

		@SuppressWarnings("deprecation") // URL.of(URI, handler) is JDK 20+; this is the way on 17.
		private static URL inMemory(byte[] content) {
			URLStreamHandler handler = new URLStreamHandler() {

				@Override
				protected URLConnection openConnection(URL url) {
					return new URLConnection(url) {

						@Override
						public void connect() {
						}

						@Override
						public InputStream getInputStream() {
							return new ByteArrayInputStream(content);
						}

					};
				}

			};
			try {
				return new URL("smtpkit-memory", null, -1, "/" + SERVICE_FILE, handler);
			}
			catch (MalformedURLException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

}
