package io.github.smtpkit.spring;

import java.time.Duration;

import io.github.smtpkit.SmtpSession;
import io.github.smtpkit.pool.PoolConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The documented defaults of {@code smtp.*} are the core's, and a password never shows. */
class SmtpPropertiesTests {

	@Test
	void poolDefaultsAreTheCoresDefaults() {
		SmtpServerProperties.Pool pool = new SmtpProperties().getPool();
		PoolConfig core = PoolConfig.defaults();
		assertThat(pool.getMaxTotal()).isEqualTo(core.maxTotal());
		assertThat(pool.getMaxIdle()).as("defaults to max-total").isNull();
		assertThat(core.maxIdle()).isEqualTo(core.maxTotal());
		assertThat(pool.getMinIdle()).isEqualTo(core.minIdle());
		assertThat(pool.getMaxWait()).isEqualTo(core.maxWait());
		assertThat(pool.getIdleTimeout()).isEqualTo(core.idleTimeout());
		assertThat(pool.getMaxLifetime()).isEqualTo(core.maxLifetime());
		assertThat(pool.getMaxMessagesPerConnection()).isEqualTo(core.maxMessagesPerConnection());
		assertThat(pool.getValidateAfterIdle()).isEqualTo(core.validateAfterIdle());
	}

	@Test
	void timeoutsAreFiniteByDefault() {
		SmtpProperties properties = new SmtpProperties();
		assertThat(properties.getTimeout()).isEqualTo(SmtpSession.DEFAULT_TIMEOUT);
		assertThat(properties.getConnectTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(properties.getPool().getMaxWait()).isPositive();
	}

	@Test
	void securityIsOnByDefault() {
		SmtpProperties properties = new SmtpProperties();
		assertThat(properties.getSsl().isVerifyHostname()).isTrue();
		assertThat(properties.getAuth().isAllowCleartext()).isFalse();
	}

	@Test
	void thePasswordNeverShows() {
		SmtpProperties properties = new SmtpProperties();
		properties.setUsername("app");
		properties.setPassword("s3cret-P@ss");
		assertThat(properties.toString()).contains("username=app").contains("password=******")
			.doesNotContain("s3cret-P@ss");
	}

}
