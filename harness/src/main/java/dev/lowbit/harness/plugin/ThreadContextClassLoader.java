package dev.lowbit.harness.plugin;

/**
 * Makes a class loader the current thread's context class loader until closed, then restores the one
 * the thread had (as Trino's {@code io.trino.spi.classloader.ThreadContextClassLoader}):
 * <pre>{@code
 * try (ThreadContextClassLoader ignored = new ThreadContextClassLoader(quantizer.getClass().getClassLoader())) {
 *     quantizer.quantize(...);
 * }
 * }</pre>
 * Libraries that look classes, services or resources up through the context class loader (DJL's
 * {@code ClassLoaderUtils}, {@code ServiceLoader.load(Class)}, Jackson modules, ...) then see the
 * plugin's jars, not lowbit's class path, while lowbit calls the plugin.
 *
 * <p>Use it on one thread, in try-with-resources: it is not thread-safe, and it restores the loader of
 * the thread it was created on.
 */
public final class ThreadContextClassLoader implements AutoCloseable {

    private final Thread thread;
    private final ClassLoader previous;

    /**
     * Sets the current thread's context class loader.
     *
     * @param classLoader the loader the thread uses until {@link #close()}, e.g. a plugin's (may be null,
     *     which most libraries read as "use your own loader")
     */
    public ThreadContextClassLoader(ClassLoader classLoader) {
        this.thread = Thread.currentThread();
        this.previous = thread.getContextClassLoader();
        thread.setContextClassLoader(classLoader);
    }

    /** Restores the context class loader the thread had before. */
    @Override
    public void close() {
        thread.setContextClassLoader(previous);
    }
}
