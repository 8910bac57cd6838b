package io.github.smtpkit.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * smtplib's {@code quoteaddr} and {@code _addr_only}.
 */
class AddressesTests {

	@ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
	@CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
			"''                          | <>",
			"<>                          | <>",
			"a@x.test                    | <a@x.test>",
			"<a@x.test>                  | <a@x.test>",
			"Jo Smith <jo@x.test>        | <jo@x.test>",
			"\"Smith, Jo\" <jo@x.test>   | <jo@x.test>",
			"jo@x.test (Jo)              | <jo@x.test>",
			"x@[192.0.2.1]               | <x@[192.0.2.1]>",
			"jö@exämple.test             | <jö@exämple.test>",
			"Jö <jö@exämple.test>        | <jö@exämple.test>",
			"a@b@c                       | <a@b@c>",
			"postmaster                  | <postmaster>" })
	void quoteBracketsTheBareAddress(String address, String quoted) {
		assertThat(Addresses.quote(address)).isEqualTo(quoted);
	}

	@Test
	void quoteSendsWhatDoesNotParseBracketed() {
		assertThat(Addresses.quote("a@b@c")).isEqualTo("<a@b@c>");
		assertThat(Addresses.quote("not an address")).isEqualTo("<not an address>");
		assertThat(Addresses.quote("a@x.test, b@y.test")).as("a list is not one address")
			.isEqualTo("<a@x.test, b@y.test>");
	}

	@Test
	void quoteLeavesUnparseableInputThatStartsWithABracketAlone() {
		assertThat(Addresses.quote("<>")).isEqualTo("<>");
		assertThat(Addresses.quote("  <>")).isEqualTo("  <>");
	}

	@ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
	@CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
			"''                          | ''",
			"<>                          | <>",
			"a@x.test                    | a@x.test",
			"<a@x.test>                  | a@x.test",
			"Jo <jo@x.test>              | jo@x.test",
			"\"Smith, Jo\" <jo@x.test>   | jo@x.test",
			"jo@x.test (Jo)              | jo@x.test",
			"list-1                      | list-1",
			"a@b@c                       | a@b@c" })
	void addressOnlyDropsTheDisplayNameAndBrackets(String address, String bare) {
		assertThat(Addresses.addressOnly(address)).isEqualTo(bare);
	}

	@Test
	void internationalAddressesHaveNonAsciiCharacters() {
		assertThat(Addresses.isInternational("jö@x.test")).isTrue();
		assertThat(Addresses.isInternational("a@exämple.test")).isTrue();
		assertThat(Addresses.isInternational("a@\u65e5\u672c.test")).isTrue();
		assertThat(Addresses.isInternational("a@x.test")).isFalse();
		assertThat(Addresses.isInternational("")).isFalse();
		assertThat(Addresses.isInternational("\u007f@x.test")).isFalse();
	}

}
