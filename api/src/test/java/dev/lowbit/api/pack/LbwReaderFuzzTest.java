package dev.lowbit.api.pack;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;

class LbwReaderFuzzTest {

    @FuzzTest
    void readsOrRefuses(byte[] data) throws Exception {
        Path file = Files.createTempFile("fuzz", ".lbw");
        try {
            Files.write(file, data);
            try {
                LbwFile.read(file);
            } catch (LbwFormatException expected) {
                // a one-line refusal is the correct outcome for a damaged file
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
