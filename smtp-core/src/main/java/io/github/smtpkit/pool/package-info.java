/**
 * The pool's public configuration and statistics: {@link io.github.smtpkit.pool.PoolConfig}
 * (validated when built, HikariCP's way) and {@link io.github.smtpkit.pool.PoolStats}.
 *
 * <p>Public API that depends only on the JDK: commons-pool2, which does the pooling, stays in
 * {@code internal.SessionPool} and never appears in a signature here.
 */
package io.github.smtpkit.pool;
