package dev.lowbit.harness.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The context class loader is the given one inside the block and the previous one after it, however it ends. */
class ThreadContextClassLoaderTest {

    private final ClassLoader plugin = new URLClassLoader("plugin", new URL[0], null);
    private final ClassLoader other = new URLClassLoader("other", new URL[0], null);
    private ClassLoader original;

    @BeforeEach
    void rememberTheOriginal() {
        original = Thread.currentThread().getContextClassLoader();
    }

    @AfterEach
    void restoreTheOriginal() {
        // A failing assertion must not leave the next test with a stray loader.
        Thread.currentThread().setContextClassLoader(original);
    }

    @Test
    void setsTheLoaderAndRestoresThePreviousOne() {
        try (ThreadContextClassLoader ignored = new ThreadContextClassLoader(plugin)) {
            assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(plugin);
        }
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(original);
    }

    @Test
    void nestedUsesRestoreInTurn() {
        try (ThreadContextClassLoader outer = new ThreadContextClassLoader(plugin)) {
            try (ThreadContextClassLoader inner = new ThreadContextClassLoader(other)) {
                assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(other);
            }
            assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(plugin);
        }
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(original);
    }

    @Test
    void restoresWhenTheBlockThrows() {
        assertThatThrownBy(() -> {
                    try (ThreadContextClassLoader ignored = new ThreadContextClassLoader(plugin)) {
                        throw new IllegalStateException("the plugin failed");
                    }
                })
                .hasMessage("the plugin failed");
        assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(original);
    }

    @Test
    void restoresANullLoader() {
        Thread.currentThread().setContextClassLoader(null);
        try (ThreadContextClassLoader ignored = new ThreadContextClassLoader(plugin)) {
            assertThat(Thread.currentThread().getContextClassLoader()).isSameAs(plugin);
        }
        assertThat(Thread.currentThread().getContextClassLoader()).isNull();
    }
}
