package dev.vcnn.cli;

import dev.vcnn.engine.kernels.Kernels;
import dev.vcnn.engine.training.KernelWarmup;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/** The top-level {@code vcnn} command: only groups the subcommands. */
@Command(name = "vcnn",
        mixinStandardHelpOptions = true,
        versionProvider = VcnnCommand.Version.class,
        description = "Trains small convolutional networks on the CPU with SIMD kernels.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, FiltersCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class})
final class VcnnCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final BooleanSupplier stdoutIsTerminal;
    private final IntSupplier terminalColumns;
    private KernelWarmup earlyWarmup;

    VcnnCommand(BooleanSupplier stdoutIsTerminal, IntSupplier terminalColumns) {
        this.stdoutIsTerminal = stdoutIsTerminal;
        this.terminalColumns = terminalColumns;
    }

    /** Whether standard output goes to a terminal, where live progress bars make sense. */
    boolean stdoutIsTerminal() {
        return stdoutIsTerminal.getAsBoolean();
    }

    /** The terminal's width in columns; asked only when output is a terminal. */
    int terminalColumns() {
        return terminalColumns.getAsInt();
    }

    /** Keeps a kernel warm-up started before the options were parsed, for {@link #warmup}. */
    void handOver(KernelWarmup warmup) {
        earlyWarmup = warmup;
    }

    /**
     * A running warm-up of {@code kernels}: the one handed over when it warms the same code (it has a
     * head start), else a new one; a handed-over warm-up of other kernels is stopped.
     */
    KernelWarmup warmup(Kernels kernels) {
        KernelWarmup early = earlyWarmup;
        earlyWarmup = null;
        if (early != null && early.warms(kernels)) {
            return early;
        }
        if (early != null) {
            early.close();
        }
        return KernelWarmup.start(kernels);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command, e.g. 'vcnn train'");
    }

    /** The configured command line: usage errors exit 2, failures while running exit 1 with one line. */
    static CommandLine commandLine() {
        return commandLine(VcnnCommand::consoleIsTerminal, TerminalWidth::columns);
    }

    /** The same, with the terminal decisions made by the caller: tests cover both kinds of output. */
    static CommandLine commandLine(BooleanSupplier stdoutIsTerminal, IntSupplier terminalColumns) {
        // charts and pictures are drawn off-screen; no display is needed or wanted
        System.setProperty("java.awt.headless", "true");
        CommandLine commandLine = new CommandLine(new VcnnCommand(stdoutIsTerminal, terminalColumns));
        commandLine.setExecutionExceptionHandler(new FailureHandler());
        commandLine.setParameterExceptionHandler(VcnnCommand::usageError);
        return commandLine;
    }

    // since JDK 22 System.console() exists even when output is redirected; isTerminal() tells
    private static boolean consoleIsTerminal() {
        java.io.Console console = System.console();
        return console != null && console.isTerminal();
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
