/**
 * The pool's public configuration and statistics: {@link io.github.smtpkit.pool.PoolConfig}
 * (validated when built, HikariCP's way) and {@link io.github.smtpkit.pool.PoolStats}.
 *
 * <p>Public API, null-marked, that depends only on the JDK (and JSpecify's annotations):
 * commons-pool2, which does the pooling, stays in {@code internal.SessionPool} and never appears
 * in a signature here.
 */
@NullMarked
package io.github.smtpkit.pool;

import org.jspecify.annotations.NullMarked;
