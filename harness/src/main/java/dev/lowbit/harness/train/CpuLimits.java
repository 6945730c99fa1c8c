package dev.lowbit.harness.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The CPUs this process may really use on Linux, read from the kernel's files: its CPU affinity
 * ({@code Cpus_allowed_list} in {@code /proc/self/status}, which also reflects a cgroup cpuset) and the CPU
 * quota of its cgroup and every parent up to the hierarchy's root (cgroup v1 {@code cpu.cfs_quota_us} /
 * {@code cpu.cfs_period_us}, cgroup v2 {@code cpu.max}), found through {@code /proc/self/cgroup} and
 * {@code /proc/self/mountinfo}. A container's {@code --cpus}, {@code systemd-run -p CPUQuota=}, Kubernetes'
 * CPU limit and {@code taskset} all show up here.
 *
 * <p>Every file is read under a root folder ({@code /} for this process; a test passes a fake tree). A file
 * that is missing or does not read as expected is ignored: the limit it would have set is simply not known.
 */
final class CpuLimits {

    /**
     * A limit on the CPUs.
     *
     * @param cpus whole CPUs, at least 1
     * @param source where it came from, one short clause, e.g. {@code all 2 cores}
     * @param name what a hint is capped to, e.g. {@code the cgroup CPU quota of 1}
     */
    record Limit(int cpus, String source, String name) {}

    private final Path root;
    private final int availableProcessors;

    /**
     * @param root the folder {@code proc} and {@code sys} are read from ({@code /} for this process)
     * @param availableProcessors what the JVM says, used when the affinity cannot be read
     */
    CpuLimits(Path root, int availableProcessors) {
        this.root = root;
        this.availableProcessors = Math.max(1, availableProcessors);
    }

    /** This process's limits. */
    static CpuLimits ofThisProcess() {
        return new CpuLimits(Path.of("/"), Runtime.getRuntime().availableProcessors());
    }

    /** The smaller of the CPU affinity and the cgroup CPU quota (rounded up to whole CPUs). */
    Limit hardLimit() {
        Limit affinity = affinity();
        Optional<Limit> quota = quota();
        return quota.isPresent() && quota.get().cpus() < affinity.cpus() ? quota.get() : affinity;
    }

    /** The CPUs of this process's affinity mask that are online; all cores when nothing restricts it. */
    Limit affinity() {
        Optional<BitSet> online = read("sys/devices/system/cpu/online").flatMap(CpuLimits::cpuList);
        Optional<String> allowedList = read("proc/self/status").flatMap(CpuLimits::allowedList);
        Optional<BitSet> allowed = allowedList.flatMap(CpuLimits::cpuList);
        if (allowed.isEmpty()) {
            return allCores(online.map(BitSet::cardinality).orElse(availableProcessors));
        }
        BitSet usable = (BitSet) allowed.get().clone();
        online.ifPresent(usable::and);
        int cores = online.map(BitSet::cardinality).orElse(allowed.get().cardinality());
        if (usable.isEmpty() || usable.cardinality() >= cores) {
            return allCores(cores);
        }
        int cpus = usable.cardinality();
        return new Limit(
                cpus,
                "CPU affinity: " + cpus + " of " + cores + " cores (Cpus_allowed_list " + allowedList.get() + ")",
                "the CPU affinity of " + cpus);
    }

    /** The smallest CPU quota of this process's cgroup and its parents, in any cgroup hierarchy mounted. */
    Optional<Limit> quota() {
        Optional<String> cgroups = read("proc/self/cgroup");
        Optional<String> mounts = read("proc/self/mountinfo");
        if (cgroups.isEmpty() || mounts.isEmpty()) {
            return Optional.empty();
        }
        Quota smallest = null;
        for (String membership : cgroups.get().split("\n")) {
            String[] parts = membership.split(":", 3);
            if (parts.length < 3) {
                continue;
            }
            boolean v2 = parts[0].equals("0") && parts[1].isEmpty();
            if (!v2 && !Set.of(parts[1].split(",")).contains("cpu")) {
                continue;
            }
            for (Mount mount : mounts(mounts.get(), v2)) {
                Quota quota = smallestQuota(mount, parts[2], v2);
                if (quota != null && (smallest == null || quota.cpus() < smallest.cpus())) {
                    smallest = quota;
                }
            }
        }
        if (smallest == null) {
            return Optional.empty();
        }
        int cpus = Math.max(1, (int) Math.ceil(smallest.cpus() - 1e-9));
        return Optional.of(new Limit(
                cpus,
                String.format(
                        Locale.ROOT,
                        "cgroup CPU quota %d/%d us of %s = %d CPU%s",
                        smallest.quota(),
                        smallest.period(),
                        smallest.directory(),
                        cpus,
                        cpus == 1 ? "" : "s"),
                "the cgroup CPU quota of " + cpus));
    }

    /** No limit but the machine's {@code cores}. */
    static Limit allCores(int cores) {
        return new Limit(
                cores,
                "all " + cores + (cores == 1 ? " core" : " cores"),
                "the " + cores + (cores == 1 ? " core" : " cores"));
    }

    /** A quota of {@code quota} microseconds of CPU time per {@code period}, set in {@code directory}. */
    private record Quota(long quota, long period, String directory) {
        double cpus() {
            return (double) quota / period;
        }
    }

    /** A mounted cgroup hierarchy: the cgroup path it shows ({@code root}) at {@code mountPoint}. */
    private record Mount(String root, String mountPoint) {}

