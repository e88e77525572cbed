package io.keyhole.examples.boot;

import io.keyhole.AuthResponse;
import io.keyhole.Authorizer;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A file host in one class: Keyhole's starter reads the three {@code keyhole.*} properties of
 * {@code application.properties}, checks each request's JWT, and asks the {@link Authorizer}
 * below whether the user named by the token's {@code uid} claim may have the file.
 */
@SpringBootApplication
public class FileHostApplication {

    /** Who owns which file; an application asks its own database here. */
    static final Map<String, String> OWNERS = Map.of(
            "3f2a9c0d41b7e8f5a6c1d2e3f4a5b6c7", "1001",
            "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e", "1002");

    public static void main(String[] args) {
        SpringApplication.run(FileHostApplication.class, args);
    }

    /** The owner gets the file, everybody else a 403. Called on request threads: keep it thread-safe. */
    @Bean
    Authorizer authorizer() {
        return request -> request.authValue() != null && request.authValue().equals(OWNERS.get(request.fileId().value()))
                ? new AuthResponse(200, null, "application/pdf", "attachment", null, null, null, null, null)
                : new AuthResponse(403, null, null, null, null, null, null, "not the owner", null);
    }
}
