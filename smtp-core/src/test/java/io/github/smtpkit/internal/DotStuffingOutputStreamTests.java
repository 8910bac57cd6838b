package io.github.smtpkit.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * smtplib's {@code _quote_periods} and the end of {@code data()}, done as a stream: a dot that
 * starts a line (at the start or after LF) is doubled, CRLF is added when missing, then ".CRLF".
 */
class DotStuffingOutputStreamTests {

	@ParameterizedTest(name = "[{index}] {0}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', value = {
			"plain text             | plain text                 | no dots, CRLF added",
			".leading              | ..leading                  | dot at the very start",
			"a\\r\\n.b            | a\\r\\n..b                | dot after CRLF",
			"a\\n.b               | a\\n..b                    | dot after a lone LF",
			"a\\r.b               | a\\r.b                     | no stuffing after a lone CR",
			"mid.dle.             | mid.dle.                   | dots inside a line",
			"..\\r\\n.\\r\\n    | ...\\r\\n..\\r\\n       | dot-only lines",
			"x\\r\\n              | x\\r\\n                    | CRLF already there",
			"x\\n                 | x\\n                       | lone LF at the end",
			"x\\r                 | x\\r                       | lone CR at the end",
			"\\r\\n               | \\r\\n                     | only a CRLF" })
	void stuffsDotsAndTerminates(String input, String stuffed, String what) throws IOException {
		byte[] message = unescape(input);
		String expectedBody = new String(unescape(stuffed), StandardCharsets.ISO_8859_1);
		String expected = expectedBody + (expectedBody.endsWith("\r\n") ? "" : "\r\n") + ".\r\n";

		assertThat(bulk(message)).as("one write").isEqualTo(expected);
		assertThat(byteByByte(message)).as("single-byte writes").isEqualTo(expected);
		for (int split = 0; split <= message.length; split++) {
			assertThat(inTwoWrites(message, split)).as("split at %d", split).isEqualTo(expected);
		}
	}

	@Test
	void emptyMessageIsAnEmptyLineThenTheDot() throws IOException {
		assertThat(bulk(new byte[0])).isEqualTo("\r\n.\r\n");
		assertThat(byteByByte(new byte[0])).isEqualTo("\r\n.\r\n");
	}

	@Test
	void crlfSplitOverTwoWritesCountsAsTheLineEnd() throws IOException {
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		DotStuffingOutputStream data = new DotStuffingOutputStream(sink);

		data.write(ascii("line\r"));
		data.write(ascii("\n"));
		data.write(ascii(""));
		data.finish();

		assertThat(sink.toString(StandardCharsets.ISO_8859_1)).isEqualTo("line\r\n.\r\n");
	}

	@Test
	void offsetAndLengthAreHonoured() throws IOException {
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		DotStuffingOutputStream data = new DotStuffingOutputStream(sink);

		data.write(ascii("XX.a\nXX"), 2, 3);
		data.write(ascii("ZZ.b\r\nZZ"), 2, 4);
		data.finish();

		assertThat(sink.toString(StandardCharsets.ISO_8859_1)).isEqualTo("..a\n..b\r\n.\r\n");
	}

	@Test
	void countsEveryByteWrittenIncludingStuffingAndTerminator() throws IOException {
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		DotStuffingOutputStream data = new DotStuffingOutputStream(sink);

		data.write(ascii(".one\r\n"));
		assertThat(data.bytesWritten()).isEqualTo(7);
		data.write('.');
		data.write('x');
		assertThat(data.bytesWritten()).isEqualTo(10);
		data.finish();

		assertThat(data.bytesWritten()).isEqualTo(15).isEqualTo(sink.size());
		assertThat(sink.toString(StandardCharsets.ISO_8859_1)).isEqualTo("..one\r\n..x\r\n.\r\n");
	}

	@Test
	void bytesAboveAsciiPassUnchanged() throws IOException {
		byte[] message = { (byte) 0xC3, (byte) 0xA9, '\n', '.', (byte) 0xFF };

		assertThat(bulk(message)).isEqualTo("\u00c3\u00a9\n..\u00ff\r\n.\r\n");
		assertThat(byteByByte(message)).isEqualTo(bulk(message));
	}

	@Test
	void finishLeavesTheFlushToTheSessionAndCloseLeavesTheConnectionOpen() throws IOException {
		TrackingStream sink = new TrackingStream();
		DotStuffingOutputStream data = new DotStuffingOutputStream(sink);
		data.write(ascii("hi"));

		data.finish();
		// The session flushes, perhaps after the next transaction's commands have joined the end.
		assertThat(sink.flushed).isFalse();
		data.close();

		assertThat(sink.closed).isFalse();
		assertThat(sink.toString(StandardCharsets.ISO_8859_1)).isEqualTo("hi\r\n.\r\n");
	}

	private static String bulk(byte[] message) throws IOException {
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		DotStuffingOutputStream data = new DotStuffingOutputStream(sink);
		data.write(message);
		data.finish();
		assertThat(data.bytesWritten()).isEqualTo(sink.size());
		return sink.toString(StandardCharsets.ISO_8859_1);
	}

	private static String byteByByte(byte[] message) throws IOException {
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		DotStuffingOutputStream data = new DotStuffingOutputStream(sink);
		for (byte b : message) {
			data.write(b);
		}
		data.finish();
		assertThat(data.bytesWritten()).isEqualTo(sink.size());
		return sink.toString(StandardCharsets.ISO_8859_1);
	}

	private static String inTwoWrites(byte[] message, int split) throws IOException {
		ByteArrayOutputStream sink = new ByteArrayOutputStream();
		DotStuffingOutputStream data = new DotStuffingOutputStream(sink);
		data.write(message, 0, split);
		data.write(message, split, message.length - split);
		data.finish();
		assertThat(data.bytesWritten()).isEqualTo(sink.size());
		return sink.toString(StandardCharsets.ISO_8859_1);
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	/** Turns the two-character escapes {@code \r} and {@code \n} of a CSV cell into CR and LF. */
	private static byte[] unescape(String text) {
		return ascii(text.replace("\\r", "\r").replace("\\n", "\n"));
	}

	private static final class TrackingStream extends ByteArrayOutputStream {

		boolean flushed;

		boolean closed;

		@Override
		public void flush() {
			this.flushed = true;
		}

		@Override
		public void close() {
			this.closed = true;
		}

	}

}
