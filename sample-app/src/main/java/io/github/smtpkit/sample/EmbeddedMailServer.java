package io.github.smtpkit.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.util.DummySSLServerSocketFactory;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;

/**
 * The sample's default mail server: an in-process GreenMail on free ports of 127.0.0.1, speaking
 * plain SMTP on one port and SMTPS (TLS from the first byte) on another, with a certificate made
 * at start-up. GreenMail offers no STARTTLS, so TLS is shown with SMTPS.
 *
 * <p>GreenMail reads its TLS key store from system properties once per JVM, so the certificate is
 * made once per JVM too and shared by every embedded server in it (tests may start several).
 */
public final class EmbeddedMailServer implements AutoCloseable {

	private static final String LOOPBACK = "127.0.0.1";

	/**
	 * How long the server keeps a connection that sends nothing: then it answers 421 and closes
	 * it. GreenMail's default, set explicitly so that what the sample's {@code smtp.pool.idle-timeout}
	 * is kept below cannot change unseen.
	 */
	public static final Duration IDLE_LIMIT = Duration.ofSeconds(30);

	private final GreenMail greenMail;

	private final int smtpPort;

	private final int smtpsPort;

	private EmbeddedMailServer(GreenMail greenMail) {
		this.greenMail = greenMail;
		this.smtpPort = greenMail.getSmtp().getPort();
		this.smtpsPort = greenMail.getSmtps().getPort();
	}

	/** Starts a server on two free loopback ports; {@link #close()} stops it. */
	public static EmbeddedMailServer start() {
		Tls.MATERIAL.install();
		GreenMail greenMail = new GreenMail(
				new ServerSetup[] { new ServerSetup(0, LOOPBACK, ServerSetup.PROTOCOL_SMTP).dynamicPort(),
						new ServerSetup(0, LOOPBACK, ServerSetup.PROTOCOL_SMTPS).dynamicPort() });
		greenMail.start();
		// start() makes the servers anew, so only now; each reads it for every new connection, and
		// no client knows the ports yet.
		greenMail.getSmtp().setClientSocketTimeout(Math.toIntExact(IDLE_LIMIT.toMillis()));
		greenMail.getSmtps().setClientSocketTimeout(Math.toIntExact(IDLE_LIMIT.toMillis()));
		return new EmbeddedMailServer(greenMail);
	}

	/** The address both ports listen on, and the name the certificate is checked against. */
	public String host() {
		return LOOPBACK;
	}

	/** The plain SMTP port. */
	public int smtpPort() {
		return this.smtpPort;
	}

	/** The SMTPS port: TLS from the first byte. */
	public int smtpsPort() {
		return this.smtpsPort;
	}

	/** The server's certificate as a PEM file: what the client's SSL bundle trusts. */
	public Path certificatePem() {
		return Tls.MATERIAL.certificatePem;
	}

	/**
	 * The messages received so far, newest first; a message delivered to several mailboxes
	 * (one per recipient) is listed once.
	 */
	public List<ReceivedMail> receivedMails() {
		List<ReceivedMail> mails = new ArrayList<>();
		Set<String> seen = new LinkedHashSet<>();
		for (StoredMessage stored : this.greenMail.getManagers().getImapHostManager().getAllMessages()) {
			MimeMessage message = stored.getMimeMessage();
			try {
				String id = Objects.requireNonNullElse(message.getMessageID(), "uid-" + stored.getUid());
				if (seen.add(id)) {
					mails.add(new ReceivedMail(addresses(message.getFrom()),
							addresses(message.getRecipients(Message.RecipientType.TO)), message.getSubject(),
							size(message), stored.getReceivedDate().toInstant(), attachmentNames(message)));
				}
			}
			catch (MessagingException | IOException ex) {
				mails.add(new ReceivedMail(List.of(), List.of(), "(unreadable: " + ex.getMessage() + ")", -1,
						stored.getReceivedDate().toInstant(), List.of()));
			}
		}
		mails.sort(Comparator.comparing(ReceivedMail::receivedAt).reversed());
		return mails;
	}

	@Override
	public void close() {
		this.greenMail.stop();
	}

	private static List<String> addresses(Address[] addresses) {
		return (addresses != null) ? Arrays.stream(addresses).map(Address::toString).toList() : List.of();
	}

	/** The size of the message as the server stored it, headers included. */
	private static long size(MimeMessage message) throws IOException, MessagingException {
		CountingOutputStream counter = new CountingOutputStream();
		message.writeTo(counter);
		return counter.count;
	}

	private static List<String> attachmentNames(Part part) throws MessagingException, IOException {
		List<String> names = new ArrayList<>();
		if (part.isMimeType("multipart/*")) {
			Multipart multipart = (Multipart) part.getContent();
			for (int i = 0; i < multipart.getCount(); i++) {
				BodyPart body = multipart.getBodyPart(i);
				if (Part.ATTACHMENT.equalsIgnoreCase(body.getDisposition()) && body.getFileName() != null) {
					names.add(body.getFileName());
				}
				else {
					names.addAll(attachmentNames(body));
				}
			}
		}
		return names;
	}

	/** A message the embedded server received. */
	public record ReceivedMail(List<String> from, List<String> to, String subject, long size, Instant receivedAt,
			List<String> attachments) {
	}

	private static final class CountingOutputStream extends OutputStream {

		long count;

		@Override
		public void write(int b) {
			this.count++;
		}

		@Override
		public void write(byte[] b, int off, int len) {
			this.count += len;
		}

	}

	/** The certificate, its key store for GreenMail and its PEM file for the client: once per JVM. */
	private static final class Tls {

		static final Tls MATERIAL = new Tls();

		private final SelfSignedCertificate certificate = SelfSignedCertificate.generate();

		private final Path keyStore;

		private final Path certificatePem;

		private final String password;

		private boolean installed;

		private Tls() {
			byte[] random = new byte[18];
			new SecureRandom().nextBytes(random);
			this.password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
			try {
				Path dir = Files.createTempDirectory("smtpkit-sample-tls-");
				dir.toFile().deleteOnExit();
				this.keyStore = dir.resolve("server.p12");
				this.certificatePem = dir.resolve("server.pem");
				// Deleted in the reverse order of registration: the files, then the folder.
				this.keyStore.toFile().deleteOnExit();
				this.certificatePem.toFile().deleteOnExit();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			this.certificate.writeKeyStore(this.keyStore, this.password.toCharArray());
			this.certificate.writeCertificatePem(this.certificatePem);
		}

		/**
		 * Points GreenMail at the key store, and checks that GreenMail uses it: it reads the
		 * system properties when its first TLS server in this JVM starts, and never again.
		 */
		synchronized void install() {
			if (this.installed) {
				return;
			}
			System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_FILE_PROPERTY, this.keyStore.toString());
			System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEYSTORE_PASSWORD_PROPERTY, this.password);
			System.setProperty(DummySSLServerSocketFactory.GREENMAIL_KEY_PASSWORD_PROPERTY, this.password);
			KeyStore used = ((DummySSLServerSocketFactory) DummySSLServerSocketFactory.getDefault()).getKeyStore();
			try {
				Certificate presented = used.getCertificate(SelfSignedCertificate.ALIAS);
				if (!this.certificate.certificate().equals(presented)) {
					throw new IllegalStateException("GreenMail loaded another TLS key store before the sample could "
							+ "configure its own (greenmail.tls.keystore.file was read earlier in this JVM)");
				}
			}
			catch (GeneralSecurityException ex) {
				throw new IllegalStateException("Cannot read GreenMail's TLS key store", ex);
			}
			this.installed = true;
		}

	}

}
