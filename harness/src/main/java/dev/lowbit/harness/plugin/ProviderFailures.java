package dev.lowbit.harness.plugin;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;

/**
 * The one-line messages for providers that fail: each names the plugin, the class and the cause, and
 * says how to fix it. ServiceLoader's own messages name neither the jar nor a fix.
 */
final class ProviderFailures {

    private ProviderFailures() {}

    /**
     * The SPI's abstract methods the class leaves unimplemented (it was compiled against another api),
     * sorted and comma-separated; empty when it implements them all. Checked before the first call, which
     * would otherwise throw AbstractMethodError somewhere deep in training.
     */
    static String unimplemented(Class<?> spi, Class<?> type) {
        List<String> missing = new ArrayList<>();
        for (Method method : spi.getMethods()) {
            if (!Modifier.isAbstract(method.getModifiers())) {
                continue;
            }
            try {
                Method implementation = type.getMethod(method.getName(), method.getParameterTypes());
                if (Modifier.isAbstract(implementation.getModifiers())) {
                    missing.add(signature(method));
                }
            } catch (NoSuchMethodException e) {
                missing.add(signature(method));
            }
        }
        return String.join(", ", missing.stream().sorted().toList());
    }

    private static String signature(Method method) {
        StringBuilder text = new StringBuilder(method.getName()).append('(');
        Class<?>[] parameters = method.getParameterTypes();
        for (int i = 0; i < parameters.length; i++) {
            text.append(i > 0 ? ", " : "").append(parameters[i].getSimpleName());
        }
        return text.append(')').toString();
    }

    /**
     * One line for a provider ServiceLoader could not load: its class is missing, wrong, or threw.
     *
     * @param inPlugin whether it was listed by a plugin of the folder (else by a jar on lowbit's class path)
     */
    static String explain(String where, boolean inPlugin, Class<?> spi, ServiceConfigurationError e) {
        String servicesFile = "META-INF/services/" + spi.getName();
        // ServiceLoader prefixes its messages with the service's name; the line names the services file instead.
        String message = e.getMessage() == null ? "" : e.getMessage().replace(spi.getName() + ": ", "");
        Throwable cause = e.getCause();
        String provider = providerName(message);
        // ServiceLoader reports a missing class without its ClassNotFoundException, as "Provider NAME not found".
        if (cause instanceof ClassNotFoundException || message.endsWith(" not found")) {
            return where + ": " + servicesFile + " names " + provider + ", which is not in "
                    + (inPlugin ? "the plugin" : "any jar on the class path") + ". Add the class to the jar or"
                    + " remove its line.";
        }
        if (cause instanceof LinkageError linkage) {
            return explain(where, provider, linkage);
        }
        if (message.endsWith(" not a subtype")) {
            return where + ": " + servicesFile + " names " + provider + ", which does not implement " + spi.getName()
                    + ". Fix the services file or the class.";
        }
        if (cause != null && message.endsWith(" could not be instantiated")) {
            return where + ": " + provider + " threw in its constructor: " + cause + ". Fix the constructor (a provider"
                    + " should only be cheap to create) or remove the plugin.";
        }
        return where + ": " + message + (cause == null ? "" : " (" + cause + ")")
                + ". Fix the provider or remove the plugin.";
    }

    /**
     * One line for a class that cannot link (compiled against another lowbit api, or missing a library) or a
     * provider whose own code threw; {@code provider} is null when the class could not even be loaded.
     */
    static String explain(String where, String provider, Throwable e) {
        String text = String.valueOf(e.getMessage());
        if (e instanceof LinkageError && (text.contains("dev.lowbit.api.") || text.contains("dev/lowbit/api/"))) {
            return incompatibleApi(where, (provider == null ? "" : provider + ": ") + e);
        }
        // A bare class name: the class is nowhere the plugin's class loader looks (not "Could not initialize class").
        if (e instanceof NoClassDefFoundError && !text.contains(" ")) {
            return where + ": " + (provider == null ? "a provider" : provider) + " needs " + text.replace('/', '.')
                    + ", which is neither in the plugin nor shared by lowbit (only dev.lowbit.api, ai.djl and org.slf4j"
                    + " are). Bundle that library with the plugin: in a fat jar, or as a jar beside it in the plugin's"
                    + " own folder.";
        }
        return where + ": " + (provider == null ? "a provider" : provider) + " failed: " + e
                + ". Fix the provider or remove the plugin.";
    }

    /** The line for a provider built against another lowbit api than this lowbit's. */
    static String incompatibleApi(String where, String detail) {
        return where + " was compiled against an incompatible lowbit api: " + detail + ". Rebuild it against the"
                + " lowbit-api of this lowbit.";
    }

    /** The provider's class name in ServiceLoader's "Provider NAME ..." messages. */
    private static String providerName(String message) {
        String[] words = message.split(" ");
        return words.length > 1 && words[0].equals("Provider") ? words[1] : "a provider";
    }

    /** How a line names a plugin: {@code Plugin '/p/x.jar'} or {@code Plugin folder '/p/x'}. */
    static String where(Path location) {
        return Files.isDirectory(location) ? "Plugin folder '" + location + "'" : "Plugin '" + location + "'";
    }
}
