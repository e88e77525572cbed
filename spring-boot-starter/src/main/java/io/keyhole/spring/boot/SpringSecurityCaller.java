package io.keyhole.spring.boot;

import io.keyhole.RequestView;
import io.keyhole.credential.Credential;
import io.keyhole.credential.SignedInCaller;
import java.util.Collection;
import java.util.Map;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.ClassUtils;

/**
 * {@code keyhole.credential=spring-security}: the caller is Spring Security's current
 * {@link Authentication}, as the security filter chain left it on the request's thread. The auth
 * value is the authentication's name, or with {@code keyhole.spring-security-claim} that claim of
 * a JWT (resource server) or OIDC (login) authentication. Anonymous and unauthenticated callers
 * are asked about as anonymous; a signed-in caller without the claim is refused.
 */
final class SpringSecurityCaller implements SignedInCaller {

    private static final boolean OAUTH2 = ClassUtils.isPresent(
            "org.springframework.security.oauth2.core.ClaimAccessor", SpringSecurityCaller.class.getClassLoader());

    private final String claim;

    /** @param claim the claim that is the auth value; {@code null} for the authentication's name */
    SpringSecurityCaller(String claim) {
        this.claim = claim;
    }

    @Override
    public Credential find(RequestView request) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !authentication.isAuthenticated()
                || authentication instanceof AnonymousAuthenticationToken) {
            return new Credential.Absent();
        }
        if (claim == null) {
            String name = authentication.getName();
            return name == null || name.isEmpty() ? new Credential.Invalid("the authentication has no name")
                    : new Credential.Valid(name);
        }
        Map<String, Object> claims = OAUTH2 ? OAuth2Claims.of(authentication.getPrincipal()) : null;
        if (claims == null) {
            return new Credential.Invalid("a " + authentication.getClass().getSimpleName()
                    + " carries no claims; spring-security-claim needs a JWT or OIDC authentication");
        }
        Object value = claims.get(claim);
        if (value == null || value instanceof Collection || value instanceof Map || value.toString().isEmpty()) {
            return new Credential.Invalid("claim " + claim + " is missing or not a single value");
        }
        return new Credential.Valid(value.toString());
    }

    @Override
    public String toString() {
        return "Spring Security's authentication (" + (claim == null ? "its name" : "claim " + claim) + ")";
    }

    /** Kept apart so that the OAuth 2 types are loaded only when they are on the class path. */
    private static final class OAuth2Claims {

        static Map<String, Object> of(Object principal) {
            if (principal instanceof org.springframework.security.oauth2.core.ClaimAccessor accessor) {
                return accessor.getClaims();
            }
            if (principal instanceof org.springframework.security.oauth2.core.OAuth2AuthenticatedPrincipal p) {
                return p.getAttributes();
            }
            return null;
        }
    }
}
