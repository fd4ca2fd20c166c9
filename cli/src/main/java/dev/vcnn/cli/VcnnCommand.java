package dev.vcnn.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The top-level {@code vcnn} command: only groups the subcommands. */
@Command(name = "vcnn",
        mixinStandardHelpOptions = true,
        versionProvider = VcnnCommand.Version.class,
        description = "Trains small convolutional networks on the CPU with SIMD kernels.",
        subcommands = {TrainCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
final class VcnnCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command, e.g. 'vcnn train'");
    }

    /** The configured command line: usage errors exit 2, failures while running exit 1 with one line. */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new VcnnCommand());
        commandLine.setExecutionExceptionHandler(new FailureHandler());
        commandLine.setParameterExceptionHandler(VcnnCommand::usageError);
        return commandLine;
    }

    // the message and a pointer to --help, rather than the whole usage text after every typo
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine failed = e.getCommandLine();
        var err = failed.getErr();
        err.println("vcnn: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for the options.");
        return failed.getCommandSpec().exitCodeOnInvalidInput();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties properties = new Properties();
            try (InputStream in = VcnnCommand.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String[] {
                    "vcnn " + properties.getProperty("version", "(unknown version)"),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")",
            };
        }
    }
}
