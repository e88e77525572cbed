package io.keyhole.spring.boot.test;

import static io.keyhole.testing.Wire.header;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import io.keyhole.AuthResponse;
import io.keyhole.Authorizer;
import io.keyhole.FileId;
import io.keyhole.testing.TestTree;
import io.keyhole.testing.Tokens;
import io.keyhole.tree.HashedTree;
import jakarta.servlet.Filter;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * {@code keyhole.credential=spring-security} behind a real Spring Security chain, with an
 * {@link Authorizer} bean instead of a socket backend: the signed-in user of a form login, and
 * the subject (or, with {@code spring-security-claim}, a claim) of a resource-server JWT, is the
 * auth value the authorizer sees.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SpringSecurityTest {

    /** Auth values the authorizer was asked about. */
    static final Set<String> ASKED = ConcurrentHashMap.newKeySet();
    static final BlockingQueue<BootApp.Seen> SEEN = BootApp.queue();
    /** Headers Spring Security's HeaderWriterFilter adds when the response is committed. */
    static final List<String> SECURITY_HEADERS = List.of("X-Content-Type-Options", "X-Frame-Options", "X-XSS-Protection");

    @TempDir
    static Path dir;
    TestTree tree;
    byte[] big;
    BootApp byName;
    BootApp byClaim;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        SecurityFilterChain security(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(a -> a.requestMatchers("/files/**").authenticated()
                            .anyRequest().permitAll())
                    .formLogin(Customizer.withDefaults())
                    .oauth2ResourceServer(o -> o.jwt(Customizer.withDefaults()))
                    .build();
        }

        @Bean
        FilterRegistrationBean<Filter> probe() {
            return BootApp.probe(SEEN);
        }

        @Bean
        UserDetailsService users() {
            return new InMemoryUserDetailsManager(
                    User.withUsername("alice").password("{noop}alice-pw").roles("USER").build(),
                    User.withUsername("mallory").password("{noop}mallory-pw").roles("USER").build());
        }

        @Bean
        JwtDecoder jwtDecoder() {
            return NimbusJwtDecoder.withSecretKey(new SecretKeySpec(Tokens.KEY, "HmacSHA256")).build();
        }

        /** Grants alice (by name) and user 1001 (by claim), nobody else. */
        @Bean
        Authorizer authorizer() {
            return q -> {
                ASKED.add(String.valueOf(q.authValue()));
                return List.of("alice", "1001").contains(q.authValue())
                        ? new AuthResponse(200, "data.bin", "application/octet-stream", null, TestTree.ETAG, null,
                                1_700_000_000L, null, null)
                        : new AuthResponse(403, null, null, null, null, null, null, "not yours", null);
            };
        }
    }

    @BeforeAll
    void start() throws Exception {
        tree = TestTree.create(dir.resolve("files"), 256 * 1024);
        big = BootApp.writeFile(tree.root(), PropertiesOnlyTest.BIG, 1_500_000);
        Map<String, String> common = Map.of(
                "keyhole.fs-root", tree.root().toString(),
                "keyhole.fs-depth", "2",
                "keyhole.mount", "/files/",
                "keyhole.credential", "spring-security");
        byName = BootApp.start(common, App.class);
        java.util.Map<String, String> claim = new java.util.HashMap<>(common);
        claim.put("keyhole.spring-security-claim", "uid");
        byClaim = BootApp.start(claim, App.class);
    }

    @AfterAll
    void stop() {
        for (BootApp app : new BootApp[] {byName, byClaim}) {
            if (app != null) {
                app.close();
            }
        }
    }

    private static String jwt(String subject, String uid) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject)
                .expirationTime(Date.from(Instant.now().plusSeconds(600)));
        if (uid != null) {
            claims.claim("uid", uid);
        }
        return Tokens.sign(new JWSHeader(JWSAlgorithm.HS256), claims.build(), Tokens.KEY);
    }

    /** Signs in through the login form, as a browser does: the page, its CSRF token, the POST. */
    private static HttpClient signIn(BootApp app, String user, String password) throws Exception {
        HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(app.base + "/login")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(page.body());
        assertTrue(csrf.find(), "the login page carries a CSRF token");
        String form = "username=" + user + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8)
                + "&_csrf=" + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8);
        HttpResponse<String> login = browser.send(HttpRequest.newBuilder(URI.create(app.base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(302, login.statusCode());
        assertTrue(!login.headers().firstValue("Location").orElse("").contains("error"), "signed in");
        return browser;
    }

    private static HttpResponse<byte[]> fetch(HttpClient client, BootApp app, String id, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.base + "/files/" + id));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void theFormLoginsUserIsTheAuthValue() throws Exception {
        HttpResponse<byte[]> alice = fetch(signIn(byName, "alice", "alice-pw"), byName, TestTree.SMALL);
        assertEquals(200, alice.statusCode());
        assertArrayEquals(tree.small(), alice.body());
        assertTrue(ASKED.contains("alice"));
        assertEquals(403, fetch(signIn(byName, "mallory", "mallory-pw"), byName, TestTree.SMALL).statusCode());
    }

    @Test
    void withoutSigningInTheChainSendsTheBrowserToTheLoginPage() throws Exception {
        HttpResponse<byte[]> r = fetch(HttpClient.newHttpClient(), byName, TestTree.SMALL, "Accept", "text/html");
        assertEquals(302, r.statusCode());
        assertTrue(r.headers().firstValue("Location").orElse("").endsWith("/login"));
    }

    @Test
    void theResourceServersJwtSubjectIsTheAuthValue() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        // no token, no browser: the resource server's challenge
        assertEquals(401, fetch(client, byName, TestTree.SMALL).statusCode());
        HttpResponse<byte[]> r = fetch(client, byName, TestTree.SMALL, "Authorization", "Bearer " + jwt("alice", null));
        assertEquals(200, r.statusCode());
        assertArrayEquals(tree.small(), r.body());
        assertEquals(403, fetch(client, byName, TestTree.SMALL, "Authorization", "Bearer " + jwt("mallory", "1001"))
                .statusCode());
        // a forged token never reaches Keyhole: the chain refuses it
        String forged = Tokens.sign(new JWSHeader(JWSAlgorithm.HS256),
                new JWTClaimsSet.Builder().subject("alice").expirationTime(Date.from(Instant.now().plusSeconds(600)))
                        .build(), Tokens.OTHER_KEY);
        assertEquals(401, fetch(client, byName, TestTree.SMALL, "Authorization", "Bearer " + forged).statusCode());
    }

    /**
     * Behind Spring Security the response reaches Keyhole wrapped (its firewall's, its header
     * writer's, its URL-encoding wrapper): wrappers that leave the body alone, so the zero-copy
     * path is still taken; and the headers the header writer adds at the commit are on the wire,
     * as on a small file, which is streamed.
     */
    @ParameterizedTest
    @ValueSource(strings = {TestTree.LARGE, PropertiesOnlyTest.BIG})
    void behindTheChainLargeFilesStillTakeTheZeroCopyPathWithItsHeaders(String id) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String token = "Bearer " + jwt("alice", null);
        HttpResponse<byte[]> small = fetch(client, byName, TestTree.SMALL, "Authorization", token);
        assertEquals(200, small.statusCode());
        SEEN.clear();
        HttpResponse<byte[]> r = fetch(client, byName, id, "Authorization", token);
        assertEquals(200, r.statusCode());
        assertArrayEquals(id.equals(TestTree.LARGE) ? tree.large() : big, r.body());
        BootApp.seen(SEEN, id).assertZeroCopy(new HashedTree(tree.root(), 2).pathOf(FileId.parse(id)));
        for (String name : SECURITY_HEADERS) {
            assertNotNull(header(small, name), name + " on a streamed body");
            assertEquals(header(small, name), header(r, name), name);
        }
    }

    @Test
    void aNamedClaimOfTheJwtIsTheAuthValue() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<byte[]> r = fetch(client, byClaim, TestTree.SMALL, "Authorization", "Bearer " + jwt("mallory", "1001"));
        assertEquals(200, r.statusCode());
        assertArrayEquals(tree.small(), r.body());
        assertEquals(403, fetch(client, byClaim, TestTree.SMALL, "Authorization", "Bearer " + jwt("alice", "1002"))
                .statusCode());
        // signed in, but without the claim: refused, never asked under another name
        assertEquals(403, fetch(client, byClaim, TestTree.SMALL, "Authorization", "Bearer " + jwt("alice", null))
                .statusCode());
        // a form login has no claims at all
        assertEquals(403, fetch(signIn(byClaim, "alice", "alice-pw"), byClaim, TestTree.SMALL).statusCode());
        assertNotNull(byClaim.context.getBean(Authorizer.class));
    }
}
