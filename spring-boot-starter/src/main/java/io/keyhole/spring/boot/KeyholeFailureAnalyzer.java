package io.keyhole.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Says in the start-up failure report which {@code keyhole.*} property stopped the start, and the fix. */
final class KeyholeFailureAnalyzer extends AbstractFailureAnalyzer<KeyholeConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, KeyholeConfigurationException cause) {
        return new FailureAnalysis("Keyhole's configuration (the keyhole.* properties) is not usable: "
                + cause.getMessage(), "Correct the keyhole.* property named above; the keys are those of Keyhole's"
                + " text configuration, listed in its README.", cause);
    }
}
