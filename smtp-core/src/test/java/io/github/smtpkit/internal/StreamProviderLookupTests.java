package io.github.smtpkit.internal;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.StreamProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Jakarta Mail's stream provider, looked up from memory while smtpkit writes a message.
 */
class StreamProviderLookupTests {

	private final ClassLoader original = Thread.currentThread().getContextClassLoader();

	private final String originalProperty = System.getProperty(StreamProviderLookup.PROVIDER_PROPERTY);

	@AfterEach
	void restoreContextClassLoaderAndProperty() {
		Thread.currentThread().setContextClassLoader(this.original);
		if (this.originalProperty != null) {
			System.setProperty(StreamProviderLookup.PROVIDER_PROPERTY, this.originalProperty);
		}
		else {
			System.clearProperty(StreamProviderLookup.PROVIDER_PROPERTY);
		}
	}

	@Test
	void theProviderIsTheOneJakartaMailFindsItselfAndItsServiceFileIsReadOnce() throws Exception {
		Class<?> found = StreamProvider.provider().getClass();
		CountingLoader counting = new CountingLoader(this.original, true);
		Thread.currentThread().setContextClassLoader(counting);
		Class<?>[] inside = new Class<?>[5];
		StreamProviderLookup.run(() -> {
			for (int i = 0; i < inside.length; i++) {
				inside[i] = StreamProvider.provider().getClass();
			}
		});
		assertThat(inside).containsOnly(found);
		assertThat(counting.serviceFileReads).as("the jar is read to fill the cache, and then never").hasValue(1);
		StreamProviderLookup.run(() -> StreamProvider.provider());
		assertThat(counting.serviceFileReads).as("nor on the next message").hasValue(1);
	}

	@Test
	void classesAreLoadedByTheRealContextClassLoaderWhileTheActionRuns() throws Exception {
		CountingLoader counting = new CountingLoader(this.original, true);
		Thread.currentThread().setContextClassLoader(counting);
		Class<?>[] loaded = new Class<?>[2];
		Exception[] missing = new Exception[1];
		StreamProviderLookup.run(() -> {
			ClassLoader context = Thread.currentThread().getContextClassLoader();
			assertThat(context).isNotSameAs(counting);
			try {
				loaded[0] = context.loadClass(MimeBodyPart.class.getName());
				loaded[1] = Class.forName(MimeMultipart.class.getName(), false, context);
				context.loadClass("io.github.smtpkit.NoSuchClass");
			}
			catch (ClassNotFoundException ex) {
				missing[0] = ex;
			}
		});
		assertThat(loaded).containsExactly(MimeBodyPart.class, MimeMultipart.class);
		assertThat(missing[0]).isInstanceOf(ClassNotFoundException.class).hasMessageContaining("NoSuchClass");
		assertThat(counting.classesAsked).contains(MimeBodyPart.class.getName(), MimeMultipart.class.getName(),
				"io.github.smtpkit.NoSuchClass");
	}

	@Test
	void theContextClassLoaderIsRestoredAfterTheActionAndAfterItsFailure() {
		CountingLoader counting = new CountingLoader(this.original, true);
		Thread.currentThread().setContextClassLoader(counting);
		ClassLoader[] during = new ClassLoader[1];
		assertThatIOException().isThrownBy(() -> StreamProviderLookup.run(() -> {
			during[0] = Thread.currentThread().getContextClassLoader();
			throw new IOException("the action's own failure");
		})).withMessage("the action's own failure");
		assertThat(during[0]).isNotSameAs(counting).satisfies((loader) -> assertThat(loader.getParent()).isSameAs(counting));
		assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(counting);
	}

	@Test
	void aContextClassLoaderThatNamesNoProviderIsLeftAloneForJakartaMailsOwnFallBacks() throws Exception {
		CountingLoader blind = new CountingLoader(this.original, false);
		Thread.currentThread().setContextClassLoader(blind);
		ClassLoader[] during = new ClassLoader[1];
		StreamProviderLookup.run(() -> during[0] = Thread.currentThread().getContextClassLoader());
		assertThat(during[0]).isSameAs(blind);
	}

	@Test
	void pinningNamesTheProviderJakartaMailFindsSoThatBuildingAMultipartScansNothing() throws Exception {
		System.clearProperty(StreamProviderLookup.PROVIDER_PROPERTY);
		Class<?> found = StreamProvider.provider().getClass();
		CountingLoader counting = new CountingLoader(this.original, true);
		Thread.currentThread().setContextClassLoader(counting);
		new MimeMultipart("mixed").addBodyPart(new MimeBodyPart());
		assertThat(counting.serviceFileReads).as("without the property, each part scans").hasValueGreaterThan(1);

		assertThat(StreamProviderLookup.pinProvider(counting, this.original)).isEqualTo(found.getName());
		assertThat(System.getProperty(StreamProviderLookup.PROVIDER_PROPERTY)).isEqualTo(found.getName());
		int afterPinning = counting.serviceFileReads.get();
		MimeMultipart multipart = new MimeMultipart("mixed");
		multipart.addBodyPart(new MimeBodyPart());
		assertThat(StreamProvider.provider().getClass()).isSameAs(found);
		assertThat(counting.serviceFileReads).as("with it, none does").hasValue(afterPinning);
	}

	@Test
	void aProviderSomeoneNamedIsLeftAlone() {
		System.setProperty(StreamProviderLookup.PROVIDER_PROPERTY, "com.example.TheirProvider");
		assertThat(StreamProviderLookup.pinProvider(this.original, this.original)).isNull();
		assertThat(System.getProperty(StreamProviderLookup.PROVIDER_PROPERTY)).isEqualTo("com.example.TheirProvider");
	}

	@Test
	void nothingIsPinnedWhenTheSystemClassLoaderCannotSeeTheProviderAsInAFatJar() {
		System.clearProperty(StreamProviderLookup.PROVIDER_PROPERTY);
		CountingLoader systemWithoutTheLibraries = new CountingLoader(this.original, false);
		assertThat(StreamProviderLookup.pinProvider(this.original, systemWithoutTheLibraries)).isNull();
		assertThat(System.getProperty(StreamProviderLookup.PROVIDER_PROPERTY)).isNull();
	}

	/** Counts the reads of the service file, or hides it. */
	private static final class CountingLoader extends ClassLoader {

		final AtomicInteger serviceFileReads = new AtomicInteger();

		final java.util.List<String> classesAsked = new java.util.concurrent.CopyOnWriteArrayList<>();

		private final boolean seesServiceFile;

		CountingLoader(ClassLoader parent, boolean seesServiceFile) {
			super("counting", parent);
			this.seesServiceFile = seesServiceFile;
		}

		@Override
		public Enumeration<URL> getResources(String name) throws IOException {
			if (StreamProviderLookup.SERVICE_FILE.equals(name)) {
				this.serviceFileReads.incrementAndGet();
				if (!this.seesServiceFile) {
					return Collections.emptyEnumeration();
				}
			}
			return super.getResources(name);
		}

		@Override
		protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
			this.classesAsked.add(name);
			return super.loadClass(name, resolve);
		}

	}

}
