/**
 * The composition root: the Guice module that decides which implementations the CLI gets, and the factory
 * through which Picocli builds commands with them. Nothing outside this package touches Guice.
 *
 * <p>Internal to lowbit; plugins never see Guice or these bindings.
 */
package dev.lowbit.harness.inject;
