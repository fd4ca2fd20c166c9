package dev.vcnn.cli;

import dev.vcnn.engine.network.NetworkSpec;
import dev.vcnn.engine.network.NetworkSpecException;
import picocli.CommandLine;

/** What {@code --net} accepts, for every command that takes it. */
final class NetOption {

    private NetOption() {
    }

    /** The spec {@code text} names, or null for none; a spec that names no network is a usage error. */
    static NetworkSpec parse(String text, CommandLine commandLine) {
        if (text == null) {
            return null;
        }
        try {
            return NetworkSpec.parse(text);
        } catch (NetworkSpecException e) {
            throw new CommandLine.ParameterException(commandLine, "--net " + text + ": " + e.getMessage(), e);
        }
    }
}
