package dev.vcnn.engine.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiles the README's library example exactly as written, against the engine's classes, and runs it
 * in a JVM of its own, started as the README tells a consuming project to start one, so that the
 * example cannot rot: a change to the API that breaks it, or to what it prints, fails here.
 */
class ReadmeExampleTest {
    private static final Path README = Path.of("..", "README.md");
    private static final String SECTION = "## vcnn as a library";

    @Test
    void theReadmeExampleCompilesRunsAndPrintsWhatTheReadmeSays(@TempDir Path dir) throws Exception {
        String section = section(Files.readString(README));
        Matcher block = Pattern.compile("```java\n(.*?)\n```", Pattern.DOTALL).matcher(section);
        assertTrue(block.find(), "no ```java block under " + SECTION);
        String source = block.group(1);
        Matcher name = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(name.find(), "the example declares no public class");
        String className = name.group(1);

        Path classes = Files.createDirectories(dir.resolve("classes"));
        String classPath = System.getProperty("java.class.path");
        compile(className, source, classes, classPath);

        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "--add-modules=jdk.incubator.vector",
                "-cp", classes + File.pathSeparator + classPath, className)
                .directory(dir.toFile())
                .redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the example did not finish");
        String err = Files.readString(dir.resolve("stderr.txt"));
        assertEquals(0, process.exitValue(), "stdout:\n" + out + "\nstderr:\n" + err);
        assertFalse(err.contains("vcnn:"), "the example ran on the scalar engine: " + err);

        List<String> lines = out.lines().toList();
        assertEquals(4, lines.size(), out);
        for (int epoch = 1; epoch <= 3; epoch++) {
            assertTrue(lines.get(epoch - 1).matches("epoch " + epoch + ": loss \\d+\\.\\d{3}"), out);
        }
        // the README says what the last line is, in backquotes
        assertTrue(section.contains("`" + lines.get(3) + "`"), "the README does not say the example prints '"
                + lines.get(3) + "'");
        assertTrue(Files.size(dir.resolve("stripes.npz")) > 0, "the example saved no model");
    }

    private static String section(String readme) {
        int start = readme.indexOf(SECTION);
        assertTrue(start >= 0, "README.md has no section " + SECTION);
        int end = readme.indexOf("\n## ", start + SECTION.length());
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    private static void compile(String className, String source, Path classes, String classPath) throws IOException {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///" + className + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (var files = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            boolean compiled = compiler.getTask(null, files, diagnostics,
                    List.of("-d", classes.toString(), "-classpath", classPath, "-Xlint:all", "-Werror"),
                    null, List.of(unit)).call();
            assertTrue(compiled, "the README example does not compile: " + diagnostics.getDiagnostics());
        }
    }
}
