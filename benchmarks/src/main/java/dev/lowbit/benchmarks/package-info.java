/**
 * JMH microbenchmarks of the quantizers' cost per training step (the scale, Q(W), and the straight-through
 * forward and backward) on weight tensors of typical layer sizes. Built only with {@code -Pbench};
 * docs/PERFORMANCE.md says how to run them and what they measured.
 *
 * <p>Not for plugins, and not part of lowbit at run time.
 */
package dev.lowbit.benchmarks;
