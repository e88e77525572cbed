package io.keyhole.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Real Django (Debian's {@code python3-django}) signing and checking media tokens as the
 * crossdomainmedia library does, in one Python process the test talks to line by line. Without
 * Django the test is skipped, or fails when {@value #REQUIRE_ENV}{@code =1} (as in CI).
 */
public final class Django implements AutoCloseable {

    /** Set to {@code 1} to make a missing Django a failure. */
    public static final String REQUIRE_ENV = "KEYHOLE_REQUIRE_DJANGO";
    /** Debian's interpreter, which sees Debian's Django (a virtualenv's python3 may not). */
    public static final Path PYTHON = Path.of("/usr/bin/python3");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Writer in;
    private final BufferedReader out;
    private final Path script;

    private Django(Process process, Path script) {
        this.process = process;
        this.script = script;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts the Python side, or skips (fails under {@value #REQUIRE_ENV}) when Django is missing. */
    public static Django start() throws IOException, InterruptedException {
        String install = "install it with 'apt-get install python3-django'";
        boolean present = Files.isExecutable(PYTHON) && new ProcessBuilder(PYTHON.toString(), "-c", "import django")
                .redirectErrorStream(true).start().waitFor() == 0;
        if (!present) {
            if ("1".equals(System.getenv(REQUIRE_ENV))) {
                Assertions.fail("Django is required (" + REQUIRE_ENV + "=1) but " + PYTHON + " cannot import it; " + install);
            }
            Assumptions.abort("Django not found for " + PYTHON + "; " + install + ", or set " + REQUIRE_ENV
                    + "=1 to make its absence a failure");
        }
        Path script = Files.createTempFile("keyhole-django-", ".py");
        try (InputStream source = Django.class.getResourceAsStream("/django/signer.py")) {
            Files.write(script, source.readAllBytes());
        }
        Process p = new ProcessBuilder(PYTHON.toString(), script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        return new Django(p, script);
    }

    /** The token Django's {@code TimestampSigner} makes for {@code value} at {@code now}, as crossdomainmedia's URL carries it. */
    public String sign(String secret, Instant now, String value) throws IOException {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("op", "sign");
        req.put("secret", secret);
        req.put("now", now.getEpochSecond());
        req.put("value", value);
        return ask(req);
    }

    /** What crossdomainmedia's {@code check_token} makes of {@code token}: {@code ok}, {@code missing}, {@code expired} or {@code bad}. */
    public String check(String secret, Instant now, long maxAge, String value, String token) throws IOException {
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("op", "check");
        req.put("secret", secret);
        req.put("now", now.getEpochSecond());
        req.put("max_age", maxAge);
        req.put("value", value);
        req.put("token", token);
        return ask(req);
    }

    private String ask(Map<String, Object> request) throws IOException {
        in.write(JSON.writeValueAsString(request) + "\n");
        in.flush();
        String line = out.readLine();
        if (line == null) {
            throw new IOException("the Django side ended");
        }
        return JSON.readValue(line, String.class);
    }

    @Override
    public void close() throws IOException {
        in.close();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(script);
    }
}
