/**
 * The bit schemes of runs: resolving weight specs ({@code QUANTIZER[@RULE[/GRANULARITY]][~ESTIMATOR]}),
 * activation specs and layer policies or layer maps ({@code SELECTOR=SPEC;...}) to their canonical forms, as
 * results store them and run ids hash them, and from them what each quantized layer of a model trains with.
 * README, "Bit schemes: estimators, activations, layer maps".
 *
 * <p>Internal to lowbit; not for plugins.
 */
package dev.lowbit.harness.scheme;
