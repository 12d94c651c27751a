package io.functionsbridge.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Java process the test starts as a user starts it: {@code java <arguments>} in a working folder,
 * with what it prints (standard output and error) in a file of that folder.
 */
final class UserProcess implements AutoCloseable {

    private final Process process;
    private final Path output;

    private UserProcess(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts {@code java <arguments>} in the folder; what it prints goes to {@code <folder>/<outputName>}. */
    static UserProcess java(Path folder, String outputName, List<String> arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(arguments);
        Path output = folder.resolve(outputName);
        Process process = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
        return new UserProcess(process, output);
    }

    /** What it printed so far. */
    String output() {
        try {
            return Files.readString(output);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Fails at once, with what it printed, when it is not running any more (an Awaitility failFast). */
    void assertRunning() {
        assertThat(process.isAlive()).as("it exited:%n%s", output()).isTrue();
    }

    /** Waits for it to end; its exit status, or fails when it runs on past the limit. */
    int exitStatus(long seconds) throws InterruptedException {
        assertThat(process.waitFor(seconds, TimeUnit.SECONDS)).as("it ends within %d s:%n%s", seconds, output()).isTrue();
        return process.exitValue();
    }

    /** SIGKILL: it ends at once, as after an OOM kill or a lost node. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    /** Its process id. */
    long pid() {
        return process.pid();
    }

    /** The processes it started, and theirs. */
    List<ProcessHandle> descendants() {
        return process.descendants().toList();
    }

    /** SIGTERM, as an orchestrator stops it. */
    void terminate() {
        process.destroy();
    }

    /** Stops it if it still runs: SIGTERM, then SIGKILL after 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
