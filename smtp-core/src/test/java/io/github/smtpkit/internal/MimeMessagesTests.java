package io.github.smtpkit.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Random;

import io.github.smtpkit.MessageSource;
import jakarta.activation.DataHandler;
import jakarta.activation.DataSource;
import jakarta.mail.Message.RecipientType;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * A message as smtpkit puts it on the wire: what Jakarta Mail writes, without {@code Bcc}.
 */
class MimeMessagesTests {

	@Test
	void aMultipartMessageIsWrittenByteForByteAsJakartaMailWritesItWithoutBcc() throws Exception {
		MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
		message.setFrom(new InternetAddress("jö@example.test", "Jörg Ünlü", "UTF-8"));
		message.setRecipients(RecipientType.TO, "to@example.test");
		message.setRecipients(RecipientType.BCC, "hidden@example.test");
		message.setSubject("Grüße, figures attached", "UTF-8");
		// Raw UTF-8 in a header: Jakarta Mail writes it as UTF-8 unless mail.mime.allowutf8=false.
		message.setHeader("X-Note", "schön");
		MimeBodyPart text = new MimeBodyPart();
		text.setText("Hello,\r\nthe figures are attached.\r\n", "UTF-8");
		MimeBodyPart attachment = new MimeBodyPart();
		attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(new byte[300], "application/octet-stream")));
		attachment.setFileName("figures.bin");
		message.setContent(new MimeMultipart(text, attachment));
		message.saveChanges();

		byte[] written = MimeMessages.toBytesWithoutBcc(message);

		ByteArrayOutputStream jakarta = new ByteArrayOutputStream();
		message.writeTo(jakarta, new String[] { "Bcc", "Resent-Bcc" });
		assertThat(new String(written, StandardCharsets.UTF_8)).isEqualTo(jakarta.toString(StandardCharsets.UTF_8))
			.contains("X-Note: schön\r\n")
			.doesNotContain("hidden@example.test");
		assertThat(written).isEqualTo(jakarta.toByteArray());
	}

	@Test
	void loneLineEndingsBecomeCrlfAcrossWritesOfOneByteAndOfManyAndAcrossTheBuffer() throws Exception {
		MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
		message.setFrom("app@example.test");
		// Quoted-printable is written a byte at a time, the plain text part in blocks; both are
		// longer than the stream's buffer, and both have lone LFs and lone CRs in them.
		String text = "Grüße\nline two\rline three\r\n".repeat(400) + "last\r";
		MimeBodyPart quoted = new MimeBodyPart();
		quoted.setText(text, "UTF-8");
		quoted.setHeader("Content-Transfer-Encoding", "quoted-printable");
		MimeBodyPart plain = new MimeBodyPart();
		plain.setText(text.replace("ü", "u").replace("ß", "ss"), "US-ASCII");
		plain.setHeader("Content-Transfer-Encoding", "7bit");
		message.setContent(new MimeMultipart(quoted, plain));
		message.saveChanges();

		String written = new String(MimeMessages.toBytesWithoutBcc(message), StandardCharsets.UTF_8);

		ByteArrayOutputStream jakarta = new ByteArrayOutputStream();
		message.writeTo(jakarta, new String[] { "Bcc", "Resent-Bcc" });
		String expected = jakarta.toString(StandardCharsets.UTF_8).replaceAll("\r(?!\n)|(?<!\r)\n", "\r\n");
		assertThat(written).isEqualTo(expected);
		assertThat(written.replace("\r\n", "")).doesNotContain("\r").doesNotContain("\n");
		assertThat(written.length()).isGreaterThan(2 * 8192);
	}

	@Test
	void writingLeavesTheFlushToTheCallerSoThatTheMessageAndWhatFollowsGoOutTogether() throws Exception {
		MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
		message.setFrom("app@example.test");
		MimeBodyPart text = new MimeBodyPart();
		text.setText("Hello.\r\n");
		MimeBodyPart attachment = new MimeBodyPart();
		attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(new byte[30], "application/octet-stream")));
		message.setContent(new MimeMultipart(text, attachment));
		int[] flushes = { 0 };
		ByteArrayOutputStream out = new ByteArrayOutputStream() {

			@Override
			public void flush() {
				flushes[0]++;
			}

		};

		MimeMessages.writeWithoutBcc(message, out);

		assertThat(out.toString(StandardCharsets.US_ASCII)).contains("Hello.\r\n");
		assertThat(flushes[0]).as("Jakarta Mail flushes after each part it writes").isZero();
	}


	@Test
	void aMessageWrittenAheadIsSentFromMemoryByteForByteAsStreamed() throws Exception {
		MimeMessage message = multipartWithAttachment(300);
		CountingDataSource attachment = attachmentOf(message);
		byte[] streamed = MimeMessages.toBytesWithoutBcc(message);
		int readsBefore = attachment.reads;

		MessageSource source = MimeMessages.sourceOf(message);
		MessageSource prepared = source.preparedToWrite();
		int readsAhead = attachment.reads - readsBefore;
		ByteArrayOutputStream written = new ByteArrayOutputStream();
		prepared.writeTo(written);

		assertThat(written.toByteArray()).isEqualTo(streamed);
		assertThat(prepared.size()).isEqualTo(streamed.length);
		// Written ahead once; sending it read nothing more.
		assertThat(attachment.reads - readsBefore).isEqualTo(readsAhead).isPositive();
	}

	@Test
	void whatWasWrittenAheadAndNotSentNeverReachesALaterAttempt() throws Exception {
		MimeMessage message = multipartWithAttachment(300);
		MessageSource source = MimeMessages.sourceOf(message);
		// Written ahead for an attempt whose recipients were refused: not sent.
		source.preparedToWrite();
		message.setSubject("changed before the next attempt");
		message.saveChanges();

		ByteArrayOutputStream written = new ByteArrayOutputStream();
		source.writeTo(written);

		assertThat(written.toByteArray()).isEqualTo(MimeMessages.toBytesWithoutBcc(message));
		assertThat(written.toString(StandardCharsets.US_ASCII)).contains("Subject: changed before the next attempt");
	}

	@Test
	void aMessageLargerThanWhatIsWrittenAheadIsStreamedWhole() throws Exception {
		MimeMessage message = multipartWithAttachment(MimeMessages.MAX_PREPARED_BYTES);
		byte[] streamed = MimeMessages.toBytesWithoutBcc(message);
		assertThat(streamed.length).isGreaterThan(MimeMessages.MAX_PREPARED_BYTES);

		MessageSource source = MimeMessages.sourceOf(message);
		MessageSource prepared = source.preparedToWrite();
		ByteArrayOutputStream written = new ByteArrayOutputStream();
		prepared.writeTo(written);

		assertThat(prepared).isSameAs(source);
		assertThat(written.toByteArray()).isEqualTo(streamed);
	}

	@Test
	void aMessageThatCannotBeWrittenAheadFailsWhenItIsWrittenWithTheSameFailure() throws Exception {
		MimeMessage message = multipartWithAttachment(300);
		attachmentOf(message).failing = true;

		MessageSource source = MimeMessages.sourceOf(message);
		MessageSource prepared = source.preparedToWrite();

		assertThat(prepared).isSameAs(source);
		assertThatIOException().isThrownBy(() -> prepared.writeTo(new ByteArrayOutputStream()))
			.withStackTraceContaining("the attachment cannot be read");
	}

	private static MimeMessage multipartWithAttachment(int attachmentSize) throws Exception {
		MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
		message.setFrom("app@example.test");
		message.setRecipients(RecipientType.TO, "to@example.test");
		message.setRecipients(RecipientType.BCC, "hidden@example.test");
		MimeBodyPart text = new MimeBodyPart();
		text.setText("Hello,\r\nthe figures are attached.\r\n", "UTF-8");
		MimeBodyPart attachment = new MimeBodyPart();
		attachment.setDataHandler(new DataHandler(new CountingDataSource(attachmentSize)));
		attachment.setFileName("figures.bin");
		message.setContent(new MimeMultipart(text, attachment));
		message.saveChanges();
		return message;
	}

	private static CountingDataSource attachmentOf(MimeMessage message) throws Exception {
		MimeMultipart parts = (MimeMultipart) message.getContent();
		return (CountingDataSource) parts.getBodyPart(1).getDataHandler().getDataSource();
	}

	/** An attachment that counts how often it is read, and can be made to fail. */
	private static final class CountingDataSource implements DataSource {

		private final byte[] bytes;

		int reads;

		boolean failing;

		CountingDataSource(int size) {
			this.bytes = new byte[size];
			new Random(size).nextBytes(this.bytes);
		}

		@Override
		public InputStream getInputStream() throws IOException {
			if (this.failing) {
				throw new IOException("the attachment cannot be read");
			}
			this.reads++;
			return new ByteArrayInputStream(this.bytes);
		}

		@Override
		public OutputStream getOutputStream() {
			throw new UnsupportedOperationException();
		}

		@Override
		public String getContentType() {
			return "application/octet-stream";
		}

		@Override
		public String getName() {
			return "figures.bin";
		}

	}

}
