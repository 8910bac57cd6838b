package io.github.smtpkit.internal;

import java.util.HexFormat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Decoding as smtplib decodes AUTH challenges. The expected values are what CPython's
 * {@code base64.decodebytes} returned for each input (Python 3.11 and 3.13 agree).
 */
class LenientBase64Tests {

	@ParameterizedTest
	@CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
			dXNlcg==\\ncGFzcw==   | 75736572
			YWJj\\nZGVm           | 616263646566
			VXNlcm5hbWU6          | 557365726e616d653a
			YQ==YQ==              | 61
			YW=Jj                 | 616263
			YWJj ZGVm\\tZ2hp      | 616263646566676869
			""                    | ""
			====                  | ""
			YQ=\\n=               | 61
			Zm9v\u00e9YmFy        | 666f6f626172
			Zg=x=                 | 660c
			""")
	void decodesAsPythonsDecodebytes(String text, String hex) {
		assertThat(HexFormat.of().formatHex(LenientBase64.decode(unescape(text)))).isEqualTo(hex);
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', textBlock = """
			YQ        | Incorrect padding
			YQ=       | Incorrect padding
			YWI       | Incorrect padding
			garbage!! | Incorrect padding
			Y=Q=      | Incorrect padding
			Y         | Invalid base64-encoded string: number of data characters (1) cannot be 1 more than a multiple of 4
			""")
	void refusesWhatPythonRefusesWithItsMessage(String text, String message) {
		assertThatIllegalArgumentException().isThrownBy(() -> LenientBase64.decode(text)).withMessage(message);
	}

	private static String unescape(String text) {
		return text.replace("\\n", "\n").replace("\\t", "\t");
	}

}
