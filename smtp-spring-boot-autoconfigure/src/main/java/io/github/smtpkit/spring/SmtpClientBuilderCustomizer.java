package io.github.smtpkit.spring;

import io.github.smtpkit.SmtpClient;

/**
 * Customizes the {@link SmtpClient.Builder} of each {@link SmtpClient} that smtpkit's
 * auto-configuration makes, for the settings that have no {@code smtp.*} property: a data timeout,
 * an {@code SSLContext}, a pool setting, a clock, and so on. There is then no need to replace a
 * whole client bean for one such setting.
 *
 * <p>Every bean of this type is applied to every server's builder, the default server's and each
 * named one's, in {@link org.springframework.core.annotation.Order @Order} /
 * {@link org.springframework.core.Ordered Ordered} order. They run after the server's properties
 * have been applied and before {@link SmtpClient.Builder#build() build()}, so what a customizer
 * sets wins over a property. If a customizer sets a value that the builder refuses, start-up
 * fails with a message naming the customizer's class and the server.
 *
 * <pre class="code">
 * &#64;Bean
 * SmtpClientBuilderCustomizer smtpDataTimeout() {
 *     return (server, builder) -&gt; {
 *         builder.dataTimeout(Duration.ofMinutes(2));
 *         if (server.equals("bulk")) {
 *             builder.sslContext(bulkRelaySslContext());
 *         }
 *     };
 * }
 * </pre>
 *
 * <p>{@link SmtpClient.Builder#pool(io.github.smtpkit.pool.PoolConfig) builder.pool(...)} replaces
 * the whole pool configuration, the {@code smtp.pool.*} properties included, and
 * {@link SmtpClient.Builder#eventListener(io.github.smtpkit.SmtpEventListener)
 * builder.eventListener(...)} replaces the listeners of smtpkit's events, metrics and
 * {@code mail.send} observations: contribute a listener with an {@link SmtpEventListenerFactory}
 * bean instead.
 *
 * <p>A customizer should only configure the builder it is given. When {@code build()} refuses
 * the result, the customizers may be applied once more, to a fresh builder, to find the one to
 * name in the message.
 *
 * @see SmtpMailSenderCustomizer
 */
@FunctionalInterface
public interface SmtpClientBuilderCustomizer {

	/**
	 * Customizes the builder of one server's client.
	 * @param server {@code default} for the server configured directly under {@code smtp.*},
	 * otherwise its name under {@code smtp.servers}
	 * @param builder the builder, with the server's properties already applied
	 */
	void customize(String server, SmtpClient.Builder builder);

}
