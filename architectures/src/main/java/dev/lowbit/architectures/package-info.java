/**
 * lowbit's built-in architectures, three families each small and large: {@code fcnn-small}/{@code -large}
 * (fully connected), {@code cnn-small}/{@code -large} (convolutional) and {@code vit-small}/{@code -large}
 * (a vision transformer, with its patch embedding, multi-head self-attention and encoder blocks). Every weight
 * matrix and conv kernel is a {@link dev.lowbit.api.nn.QuantizedLinear} or {@link dev.lowbit.api.nn.QuantizedConv2d}.
 * Each is registered in {@code META-INF/services/dev.lowbit.api.spi.Architecture} and found like a plugin.
 *
 * <p>Not for plugins: a plugin's class loader sees only lowbit-api, so a plugin architecture cannot reuse these
 * classes; it implements {@link dev.lowbit.api.spi.Architecture} itself (plugins-example's LeNet-5 shows how).
 * README, "Architectures: three families, each small and large", describes them.
 */
package dev.lowbit.architectures;
