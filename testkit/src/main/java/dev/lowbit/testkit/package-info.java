/**
 * The contract kit: the JUnit 5 tests every quantizer, scale rule, gradient estimator, activation quantizer and
 * architecture passes, built-in or a plugin's. A plugin's test extends the contract for its kind
 * ({@link dev.lowbit.testkit.QuantizerContract}, {@link dev.lowbit.testkit.ScaleRuleContract},
 * {@link dev.lowbit.testkit.GradientEstimatorContract}, {@link dev.lowbit.testkit.ActivationQuantizerContract},
 * {@link dev.lowbit.testkit.ArchitectureContract}) and returns its object; the tests run on the real engine.
 * Depend on {@code dev.lowbit:lowbit-testkit} in test scope (README, "Write your own quantizer").
 */
package dev.lowbit.testkit;
