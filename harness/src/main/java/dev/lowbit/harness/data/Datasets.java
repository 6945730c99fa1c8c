package dev.lowbit.harness.data;

import dev.lowbit.harness.BadInputException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * The datasets lowbit reads, by the name stored in suites and results. Each is found on disk the
 * same way: {@code --data}, then {@code $LOWBIT_DATA}, then its standard places, the last of them
 * {@link #homeFolder}; lowbit never downloads at run time, only when asked ({@link DatasetDownload}).
 */
public final class Datasets {

    /** Every dataset name, the default first. Names are persisted in results, so never renamed. */
    public static final List<String> NAMES = List.of(FashionMnist.NAME, Cifar10.NAME);

    private Datasets() {}

    /**
     * {@code ~/.lowbit/datasets/NAME}: the last place a dataset is looked for, and where {@code lowbit
     * datasets download} puts it by default, so a downloaded set is found with no option.
     */
    public static Path homeFolder(String name) {
        return Paths.get(System.getProperty("user.home"), ".lowbit", "datasets", name);
    }

    /**
     * Finds and reads a dataset.
     *
     * @param name one of {@link #NAMES}
     * @param dataOption the {@code --data} folder, or null
     * @param environmentValue the value of {@code $LOWBIT_DATA}, or null
     * @throws BadInputException for an unknown name, a dataset not found (saying where it looked and
     *     how to get it) or a corrupt file
     */
    public static LabeledImages load(String name, Path dataOption, String environmentValue) {
        return switch (known(name)) {
            case FashionMnist.NAME ->
                FashionMnist.locate(dataOption, environmentValue).load();
            case Cifar10.NAME -> Cifar10.locate(dataOption, environmentValue).load();
            default -> throw new IllegalStateException("unhandled dataset " + name);
        };
    }

    /**
     * Where a dataset would be read from, for {@code lowbit list}: {@code found in PATH}, or
     * {@code not installed: } and why. Only looks for the files; does not read them.
     *
     * @throws BadInputException for an unknown name
     */
    public static String describeLocation(String name, Path dataOption, String environmentValue) {
        String dataset = known(name);
        try {
            Path location = switch (dataset) {
                case FashionMnist.NAME ->
                    FashionMnist.locate(dataOption, environmentValue).directory();
                case Cifar10.NAME ->
                    Cifar10.locate(dataOption, environmentValue).location();
                default -> throw new IllegalStateException("unhandled dataset " + name);
            };
            return "found in " + location;
        } catch (BadInputException e) {
            return "not installed: " + e.getMessage();
        }
    }

    private static String known(String name) {
        if (name == null || !NAMES.contains(name)) {
            throw new BadInputException("No dataset named '" + name + "'. Available: " + NAMES
                    + ". Fix the dataset name, or run 'lowbit list' to see where each is installed.");
        }
        return name;
    }
}
