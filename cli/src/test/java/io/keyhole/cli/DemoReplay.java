package io.keyhole.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what {@code keyhole demo} prints and does what a person would: pastes each curl command,
 * here replayed with {@link HttpClient} (same URL, same headers), and checks the answers. Then
 * stops the demo as Ctrl-C would and checks it removed its files.
 */
final class DemoReplay {

    static final Pattern READY = Pattern.compile("keyhole: serving (\\S+)/tree at (http://127\\.0\\.0\\.1:(\\d+)/files/) \\((.+)\\)");

    /** One pasted command: its headers and its URL. */
    record Curl(List<String[]> headers, URI uri) {

        /** Splits a shell line of plain words and single-quoted strings, as the demo prints them. */
        static Curl parse(String line) {
            List<String> words = new ArrayList<>();
            Matcher m = Pattern.compile("'([^']*)'|(\\S+)").matcher(line);
            while (m.find()) {
                words.add(m.group(1) != null ? m.group(1) : m.group(2));
            }
            assertEquals("curl", words.get(0), line);
            List<String[]> headers = new ArrayList<>();
            URI uri = null;
            for (int i = 1; i < words.size(); i++) {
                String w = words.get(i);
                switch (w) {
                    case "-H" -> {
                        String h = words.get(++i);
                        int colon = h.indexOf(':');
                        headers.add(new String[] {h.substring(0, colon), h.substring(colon + 1).strip()});
                    }
                    case "-o", "-D" -> i++;
                    case "-sS" -> { }
                    default -> {
                        assertFalse(w.startsWith("-"), "unexpected curl option " + w);
                        uri = URI.create(w);
                    }
                }
            }
            return new Curl(headers, uri);
        }

        HttpResponse<byte[]> send(HttpClient client) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri);
            headers.forEach(h -> request.header(h[0], h[1]));
            return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    private DemoReplay() {
    }

    /** Runs the whole check against a started demo; returns the port it served on. */
    static int check(JavaProcess demo) throws Exception {
        Matcher ready = READY.matcher(demo.awaitLine(l -> l.startsWith("keyhole: serving")));
        assertTrue(ready.matches(), demo.seen().toString());
        Path dir = Path.of(ready.group(1));
        assertTrue(Files.isDirectory(dir.resolve("tree")));
        boolean socket = ready.group(4).startsWith("json over unix:");
        assertEquals(socket, Files.exists(dir.resolve("auth.sock")), "the backend's socket: " + ready.group(4));
        try (var walk = Files.walk(dir.resolve("tree"))) {
            assertEquals(socket ? 0 : 3, walk.filter(p -> p.toString().endsWith(".meta")).count(), "metadata beside the samples");
        }

        List<Curl> commands = new ArrayList<>();
        demo.awaitLine(line -> {
            if (line.startsWith("curl ")) {
                commands.add(Curl.parse(line));
            }
            return line.startsWith("The tokens are valid");
        });
        assertEquals(3, commands.size(), demo.seen().toString());

        List<DemoFiles.Sample> samples = DemoFiles.samples();
        byte[] document = samples.get(1).bytes();
        byte[] clip = samples.get(2).bytes();
        HttpClient client = HttpClient.newHttpClient();

        HttpResponse<byte[]> allowed = commands.get(0).send(client);
        assertEquals(200, allowed.statusCode());
        assertArrayEquals(document, allowed.body());
        assertEquals("application/pdf", allowed.headers().firstValue("Content-Type").orElseThrow());
        String disposition = allowed.headers().firstValue("Content-Disposition").orElseThrow();
        assertTrue(disposition.startsWith("attachment"), disposition);
        assertTrue(disposition.contains("filename*=UTF-8''R%C3%A9sum%C3%A9%20%E2%80%93%20Alice.pdf"), disposition);

        HttpResponse<byte[]> denied = commands.get(1).send(client);
        assertEquals(403, denied.statusCode());

        HttpResponse<byte[]> range = commands.get(2).send(client);
        assertEquals(206, range.statusCode());
        assertArrayEquals(Arrays.copyOfRange(clip, 0, 1024), range.body());
        assertEquals("bytes 0-1023/" + clip.length, range.headers().firstValue("Content-Range").orElseThrow());

        assertEquals(0, demo.terminate(), "exit code after SIGTERM; stderr: " + demo.stderr());
        assertEquals(List.of("keyhole: demo stopped"), demo.remainingLines());
        assertFalse(Files.exists(dir), "the demo left " + dir + " behind");
        // The backend's reason for denying bob is logged at INFO; nothing may go wrong.
        assertTrue(demo.stderr().lines().allMatch(l -> l.contains(" INFO ") || l.startsWith("keyhole: port ")),
                demo.stderr());
        return Integer.parseInt(ready.group(3));
    }
}
