/**
 * Plugin loading: the plugins folder (a class loader per plugin, sharing only lowbit-api, DJL's api and
 * SLF4J), the one place lowbit calls {@link java.util.ServiceLoader}, the registries that give each quantizer,
 * quantizer factory, scale rule, gradient estimator, activation quantizer and architecture by its unique id,
 * and plugin failures kept as data. Built-ins come through the same door as plugins. README, "How plugins are
 * loaded", is the user's view.
 *
 * <p>Internal to lowbit: this is what loads plugins, and a plugin cannot see it.
 */
package dev.lowbit.harness.plugin;
