package io.github.smtpkit.internal;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Reading the server's lines with a bound on their length, as smtplib's
 * {@code file.readline(_MAXLINE + 1)}.
 */
class ReplyReaderTests {

	@Test
	void readsLineByLineKeepingTheLineEnd() throws IOException {
		ReplyReader reader = reader("250-one\r\n250 two\n");

		assertThat(text(reader.readLine(100))).isEqualTo("250-one\r\n");
		assertThat(text(reader.readLine(100))).isEqualTo("250 two\n");
		assertThat(reader.readLine(100)).isEmpty();
	}

	@Test
	void endOfStreamGivesAnEmptyLine() throws IOException {
		ReplyReader reader = reader("");

		assertThat(reader.readLine(100)).isEmpty();
		assertThat(reader.readLine(100)).isEmpty();
	}

	@Test
	void lineCutShortByEndOfStreamIsReturnedAsItIs() throws IOException {
		ReplyReader reader = reader("250 no line end");

		assertThat(text(reader.readLine(100))).isEqualTo("250 no line end");
		assertThat(reader.readLine(100)).isEmpty();
	}

	@Test
	void atMostMaxBytesAreReturnedAndTheRestIsKept() throws IOException {
		ReplyReader reader = reader("0123456789\r\nnext\r\n");

		assertThat(text(reader.readLine(4))).isEqualTo("0123");
		assertThat(text(reader.readLine(4))).isEqualTo("4567");
		assertThat(text(reader.readLine(100))).isEqualTo("89\r\n");
		assertThat(text(reader.readLine(100))).isEqualTo("next\r\n");
	}

	@Test
	void lineOfExactlyMaxBytesIsWhole() throws IOException {
		String line = "x".repeat(8190) + "\r\n";
		ReplyReader reader = reader(line + "250 ok\r\n");

		assertThat(text(reader.readLine(8192))).isEqualTo(line);
		assertThat(text(reader.readLine(8192))).isEqualTo("250 ok\r\n");
	}

	@Test
	void overLongLineIsCutAtMaxBytesPlusOne() throws IOException {
		ReplyReader reader = reader("250 " + "x".repeat(20_000) + "\r\n");

		assertThat(reader.readLine(8193)).hasSize(8193);
	}

	@Test
	void linesLongerThanTheInternalBufferAreJoined() throws IOException {
		String line = "250 " + "y".repeat(30_000) + "\r\n";
		ReplyReader reader = reader(line + "250 ok\r\n");

		assertThat(text(reader.readLine(100_000))).isEqualTo(line);
		assertThat(text(reader.readLine(100_000))).isEqualTo("250 ok\r\n");
	}

	@Test
	void linesArrivingAByteAtATimeAreReassembled() throws IOException {
		InputStream trickle = new FilterInputStream(
				new ByteArrayInputStream("250-first\r\n250 second\r\n".getBytes(StandardCharsets.US_ASCII))) {

			@Override
			public int read(byte[] buffer, int offset, int length) throws IOException {
				return super.read(buffer, offset, Math.min(1, length));
			}

		};
		ReplyReader reader = new ReplyReader(trickle);

		assertThat(text(reader.readLine(100))).isEqualTo("250-first\r\n");
		assertThat(text(reader.readLine(100))).isEqualTo("250 second\r\n");
		assertThat(reader.readLine(100)).isEmpty();
	}

	@Test
	void bytesAreNotDecoded() throws IOException {
		byte[] utf8 = "250 h\u00e9\r\n".getBytes(StandardCharsets.UTF_8);
		ReplyReader reader = new ReplyReader(new ByteArrayInputStream(utf8));

		assertThat(reader.readLine(100)).isEqualTo(utf8);
	}

	@Test
	void readFailuresPropagate() {
		IOException failure = new IOException("reset");
		ReplyReader reader = new ReplyReader(new InputStream() {

			@Override
			public int read() throws IOException {
				throw failure;
			}

			@Override
			public int read(byte[] buffer, int offset, int length) throws IOException {
				throw failure;
			}

		});

		assertThatIOException().isThrownBy(() -> reader.readLine(100)).isSameAs(failure);
	}

	private static ReplyReader reader(String text) {
		return new ReplyReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.US_ASCII)));
	}

	private static String text(byte[] line) {
		return new String(line, StandardCharsets.ISO_8859_1);
	}

}
