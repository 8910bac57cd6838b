package io.github.smtpkit.internal;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * smtplib's {@code _fix_eols} and the ASCII encoding of a message given as text.
 */
class MessageTextTests {

	@ParameterizedTest(name = "[{index}] {2}")
	@CsvSource(delimiter = '|', quoteCharacter = '"', value = {
			"a\\nb                    | a\\r\\nb                      | lone LF",
			"a\\rb                    | a\\r\\nb                      | lone CR",
			"a\\r\\nb                 | a\\r\\nb                      | CRLF stays",
			"a\\r\\r\\nb              | a\\r\\n\\r\\nb                | CR then CRLF",
			"a\\n\\rb                 | a\\r\\n\\r\\nb                | LF then CR",
			"a\\n\\n                  | a\\r\\n\\r\\n                 | two LFs at the end",
			"\\nstart                 | \\r\\nstart                   | LF at the start",
			"\\rstart                 | \\r\\nstart                   | CR at the start",
			"end\\r                   | end\\r\\n                     | lone CR at the end",
			"end\\r\\n                | end\\r\\n                     | CRLF at the end",
			"abc\\n.jkl\\rfoo\\r\\n..blue | abc\\r\\n.jkl\\r\\nfoo\\r\\n..blue | smtplib's quotedata example without the dots",
			"no line ends             | no line ends                  | nothing to fix",
			"\"\"                     | \"\"                          | empty" })
	void fixLineEndingsTurnsEveryLineEndIntoCrlf(String input, String expected, String what) {
		assertThat(MessageText.fixLineEndings(unescape(input))).isEqualTo(unescape(expected));
	}

	@Test
	void textWithoutLoneLineEndsIsReturnedAsItIs() {
		String text = "Subject: x\r\n\r\nbody\r\n";

		assertThat(MessageText.fixLineEndings(text)).isSameAs(text);
	}

	@Test
	void toAsciiBytesFixesLineEndingsAndEncodes() {
		assertThat(MessageText.toAsciiBytes("Subject: x\n\nbody\r"))
			.isEqualTo("Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
		assertThat(MessageText.toAsciiBytes("")).isEmpty();
	}

	@Test
	void toAsciiBytesRefusesNonAsciiNamingTheCharacterAndWhereItIs() {
		assertThatIllegalArgumentException().isThrownBy(() -> MessageText.toAsciiBytes("Subject: caf\u00e9\r\n"))
			.withMessageContaining("U+00E9")
			.withMessageContaining("index 12");
	}

	@Test
	void toAsciiBytesNamesASupplementaryCharacterByItsCodePoint() {
		assertThatIllegalArgumentException().isThrownBy(() -> MessageText.toAsciiBytes("hi \uD83D\uDE00"))
			.withMessageContaining("U+1F600")
			.withMessageContaining("index 3");
	}

	@Test
	void toAsciiBytesCountsTheIndexAfterLineEndsWereFixed() {
		// "a\nb\u00e9" becomes "a\r\nb\u00e9": the character is then at index 4.
		assertThatIllegalArgumentException().isThrownBy(() -> MessageText.toAsciiBytes("a\nb\u00e9"))
			.withMessageContaining("U+00E9")
			.withMessageContaining("index 4");
	}

	private static String unescape(String text) {
		return text.replace("\\r", "\r").replace("\\n", "\n");
	}

	@Test
	void quoteDataFixesLineEndingsAndDoublesLeadingDotsAsSmtplibsQuotedata() {
		// Each expected value is what CPython's smtplib.quotedata returned for the input.
		assertThat(MessageText.quoteData(".a\n.b\r.c\r\n..d")).isEqualTo("..a\r\n..b\r\n..c\r\n...d");
		assertThat(MessageText.quoteData("x.\n.")).isEqualTo("x.\r\n..");
		assertThat(MessageText.quoteData("\r\n.\r\n")).isEqualTo("\r\n..\r\n");
		assertThat(MessageText.quoteData(".")).isEqualTo("..");
		assertThat(MessageText.quoteData("no dots")).isEqualTo("no dots");
		assertThat(MessageText.quoteData("")).isEmpty();
	}

}
