package bench;

import io.keyhole.AuthResponse;
import io.keyhole.Authorizer;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** A Boot application with Keyhole whose authorizer grants every request; for benchmarks/boot/run.sh. */
@SpringBootApplication
public class BenchApp {
    public static void main(String[] args) {
        SpringApplication.run(BenchApp.class, args);
    }

    @Bean
    Authorizer authorizer() {
        return q -> new AuthResponse(200, null, "application/octet-stream", null, null, null, null, null, null);
    }
}