    /**
     * The smallest quota from the process's cgroup directory in {@code mount} up to the mount point: a
     * parent's quota limits its children too.
     */
    private Quota smallestQuota(Mount mount, String cgroupPath, boolean v2) {
        String relative;
        if (cgroupPath.contains("/..")) {
            relative = ""; // a cgroup namespace showing the process outside it: the mount point is all we see
        } else if (mount.root().equals("/")) {
            relative = cgroupPath;
        } else if (cgroupPath.equals(mount.root()) || cgroupPath.startsWith(mount.root() + "/")) {
            relative = cgroupPath.substring(mount.root().length());
        } else {
            relative = ""; // a cgroup outside the mounted part: the mount point is all we see
        }
        List<String> directories = new ArrayList<>();
        String directory =
                (mount.mountPoint() + "/" + relative).replaceAll("/+", "/").replaceAll("(.)/$", "$1");
        while (true) {
            directories.add(directory);
            if (directory.equals(mount.mountPoint())
                    || directory.length() <= mount.mountPoint().length()) {
                break;
            }
            directory = directory.substring(0, directory.lastIndexOf('/'));
        }
        Quota smallest = null;
        for (String candidate : directories) {
            Quota quota = v2 ? v2Quota(candidate) : v1Quota(candidate);
            if (quota != null && (smallest == null || quota.cpus() < smallest.cpus())) {
                smallest = quota;
            }
        }
        return smallest;
    }

    /** cgroup v2: {@code cpu.max} holds {@code max PERIOD} (no limit) or {@code QUOTA PERIOD}. */
    private Quota v2Quota(String directory) {
        String[] fields = read(directory + "/cpu.max")
                .map(text -> text.trim().split("\\s+"))
                .orElse(new String[0]);
        if (fields.length != 2) {
            return null;
        }
        return quota(positive(fields[0]), positive(fields[1]), directory);
    }

    /** cgroup v1: {@code cpu.cfs_quota_us} (-1: no limit) and {@code cpu.cfs_period_us}. */
    private Quota v1Quota(String directory) {
        long quota = read(directory + "/cpu.cfs_quota_us")
                .map(text -> positive(text.trim()))
                .orElse(-1L);
        long period = read(directory + "/cpu.cfs_period_us")
                .map(text -> positive(text.trim()))
                .orElse(-1L);
        return quota(quota, period, directory);
    }

    private static Quota quota(long quota, long period, String directory) {
        return quota > 0 && period > 0 ? new Quota(quota, period, directory) : null;
    }

    /** A positive number, else -1 (for {@code max}, {@code -1} and anything unreadable). */
    private static long positive(String text) {
        try {
            long value = Long.parseLong(text);
            return value > 0 ? value : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The cgroup hierarchies in {@code /proc/self/mountinfo}: lines {@code ID PARENT MAJOR:MINOR ROOT MOUNT_POINT
     * OPTIONS [OPTIONAL...] - TYPE SOURCE SUPER_OPTIONS}; v1 hierarchies with the cpu controller, or the v2 one.
     */
    private static List<Mount> mounts(String mountInfo, boolean v2) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : mountInfo.split("\n")) {
            int separator = line.indexOf(" - ");
            if (separator < 0) {
                continue;
            }
            String[] fields = line.substring(0, separator).split(" ");
            String[] filesystem = line.substring(separator + 3).split(" ");
            if (fields.length < 5 || filesystem.length < 1) {
                continue;
            }
            boolean matches = v2
                    ? filesystem[0].equals("cgroup2")
                    : filesystem[0].equals("cgroup")
                            && filesystem.length >= 3
                            && Set.of(filesystem[2].split(",")).contains("cpu");
            if (matches && fields[4].startsWith("/")) {
                mounts.add(new Mount(unescape(fields[3]), unescape(fields[4])));
            }
        }
        return mounts;
    }

    /** mountinfo writes space, tab, newline and backslash in paths as octal escapes, e.g. {@code \040}. */
    private static String unescape(String path) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\\'
                    && i + 4 <= path.length()
                    && path.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                text.append((char) Integer.parseInt(path.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }

    /** The value of {@code Cpus_allowed_list:} in {@code /proc/self/status}. */
    private static Optional<String> allowedList(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("Cpus_allowed_list:")) {
                return Optional.of(line.substring("Cpus_allowed_list:".length()).trim());
            }
        }
        return Optional.empty();
    }

    /** A kernel CPU list such as {@code 0-3,8,10-11}; empty when it does not read as one. */
    static Optional<BitSet> cpuList(String list) {
        BitSet cpus = new BitSet();
        String trimmed = list.trim();
        if (trimmed.isEmpty()) {
            return Optional.empty();
        }
        for (String range : trimmed.split(",")) {
            if (!range.matches("\\d{1,5}(-\\d{1,5})?")) {
                return Optional.empty();
            }
            String[] ends = range.split("-");
            int first = Integer.parseInt(ends[0]);
            int last = ends.length > 1 ? Integer.parseInt(ends[1]) : first;
            if (last < first) {
                return Optional.empty();
            }
            cpus.set(first, last + 1);
        }
        return cpus.isEmpty() ? Optional.empty() : Optional.of(cpus);
    }

    /** A file's text under the root, or empty when it cannot be read. */
    private Optional<String> read(String path) {
        try {
            Path file = root.resolve(path.startsWith("/") ? path.substring(1) : path);
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file)) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
