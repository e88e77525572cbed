package io.keyhole.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.keyhole.AuthRequest;
import io.keyhole.AuthResponse;
import io.keyhole.NameValue;
import io.keyhole.backend.JsonSocketServer;
import io.keyhole.testing.RawHttp;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With json-extended the backend gets the three named headers, any extra ones, and every cookie. */
class ExtendedJsonTest {

    @TempDir
    Path dir;

    @Test
    void forwardsNamedHeadersAndAllCookies() throws Exception {
        List<AuthRequest> asked = new CopyOnWriteArrayList<>();
        try (JsonSocketServer backend = JsonSocketServer.start(dir.resolve("a.sock"), q -> {
            asked.add(q);
            return AuthResponse.ofStatus(403);
        });
             JettyHarness jetty = JettyHarness.start(Map.of(
                     "fs-root", dir.toString(),
                     "mount", "/",
                     "unix-socket", backend.socket().toString(),
                     "json-extended", "yes",
                     "json-extra-headers", "X-Tenant"))) {
            RawHttp.Response r = RawHttp.request(jetty.port(), "GET", "/abcdef0123456789",
                    "Authorization: Basic Zm9vOmJhcg==",
                    "If-None-Match: \"x\"",
                    "If-Modified-Since: Wed, 21 Oct 2015 07:28:00 GMT",
                    "X-Tenant: t1",
                    "X-Not-Sent: no",
                    "Cookie: a=1; b=2");
            assertEquals(403, r.status());
            AuthRequest q = asked.get(0);
            assertEquals(List.of(
                    new NameValue("Authorization", "Basic Zm9vOmJhcg=="),
                    new NameValue("If-None-Match", "\"x\""),
                    new NameValue("If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT"),
                    new NameValue("X-Tenant", "t1")), q.headers());
            assertEquals(List.of(new NameValue("a", "1"), new NameValue("b", "2")), q.cookies());
            assertEquals(null, q.authValue());
        }
    }

    @Test
    void allHeadersAndAllCookiesForwardEverything() throws Exception {
        List<AuthRequest> asked = new CopyOnWriteArrayList<>();
        try (JsonSocketServer backend = JsonSocketServer.start(dir.resolve("b.sock"), q -> {
            asked.add(q);
            return AuthResponse.ofStatus(403);
        });
             JettyHarness jetty = JettyHarness.start(Map.of(
                     "fs-root", dir.toString(),
                     "unix-socket", backend.socket().toString(),
                     "all-headers", "yes",
                     "all-cookies", "yes"))) {
            RawHttp.request(jetty.port(), "GET", "/abcdef0123456789", "X-Anything: 1", "Cookie: c=3");
            AuthRequest q = asked.get(0);
            assertEquals(true, q.headers().contains(new NameValue("X-Anything", "1")), q.headers().toString());
            assertEquals(true, q.headers().stream().anyMatch(h -> h.name().equalsIgnoreCase("Host")));
            assertEquals(List.of(new NameValue("c", "3")), q.cookies());
        }
    }
}
